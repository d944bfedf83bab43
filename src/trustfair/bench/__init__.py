"""Benchmarks: each prints its figure beside a baseline measured in the same run.

A benchmark is a function ``run(events: int) -> dict`` registered in ``BENCHMARKS``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from trustfair.bench import brandmatch, ingest, moderation, money, pipeline, shutdown

BENCHMARKS: dict[str, Callable[..., dict[str, Any]]] = {
    "ingest": ingest.run,
    "moderation": moderation.run,
    "pipeline": pipeline.run,
    "money": money.run,
    "shutdown": shutdown.run,
    "brandmatch": brandmatch.run,
}
