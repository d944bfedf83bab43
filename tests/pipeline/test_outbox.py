"""The outbox dispatcher against a real local HTTP server: signed, retried, deduped."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from tests.webhooks import webhook_receiver
from trustfair.pipeline.outbox import (
    GAVE_UP,
    GIVEN_UP_AT,
    OutboxDispatcher,
    backoff_seconds,
    enqueue,
    sign,
    verify_signature,
)
from trustfair.store.database import Store
from trustfair.store.models import OutboxRow

SECRET = "s3cret"


def put(store: Store, key: str, payload: dict | None = None) -> None:
    with store.transaction() as session:
        enqueue(session, "live.shutdown", key, payload or {"command": "shutdown_live", "k": key})


def rows(store: Store) -> list[OutboxRow]:
    with store.reading() as session:
        return list(session.scalars(select(OutboxRow).order_by(OutboxRow.id)))


def make_due(store: Store) -> None:
    """Skip the backoff wait: every pending row is due now."""
    with store.transaction() as session:
        session.execute(update(OutboxRow).values(next_attempt_at=datetime.now(UTC)))


def dispatcher(store: Store, url: str, **kwargs) -> OutboxDispatcher:  # type: ignore[no-untyped-def]
    return OutboxDispatcher(store, url, SECRET, **kwargs)


def test_a_signature_verifies_only_with_its_secret_body_and_time() -> None:
    body = b'{"command":"shutdown_live"}'
    now = int(time.time())
    header = sign(SECRET, body, now)
    assert header.startswith(f"t={now},v1=")
    assert verify_signature(SECRET, header, body)
    assert not verify_signature("other", header, body)
    assert not verify_signature(SECRET, header, body + b" ")
    assert not verify_signature(SECRET, header, body, tolerance=300, now=now + 301)
    assert not verify_signature(SECRET, "v1=abc", body)
    assert not verify_signature(SECRET, "", body)


def test_backoff_doubles_up_to_its_cap_with_jitter() -> None:
    for attempts, ceiling in ((1, 1), (2, 2), (5, 16), (30, 600)):
        wait = backoff_seconds(attempts, base=1, cap=600)
        assert ceiling / 2 <= wait <= ceiling


def test_a_delivered_command_is_signed_and_marked(store) -> None:
    put(store, "live.shutdown:s1", {"command": "shutdown_live", "session_id": "s1", "注": "中文"})
    with webhook_receiver() as receiver:
        result = dispatcher(store, receiver.url).deliver_all_due()
        [hook] = receiver.hooks
    assert (result.claimed, result.delivered) == (1, 1)
    assert hook.headers["X-Trustfair-Topic"] == "live.shutdown"
    assert hook.headers["X-Trustfair-Delivery"] == "live.shutdown:s1"
    assert hook.headers["Content-Type"] == "application/json"
    assert verify_signature(SECRET, hook.headers["X-Trustfair-Signature"], hook.body)
    assert hook.payload == {"command": "shutdown_live", "session_id": "s1", "注": "中文"}
    [row] = rows(store)
    assert row.delivered_at is not None and row.attempts == 1
    # Delivered is done: nothing goes out twice.
    with webhook_receiver() as receiver:
        assert dispatcher(store, receiver.url).deliver_all_due().claimed == 0


def test_a_failed_delivery_is_retried_with_the_same_delivery_id(store) -> None:
    put(store, "live.shutdown:s1")
    with webhook_receiver(statuses=[500]) as receiver:
        outbox = dispatcher(store, receiver.url)
        first = outbox.deliver_due()
        [row] = rows(store)
        assert (first.failed, row.attempts, row.delivered_at) == (1, 1, None)
        assert row.last_error.startswith("HTTP 500")
        assert row.next_attempt_at > datetime.now(UTC)  # backing off
        assert outbox.deliver_due().claimed == 0  # not due yet
        make_due(store)
        second = outbox.deliver_due()
        hooks = receiver.hooks
    assert second.delivered == 1
    assert [h.headers["X-Trustfair-Delivery"] for h in hooks] == ["live.shutdown:s1"] * 2
    assert hooks[0].body == hooks[1].body
    assert all(verify_signature(SECRET, h.headers["X-Trustfair-Signature"], h.body) for h in hooks)
    [row] = rows(store)
    assert row.delivered_at is not None and row.attempts == 2


def test_an_unreachable_receiver_is_a_failed_attempt(store) -> None:
    put(store, "k1")
    with webhook_receiver() as receiver:
        url = receiver.url
    result = dispatcher(store, url, timeout_seconds=2).deliver_due()  # the server is gone
    [row] = rows(store)
    assert result.failed == 1 and row.attempts == 1 and row.last_error


def test_a_command_is_given_up_after_the_last_attempt(store) -> None:
    put(store, "k1")
    with webhook_receiver(statuses=[503, 503, 503]) as receiver:
        outbox = dispatcher(store, receiver.url, max_attempts=2)
        outbox.deliver_due()
        make_due(store)
        result = outbox.deliver_due()
        # Parked out of reach (claims need not scan it) ...
        assert rows(store)[0].next_attempt_at == GIVEN_UP_AT
        make_due(store)
        # ... and, even made due by hand, over its attempts: never claimed again.
        assert outbox.deliver_due().claimed == 0
        assert len(receiver.hooks) == 2
    assert result.gave_up == 1
    [row] = rows(store)
    assert row.delivered_at is None and row.attempts == 2
    assert row.last_error.startswith(f"{GAVE_UP} 2 attempts: HTTP 503")
    assert outbox.seconds_until_next_due() is None


def test_two_dispatchers_deliver_each_command_once(store) -> None:
    for i in range(40):
        put(store, f"k{i}")
    with webhook_receiver() as receiver:
        outboxes = [dispatcher(store, receiver.url, batch_size=3) for _ in range(2)]
        threads = [threading.Thread(target=o.deliver_all_due) for o in outboxes]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        keys = sorted(h.headers["X-Trustfair-Delivery"] for h in receiver.hooks)
    assert keys == sorted(f"k{i}" for i in range(40))
    assert all(row.delivered_at is not None and row.attempts == 1 for row in rows(store))


def test_a_lease_that_runs_out_sends_again(store) -> None:
    # A dispatcher that died after claiming (and perhaps POSTing) holds the row only
    # until its lease ends: then it goes out again, under the same delivery id.
    put(store, "k1")
    with webhook_receiver() as receiver:
        crashed = dispatcher(store, receiver.url, lease_seconds=0.2)
        assert len(crashed._claim()) == 1
        survivor = dispatcher(store, receiver.url)
        assert survivor.deliver_due().claimed == 0  # leased
        time.sleep(0.3)
        assert survivor.deliver_due().delivered == 1
        assert receiver.hooks[0].headers["X-Trustfair-Delivery"] == "k1"


def test_an_enqueued_key_is_written_once(store) -> None:
    with store.transaction() as session:
        assert enqueue(session, "t", "k1", {"a": 1})
        assert not enqueue(session, "t", "k1", {"a": 2})
    [row] = rows(store)
    assert row.payload == {"a": 1}


def test_the_commit_that_writes_a_command_wakes_the_running_dispatcher(store) -> None:
    # The poll is an hour: only the wake after the commit can deliver this.
    with webhook_receiver() as receiver:
        outbox = dispatcher(store, receiver.url, poll_seconds=3600)
        outbox.start()
        try:
            time.sleep(0.2)  # let its first round (at start) find nothing
            put(store, "k1")
            [hook] = receiver.wait_for(1)
        finally:
            outbox.close()
    assert hook.headers["X-Trustfair-Delivery"] == "k1"


def test_a_rolled_back_command_is_never_sent(store) -> None:
    with webhook_receiver() as receiver:
        outbox = dispatcher(store, receiver.url, poll_seconds=3600)
        outbox.start()
        try:
            try:
                with store.transaction() as session:
                    enqueue(session, "t", "k1", {})
                    raise RuntimeError("the batch failed")
            except RuntimeError:
                pass
            put(store, "k2")
            hooks = receiver.wait_for(1)
        finally:
            outbox.close()
    assert [h.headers["X-Trustfair-Delivery"] for h in hooks] == ["k2"]
    assert [r.dedupe_key for r in rows(store)] == ["k2"]


def test_a_retry_comes_due_without_a_wake(store) -> None:
    put(store, "k1")
    with webhook_receiver(statuses=[500]) as receiver:
        outbox = dispatcher(store, receiver.url, poll_seconds=3600, backoff_base_seconds=0.2)
        outbox.start()
        try:
            hooks = receiver.wait_for(2)
        finally:
            outbox.close()
    assert len(hooks) == 2
    assert rows(store)[0].delivered_at is not None
    assert timedelta(0) < rows(store)[0].delivered_at - rows(store)[0].created_at


def test_a_shutdown_is_delivered_before_the_notices_queued_ahead_of_it(store) -> None:
    with store.transaction() as session:
        for n in range(3):
            enqueue(session, "sanction.issued", f"sanction.issued:{n}", {"n": n})
        enqueue(session, "live.shutdown", "live.shutdown:s1", {"command": "shutdown_live"})
        enqueue(session, "content.block", "content.block:e1", {"n": 9})
    with webhook_receiver() as receiver:
        result = dispatcher(store, receiver.url).deliver_all_due()
        topics = [hook.headers["X-Trustfair-Topic"] for hook in receiver.hooks]
    assert result.delivered == 5
    assert topics == [
        "live.shutdown",
        "sanction.issued",
        "sanction.issued",
        "sanction.issued",
        "content.block",
    ]
    assert all(row.delivered_at is not None for row in rows(store))
