"""Consumer protection, read from the log: what the protection fund and the guarantees
must do about an event.

- ``claim.filed`` → ``claim_filed``: customer service filed a buyer's claim; the
  policy has it filed with the fund (``file_claim``), which adjudicates it.
- ``deposit.paid``, and ``merchant.registered`` with a ``deposit_fen`` → ``deposit_paid``:
  money for the merchant's deposit (``take_deposit``), under ``payment:{payment_id}``,
  or ``registered:{merchant_id}`` for the deposit paid on registering.
- ``order.returned`` with a ``tracking_no`` and a ``shipping_fee_fen`` on an order whose
  cover (the guarantees in force when it was paid) includes ``return_shipping`` →
  ``return_shipping_due``.
- an order shipped after its deadline whose cover includes ``late_shipment`` →
  ``late_shipment_due``, judged on the same event as the late-shipment detector judges
  it (``late_shipment.judged_late``: once, on whichever of the first payment and the
  first shipment arrives second).

The signals carry facts (what the order was paid, the fee, the deadline), not amounts.
The amounts are the policy's: the ``compensate`` effect works them out from the
deciding policy's ``protection`` terms. A detector is versioned apart from the policy
and gets no policy; terms in the signal would be terms of no particular policy file,
and back-testing a change of tiers or caps would need the detector changed too. This
way the decision records which policy version set the amount, and the posting its rule.

Whether compensation was paid already is not asked here: the money ledger's purpose
key (``order:{id}:{guarantee}:award``) pays an order's compensation under a guarantee
once, however many times the event is re-sent, replayed or the order returned.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from trustfair.detect.late_shipment import judged_late
from trustfair.pipeline.interfaces import Context, Signal, StoredEvent
from trustfair.pipeline.registry import register_detector
from trustfair.protect.fund import payment_ref, registration_ref
from trustfair.settings import Settings

CLAIM_FILED = "claim_filed"
DEPOSIT_PAID = "deposit_paid"
RETURN_SHIPPING_DUE = "return_shipping_due"
LATE_SHIPMENT_DUE = "late_shipment_due"

MONEY_SIGNALS: dict[tuple[str, str | None], str] = {
    ("file_claim", None): CLAIM_FILED,
    ("take_deposit", None): DEPOSIT_PAID,
    ("compensate", "return_shipping"): RETURN_SHIPPING_DUE,
    ("compensate", "late_shipment"): LATE_SHIPMENT_DUE,
}
"""(action kind, its guarantee) → the signal its effect reads the facts from; a policy
rule asking for the action must match that signal (checked when the file loads)."""
RETURN_SHIPPING, LATE_SHIPMENT = "return_shipping", "late_shipment"
DUE_LABELS = {RETURN_SHIPPING: RETURN_SHIPPING_DUE, LATE_SHIPMENT: LATE_SHIPMENT_DUE}


@dataclass(frozen=True)
class ProtectionDetector:
    name: str = "protection"
    version: str = "1"
    event_types: frozenset[str] = frozenset(
        {
            "claim.filed",
            "deposit.paid",
            "merchant.registered",
            "order.returned",
            "order.shipped",
            "order.paid",
        }
    )

    def detect(self, event: StoredEvent, context: Context) -> list[Signal]:
        payload: Any = event.envelope.payload
        if event.type == "claim.filed":
            return [
                self._signal(
                    CLAIM_FILED,
                    rule="protection.claim",
                    claim_ref=payload.claim_id,
                    order_id=payload.order_id,
                    buyer_id=payload.buyer_id,
                    kind=payload.kind,
                    requested_fen=payload.requested_fen,
                    description=payload.description,
                )
            ]
        if event.type == "deposit.paid":
            ref = payment_ref(payload.payment_id)
            return [self._deposit(payload.merchant_id, ref, payload.amount_fen)]
        if event.type == "merchant.registered":
            if payload.deposit_fen <= 0:
                return []
            ref = registration_ref(payload.merchant_id)
            return [self._deposit(payload.merchant_id, ref, payload.deposit_fen)]
        if event.type == "order.returned":
            return self._returned(event, payload, context)
        return self._late(event, payload, context)

    def _signal(self, label: str, **evidence: Any) -> Signal:
        return Signal(self.name, self.version, label, 1.0, evidence)

    def _deposit(self, merchant_id: str, ref: str, amount_fen: int) -> Signal:
        return self._signal(
            DEPOSIT_PAID,
            rule="protection.deposit",
            merchant_id=merchant_id,
            ref=ref,
            amount_fen=amount_fen,
        )

    def _due(self, guarantee: str, cover: Any, **facts: Any) -> Signal:
        """Compensation due under ``guarantee`` on the covered order, with its facts."""
        return self._signal(
            DUE_LABELS[guarantee],
            rule=f"protection.{guarantee}",
            guarantee=guarantee,
            order_id=cover.order_id,
            buyer_id=cover.buyer_id,
            merchant_id=cover.merchant_id,
            listing_id=cover.listing_id,
            order_fen=cover.amount_fen,
            **facts,
        )

    def _returned(self, event: StoredEvent, payload: Any, context: Context) -> list[Signal]:
        if not payload.tracking_no or payload.shipping_fee_fen <= 0:
            return []  # no proof of return shipping, or nothing paid for it
        cover = context.order_cover(payload.order_id, event.seq)
        if cover is None or RETURN_SHIPPING not in cover.guarantees:
            return []
        return [
            self._due(
                RETURN_SHIPPING,
                cover,
                fee_fen=payload.shipping_fee_fen,
                tracking_no=payload.tracking_no,
            )
        ]

    def _late(self, event: StoredEvent, payload: Any, context: Context) -> list[Signal]:
        # Late first: most orders ship on time, and that answer is the cheaper one.
        judged = judged_late(event, context)
        if judged is None:
            return []
        cover = context.order_cover(payload.order_id, event.seq)
        if cover is None or LATE_SHIPMENT not in cover.guarantees:
            return []
        due, shipped = judged
        late_by_hours = round((shipped - due).total_seconds() / 3600, 1)
        return [
            self._due(
                LATE_SHIPMENT,
                cover,
                due_at=due.isoformat(),
                shipped_at=shipped.isoformat(),
                late_by_hours=late_by_hours,
            )
        ]


@register_detector("protection")
def make_detector(_: Settings) -> ProtectionDetector:
    return ProtectionDetector()
