"""Running the complaint timers in the background of ``trustfair serve``.

A thread asks the clock what time it is every ``every_seconds`` and fires what is due
(``complaints.run_due_timers``) in a transaction of its own. Several servers may run
it at once: each timer still fires once (the steps are guarded). A failed run is
logged and tried again on the next tick; nothing is lost, since what is due stays due.
"""

from __future__ import annotations

import logging
import threading

from trustfair.brand.clock import Clock
from trustfair.brand.complaints import TimerRun, run_due_timers
from trustfair.pipeline.registry import Registry
from trustfair.store.database import Store
from trustfair.store.retry import with_retries

log = logging.getLogger(__name__)


def run_timers_once(store: Store, registry: Registry, clock: Clock) -> TimerRun:
    """Fire the timers due now, in one transaction (retried after a deadlock)."""

    def work() -> TimerRun:
        with store.transaction() as session:
            return run_due_timers(session, clock.now(), registry=registry)

    return with_retries(work)


class TimerLoop:
    def __init__(
        self, store: Store, registry: Registry, clock: Clock, every_seconds: float = 60.0
    ) -> None:
        if every_seconds <= 0:
            raise ValueError("every_seconds must be > 0")
        self.store, self.registry, self.clock = store, registry, clock
        self.every_seconds = every_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="complaint-timers", daemon=True)
            self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                run = run_timers_once(self.store, self.registry, self.clock)
                if run.count:
                    log.info("complaint timers fired: %s", run.moved)
            except Exception:  # a bad tick must not end the loop: the next one retries
                log.exception("complaint timers failed; trying again in %ss", self.every_seconds)
            self._stop.wait(self.every_seconds)
