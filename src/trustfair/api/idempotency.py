"""Idempotency keys for money-moving calls: a retry gets the first answer, never a
second payment.

A caller sends ``Idempotency-Key: <its own unique string>`` with each money-moving
request. Then:

- the same key with the same request (method, path, body) → the answer the first
  request got (``Idempotent-Replayed: true``), whatever happened since;
- the same key with another request → 422;
- the same key while the first request is still being worked on → 409, with
  ``Retry-After``.

How a crash is survived: the key is first claimed in its own transaction, with a
lease; the work and the answer are then committed together in one transaction. A
server killed between the two leaves a claim and no money moved; once its lease runs
out, a retry takes the request over (``attempt`` + 1) and does the work. The answer
is written only if the attempt still holds the key, so two attempts never both
commit.

A refusal (4xx: an unknown order, a claim already decided) is the key's answer too,
kept like a success: to ask again once the facts have changed (the order's payment
arrived), send a new key. A server error (5xx) keeps nothing: the key is released at
once for the retry. (If even the release fails, the key waits out its lease.)
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from trustfair.store.database import Store
from trustfair.store.event_log import insert_ignoring_conflicts
from trustfair.store.models import IdempotencyKeyRow
from trustfair.store.retry import with_retries

IN_FLIGHT, DONE = "in_flight", "done"
HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255


@dataclass(frozen=True)
class Answer:
    """What a money-moving request answered: kept, and given again to its retries."""

    status: int
    body: dict[str, Any]


class Refusal(Exception):
    """The request is refused (a 4xx the caller should not retry as it is): the
    transaction rolls back, and the refusal is kept as the key's answer."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.answer = Answer(status, {"detail": detail})


class KeyProblem(Exception):
    """The key cannot be used for this request; ``status`` is 400, 409 or 422."""

    def __init__(self, status: int, detail: str, retry_after: int | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.retry_after = retry_after


def checked_key(raw: str | None) -> str:
    """The header's value, or KeyProblem(400) saying what is wrong with it."""
    if raw is None or not raw.strip():
        raise KeyProblem(400, f"a money-moving call needs an {HEADER} header: a unique string")
    if len(raw) > MAX_KEY_LENGTH or not raw.isascii() or not raw.isprintable():
        raise KeyProblem(400, f"{HEADER} must be 1 to {MAX_KEY_LENGTH} printable ASCII characters")
    return raw


def fingerprint(method: str, path: str, body: dict[str, Any]) -> str:
    """The request as the key remembers it: the same request, byte for byte or not."""
    canonical = json.dumps([method, path, body], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def run_once(
    store: Store,
    scope: str,
    key: str,
    request_fingerprint: str,
    work: Callable[[Session], Answer],
    *,
    lease: timedelta,
) -> tuple[Answer, bool]:
    """(answer, replayed): ``work``'s answer, done at most once for (scope, key)."""
    kept = _kept_answer(store, scope, key, request_fingerprint)
    if kept is not None:
        return kept, True
    claimed = with_retries(lambda: _claim(store, scope, key, request_fingerprint, lease))
    if isinstance(claimed, Answer):
        return claimed, True
    attempt = claimed
    try:
        answer = with_retries(lambda: _work_and_answer(store, scope, key, attempt, work))
    except Refusal as refusal:
        with store.transaction() as session:
            _finish(session, scope, key, attempt, refusal.answer)
        return refusal.answer, False
    except KeyProblem:
        raise
    except BaseException:
        # Nothing was committed: let the next retry have the key at once.
        with store.transaction() as session:
            session.execute(
                delete(IdempotencyKeyRow).where(
                    IdempotencyKeyRow.scope == scope,
                    IdempotencyKeyRow.key == key,
                    IdempotencyKeyRow.attempt == attempt,
                    IdempotencyKeyRow.state == IN_FLIGHT,
                )
            )
        raise
    return answer, False


def _kept_answer(store: Store, scope: str, key: str, request_fingerprint: str) -> Answer | None:
    """The answer already kept for the key, read without queueing for the writer: a
    retry of an answered request (the common one) costs one read."""
    with store.reading() as session:
        row = session.scalars(
            select(IdempotencyKeyRow).where(
                IdempotencyKeyRow.scope == scope, IdempotencyKeyRow.key == key
            )
        ).first()
        if row is None or row.state != DONE:
            return None
        if row.fingerprint != request_fingerprint:
            raise _reused(key)
        assert row.status_code is not None and row.response is not None
        return Answer(row.status_code, dict(row.response))


def _reused(key: str) -> KeyProblem:
    return KeyProblem(
        422,
        f"{HEADER} {key!r} was used for another request (another path or body); "
        "use a new key for a new request",
    )


def _claim(
    store: Store, scope: str, key: str, request_fingerprint: str, lease: timedelta
) -> Answer | int:
    """Claim the key: the attempt number now holding it, or the answer kept for it."""
    now = datetime.now(UTC)
    with store.transaction() as session:
        inserted = session.execute(
            insert_ignoring_conflicts(
                session, IdempotencyKeyRow.__table__, ["scope", "key"]
            ).returning(IdempotencyKeyRow.id),
            {
                "scope": scope,
                "key": key,
                "fingerprint": request_fingerprint,
                "state": IN_FLIGHT,
                "attempt": 1,
                "lease_until": now + lease,
                "status_code": None,
                "response": None,
                "created_at": now,
                "finished_at": None,
            },
        ).scalar_one_or_none()
        if inserted is not None:
            return 1
        row = session.scalars(
            select(IdempotencyKeyRow)
            .where(IdempotencyKeyRow.scope == scope, IdempotencyKeyRow.key == key)
            .with_for_update()
        ).one()
        if row.fingerprint != request_fingerprint:
            raise _reused(key)
        if row.state == DONE:
            assert row.status_code is not None and row.response is not None
            return Answer(row.status_code, dict(row.response))
        if row.lease_until > now:
            wait = max(1, int((row.lease_until - now).total_seconds() + 0.999))
            raise KeyProblem(409, f"a request with {HEADER} {key!r} is still being worked on", wait)
        # Its server died holding it: take the request over.
        row.attempt += 1
        row.lease_until = now + lease
        return row.attempt


def _work_and_answer(
    store: Store, scope: str, key: str, attempt: int, work: Callable[[Session], Answer]
) -> Answer:
    with store.transaction() as session:
        answer = work(session)
        _finish(session, scope, key, attempt, answer)
        return answer


def _finish(session: Session, scope: str, key: str, attempt: int, answer: Answer) -> None:
    done = session.execute(
        update(IdempotencyKeyRow)
        .where(
            IdempotencyKeyRow.scope == scope,
            IdempotencyKeyRow.key == key,
            IdempotencyKeyRow.attempt == attempt,
            IdempotencyKeyRow.state == IN_FLIGHT,
        )
        .values(
            state=DONE,
            status_code=answer.status,
            response=answer.body,
            finished_at=datetime.now(UTC),
        )
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        # A retry took the key over while this attempt worked (its lease ran out):
        # this attempt's work is rolled back; the retry's stands.
        raise KeyProblem(409, f"the request with {HEADER} {key!r} was taken over by a retry", 1)
