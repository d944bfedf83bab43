"""The effects of early settlement for the pipeline: ``advance_settlement``,
``settle_advance`` and ``reverse_advance`` (``policy.schema.ACTION_KINDS``).

Each reads the order from the signals its rule matched (``detect.early_settlement``)
and calls the use case in ``merchant.advances`` with the decision's id and the rule,
so every posting names the decision and the rule that caused it. The bar, weights and
window are the deciding policy's ``settlement`` section. Money is dated by the event,
and the purpose keys are the order's, so a replayed or re-sent event moves nothing
twice.

An order shipped by a merchant under the bar is not an error: why it was not paid on
shipment (the score and the bar, or the freeze) is written into the decision's reasons,
so the merchant's statement of reasons for that order says it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from sqlalchemy.orm import Session

from trustfair.detect.early_settlement import ADVANCE_DUE, ORDER_CONFIRMED, ORDER_REFUNDED
from trustfair.merchant.advances import (
    advance_on_shipment,
    reverse_on_refund,
    settle_on_confirmation,
)
from trustfair.merchant.settlement_terms import Settlement
from trustfair.pipeline.interfaces import Action, Decision, Signal, StoredEvent
from trustfair.pipeline.refusals import note_refusal
from trustfair.pipeline.registry import register_effect
from trustfair.protect.ledger import lock_ledger
from trustfair.settings import Settings

ACTOR = "system:pipeline"
MONEY_EVENTS = frozenset({"order.shipped", "order.confirmed", "order.refunded"})


def _terms(decision: Decision) -> Settlement:
    spec = getattr(decision.policy, "spec", None)
    return spec.settlement if spec is not None else Settlement()


def _signals(decision: Decision, action: Action, label: str) -> Iterator[Signal]:
    hit = decision.hit_of(action)
    found = hit.signals if hit is not None else (s for h in decision.hits for s in h.signals)
    for signal in found:
        if signal.label == label:
            yield signal


def _rule(decision: Decision, action: Action) -> str:
    hit = decision.hit_of(action)
    return hit.rule if hit is not None else action.kind


class _MovesAdvances:
    def before_batch(self, events: Sequence[StoredEvent], session: Session) -> None:
        """Queue for the ledger before any row is locked if the batch holds an order
        event that may move an advance: an effect that took the ledger lock midway,
        after others locked rows, could deadlock with a batch taking them the other
        way. Whether a shipment posts depends on its merchant's score, unknown until
        the effect reads it, so every batch with one queues (PostgreSQL only; on SQLite
        the writer lock serves)."""
        if any(event.type in MONEY_EVENTS for event in events):
            lock_ledger(session)


class AdvanceSettlement(_MovesAdvances):
    """Pay a shipped order to its merchant now if its trust score clears the bar."""

    kind = "advance_settlement"

    def apply(self, decision: Decision, action: Action, session: Session) -> None:
        rule = _rule(decision, action)
        for signal in _signals(decision, action, ADVANCE_DUE):
            facts = signal.evidence
            outcome = advance_on_shipment(
                session,
                facts["order_id"],
                facts["merchant_id"],
                int(facts["amount_fen"]),
                decision.event.occurred_at,
                ACTOR,
                terms=_terms(decision),
                decision_id=decision.id,
                rule=rule,
                up_to_seq=decision.event.seq,
            )
            if outcome.row is None:
                note_refusal(session, decision, rule, {"order_id": facts["order_id"]}, outcome.why)


class SettleAdvance(_MovesAdvances):
    """The order is confirmed: its advance, if any, is settled by the escrow."""

    kind = "settle_advance"

    def apply(self, decision: Decision, action: Action, session: Session) -> None:
        rule = _rule(decision, action)
        for signal in _signals(decision, action, ORDER_CONFIRMED):
            settle_on_confirmation(
                session,
                signal.evidence["order_id"],
                decision.event.occurred_at,
                ACTOR,
                decision_id=decision.id,
                rule=rule,
            )


class ReverseAdvance(_MovesAdvances):
    """The order was refunded: its advance, if any and not settled, is owed back."""

    kind = "reverse_advance"

    def apply(self, decision: Decision, action: Action, session: Session) -> None:
        rule = _rule(decision, action)
        for signal in _signals(decision, action, ORDER_REFUNDED):
            reverse_on_refund(
                session,
                signal.evidence["order_id"],
                decision.event.occurred_at,
                ACTOR,
                decision_id=decision.id,
                rule=rule,
            )


@register_effect(AdvanceSettlement.kind)
def make_advance_settlement(_: Settings) -> AdvanceSettlement:
    return AdvanceSettlement()


@register_effect(SettleAdvance.kind)
def make_settle_advance(_: Settings) -> SettleAdvance:
    return SettleAdvance()


@register_effect(ReverseAdvance.kind)
def make_reverse_advance(_: Settings) -> ReverseAdvance:
    return ReverseAdvance()
