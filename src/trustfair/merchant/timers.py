"""Running the fulfilment watcher in the background of ``trustfair serve``.

A thread asks the clock what time it is every ``every_seconds`` and watches as of then
(``watch.run_fulfilment``) in a transaction of its own. Several servers may run it at
once: a merchant is still urged at most once per interval and an order compensated
once. A failed run is logged and tried again on the next tick; nothing is lost, since
an order at risk stays at risk and a missed deadline stays missed.
"""

from __future__ import annotations

from trustfair.brand.clock import Clock
from trustfair.merchant.watch import run_fulfilment
from trustfair.pipeline.loops import EveryLoop
from trustfair.pipeline.registry import Registry
from trustfair.store.database import Store


def fulfilment_loop(
    store: Store, registry: Registry, clock: Clock, every_seconds: float = 300.0
) -> EveryLoop:
    """The fulfilment watcher, run every ``every_seconds`` while the server runs."""

    def tick() -> str | None:
        run = run_fulfilment(store, registry, clock.now())
        if run.urges or run.missed:
            return f"{len(run.urges)} urge(s), {run.missed} missed deadline(s)"
        return None

    return EveryLoop("fulfilment", tick, every_seconds)
