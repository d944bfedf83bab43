"""The effects policy files ask for: points, shared sanctions, commands.

Each is named by the action kind a rule writes (``schema.ACTION_KINDS``) and runs in
the decision's transaction.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from trustfair.enforce.authors import author_of, matter_of
from trustfair.enforce.points import (
    appeal_terms,
    award_points,
    sanction_for,
    statement_evidence,
)
from trustfair.enforce.sanctions import inherit_from_linked
from trustfair.events.payload import EntityRef
from trustfair.pipeline.interfaces import Action, Decision
from trustfair.pipeline.outbox import enqueue
from trustfair.pipeline.registry import register_effect
from trustfair.settings import Settings


class AwardPoints:
    kind = "points"

    def apply(self, decision: Decision, action: Action, session: Session) -> None:
        award_points(session, decision, action)


class DirectSanction:
    """A rule's own sanction, for matters a policy does not leave to points (opening
    a new account while the old one is suspended, say)."""

    kind = "sanction"

    def apply(self, decision: Decision, action: Action, session: Session) -> None:
        policy = decision.policy
        spec = policy.spec
        params = action.params
        event = decision.event
        violation = params["violation"]
        kind = spec.violations[violation]
        author = EntityRef(params["author"]["type"], params["author"]["id"])
        hit = decision.hit_of(action)
        found = hit.signals if hit is not None else ()
        matter = matter_of(event, violation, [s for s in found if s.label == violation])
        at = matter.at
        signals = statement_evidence(found)
        statement = {
            "policy_version": policy.version,
            "rule": params["rule"],
            "violation": {
                "violation": violation,
                "class": kind.violation_class,
                "basis": kind.basis,
                "matter": matter.key,
                "event_id": event.envelope.event_id,
                "rule": params["rule"],
                "evidence": {**params.get("evidence", {}), "signals": signals},
            },
            "appeal": appeal_terms(spec, decision.confirmed_at or at),
        }
        node = f"{params['rule']}@{matter.key}"
        course = params.get("requires_course") or spec.courses.course_for(params["kind"], violation)
        sanction_for(
            session,
            decision,
            author,
            params["kind"],
            params.get("days"),
            node,
            statement,
            at,
            requires_course=course,
        )


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
    """Tell the marketplace to do something (refuse a live stream, take content down)
    through the outbox: ``params.topic``, about the event's subject. ``once_per:
    subject`` sends it once per subject (one refusal per live session, however often
    the stream is retried); the default is once per event (each blocked chat line)."""

    kind = "send_command"

    def apply(self, decision: Decision, action: Action, session: Session) -> None:
        event = decision.event
        topic = action.params["topic"]
        subject = event.subject
        author = author_of(event)
        once = (
            f"{subject.type}:{subject.id}"
            if action.params.get("once_per") == "subject"
            else f"event:{event.envelope.event_id}"
        )
        enqueue(
            session,
            topic,
            f"{topic}:{once}",
            {
                "command": topic,
                "subject": {"type": subject.type, "id": subject.id},
                "author": {"type": author.type, "id": author.id} if author else None,
                "event_id": event.envelope.event_id,
                "rule": action.params.get("rule"),
                "reasons": [hit.to_record() for hit in decision.hits if not hit.shadow],
                "policy_version": decision.policy_version,
                "decision_id": decision.id,
                "decided_at": event.occurred_at.isoformat(),
            },
            decision.id,
        )


@register_effect(AwardPoints.kind)
def make_points(_: Settings) -> AwardPoints:
    return AwardPoints()


@register_effect(DirectSanction.kind)
def make_sanction(_: Settings) -> DirectSanction:
    return DirectSanction()


@register_effect(ShareSanctions.kind)
def make_share(_: Settings) -> ShareSanctions:
    return ShareSanctions()


@register_effect(SendCommand.kind)
def make_command(_: Settings) -> SendCommand:
    return SendCommand()
