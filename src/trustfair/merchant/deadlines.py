"""Which paid orders are at risk of missing their shipping deadline, and which missed
it, as of a moment in event time.

Deadlines and shipments come from the ``order_shipping`` projection (an order's
deadline is its ``ship_by``, or the default promise after its payment); "as of ``at``"
counts only payments whose event happened by ``at`` and shipments made by ``at``, so a
watcher run live and one run over a replayed history give the same answer.

- **At risk** at ``at``: paid by ``at``, neither shipped nor refunded (closed) by
  ``at``, deadline after ``at`` and within the horizon.
- **Missed** at ``at``: paid by ``at``, deadline before ``at``, and neither shipped nor
  refunded by the deadline (an order refunded before it shipped was cancelled: its
  merchant owes no shipment), judged only once the deadline is more than the grace
  period in the past: a shipment made in time whose event reaches the log minutes late
  still counts, as shipments are judged by their event time. A deadline passed longer
  ago than the lookback is left alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session, aliased

from trustfair.store.models import (
    SHIPPED,
    SHIPPING_CLOSED,
    SHIPPING_DUE,
    EventRow,
    MissedDeadlineRow,
    OrderShippingRow,
)


@dataclass(frozen=True)
class DueOrder:
    order_id: str
    merchant_id: str
    due_at: datetime


def _deadlines(at: datetime, since: datetime, until: datetime):  # type: ignore[no-untyped-def]
    """Each order's earliest deadline in [since, until] among its payments that happened
    by ``at``."""
    due = OrderShippingRow
    return (
        select(
            due.order_id,
            due.merchant_id,
            func.min(due.at).label("due_at"),
        )
        .join(EventRow, EventRow.seq == due.event_seq)
        .where(
            due.kind == SHIPPING_DUE,
            due.at >= since,
            due.at <= until,
            EventRow.occurred_at <= at,
        )
        .group_by(due.order_id, due.merchant_id)
    )


def _settled_by(order_id: object, moment: object):  # type: ignore[no-untyped-def]
    """The order shipped, or was refunded (closed), by ``moment``: nothing more is due."""
    mark = aliased(OrderShippingRow)
    return exists().where(
        mark.order_id == order_id,
        mark.kind.in_((SHIPPED, SHIPPING_CLOSED)),
        mark.at <= moment,
    )


def at_risk(session: Session, at: datetime, horizon: timedelta) -> list[DueOrder]:
    """Orders at risk at ``at``, by merchant and deadline (an order with an earlier
    deadline, from another payment of it, that passed is not at risk: it missed)."""
    deadlines = _deadlines(at, at, at + horizon).subquery()
    earlier = aliased(OrderShippingRow)
    rows = session.execute(
        select(deadlines.c.order_id, deadlines.c.merchant_id, deadlines.c.due_at)
        .where(
            deadlines.c.due_at > at,
            ~_settled_by(deadlines.c.order_id, at),
            ~exists().where(
                earlier.order_id == deadlines.c.order_id,
                earlier.kind == SHIPPING_DUE,
                earlier.at <= at,
            ),
        )
        .order_by(deadlines.c.merchant_id, deadlines.c.due_at, deadlines.c.order_id)
    )
    return [DueOrder(*row) for row in rows]


def missed(
    session: Session, at: datetime, lookback: timedelta, grace: timedelta = timedelta(0)
) -> list[DueOrder]:
    """Orders whose deadline passed unshipped more than ``grace`` before ``at`` and not
    yet recorded as missed, by order id (the order watchers take them in, so two never
    wait on each other)."""
    judged_until = at - grace
    deadlines = _deadlines(at, at - lookback, judged_until).subquery()
    rows = session.execute(
        select(deadlines.c.order_id, deadlines.c.merchant_id, deadlines.c.due_at)
        .where(
            deadlines.c.due_at < judged_until,
            ~_settled_by(deadlines.c.order_id, deadlines.c.due_at),
            ~exists().where(and_(MissedDeadlineRow.order_id == deadlines.c.order_id)),
        )
        .order_by(deadlines.c.order_id)
    )
    return [DueOrder(*row) for row in rows]
