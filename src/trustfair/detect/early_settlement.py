"""Early settlement, read from the order events: when an order's advance may be paid,
settled or reversed (``merchant.advances``).

- the first ``order.shipped`` of an order paid and neither refunded nor confirmed yet →
  ``advance_due`` (the order, its merchant and what was paid). A re-scan is not a new
  shipment; an order not paid yet has nothing to advance; one refunded or confirmed
  already (events out of order) is past the point where paying early means anything.
- ``order.confirmed`` → ``order_confirmed``: an advance, if there is one, is settled.
- ``order.refunded`` → ``order_refunded``: an advance not settled yet is reversed.

Whether the merchant's score clears the bar is not asked here: the bar and weights are
the deciding policy's (its ``settlement`` section), which a detector does not get, so the
``advance_settlement`` effect reads the score at the shipment's time under that policy,
and the decision records the policy version that set the bar.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from trustfair.events.payload import EntityRef
from trustfair.pipeline.interfaces import Context, Signal, StoredEvent
from trustfair.pipeline.registry import register_detector
from trustfair.settings import Settings
from trustfair.store.models import SHIPPED

ADVANCE_DUE = "advance_due"
ORDER_CONFIRMED = "order_confirmed"
ORDER_REFUNDED = "order_refunded"
SETTLEMENT_SIGNALS = {
    "advance_settlement": ADVANCE_DUE,
    "settle_advance": ORDER_CONFIRMED,
    "reverse_advance": ORDER_REFUNDED,
}
"""Action kind → the signal its effect reads the order from; a policy rule asking for
the action must match that signal (checked when the file loads)."""
_EVER = (datetime(1970, 1, 1, tzinfo=UTC), datetime(9999, 12, 31, tzinfo=UTC))


@dataclass(frozen=True)
class EarlySettlementDetector:
    name: str = "early_settlement"
    version: str = "1"
    event_types: frozenset[str] = frozenset({"order.shipped", "order.confirmed", "order.refunded"})

    def detect(self, event: StoredEvent, context: Context) -> list[Signal]:
        payload: Any = event.envelope.payload
        facts = {"order_id": payload.order_id, "merchant_id": payload.merchant_id}
        if event.type == "order.confirmed":
            return [self._signal(ORDER_CONFIRMED, rule="settlement.settle", **facts)]
        if event.type == "order.refunded":
            return [self._signal(ORDER_REFUNDED, rule="settlement.reverse", **facts)]
        return self._shipped(event, payload, context)

    def _signal(self, label: str, **evidence: Any) -> Signal:
        return Signal(self.name, self.version, label, 1.0, evidence)

    def _shipped(self, event: StoredEvent, payload: Any, context: Context) -> list[Signal]:
        marks = context.order_shipping(payload.order_id, event.seq)
        if any(m.kind == SHIPPED and m.seq < event.seq for m in marks):
            return []  # a re-scan: the order was judged on its first shipment
        cover = context.order_cover(payload.order_id, event.seq)
        if cover is None or cover.amount_fen <= 0:
            return []  # not paid (yet): nothing to pay the merchant ahead of
        order = EntityRef("order", payload.order_id)
        for closing in ("order.refunded", "order.confirmed"):
            if context.events_between(order, closing, *_EVER, event.seq):
                return []
        return [
            self._signal(
                ADVANCE_DUE,
                rule="settlement.advance",
                order_id=payload.order_id,
                merchant_id=cover.merchant_id,
                amount_fen=cover.amount_fen,
                shipped_at=event.occurred_at.isoformat(),
            )
        ]


@register_detector("early_settlement")
def make_detector(_: Settings) -> EarlySettlementDetector:
    return EarlySettlementDetector()
