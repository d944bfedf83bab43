"""The report as JSON, HTML and a terminal table."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from rich.console import Console
from rich.table import Table


def format_value(value: int | float | None, unit: str = "") -> str:
    """A figure as people read it: thousands separated, fen shown as yuan."""
    if value is None:
        return "—"
    if unit == "fen" and isinstance(value, int):
        # Integer arithmetic all the way: money is never a float, not even on a page.
        sign = "-" if value < 0 else ""
        yuan, fen = divmod(abs(value), 100)
        return f"{sign}¥{yuan:,}.{fen:02d}"
    if unit == "‰":
        return f"{value:,} ‰"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.2f}"


def write_json(report: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def render_html(report: dict[str, Any]) -> str:
    env = Environment(
        loader=PackageLoader("trustfair.report", "templates"),
        autoescape=select_autoescape(["html"]),
    )
    env.filters["figure"] = format_value
    return env.get_template("report.html").render(report=report)


def write_html(report: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(report), encoding="utf-8")


def print_tables(report: dict[str, Any], console: Console) -> None:
    period = report["period"]
    console.print(f"[bold]{report['title']}[/bold]  {period['from']} → {period['to']}")
    for section in report["sections"]:
        table = Table(title=section["title"], title_justify="left", show_header=True)
        table.add_column("figure")
        table.add_column("value", justify="right")
        for figure in section["figures"]:
            table.add_row(figure["label"], format_value(figure["value"], figure["unit"]))
        for breakdown in section["breakdowns"]:
            for key, count in breakdown["rows"].items():
                table.add_row(
                    f"{breakdown['label']}: {key}", format_value(count, breakdown.get("unit", ""))
                )
        console.print(table)
