"""Urging a merchant about its orders at risk, and its one-click acknowledgement.

An urge is a message the merchant reads (console, ``GET /v1/merchants/{id}/urges``)
and a ``merchant.urge`` command by webhook (through the outbox, retried), listing the
orders at risk, their deadlines and a signed link that acknowledges it in one click.

**At most once per interval.** Each merchant has one mark row (``fulfilment_urge_marks``)
holding when it was last urged; an urge is made only by the watcher whose conditional
update moves that mark forward by at least the interval (``last <= at - interval``).
On PostgreSQL a second watcher's update waits for the first's row lock and, once the
first commits, finds the condition false; SQLite has one writer at a time. So two
watchers at once, or a re-run at the same moment, never urge twice, and urges of one
merchant are always at least the interval apart, in event time. A unique index on
(merchant, sent_at) guards the urges table as well.

**Never after a deadline.** An urge lists only orders whose deadline is after the
moment it is sent.

**The acknowledgement token** is an HMAC-SHA256, under the server's secret
(``TRUSTFAIR_URGE_SECRET``), of the urge's id, merchant and time: it acknowledges
that urge and no other, and cannot be made without the secret.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import or_, update
from sqlalchemy.orm import Session

from trustfair.merchant.deadlines import DueOrder
from trustfair.pipeline.outbox import enqueue
from trustfair.store.event_log import insert_ignoring_conflicts
from trustfair.store.models import UrgeMarkRow, UrgeOrderRow, UrgeRow

URGE_TOPIC = "merchant.urge"
URGE_RULE = "fulfilment.at_risk"


class UrgeRefused(Exception):
    """An acknowledgement with a token that is not this urge's."""


@dataclass(frozen=True)
class Signer:
    secret: str

    def token(self, urge: UrgeRow) -> str:
        sent = urge.sent_at.astimezone(UTC).isoformat()  # as stored, whatever zone it came in
        message = f"urge:{urge.id}:{urge.merchant_id}:{sent}"
        return hmac.new(self.secret.encode(), message.encode(), hashlib.sha256).hexdigest()

    def check(self, urge: UrgeRow, token: str) -> None:
        if not hmac.compare_digest(self.token(urge).encode(), token.encode()):
            raise UrgeRefused(f"the token does not acknowledge urge {urge.id}")


def ack_link(base_url: str, urge: UrgeRow, signer: Signer) -> str:
    return f"{base_url.rstrip('/')}/v1/urges/{urge.id}/ack?token={signer.token(urge)}"


def _message(orders: Sequence[DueOrder], at: datetime) -> str:
    first = min(order.due_at for order in orders)
    hours = (first - at).total_seconds() / 3600
    return (
        f"{len(orders)} of your orders must ship soon; the first deadline is "
        f"{first.isoformat()} (in {hours:.1f} h). Ship them or tell the buyers; "
        "an order that misses its deadline is compensated at your cost."
    )


def _claim(session: Session, merchant_id: str, at: datetime, interval: timedelta) -> bool:
    """Move the merchant's mark to ``at`` if it was last urged ``interval`` or more
    before; True if this call did (and so may urge)."""
    session.execute(
        insert_ignoring_conflicts(session, UrgeMarkRow.__table__, ["merchant_id"]),
        {"merchant_id": merchant_id, "last_urged_at": None},
    )
    moved = session.execute(
        update(UrgeMarkRow)
        .where(
            UrgeMarkRow.merchant_id == merchant_id,
            or_(UrgeMarkRow.last_urged_at.is_(None), UrgeMarkRow.last_urged_at <= at - interval),
        )
        .values(last_urged_at=at)
        .execution_options(synchronize_session=False)
    )
    return moved.rowcount == 1


def urge(
    session: Session,
    merchant_id: str,
    orders: Sequence[DueOrder],
    at: datetime,
    *,
    interval: timedelta,
    signer: Signer,
    ack_base_url: str,
) -> UrgeRow | None:
    """Urge ``merchant_id`` about ``orders`` (those still before their deadline at
    ``at``), unless it was urged within ``interval``; the urge, or None."""
    listed = sorted(
        (o for o in orders if o.merchant_id == merchant_id and o.due_at > at),
        key=lambda o: (o.due_at, o.order_id),
    )
    if not listed or not _claim(session, merchant_id, at, interval):
        return None
    row = UrgeRow(
        merchant_id=merchant_id,
        sent_at=at,
        first_due_at=listed[0].due_at,
        orders=len(listed),
        message=_message(listed, at),
        rule=URGE_RULE,
    )
    session.add(row)
    session.flush()
    session.add_all(
        UrgeOrderRow(urge_id=row.id, order_id=o.order_id, due_at=o.due_at) for o in listed
    )
    enqueue(
        session,
        URGE_TOPIC,
        f"{URGE_TOPIC}:{row.id}",
        {
            "urge_id": row.id,
            "merchant_id": merchant_id,
            "sent_at": at.isoformat(),
            "rule": URGE_RULE,
            "message": row.message,
            "orders": [{"order_id": o.order_id, "due_at": o.due_at.isoformat()} for o in listed],
            "ack_url": ack_link(ack_base_url, row, signer),
        },
    )
    return row


def acknowledge(session: Session, urge: UrgeRow, actor: str, at: datetime) -> bool:
    """Record who acknowledged ``urge`` and when, once; False if it already was."""
    moved = session.execute(
        update(UrgeRow)
        .where(UrgeRow.id == urge.id, UrgeRow.acknowledged_at.is_(None))
        .values(acknowledged_at=at, acknowledged_by=actor)
        .execution_options(synchronize_session=False)
    )
    session.refresh(urge)
    return moved.rowcount == 1
