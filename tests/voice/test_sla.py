"""The SLA file: its figures, and clear errors for a wrong one."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from tests.factories import T0
from trustfair.voice.sla import DEFAULT_PATH, default_sla, load_sla
from trustfair.yaml_files import FileError


def test_the_shipped_slas() -> None:
    sla = default_sla()
    hours = {c: sla.sla(c) / timedelta(hours=1) for c in sla.channels}
    assert hours == {"social": 12, "hotline": 24, "in_app": 48, "review": 72, "survey_comment": 72}
    assert sla.escalation_due("social", T0, 2) == T0 + timedelta(hours=24)
    with pytest.raises(LookupError, match="known"):
        sla.sla("fax")


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (("social: {hours: 12}", "social: {hours: 0}"), "channels.social.hours"),
        (("social: {hours: 12}", "fax: {hours: 12}"), "channels.fax"),
        (("  social: {hours: 12}\n", ""), "channels without an SLA: social"),
        (("queue: voice", "queue: Voice Queue"), "queue"),
        (("level_2: 1", "level_3: 1"), "priority"),
    ],
)
def test_a_wrong_sla_file_names_the_line(tmp_path: Path, change, says: str) -> None:
    text = DEFAULT_PATH.read_text("utf-8")
    assert change[0] in text
    bad = tmp_path / "sla.yaml"
    bad.write_text(text.replace(change[0], change[1], 1), "utf-8")
    with pytest.raises(FileError) as caught:
        load_sla(bad)
    assert "sla.yaml" in str(caught.value) and says in str(caught.value)
