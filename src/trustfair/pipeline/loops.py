"""Work that runs in the background of ``trustfair serve`` every so often: complaint
timers, ticket escalations, the fulfilment watcher.

Each is one ``tick`` (its own transaction, safe to run from several servers at once)
that a thread calls every ``every_seconds``. A failed tick is logged and tried again
on the next one: what is due stays due, so nothing is lost.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class EveryLoop:
    """Calls ``tick()`` every ``every_seconds`` on a thread named ``name`` until closed.
    ``tick`` returns a line worth logging, or None when it did nothing."""

    def __init__(self, name: str, tick: Callable[[], str | None], every_seconds: float) -> None:
        if every_seconds <= 0:
            raise ValueError("every_seconds must be > 0")
        self.name, self.tick, self.every_seconds = name, tick, every_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
            self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                said = self.tick()
                if said:
                    log.info("%s: %s", self.name, said)
            except Exception:  # a bad tick must not end the loop: the next one retries
                log.exception("%s failed; trying again in %ss", self.name, self.every_seconds)
            self._stop.wait(self.every_seconds)
