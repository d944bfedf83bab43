"""Buyers' claims on the protection fund: filed, adjudicated by the policy's terms
(or by a reviewer where the facts are not in the log), then paid by the fund first.

States and the moves between them are one table (``protect.claim_states``); any other
move is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from trustfair.events.payload import EntityRef
from trustfair.protect.claim_states import (
    FILED,
    IN_REVIEW,
    REJECTED,
    ClaimConflict,
    ClaimRefused,
    move,
)
from trustfair.protect.coverage import order_cover
from trustfair.protect.fund import Award, award
from trustfair.protect.ledger import lock_ledger
from trustfair.protect.terms import ClaimKind, Guarantee, Protection
from trustfair.store.models import ClaimRow, EventRow


@dataclass(frozen=True)
class ClaimRequest:
    claim_ref: str
    order_id: str
    buyer_id: str
    kind: ClaimKind
    requested_fen: int
    description: str = ""


def file_claim(
    session: Session,
    request: ClaimRequest,
    at: datetime,
    actor: str,
    *,
    terms: Protection,
    decision_id: int | None = None,
) -> ClaimRow:
    """File a claim and adjudicate it on its facts: approved and paid, rejected, or
    sent to review. Filing the same claim again returns it as it stands."""
    # Filings queue on the ledger lock: two requests filing one claim_ref at once (with
    # different idempotency keys) then meet as "filed before", not as a unique-index error.
    lock_ledger(session)
    earlier = session.scalars(
        select(ClaimRow).where(ClaimRow.claim_ref == request.claim_ref)
    ).first()
    if earlier is not None:
        if _facts(earlier) != _facts_of(request):
            raise ClaimConflict(
                f"claim_ref {request.claim_ref!r} was filed before with other facts "
                f"(claim {earlier.id})"
            )
        return earlier
    cover = order_cover(session, request.order_id)
    if cover is None:
        raise ClaimRefused(f"order {request.order_id!r} is unknown: its order.paid has not arrived")
    if cover.buyer_id != request.buyer_id:
        raise ClaimRefused(f"order {request.order_id!r} was not paid by buyer {request.buyer_id!r}")
    ceiling = _ceiling(cover.amount_fen, cover.guarantees, request.kind, terms)
    if request.requested_fen > ceiling:
        raise ClaimRefused(
            f"the claim asks {request.requested_fen} fen; a {request.kind.value} claim on "
            f"order {request.order_id!r} may ask at most {ceiling} fen"
        )
    # One standing claim per order, whatever its kind: the fund does not pay one order
    # as not delivered and again as counterfeit.
    standing = session.scalars(
        select(ClaimRow).where(ClaimRow.order_id == request.order_id, ClaimRow.state != REJECTED)
    ).first()
    if standing is not None:
        raise ClaimConflict(
            f"order {request.order_id!r} already has a {standing.kind} claim "
            f"({standing.claim_ref}, {standing.state}); one order, one claim"
        )
    claim = ClaimRow(
        claim_ref=request.claim_ref,
        order_id=request.order_id,
        buyer_id=request.buyer_id,
        merchant_id=cover.merchant_id,
        kind=request.kind.value,
        requested_fen=request.requested_fen,
        state=FILED,
        description=request.description,
        filed_by=actor,
        filed_at=at,
        reason="",
        decision_id=decision_id,
    )
    session.add(claim)
    session.flush()
    step, rule, reason = _adjudicate(session, claim, cover.paid_at, at, terms)
    if step == "approve":
        _approve(session, claim, claim.requested_fen, rule, reason, at, actor, terms, decision_id)
    else:
        move(claim, step)
        claim.rule, claim.reason = rule, reason
        if step == "reject":
            claim.decided_by, claim.decided_at = actor, at
    session.flush()
    return claim


def decide_claim(
    session: Session,
    claim_id: int,
    approve: bool,
    reason: str,
    at: datetime,
    actor: str,
    *,
    terms: Protection,
    amount_fen: int | None = None,
) -> ClaimRow:
    """A reviewer's decision on a claim in review: approve (and pay what was asked, or
    less) or reject. A confirmed counterfeit under fake-one-pay-N pays N times."""
    # The ledger first, as every money use case: one lock order. Then the claim, read
    # fresh: of two reviewers deciding at once, the second sees the first's decision
    # and is refused, instead of deciding it again.
    lock_ledger(session)
    claim = session.get(ClaimRow, claim_id, with_for_update=True, populate_existing=True)
    if claim is None:
        raise LookupError(f"no claim {claim_id}")
    if claim.state != IN_REVIEW:
        raise ClaimConflict(f"claim {claim.id} is {claim.state}: only a claim in review is decided")
    if not approve:
        move(claim, "reject")
        claim.rule, claim.reason, claim.decided_by, claim.decided_at = (
            "claims.reviewed",
            reason,
            actor,
            at,
        )
        session.flush()
        return claim
    cover = order_cover(session, claim.order_id)
    assert cover is not None  # a filed claim's order is known
    rule, most = "claims.reviewed", claim.requested_fen
    if claim.kind == ClaimKind.COUNTERFEIT and Guarantee.FAKE_ONE_PAY_N in cover.guarantees:
        # The counterfeit is confirmed: the guarantee's N times, whatever was asked.
        most = _ceiling(cover.amount_fen, cover.guarantees, ClaimKind.COUNTERFEIT, terms)
        amount_fen, rule = most, "guarantee.fake_one_pay_n"
    amount = claim.requested_fen if amount_fen is None else amount_fen
    if not 0 < amount <= most:
        raise ClaimRefused(
            f"claim {claim.id} may be paid 1 to {most} fen (what was asked), not {amount}"
        )
    _approve(session, claim, amount, rule, reason, at, actor, terms, None)
    session.flush()
    return claim


def _approve(
    session: Session,
    claim: ClaimRow,
    amount: int,
    rule: str,
    reason: str,
    at: datetime,
    actor: str,
    terms: Protection,
    decision_id: int | None,
) -> None:
    move(claim, "approve")
    claim.amount_fen, claim.rule, claim.reason = amount, rule, reason
    claim.decided_by, claim.decided_at = actor, at
    session.flush()
    award(
        session,
        Award("claim", str(claim.id), claim.buyer_id, claim.merchant_id, amount, True),
        at,
        actor,
        terms=terms,
        rule=rule,
        memo=f"{claim.kind} claim {claim.claim_ref} on order {claim.order_id}",
        decision_id=decision_id,
    )


def _adjudicate(
    session: Session, claim: ClaimRow, paid_at: datetime, at: datetime, terms: Protection
) -> tuple[str, str, str]:
    """(step, rule, reason) for a claim just filed, from its facts and the terms."""
    rules = terms.claims
    if claim.kind in rules.reviewed:
        return "review", "claims.reviewed_kind", f"a reviewer decides {claim.kind} claims"
    if claim.requested_fen > rules.auto_approve_up_to_fen:
        return (
            "review",
            "claims.over_auto_limit",
            f"asks more than {rules.auto_approve_up_to_fen} fen, the most approved unseen",
        )
    if claim.kind == ClaimKind.NOT_DELIVERED:
        if _has(session, claim.order_id, "order.delivered"):
            return "reject", "claims.delivered", "the carrier recorded the order as delivered"
        if _has(session, claim.order_id, "order.refunded"):
            return "reject", "claims.refunded", "the order was refunded already"
        due = paid_at + timedelta(days=rules.not_delivered_after_days)
        if at < due:
            return (
                "reject",
                "claims.too_early",
                f"the order may still arrive; a claim is possible from {due.isoformat()}",
            )
        return (
            "approve",
            "claims.not_delivered",
            f"not delivered {rules.not_delivered_after_days} days after payment",
        )
    if claim.kind == ClaimKind.MERCHANT_UNREACHABLE:
        if _banned(session, claim.merchant_id, at):
            return "approve", "claims.merchant_banned", "the merchant is banned from the market"
        return "review", "claims.merchant_unreachable", "a reviewer checks the merchant"
    return "review", "claims.other", "no rule decides this claim"


def _ceiling(
    order_fen: int, guarantees: dict[str, dict], kind: ClaimKind, terms: Protection
) -> int:
    """The most a claim of ``kind`` on an order paid ``order_fen`` may be paid: the
    order, or N times it for a counterfeit under fake-one-pay-N (the merchant's N, else
    the terms' default, never above the terms' most)."""
    if kind == ClaimKind.COUNTERFEIT and Guarantee.FAKE_ONE_PAY_N in guarantees:
        rules = terms.fake_one_pay_n
        n = guarantees[Guarantee.FAKE_ONE_PAY_N].get("n") or rules.default_n
        return order_fen * min(int(n), rules.max_n)
    return order_fen


def _has(session: Session, order_id: str, event_type: str) -> bool:
    """Whether the log holds an ``event_type`` event of the order."""
    return (
        session.scalars(
            select(EventRow.seq).where(
                EventRow.subject_type == "order",
                EventRow.subject_id == order_id,
                EventRow.type == event_type,
            )
        ).first()
        is not None
    )


def _banned(session: Session, merchant_id: str, at: datetime) -> bool:
    from trustfair.enforce.sanctions import active_sanction_rows

    rows = active_sanction_rows(session, EntityRef("merchant", merchant_id), at)
    return any(row.kind == "ban" for row in rows)


def _facts(claim: ClaimRow) -> tuple[object, ...]:
    return (claim.order_id, claim.buyer_id, claim.kind, claim.requested_fen, claim.description)


def _facts_of(request: ClaimRequest) -> tuple[object, ...]:
    return (
        request.order_id,
        request.buyer_id,
        request.kind.value,
        request.requested_fen,
        request.description,
    )


def claim_record(claim: ClaimRow) -> dict[str, object]:
    return {
        "id": claim.id,
        "claim_ref": claim.claim_ref,
        "order_id": claim.order_id,
        "buyer_id": claim.buyer_id,
        "merchant_id": claim.merchant_id,
        "kind": claim.kind,
        "requested_fen": claim.requested_fen,
        "amount_fen": claim.amount_fen,
        "state": claim.state,
        "rule": claim.rule,
        "reason": claim.reason,
        "filed_by": claim.filed_by,
        "filed_at": claim.filed_at.isoformat(),
        "decided_by": claim.decided_by,
        "decided_at": claim.decided_at.isoformat() if claim.decided_at else None,
        "description": claim.description,
    }
