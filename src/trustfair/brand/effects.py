"""Brand protection's effects.

- ``brand_check``: what a decision did about a listing that touched a brand's bank
  (intercept, review, monitor), kept for the brand's own pages, the report and the
  export, with the score and the reasons that led to it.
- ``file_notice``: a rights holder's notice that came as a ``complaint.filed`` event,
  filed for notice and takedown as the API files one (``brand.complaints.file_notice``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from trustfair.brand.complaints import ComplaintConflict, ComplaintRefused, Notice, file_notice
from trustfair.brand.rights import RightKind, enforceable_right
from trustfair.detect.ip_complaints import NOTICE
from trustfair.pipeline.interfaces import Action, Decision
from trustfair.pipeline.refusals import note_refusal
from trustfair.pipeline.registry import register_effect
from trustfair.settings import Settings
from trustfair.store.models import BrandCheckRow, EventRow, RightRow, RightsHolderRow


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


class FileNotice:
    """File the notice under the holder's enforceable right of the kind it names (its
    trademark, say), for the holder's brand. A notice the platform refuses (an unknown
    or uncertified holder, no enforceable right, no evidence, an unknown listing) does
    not fail the batch: the refusal is written into the decision's reasons."""

    kind = "file_notice"

    def apply(self, decision: Decision, action: Action, session: Session) -> None:
        hit = decision.hit_of(action)
        signals = [s for s in (hit.signals if hit else ()) if s.label == NOTICE]
        event = decision.event
        # When the platform got the event: a notice processed late (a backfill) gives
        # the merchant its whole answer window from then, not from the filing.
        received_at = session.scalar(select(EventRow.received_at).where(EventRow.seq == event.seq))
        for signal in signals:
            facts = signal.evidence
            try:
                notice = _notice_of(session, facts, event.occurred_at)
                file_notice(
                    session,
                    notice,
                    event.occurred_at,
                    f"event:{event.envelope.event_id}",
                    received_at=received_at,
                )
            except (ComplaintRefused, ComplaintConflict) as refused:
                why = f"notice {facts['notice_ref']} not filed: {refused}"
                rule = hit.rule if hit else self.kind
                note_refusal(session, decision, rule, {"notice_ref": facts["notice_ref"]}, why)


def _notice_of(session: Session, facts: dict[str, Any], at: datetime) -> Notice:
    """The notice under the complainant's enforceable right of the kind it names. The
    complainant is a rights holder, or a brand (whose certified holders are tried, the
    oldest first): a marketplace's IP portal may know only the brand."""
    complainant = facts["holder_id"]
    holder = session.get(RightsHolderRow, complainant)
    holders = (
        [holder]
        if holder is not None
        else session.scalars(
            select(RightsHolderRow)
            .where(RightsHolderRow.brand_id == complainant)
            .order_by(RightsHolderRow.applied_at, RightsHolderRow.id)
        ).all()
    )
    if not holders:
        raise ComplaintRefused(f"{complainant!r} is neither a rights holder nor a brand with one")
    kinds = [facts["kind"]] if facts["kind"] in set(RightKind) else list(RightKind)
    for candidate in holders:
        rights = session.scalars(
            select(RightRow)
            .where(RightRow.holder_id == candidate.id, RightRow.kind.in_(kinds))
            .order_by(RightRow.id)
        ).all()
        for right in rights:
            if isinstance(enforceable_right(session, candidate.id, right.id, at), RightRow):
                return Notice(
                    notice_ref=facts["notice_ref"],
                    brand_id=candidate.brand_id,
                    holder_id=candidate.id,
                    right_id=right.id,
                    listing_id=facts["listing_id"],
                    evidence=[
                        {"kind": "document", "document_id": e} for e in facts["evidence_ids"]
                    ],
                    text=facts.get("text", ""),
                )
    raise ComplaintRefused(f"{complainant!r} holds no {' or '.join(kinds)} enforceable now")


@register_effect(FileNotice.kind)
def make_file_notice(_: Settings) -> FileNotice:
    return FileNotice()


@register_effect(RecordBrandCheck.kind)
def make_effect(_: Settings) -> RecordBrandCheck:
    return RecordBrandCheck()
