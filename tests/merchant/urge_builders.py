"""Urges for tests of the pages and the API: rows as the fulfilment watcher leaves them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from trustfair.store.database import Store
from trustfair.store.models import UrgeOrderRow, UrgeRow


def urge_of(store: Store, merchant_id: str = "m1", order_id: str = "o-m1") -> int:
    """An urge to ``merchant_id`` about one order due in 6 hours; its id."""
    sent = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
    due = sent + timedelta(hours=8)
    with store.transaction() as session:
        row = UrgeRow(
            merchant_id=merchant_id,
            sent_at=sent,
            first_due_at=due,
            orders=1,
            message="1 of your orders must ship soon",
            rule="fulfilment.at_risk",
        )
        session.add(row)
        session.flush()
        session.add(UrgeOrderRow(urge_id=row.id, order_id=order_id, due_at=due))
        return row.id
