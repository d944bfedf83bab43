from __future__ import annotations

import pytest

from trustfair.report.render import format_value


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (515_458_233, "fen", "¥5,154,582.33"),
        (5, "fen", "¥0.05"),
        (-150, "fen", "-¥1.50"),
        (25_239, "", "25,239"),
        (12.5, "", "12.50"),
        (None, "", "—"),
    ],
)
def test_figures_read_as_people_write_them(value, unit, shown) -> None:  # type: ignore[no-untyped-def]
    assert format_value(value, unit) == shown
