"""The ``brand_check`` effect: what a decision did about a listing that touched a
brand's bank (intercept, review, monitor), kept for the brand's own pages, the report
and the export, with the score and the reasons that led to it."""

from __future__ import annotations

from sqlalchemy import insert
from sqlalchemy.orm import Session

from trustfair.pipeline.interfaces import Action, Decision
from trustfair.pipeline.registry import register_effect
from trustfair.settings import Settings
from trustfair.store.models import BrandCheckRow


class RecordBrandCheck:
    kind = "brand_check"

    def apply(self, decision: Decision, action: Action, session: Session) -> None:
        hit = decision.hit_of(action)
        if hit is None:
            return
        event = decision.event
        payload = event.envelope.payload
        rows = [
            {
                "listing_id": payload.listing_id,
                "merchant_id": payload.merchant_id,
                "brand_id": signal.evidence["brand_id"],
                "kind": signal.label,
                "outcome": action.params["outcome"],
                "score": signal.score,
                "reasons": signal.evidence.get("reasons", []),
                "event_seq": event.seq,
                "checked_at": event.occurred_at,
            }
            for signal in hit.signals
            if signal.detector == "brand"
        ]
        if rows:
            session.execute(insert(BrandCheckRow), rows)


@register_effect(RecordBrandCheck.kind)
def make_effect(_: Settings) -> RecordBrandCheck:
    return RecordBrandCheck()
