"""Policy files are checked before they run and refused with file, line and problem."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from tests.enforce.conftest import POLICY, at, listing_published, marker_registry, write_policy
from tests.factories import ingest as run
from trustfair.policy.files import DEFAULT_POLICY_PATH, load_policy
from trustfair.store.models import DecisionRow, PointsEntryRow
from trustfair.yaml_files import FileError


def test_the_bundled_default_policy_loads_and_names_a_basis_for_every_violation() -> None:
    policy = load_policy(DEFAULT_POLICY_PATH)
    assert policy.version
    assert all(v.basis for v in policy.spec.violations.values())
    assert {"text.block", "live.refuse_restricted", "accounts.linked"} <= {
        r.id for r in policy.rules
    }


def test_action_params_reach_the_effects_as_checked_values_not_the_files_text(
    tmp_path: Path,
) -> None:
    text = POLICY.replace(
        "{kind: ban, violation: evading_sanction}",
        '{kind: live_suspension, days: "14", violation: evading_sanction}',
    )
    policy = load_policy(write_policy(tmp_path, text))
    [evasion] = [r for r in policy.rules if r.id == "accounts.evasion"]
    params = evasion.actions[0].params
    assert params == {"kind": "live_suspension", "days": 14, "violation": "evading_sanction"}
    assert isinstance(params["days"], int)


@pytest.mark.parametrize(
    ("change", "at_change", "problem"),
    [
        (("diversion: {class: general", "diversion: {class: grave"), True, "diversion.class"),
        (("version: test-1", "version: test-1\nstrictness: high"), True, "strictness: Extra"),
        (("{points: 20, sanctions", "{points: 10, sanctions"), False, "nodes must rise strictly"),
        (("[{kind: warning}]", "[{kind: warning, days: 3}]"), True, "a warning has no duration"),
        (
            ("violations: [unapproved_product]", "violations: [unapproved]"),
            True,
            "points for unapproved, which the file's violations: do not define",
        ),
        (("  - id: marked.review", "  - id: marked.block"), True, "'marked.block' is used twice"),
        (("verdict: review\n  - id: live", "verdict: maybe\n  - id: live"), False, "verdict"),
        (
            ("when: {events: [merchant.registered, streamer.registered]}", "when: {}"),
            True,
            "must say when it applies",
        ),
        (("{kind: send_command,", "{kind: launch_missiles,"), True, "kind"),
        (("violation: evading_sanction}", "violation: evading}"), True, "not 'evading'"),
        (
            ("topic: live.refuse, once_per: subject", "once_per: subject"),
            True,
            "topic: Field required",
        ),
        (("once_per: subject}", "once_per: subjcet}"), True, "send_command params: once_per"),
        (("events: [live.started]", "events: [live.startd]"), True, "no event type 'live.startd'"),
        (
            (
                "when: {signal: {detector: marker, severity: block}}",
                "when: {events: [live.chat], signal: {detector: marker, severity: block}}",
            ),
            False,
            "whose authors are not merchants or streamers",
        ),
        (
            ("{kind: ban, violation", "{kind: ban, days: 3, violation"),
            True,
            "a ban has no duration",
        ),
        (
            ("keys: [id_number, phone]}", "restricted_by: [ban]}"),
            True,
            "'restricted_by' appears twice",
        ),
    ],
)
def test_a_broken_policy_is_refused_with_the_file_line_and_problem(
    tmp_path: Path, change: tuple[str, str], at_change: bool, problem: str
) -> None:
    old, new = change
    assert old in POLICY
    text = POLICY.replace(old, new, 1)
    path = write_policy(tmp_path, text)
    with pytest.raises(FileError) as caught:
        load_policy(path)
    assert caught.value.path == str(path)
    assert problem in caught.value.problem
    if at_change:  # the line the change is on (the last line of a change of several)
        changed = text[: text.rindex(new) + len(new)].count("\n") + 1
        assert caught.value.line == changed
    else:
        assert caught.value.line is not None


def test_a_file_that_is_not_yaml_or_not_there_is_refused(tmp_path: Path) -> None:
    with pytest.raises(FileError, match="cannot read"):
        load_policy(tmp_path / "missing.yaml")
    broken = write_policy(tmp_path, "version: [1\n")
    with pytest.raises(FileError, match="not valid YAML"):
        load_policy(broken)


SHADOW_AND_STOP = POLICY.replace(
    "rules:\n",
    """rules:
  - id: official.store
    priority: 90
    stop: true
    when: {events: [listing.published], signal: {detector: marker, labels: [extreme_claim]}}
    verdict: allow
  - id: shadow.everything.blocks
    priority: 95
    shadow: true
    when: {signal: {detector: marker}}
    verdict: block
    actions: [{kind: points}]
""",
)


def test_shadow_rules_are_recorded_and_do_nothing_and_stop_keeps_lower_rules_out(
    store, tmp_path: Path
) -> None:
    registry = marker_registry(load_policy(write_policy(tmp_path, SHADOW_AND_STOP)))
    run(
        store,
        registry,
        listing_published("e1", "l1", "m1", "[[extreme_claim]]"),
        listing_published("e2", "l2", "m1", "[[medical_claim]]", at(minutes=1)),
    )
    with store.reading() as session:
        decisions = session.scalars(select(DecisionRow).order_by(DecisionRow.id)).all()
        points = session.scalars(select(PointsEntryRow.violation)).all()
    first, second = decisions
    # e1: the shadow rule would block; the official-store exception stops marked.block.
    assert first.verdict == "allow"
    assert [r["rule"] for r in first.reasons] == ["shadow.everything.blocks", "official.store"]
    assert first.reasons[0]["shadow"] is True
    assert first.reasons[0]["would_do"][0]["kind"] == "points"
    assert first.actions == []
    # e2: no exception; marked.block blocks and awards points, the shadow rule adds none.
    assert second.verdict == "block"
    assert [a["rule"] for a in second.actions] == ["marked.block"]
    assert points == ["medical_claim"]


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ("params: {amount: 10}", "params: {amout: 10}", "raise_live_risk params: amout"),
        ("params: {amount: 4}", "params: {}", "needs an amount or amount_by_label"),
        ("      events: [live.chat]\n", "      events: [listing.published]\n", "a live session"),
    ],
)
def test_the_default_policys_live_risk_rules_are_checked_too(
    tmp_path: Path, old: str, new: str, problem: str
) -> None:
    text = DEFAULT_POLICY_PATH.read_text(encoding="utf-8")
    assert old in text
    path = write_policy(tmp_path, text.replace(old, new, 1))
    with pytest.raises(FileError, match=problem) as caught:
        load_policy(path)
    assert caught.value.line is not None


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        (
            "labels: [return_shipping_due]}",
            "labels: [late_shipment_due]}",
            "compensate moves money on the protection detector's 'return_shipping_due'",
        ),
        ("labels: [claim_filed]}", "labels: [deposit_paid]}", "'claim_filed' signal"),
        ("{detector: protection, labels: [deposit_paid]}", "{detector: text}", "'deposit_paid'"),
        ("params: {guarantee: late_shipment}", "params: {guarantee: fast_refund}", "guarantee"),
    ],
)
def test_a_money_rule_that_could_never_move_money_is_refused_at_load(
    tmp_path: Path, old: str, new: str, problem: str
) -> None:
    text = DEFAULT_POLICY_PATH.read_text(encoding="utf-8")
    assert old in text
    path = write_policy(tmp_path, text.replace(old, new, 1))
    with pytest.raises(FileError, match=problem):
        load_policy(path)
