"""The report as JSON, HTML and a terminal table."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from rich.console import Console
from rich.table import Table


def write_json(report: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def render_html(report: dict[str, Any]) -> str:
    env = Environment(
        loader=PackageLoader("trustfair.report", "templates"),
        autoescape=select_autoescape(["html"]),
    )
    env.filters["thousands"] = lambda v: (
        f"{v:,}" if isinstance(v, int) else ("—" if v is None else v)
    )
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
            value = figure["value"]
            shown = (
                "—" if value is None else (f"{value:,}" if isinstance(value, int) else str(value))
            )
            table.add_row(figure["label"], shown + (f" {figure['unit']}" if figure["unit"] else ""))
        for breakdown in section["breakdowns"]:
            for key, count in breakdown["rows"].items():
                table.add_row(f"{breakdown['label']}: {key}", f"{count:,}")
        console.print(table)
