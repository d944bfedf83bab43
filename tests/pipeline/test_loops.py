"""The background loop of ``trustfair serve``'s timed work: it ticks until closed and
outlives a failing tick."""

from __future__ import annotations

import threading

import pytest

from trustfair.pipeline.loops import EveryLoop


def test_a_loop_ticks_until_closed_and_a_failing_tick_does_not_end_it() -> None:
    ticks: list[int] = []
    enough = threading.Event()

    def tick() -> str | None:
        ticks.append(len(ticks))
        if len(ticks) == 2:
            raise RuntimeError("a bad tick")
        if len(ticks) >= 4:
            enough.set()
        return "ticked"

    loop = EveryLoop("test-loop", tick, every_seconds=0.01)
    loop.start()
    assert enough.wait(timeout=10), f"only {len(ticks)} ticks"
    loop.close()
    after = len(ticks)
    assert after >= 4
    enough.clear()
    assert not enough.wait(timeout=0.1)
    assert len(ticks) == after


def test_a_loop_needs_a_positive_period() -> None:
    with pytest.raises(ValueError, match="every_seconds"):
        EveryLoop("test-loop", lambda: None, every_seconds=0)
