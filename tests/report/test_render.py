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


def test_the_html_report_shows_the_enforcement_section() -> None:
    from trustfair.report.render import render_html

    report = {
        "title": "t",
        "generated_at": "now",
        "generator": "g",
        "store": "sqlite",
        "period": {"from": None, "to": None},
        "sections": [
            {
                "key": "enforcement",
                "title": "Penalties and sanctions",
                "figures": [
                    {
                        "key": "merchants_banned",
                        "label": "Merchants banned",
                        "value": 3,
                        "source": "distinct merchants with a ban in sanctions, not lifted",
                        "unit": "",
                    }
                ],
                "breakdowns": [
                    {
                        "key": "sanctions_by_kind",
                        "label": "Sanctions by kind",
                        "rows": {"ban": 3, "warning": 7},
                        "source": "sanctions, grouped by kind",
                    }
                ],
            }
        ],
    }
    html = render_html(report)
    assert '<section id="enforcement">' in html
    assert "Merchants banned" in html and "not lifted" in html
    assert '<h3 id="sanctions_by_kind">' in html
