"""Build the report from the store and write it everywhere it goes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console

from trustfair.report.figures import build_report
from trustfair.report.render import print_tables, write_html, write_json
from trustfair.store.database import Store


def publish_report(store: Store, out_dir: Path, console: Console) -> dict[str, Any]:
    """Write ``out_dir/report.json`` and ``out_dir/report.html`` and print the figures."""
    document = build_report(store)
    write_json(document, out_dir / "report.json")
    write_html(document, out_dir / "report.html")
    print_tables(document, console)
    console.print(f"report → {out_dir / 'report.json'}, {out_dir / 'report.html'}")
    return document
