"""What users and rights holders tell the marketplace: reports, complaints, tickets,
surveys, negative feedback and reviews."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from trustfair.events.fields import Code, Count, Id, LongText, ShortText, Timestamp
from trustfair.events.payload import EntityRef, Payload, event_type

TargetType = Literal[
    "live_session", "listing", "merchant", "streamer", "chat_message", "review", "order"
]


class Target(BaseModel):
    """What a report, complaint or piece of feedback is about."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    type: TargetType
    id: Id


@event_type("report.filed", subject=None, texts=("text",))
class ReportFiled(Payload):
    """A user reports something they saw (a live stream, a listing, a message)."""

    report_id: Id
    reporter_id: Id
    target: Target
    reason: Code
    text: ShortText = ""

    def subject(self) -> EntityRef:
        # The reported thing, so that a burst of reports lands on one key.
        return EntityRef(self.target.type, self.target.id)


@event_type("complaint.filed", subject=("complaint", "complaint_id"), texts=("text",))
class ComplaintFiled(Payload):
    """A formal complaint: a buyer's claim or a rights holder's infringement notice."""

    complaint_id: Id
    complainant_type: Literal["buyer", "rights_holder"]
    complainant_id: Id
    kind: Code
    """e.g. counterfeit, not_as_described, not_delivered, trademark, patent, copyright."""
    target: Target
    order_id: Id | None = None
    text: LongText = ""
    evidence_ids: list[Id] = Field(default_factory=list, max_length=50)


@event_type("ticket.opened", subject=("ticket", "ticket_id"), texts=("text",))
class TicketOpened(Payload):
    ticket_id: Id
    user_id: Id
    channel: Literal["in_app", "hotline", "review", "social", "survey_comment"]
    text: LongText
    order_id: Id | None = None
    merchant_id: Id | None = None


@event_type("ticket.closed", subject=("ticket", "ticket_id"), texts=("note",))
class TicketClosed(Payload):
    ticket_id: Id
    resolution: Literal["resolved", "unresolved", "duplicate", "withdrawn"]
    satisfaction: int | None = Field(default=None, ge=1, le=5)
    note: ShortText = ""


@event_type("survey.answered", subject=("survey", "survey_id"), texts=("comment",))
class SurveyAnswered(Payload):
    """A recommendation (NPS) survey answer: 0–10."""

    survey_id: Id
    user_id: Id
    score: int = Field(ge=0, le=10)
    comment: ShortText = ""
    merchant_id: Id | None = None
    order_id: Id | None = None
    category: Code | None = None


@event_type("feedback.negative", subject=None)
class FeedbackNegative(Payload):
    """A light negative signal: not interested, dislike, report, bad review."""

    feedback_id: Id
    user_id: Id
    kind: Literal["not_interested", "dislike", "report", "bad_review"]
    target: Target

    def subject(self) -> EntityRef:
        return EntityRef(self.target.type, self.target.id)


@event_type("review.posted", subject=("review", "review_id"), texts=("text",))
class ReviewPosted(Payload):
    review_id: Id
    order_id: Id
    buyer_id: Id
    merchant_id: Id
    listing_id: Id
    rating: int = Field(ge=1, le=5)
    text: LongText = ""


@event_type("feedback.over_band", subject=None)
class FeedbackOverBand(Payload):
    """trustfair's own judgement (``trustfair voice negative-feedback``): a merchant's or
    streamer's negative-experience rate over [since, until] stood above its peers' band,
    written to the log once per entity and period so enforcement follows the one spine.
    Rates are in parts per million of orders."""

    entity_type: Literal["merchant", "streamer"]
    entity_id: Id
    since: Timestamp
    until: Timestamp
    peer_group: Code
    negatives: Count
    exposures: Count
    rate_ppm: Count
    wilson_low_ppm: Count
    peer_median_ppm: Count
    peer_p90_ppm: Count

    def subject(self) -> EntityRef:
        return EntityRef(self.entity_type, self.entity_id)
