"""Late shipment, read from each merchant's shipping record rather than from words.

E-Commerce Law Art. 20 holds a seller to the delivery time it promised, and the large
platforms count a shop's late shipments against it. One late parcel is a courier's
bad day; a shop that ships a good share of its orders late, week after week, is
breaking its promise as a habit. So each order shipped after its deadline is
reported with the merchant's record over the ``window`` before it (30 days): how many
orders shipped, how many of them late, and the late share. The policy says which
record is an offence (the default: at least 5 late and at least 15 %).

Deadlines and shipments come from the ``order_shipping`` projection, written before
detectors run. An order whose payment (and so whose deadline) has not arrived yet is
left out of the record rather than guessed at. An order is one shipment however often
the carrier's scan is re-sent: only its first ``order.shipped`` to arrive is judged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from trustfair.pipeline.interfaces import Context, Signal, StoredEvent
from trustfair.pipeline.registry import register_detector
from trustfair.settings import Settings
from trustfair.store.models import SHIPPED, SHIPPING_DUE

LABEL = "late_shipment"
RULE = "fulfilment.shipped_after_deadline"
WINDOW = timedelta(days=30)


@dataclass(frozen=True)
class LateShipmentDetector:
    window: timedelta = WINDOW
    name: str = "late_shipment"
    version: str = "1"
    event_types: frozenset[str] = frozenset({"order.shipped"})

    def detect(self, event: StoredEvent, context: Context) -> list[Signal]:
        payload = event.envelope.payload
        order_id: str = payload.order_id  # type: ignore[attr-defined]
        merchant_id: str = payload.merchant_id  # type: ignore[attr-defined]
        at = event.occurred_at
        marks = context.order_shipping(order_id, event.seq)
        if any(m.kind == SHIPPED and m.seq < event.seq for m in marks):
            return []  # re-sent (a carrier's re-scan): the order's first shipment is judged
        due = min((m.at for m in marks if m.kind == SHIPPING_DUE), default=None)
        if due is None or at <= due:
            return []  # most parcels: on time, and the record is not needed
        since = at - self.window
        record = [s for s in context.shipments(merchant_id, since, at, event.seq) if s.due_at]
        this = next((s for s in record if s.order_id == order_id), None)
        if this is None or this.due_at is None or this.shipped_at <= this.due_at:
            return []
        late = sum(s.shipped_at > s.due_at for s in record if s.due_at is not None)
        evidence = {
            "rule": RULE,
            "order_id": order_id,
            "due_at": this.due_at.isoformat(),
            "shipped_at": this.shipped_at.isoformat(),
            "late_by_hours": round((this.shipped_at - this.due_at).total_seconds() / 3600, 1),
            "shipments": len(record),
            "late_shipments": late,
            "late_share": round(late / len(record), 4),
            "window_days": self.window.days,
            "window": {
                "since": since.isoformat(),
                "until": at.isoformat(),
                "days": self.window.days,
            },
        }
        return [Signal(self.name, self.version, LABEL, 1.0, evidence)]


@register_detector("late_shipment")
def make_detector(_: Settings) -> LateShipmentDetector:
    return LateShipmentDetector()
