"""Running the complaint timers in the background of ``trustfair serve``.

A thread asks the clock what time it is every ``every_seconds`` and fires what is due
(``complaints.run_due_timers``) in a transaction of its own. Several servers may run
it at once: each timer still fires once (the steps are guarded). A failed run is
logged and tried again on the next tick; nothing is lost, since what is due stays due.
"""

from __future__ import annotations

from trustfair.brand.clock import Clock
from trustfair.brand.complaints import TimerRun, run_due_timers
from trustfair.pipeline.loops import EveryLoop
from trustfair.pipeline.registry import Registry
from trustfair.store.database import Store
from trustfair.store.retry import with_retries


def run_timers_once(store: Store, registry: Registry, clock: Clock) -> TimerRun:
    """Fire the timers due now, in one transaction (retried after a deadlock)."""

    def work() -> TimerRun:
        with store.transaction() as session:
            return run_due_timers(session, clock.now(), registry=registry)

    return with_retries(work)


def complaint_timer_loop(
    store: Store, registry: Registry, clock: Clock, every_seconds: float = 60.0
) -> EveryLoop:
    """The complaint timers, fired every ``every_seconds`` while the server runs."""

    def tick() -> str | None:
        run = run_timers_once(store, registry, clock)
        return f"fired {run.moved}" if run.count else None

    return EveryLoop("complaint-timers", tick, every_seconds)
