"""The effects that move protection money for the pipeline: ``file_claim``,
``take_deposit`` and ``compensate`` (``policy.schema.ACTION_KINDS``).

Each reads the facts from the signals its rule matched (``detect.protection``), the
terms from the deciding policy's ``protection`` section, and calls the use case in
``protect.fund`` / ``protect.claims`` with the decision's id and the rule, so every
posting names the decision and the rule that caused it. Money is dated by the event
(business time), so a replay posts the same postings; the purpose keys make a re-sent
or replayed event move nothing twice.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy.orm import Session

from trustfair.detect.protection import (
    CLAIM_FILED,
    DEPOSIT_PAID,
    DUE_LABELS,
    RETURN_SHIPPING,
)
from trustfair.pipeline.interfaces import Action, Decision, Signal, StoredEvent
from trustfair.pipeline.refusals import note_refusal
from trustfair.pipeline.registry import register_effect
from trustfair.protect.claims import ClaimRefused, ClaimRequest, file_claim
from trustfair.protect.fund import Award, award, take_deposit
from trustfair.protect.ledger import PurposeConflict, lock_ledger
from trustfair.protect.terms import ClaimKind, Protection
from trustfair.settings import Settings

ACTOR = "system:pipeline"


def _terms(decision: Decision) -> Protection:
    spec = getattr(decision.policy, "spec", None)
    return spec.protection if spec is not None else Protection()


def _signals(decision: Decision, action: Action, label: str) -> Iterator[Signal]:
    """The signals of ``label`` the rule asking for ``action`` matched (all of the
    decision's, for an action no rule hit carries)."""
    hit = decision.hit_of(action)
    found = hit.signals if hit is not None else (s for h in decision.hits for s in h.signals)
    seen: set[int] = set()
    for signal in found:
        if signal.label == label and id(signal) not in seen:
            seen.add(id(signal))
            yield signal


def _rule(action: Action) -> str:
    return str(action.params.get("rule") or action.kind)


class _MovesMoney:
    def before_batch(self, events: Sequence[StoredEvent], session: Session) -> None:
        """Queue for the ledger now if the batch will surely post (claims, deposits,
        returns with proof of shipping): an effect that took it midway, after others
        locked rows, could deadlock with a batch taking the same in the other order.
        Late-shipment compensation is rare among the many orders, and takes the lock
        when it posts; a deadlock that leaves is rolled back and retried by ingest."""
        if any(_posts(event) for event in events):
            lock_ledger(session)


def _posts(event: StoredEvent) -> bool:
    payload: Any = event.envelope.payload
    if event.type in ("claim.filed", "deposit.paid"):
        return True
    if event.type == "merchant.registered":
        return payload.deposit_fen > 0
    if event.type == "order.returned":
        return bool(payload.tracking_no) and payload.shipping_fee_fen > 0
    return False


class FileClaim(_MovesMoney):
    """File the buyer's claim with the fund, which adjudicates it on its facts
    (approved and paid, rejected, or sent to review).

    A claim the fund refuses to file (its order unknown, more asked than the order
    allows, a standing claim of the same kind) does not fail the batch, which would
    hold up every other event with it: the refusal is written into the decision's
    reasons, on the hit of the rule that asked (``refused`` and the explanation), where
    whoever looks at the claim's event finds why nothing was filed. No claim row is
    made: an unknown order has no merchant to name."""

    kind = "file_claim"

    def apply(self, decision: Decision, action: Action, session: Session) -> None:
        event = decision.event
        for signal in _signals(decision, action, CLAIM_FILED):
            facts = signal.evidence
            request = ClaimRequest(
                claim_ref=facts["claim_ref"],
                order_id=facts["order_id"],
                buyer_id=facts["buyer_id"],
                kind=ClaimKind(facts["kind"]),
                requested_fen=int(facts["requested_fen"]),
                description=facts.get("description", ""),
            )
            try:
                file_claim(
                    session,
                    request,
                    event.occurred_at,
                    ACTOR,
                    terms=_terms(decision),
                    decision_id=decision.id,
                )
            except ClaimRefused as refused:
                note_refusal(
                    session,
                    decision,
                    _rule(action),
                    {"claim_ref": request.claim_ref},
                    f"claim {request.claim_ref} not filed: {refused}",
                )


class TakeDeposit(_MovesMoney):
    """Put the merchant's payment into its deposit; what it owes the fund is recovered
    from it at once, and a deposit-shortfall restriction lifted once nothing is owed."""

    kind = "take_deposit"

    def apply(self, decision: Decision, action: Action, session: Session) -> None:
        for signal in _signals(decision, action, DEPOSIT_PAID):
            facts = signal.evidence
            try:
                take_deposit(
                    session,
                    facts["merchant_id"],
                    facts["ref"],
                    int(facts["amount_fen"]),
                    decision.event.occurred_at,
                    ACTOR,
                    terms=_terms(decision),
                    decision_id=decision.id,
                    rule=_rule(action),
                )
            except PurposeConflict as conflict:
                # The same payment sent again with another amount or merchant: the first
                # stands; this one must not hold up the batch.
                note_refusal(
                    session,
                    decision,
                    _rule(action),
                    {"deposit_ref": facts["ref"]},
                    f"deposit not taken: {conflict}",
                )


class Compensate(_MovesMoney):
    """Pay the buyer an order's compensation under a guarantee (``params.guarantee``):
    the amount by the policy's terms (return shipping: the fee, up to the order's tier
    and the cap; late shipment: a share of the order within bounds), borne by whom the
    terms say. Once per order and guarantee: the award's purpose key is the order's."""

    kind = "compensate"

    def apply(self, decision: Decision, action: Action, session: Session) -> None:
        guarantee = action.params["guarantee"]
        terms = _terms(decision)
        for signal in _signals(decision, action, DUE_LABELS[guarantee]):
            facts = signal.evidence
            order_fen = int(facts["order_fen"])
            if guarantee == RETURN_SHIPPING:
                rules = terms.return_shipping
                amount = rules.compensation(order_fen, int(facts["fee_fen"]))
                memo = f"return shipping of order {facts['order_id']} ({facts['tracking_no']})"
            else:
                rules = terms.late_shipment  # type: ignore[assignment]
                amount = terms.late_shipment.compensation(order_fen)
                memo = f"order {facts['order_id']} shipped {facts['late_by_hours']} h late"
            if amount <= 0:
                continue  # the terms pay nothing for it (a cap or tier of 0)
            award(
                session,
                Award(
                    "order",
                    facts["order_id"],
                    facts["buyer_id"],
                    facts["merchant_id"],
                    amount,
                    rules.borne_by == "merchant",
                    guarantee=guarantee,
                ),
                decision.event.occurred_at,
                ACTOR,
                terms=terms,
                rule=_rule(action),
                memo=memo,
                decision_id=decision.id,
            )


@register_effect(FileClaim.kind)
def make_file_claim(_: Settings) -> FileClaim:
    return FileClaim()


@register_effect(TakeDeposit.kind)
def make_take_deposit(_: Settings) -> TakeDeposit:
    return TakeDeposit()


@register_effect(Compensate.kind)
def make_compensate(_: Settings) -> Compensate:
    return Compensate()
