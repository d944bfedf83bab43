"""The transactional outbox: commands written with their decision, delivered by webhook.

An effect calls ``enqueue`` inside the batch's transaction, so a command exists if
and only if the decision that caused it was committed. The ``OutboxDispatcher`` then
POSTs each pending row to the webhook URL:

- body: the row's payload as JSON; headers ``X-Trustfair-Topic``,
  ``X-Trustfair-Delivery`` (the row's dedupe key, the same on every attempt) and
  ``X-Trustfair-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">``,
  which a receiver checks with ``verify_signature``;
- a 2xx answer marks the row delivered; anything else (or no answer) counts an
  attempt, records the error and schedules the next try with exponential backoff and
  jitter, capped; after ``max_attempts`` the row is given up: it stays undelivered,
  its ``last_error`` starts with "gave up after N attempts", and no dispatcher claims
  it again (raising the limit revives it).

**At least once.** A dispatcher claims rows by leasing them (pushing their
``next_attempt_at`` ahead by the lease) in a short transaction of its own, POSTs with
no transaction open, then records the outcome. PostgreSQL claims with ``FOR UPDATE
SKIP LOCKED``, so two dispatchers never take the same due row; SQLite has one writer
at a time anyway. A dispatcher that dies between the POST and recording it leaves the
lease to run out, and the row is sent again: receivers dedupe on
``X-Trustfair-Delivery``.

**Low latency.** The commit of a transaction that enqueued a row wakes every
dispatcher running in the process at once (no polling delay on the hot path); a slow
poll remains, for retries that come due and for rows written by other processes.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import case, event, func, select, update
from sqlalchemy.orm import Session

from trustfair.settings import Settings
from trustfair.store.database import Store
from trustfair.store.event_log import insert_ignoring_conflicts
from trustfair.store.models import OutboxRow

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Trustfair-Signature"
DELIVERY_HEADER = "X-Trustfair-Delivery"
TOPIC_HEADER = "X-Trustfair-Topic"
GAVE_UP = "gave up after"
GIVEN_UP_AT = datetime(9999, 1, 1, tzinfo=UTC)
"""The next_attempt_at of a command given up: never due."""

# -- writing, and waking dispatchers after the commit --------------------------------

_WROTE_OUTBOX = "trustfair.outbox.written"
COMMANDS_WRITTEN = "trustfair.outbox.commands"
URGENT_TOPICS = ("live.shutdown", "live.refuse")
"""Delivered before anything else that is due."""
_wakers: set[Callable[[], None]] = set()
_wakers_lock = threading.Lock()


def enqueue(
    session: Session,
    topic: str,
    dedupe_key: str,
    payload: dict[str, Any],
    decision_id: int | None = None,
) -> bool:
    """Write a command in ``session``'s transaction; False if ``dedupe_key`` exists."""
    now = datetime.now(UTC)
    statement = insert_ignoring_conflicts(session, OutboxRow.__table__, ["dedupe_key"])
    written = session.execute(
        statement.returning(OutboxRow.id),
        {
            "topic": topic,
            "dedupe_key": dedupe_key,
            "payload": payload,
            "decision_id": decision_id,
            "created_at": now,
            "attempts": 0,
            "next_attempt_at": now,
        },
    ).scalar_one_or_none()
    if written is not None:
        session.info[_WROTE_OUTBOX] = True
        session.info.setdefault(COMMANDS_WRITTEN, []).append({"topic": topic, "payload": payload})
    return written is not None


def take_written_commands(session: Session) -> list[dict[str, Any]]:
    """The commands written in ``session`` since the last call: the runner gives them
    to the event that caused them, so an HTTP caller hears of them in the answer."""
    return session.info.pop(COMMANDS_WRITTEN, [])


def add_waker(wake: Callable[[], None]) -> None:
    with _wakers_lock:
        _wakers.add(wake)


def remove_waker(wake: Callable[[], None]) -> None:
    with _wakers_lock:
        _wakers.discard(wake)


@event.listens_for(Session, "after_commit")
def _wake_after_commit(session: Session) -> None:
    if session.info.pop(_WROTE_OUTBOX, False):
        with _wakers_lock:
            wakers = list(_wakers)
        for wake in wakers:
            wake()


@event.listens_for(Session, "after_rollback")
def _forget_on_rollback(session: Session) -> None:
    session.info.pop(_WROTE_OUTBOX, None)


