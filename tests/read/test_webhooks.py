"""Webhook settings shown without their secrets, and outbox rows by state."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import update

from trustfair.pipeline.outbox import enqueue
from trustfair.read.webhooks import deliveries, masked_url, webhook_setup
from trustfair.settings import Settings
from trustfair.store.models import OutboxRow


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://example.com/hook", "https://example.com/hook"),
        ("https://user:pw@example.com/hook", "https://***@example.com/hook"),
        ("https://token@example.com:8443/h?x=1", "https://***@example.com:8443/h?x=%2A%2A%2A"),
        ("http://[::1]:9000/h?sig=abc&sig=def", "http://[::1]:9000/h?sig=%2A%2A%2A&sig=%2A%2A%2A"),
        ("https://example.com/h#frag", "https://example.com/h"),
        ("http://example.com:99999/h", "***"),
    ],
)
def test_what_may_be_a_credential_in_the_url_is_masked(url: str, shown: str) -> None:
    assert masked_url(url) == shown


def test_outbox_rows_are_counted_by_state_under_the_attempt_limit_in_force(store) -> None:
    with store.transaction() as session:
        for n in range(4):
            enqueue(session, "sanction.issued", f"k{n}", {"n": n})
        session.execute(update(OutboxRow).where(OutboxRow.dedupe_key == "k1").values(attempts=2))
        session.execute(update(OutboxRow).where(OutboxRow.dedupe_key == "k2").values(attempts=3))
        session.execute(
            update(OutboxRow)
            .where(OutboxRow.dedupe_key == "k3")
            .values(attempts=1, delivered_at=datetime.now(UTC))
        )
    with store.reading() as session:
        strict = webhook_setup(session, Settings(outbox_max_attempts=3))
        lenient = webhook_setup(session, Settings(outbox_max_attempts=10))
        page, total = deliveries(session, Settings(outbox_max_attempts=3), undelivered=True)
    assert strict.counts == {"pending": 1, "retrying": 1, "delivered": 1, "given_up": 1}
    # Raising the limit revives what was given up.
    assert lenient.counts == {"pending": 1, "retrying": 2, "delivered": 1, "given_up": 0}
    assert (strict.url, strict.secret_set) == (None, False)
    assert total == 3
    assert [(d.row.dedupe_key, d.state) for d in page] == [
        ("k2", "given_up"),
        ("k1", "retrying"),
        ("k0", "pending"),
    ]
    assert page[0].due_at is None and page[1].due_at is not None
