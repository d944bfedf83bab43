"""Running the ticket SLA escalations in the background of ``trustfair serve``.

A thread asks the clock what time it is every ``every_seconds`` and escalates the
tickets past their SLA (``escalation.run_ticket_timers``) in a transaction of its own
(retried after a deadlock). Several servers may run it at once: each level of each
ticket is still escalated once. A failed run is logged and tried again on the next
tick; what is due stays due.
"""

from __future__ import annotations

import logging
import threading

from trustfair.brand.clock import Clock
from trustfair.store.database import Store
from trustfair.store.retry import with_retries
from trustfair.voice.escalation import EscalationRun, run_ticket_timers

log = logging.getLogger(__name__)


def run_ticket_timers_once(store: Store, clock: Clock) -> EscalationRun:
    def work() -> EscalationRun:
        with store.transaction() as session:
            return run_ticket_timers(session, clock.now())

    return with_retries(work)


class TicketTimerLoop:
    def __init__(self, store: Store, clock: Clock, every_seconds: float = 60.0) -> None:
        if every_seconds <= 0:
            raise ValueError("every_seconds must be > 0")
        self.store, self.clock, self.every_seconds = store, clock, every_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="ticket-timers", daemon=True)
            self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                run = run_ticket_timers_once(self.store, self.clock)
                if run.count:
                    log.info("tickets escalated: %s", run.escalated)
            except Exception:  # a bad tick must not end the loop: the next one retries
                log.exception("ticket timers failed; trying again in %ss", self.every_seconds)
            self._stop.wait(self.every_seconds)