# -- signatures ----------------------------------------------------------------------


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The signature header's value for ``body`` sent at ``timestamp`` (unix seconds)."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify_signature(
    secret: str, header: str, body: bytes, tolerance: float = 300, now: float | None = None
) -> bool:
    """Whether ``header`` signs ``body`` with ``secret`` within ``tolerance`` seconds.

    For receivers: a signature older (or newer) than the tolerance is refused, so a
    captured request cannot be replayed later.
    """
    parts: dict[str, list[str]] = {}
    for item in header.split(","):
        key, _, value = item.strip().partition("=")
        parts.setdefault(key, []).append(value)
    try:
        timestamp = int(parts["t"][0])
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    expected = sign(secret, body, timestamp).rpartition("v1=")[2]
    return any(hmac.compare_digest(expected, given) for given in parts.get("v1", []))


def body_of(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


# -- delivery ------------------------------------------------------------------------


def backoff_seconds(
    attempts: int, base: float = 1.0, cap: float = 600.0, rng: random.Random | None = None
) -> float:
    """Wait before try ``attempts + 1``: base·2^(attempts−1), capped, then jittered
    into [½, 1] of that so receivers that failed together are not retried together."""
    ceiling = min(cap, base * 2 ** max(attempts - 1, 0))
    return ceiling * (0.5 + 0.5 * (rng or random).random())


@dataclass
class Round:
    claimed: int = 0
    delivered: int = 0
    failed: int = 0
    gave_up: int = 0

    def add(self, other: Round) -> None:
        self.claimed += other.claimed
        self.delivered += other.delivered
        self.failed += other.failed
        self.gave_up += other.gave_up


@dataclass(frozen=True)
class _Claimed:
    id: int
    topic: str
    dedupe_key: str
    payload: dict[str, Any]
    attempts: int


class OutboxDispatcher:
    """Delivers the outbox to one webhook URL; see the module docstring."""

    def __init__(
        self,
        store: Store,
        url: str,
        secret: str,
        *,
        max_attempts: int = 10,
        poll_seconds: float = 5.0,
        lease_seconds: float = 60.0,
        timeout_seconds: float = 10.0,
        backoff_base_seconds: float = 1.0,
        backoff_cap_seconds: float = 600.0,
        batch_size: int = 50,
    ) -> None:
        self.store = store
        self.url = url
        self.secret = secret
        self.max_attempts = max_attempts
        self.poll_seconds = poll_seconds
        self.lease = timedelta(seconds=lease_seconds)
        self.backoff_base = backoff_base_seconds
        self.backoff_cap = backoff_cap_seconds
        self.batch_size = batch_size
        self._client = httpx.Client(timeout=timeout_seconds)
        self._wakeup = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self.totals = Round()
        """Every round's outcomes added up since the dispatcher was made (/metrics)."""

    @classmethod
    def from_settings(cls, store: Store, settings: Settings, **kwargs: Any) -> OutboxDispatcher:
        if not settings.webhook_url:
            raise ValueError("TRUSTFAIR_WEBHOOK_URL is not set: nowhere to deliver to")
        if not settings.webhook_secret:
            raise ValueError("TRUSTFAIR_WEBHOOK_SECRET is not set: webhooks must be signed")
        return cls(
            store,
            settings.webhook_url,
            settings.webhook_secret,
            max_attempts=settings.outbox_max_attempts,
            **kwargs,
        )

    # One round: claim what is due, POST it, record the outcomes.

    def _claim(self) -> list[_Claimed]:
        now = datetime.now(UTC)
        with self.store.transaction() as session:
            rows = session.execute(
                select(
                    OutboxRow.id,
                    OutboxRow.topic,
                    OutboxRow.dedupe_key,
                    OutboxRow.payload,
                    OutboxRow.attempts,
                )
                .where(
                    OutboxRow.delivered_at.is_(None),
                    OutboxRow.attempts < self.max_attempts,
                    OutboxRow.next_attempt_at <= now,
                )
                # A stream to shut down cannot wait behind a queue of sanction notices.
                .order_by(
                    case((OutboxRow.topic.in_(URGENT_TOPICS), 0), else_=1),
                    OutboxRow.next_attempt_at,
                    OutboxRow.id,
                )
                .limit(self.batch_size)
                .with_for_update(skip_locked=True)
            ).all()
            if rows:
                session.execute(
                    update(OutboxRow)
                    .where(OutboxRow.id.in_([row.id for row in rows]))
                    .values(next_attempt_at=now + self.lease)
                )
        return [_Claimed(*row) for row in rows]

    def _post(self, row: _Claimed) -> str | None:
        """None when delivered; otherwise what went wrong."""
        body = body_of(row.payload)
        headers = {
            "Content-Type": "application/json",
            TOPIC_HEADER: row.topic,
            DELIVERY_HEADER: row.dedupe_key,
            SIGNATURE_HEADER: sign(self.secret, body, int(time.time())),
        }
        try:
            response = self._client.post(self.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            return f"{type(exc).__name__}: {exc}"[:1000]
        if response.is_success:
            return None
        return f"HTTP {response.status_code}: {response.text[:200]}"

    def _outcome(self, row: _Claimed, error: str | None, result: Round) -> dict[str, Any]:
        """The row's new values after one try."""
        now = datetime.now(UTC)
        attempts = row.attempts + 1
        values: dict[str, Any] = {"attempts": attempts}
        if error is None:
            values["delivered_at"] = now
            result.delivered += 1
        elif attempts >= self.max_attempts:
            values["last_error"] = f"{GAVE_UP} {attempts} attempts: {error}"
            # Parked out of the claim's reach, so a pile of dead commands does not slow
            # every claim; an operator re-queues one by resetting attempts and next_attempt_at.
            values["next_attempt_at"] = GIVEN_UP_AT
            result.gave_up += 1
        else:
            wait = backoff_seconds(attempts, self.backoff_base, self.backoff_cap)
            values["last_error"] = error
            values["next_attempt_at"] = now + timedelta(seconds=wait)
            result.failed += 1
        return values

    def _record(self, outcomes: list[tuple[int, dict[str, Any]]]) -> None:
        # One write transaction for the round's outcomes, not one per row: on SQLite
        # every write queues with the ingestion's.
        with self.store.transaction() as session:
            for row_id, values in outcomes:
                session.execute(update(OutboxRow).where(OutboxRow.id == row_id).values(**values))

    def deliver_due(self) -> Round:
        """Claim up to a batch of due rows and try each once.

        Urgent commands are claimed and posted first, and their outcome is written at
        once; the rest of the round's outcomes are written together at its end."""
        result = Round()
        pending: list[tuple[int, dict[str, Any]]] = []
        for row in self._claim():
            result.claimed += 1
            error = self._post(row)
            if error is not None:
                log.warning("outbox %s: %s", row.dedupe_key, error)
            pending.append((row.id, self._outcome(row, error, result)))
            if row.topic in URGENT_TOPICS:
                self._record(pending)
                pending = []
        if pending:
            self._record(pending)
        self.totals.add(result)
        return result

    def deliver_all_due(self) -> Round:
        """Rounds until nothing is due now."""
        total = Round()
        while True:
            result = self.deliver_due()
            total.add(result)
            if result.claimed < self.batch_size:
                return total

    def seconds_until_next_due(self) -> float | None:
        """How long until the earliest pending row comes due (0 if one is due now)."""
        with self.store.reading() as session:
            earliest = session.execute(
                select(func.min(OutboxRow.next_attempt_at)).where(
                    OutboxRow.delivered_at.is_(None), OutboxRow.attempts < self.max_attempts
                )
            ).scalar_one_or_none()
        if earliest is None:
            return None
        return max(0.0, (earliest - datetime.now(UTC)).total_seconds())

    # Running in the background.

    def wake(self) -> None:
        self._wakeup.set()

    def start(self) -> None:
        """Deliver in a background thread: at once when woken, else at the next due
        time or the poll interval, whichever comes first."""
        if self._thread is not None:
            return
        self._stopping.clear()
        add_waker(self.wake)
        self._thread = threading.Thread(target=self._run, name="outbox-dispatcher", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        remove_waker(self.wake)
        self._stopping.set()
        self._wakeup.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def close(self) -> None:
        self.stop()
        self._client.close()

    def _run(self) -> None:
        wait = 0.0  # a first round at once: rows may be waiting from before a restart
        while not self._stopping.is_set():
            self._wakeup.wait(wait)
            self._wakeup.clear()
            if self._stopping.is_set():
                return
            try:
                self.deliver_all_due()
                due_in = self.seconds_until_next_due()
            except Exception:  # the store is away for a moment: try again at the poll
                log.exception("outbox dispatcher round failed")
                due_in = None
            wait = self.poll_seconds if due_in is None else min(self.poll_seconds, due_in)
