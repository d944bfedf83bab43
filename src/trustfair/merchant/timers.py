"""Running the fulfilment watcher in the background of ``trustfair serve``.

A thread asks the clock what time it is every ``every_seconds`` and watches as of then
(``watch.run_fulfilment``) in a transaction of its own. Several servers may run it at
once: a merchant is still urged at most once per interval and an order compensated
once. A failed run is logged and tried again on the next tick; nothing is lost, since
an order at risk stays at risk and a missed deadline stays missed.
"""

from __future__ import annotations

import logging
import threading

from trustfair.brand.clock import Clock
from trustfair.merchant.watch import run_fulfilment
from trustfair.pipeline.registry import Registry
from trustfair.store.database import Store

log = logging.getLogger(__name__)


class FulfilmentLoop:
    def __init__(
        self, store: Store, registry: Registry, clock: Clock, every_seconds: float = 300.0
    ) -> None:
        if every_seconds <= 0:
            raise ValueError("every_seconds must be > 0")
        self.store, self.registry, self.clock = store, registry, clock
        self.every_seconds = every_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="fulfilment", daemon=True)
            self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                run = run_fulfilment(self.store, self.registry, self.clock.now())
                if run.urges or run.missed:
                    log.info(
                        "fulfilment: %d urge(s), %d missed deadline(s)",
                        len(run.urges),
                        run.missed,
                    )
            except Exception:  # a bad tick must not end the loop: the next one retries
                log.exception("fulfilment watch failed; trying again in %ss", self.every_seconds)
            self._stop.wait(self.every_seconds)
