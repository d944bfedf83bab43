"""The effects policy files ask for: points, shared sanctions, commands.

Each is named by the action kind a rule writes (``schema.ACTION_KINDS``) and runs in
the decision's transaction.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from trustfair.enforce.authors import author_of
from trustfair.enforce.commands import enqueue_command
from trustfair.enforce.points import award_points
from trustfair.enforce.sanctions import inherit_from_linked
from trustfair.pipeline.interfaces import Action, Decision
from trustfair.pipeline.registry import register_effect
from trustfair.settings import Settings


class AwardPoints:
    kind = "points"

    def apply(self, decision: Decision, action: Action, session: Session) -> None:
        award_points(session, decision, action)


class ShareSanctions:
    """An account that shares an identity key with a sanctioned one takes on its
    sanctions of the kinds the policy shares (a banned seller's new shop is banned)."""

    kind = "share_sanctions"

    def apply(self, decision: Decision, action: Action, session: Session) -> None:
        linked = getattr(decision.policy, "spec", None) and decision.policy.spec.linked_accounts
        author = author_of(decision.event)
        if not linked or author is None:
            return
        event = decision.event
        inherit_from_linked(
            session, author, linked.keys, linked.share, event.occurred_at, decision.id, event.seq
        )


class SendCommand:
    """Tell the marketplace to do something (refuse a live stream, take a listing
    down) through the outbox: ``params.topic``, about the event's subject."""

    kind = "send_command"

    def apply(self, decision: Decision, action: Action, session: Session) -> None:
        event = decision.event
        topic = action.params["topic"]
        subject = event.subject
        author = author_of(event)
        enqueue_command(
            session,
            topic,
            f"{topic}:{event.envelope.event_id}",
            {
                "subject": {"type": subject.type, "id": subject.id},
                "author": {"type": author.type, "id": author.id} if author else None,
                "event_id": event.envelope.event_id,
                "rule": action.params.get("rule"),
                "reasons": [hit.to_record() for hit in decision.hits if not hit.shadow],
                "policy_version": decision.policy_version,
                "decision_id": decision.id,
            },
            event.occurred_at,
            decision.id,
        )


@register_effect(AwardPoints.kind)
def make_points(_: Settings) -> AwardPoints:
    return AwardPoints()


@register_effect(ShareSanctions.kind)
def make_share(_: Settings) -> ShareSanctions:
    return ShareSanctions()


@register_effect(SendCommand.kind)
def make_command(_: Settings) -> SendCommand:
    return SendCommand()
