"""Running the ticket SLA escalations in the background of ``trustfair serve``.

A thread asks the clock what time it is every ``every_seconds`` and escalates the
tickets past their SLA (``escalation.run_ticket_timers``) in a transaction of its own
(retried after a deadlock). Several servers may run it at once: each level of each
ticket is still escalated once. A failed run is logged and tried again on the next
tick; what is due stays due.
"""

from __future__ import annotations

from trustfair.brand.clock import Clock
from trustfair.pipeline.loops import EveryLoop
from trustfair.store.database import Store
from trustfair.store.retry import with_retries
from trustfair.voice.escalation import EscalationRun, run_ticket_timers


def run_ticket_timers_once(store: Store, clock: Clock) -> EscalationRun:
    def work() -> EscalationRun:
        with store.transaction() as session:
            return run_ticket_timers(session, clock.now())

    return with_retries(work)


def ticket_timer_loop(store: Store, clock: Clock, every_seconds: float = 60.0) -> EveryLoop:
    """The ticket SLA escalations, run every ``every_seconds`` while the server runs."""

    def tick() -> str | None:
        run = run_ticket_timers_once(store, clock)
        return f"escalated {run.escalated}" if run.count else None

    return EveryLoop("ticket-timers", tick, every_seconds)
