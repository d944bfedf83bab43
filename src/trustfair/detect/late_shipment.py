"""Late shipment, read from each merchant's shipping record rather than from words.

E-Commerce Law Art. 20 holds a seller to the delivery time it promised, and the large
platforms count a shop's late shipments against it. One late parcel is a courier's
bad day; a shop that ships a good share of its orders late, week after week, is
breaking its promise as a habit. So each order shipped after its deadline is
reported with the merchant's record over the ``window`` before it (30 days): how many
orders shipped, how many of them late, and the late share.

A habit is punished once a week (the matter is the shop-week: the ISO week, +08:00,
of the shipment), but a 30-day record outlives the week that made it: five late
parcels in one week would make any single late parcel of the next four weeks look like
a habit again, and punish the same parcels four more times. So each week is judged on
its own new evidence as well: the report says which week the parcel is of (``week``,
like ``2026-W11``) and how many late parcels of that week are known (``late_this_week``,
counted over the whole week, not only up to this parcel, so that the answer does not
depend on which of the week's parcels arrived first). The policy says which record is
an offence (the default: at least 5 late and 15 % in the 30 days, and at least 2 late
in the week). Counting only what came after the last punished week would do the same,
but would make the detector read the enforcement it feeds; the week's own count is a
fact of the shipping record alone.

Deadlines and shipments come from the ``order_shipping`` projection, written before
detectors run. An order whose payment (and so whose deadline) has not arrived yet is
left out of the record rather than guessed at, and judged when the payment arrives:
the detector reads ``order.paid`` too, and reports a parcel shipped late before its
payment reached the log on that payment, with the shipment's time, record and week
(enforcement dates the matter by the ``shipped_at`` the report gives). An order is
judged once: on its first ``order.shipped`` if its payment came first, else on its
first ``order.paid``; a re-sent shipment (a carrier's re-scan under a new event id) or
payment is not judged again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from trustfair.enforce.authors import shipping_week
from trustfair.pipeline.interfaces import Context, Shipment, Signal, StoredEvent
from trustfair.pipeline.registry import register_detector
from trustfair.settings import Settings
from trustfair.store.models import SHIPPED, SHIPPING_DUE

LABEL = "late_shipment"
RULE = "fulfilment.shipped_after_deadline"
WINDOW = timedelta(days=30)
WEEK = timedelta(days=7)


def _late(shipment: Shipment) -> bool:
    return shipment.due_at is not None and shipment.shipped_at > shipment.due_at


def judged_late(event: StoredEvent, context: Context) -> tuple[datetime, datetime] | None:
    """(due_at, shipped_at) when ``event`` (an ``order.paid`` or ``order.shipped``) is
    the one an order shipped late is judged on, else None.

    An order is judged once, when both its deadline and its shipment are known: on
    whichever of its first payment and its first shipment arrives second. A re-sent
    shipment (a carrier's re-scan) or payment is not judged again. Other detectors
    that act on a late order (the late-shipment guarantee's compensation) ask this, so
    that an order is late for all of them on the same event."""
    order_id: str = event.envelope.payload.order_id  # type: ignore[attr-defined]
    marks = context.order_shipping(order_id, event.seq)
    kind = SHIPPED if event.type == "order.shipped" else SHIPPING_DUE
    if any(m.kind == kind and m.seq < event.seq for m in marks):
        return None  # re-sent (a carrier's re-scan, a payment again): judged on the first
    # Most payments arrive before anything shipped, most parcels on time; neither needs
    # more than this one question.
    due = min((m.at for m in marks if m.kind == SHIPPING_DUE), default=None)
    at = min((m.at for m in marks if m.kind == SHIPPED), default=None)
    if due is None or at is None or at <= due:
        return None
    return due, at


@dataclass(frozen=True)
class LateShipmentDetector:
    window: timedelta = WINDOW
    name: str = "late_shipment"
    version: str = "2"
    event_types: frozenset[str] = frozenset({"order.shipped", "order.paid"})

    def detect(self, event: StoredEvent, context: Context) -> list[Signal]:
        payload = event.envelope.payload
        order_id: str = payload.order_id  # type: ignore[attr-defined]
        merchant_id: str = payload.merchant_id  # type: ignore[attr-defined]
        judged = judged_late(event, context)
        if judged is None:
            return []
        due, at = judged
        week, monday = shipping_week(at)
        week_end = monday + WEEK
        since = at - self.window
        known = [
            s
            for s in context.shipments(merchant_id, since, week_end, event.seq)
            if s.due_at is not None
        ]
        record = [s for s in known if s.shipped_at <= at]
        late = sum(_late(s) for s in record)
        evidence = {
            "rule": RULE,
            "order_id": order_id,
            "due_at": due.isoformat(),
            "shipped_at": at.isoformat(),
            "late_by_hours": round((at - due).total_seconds() / 3600, 1),
            "shipments": len(record),
            "late_shipments": late,
            "late_share": round(late / len(record), 4),
            "window": {
                "since": since.isoformat(),
                "until": at.isoformat(),
                "days": self.window.days,
            },
            "week": week,
            "late_this_week": sum(monday <= s.shipped_at < week_end and _late(s) for s in known),
        }
        return [Signal(self.name, self.version, LABEL, 1.0, evidence)]


@register_detector("late_shipment")
def make_detector(_: Settings) -> LateShipmentDetector:
    return LateShipmentDetector()
