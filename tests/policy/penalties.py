"""A small penalty policy for tests, until policy files award points and sanctions.

``PenaltyPolicy`` decides as the built-in policy does (real detectors, real rules)
and, on each decision at least as strict as ``punish_from`` about a listing, asks the
``test_penalise`` effect to block it, award the listing's merchant ``points`` and to issue the
sanction of every points node the merchant's total has reached.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from trustfair.pipeline.interfaces import Action, Decision, RuleHit, Verdict
from trustfair.pipeline.registry import Registry, build_registry
from trustfair.policy.builtin import builtin_policy
from trustfair.settings import Settings
from trustfair.store.models import PointsEntryRow, SanctionRow

EFFECT = "test_penalise"


@dataclass(frozen=True)
class PenaltyPolicy:
    version: str
    points: int
    nodes: tuple[tuple[int, str], ...]
    """(points total, sanction kind) reached in order."""
    punish_from: Verdict = Verdict.BLOCK

    def decide(self, event, signals, context):  # type: ignore[no-untyped-def]
        decision = builtin_policy(Settings()).decide(event, signals, context)
        if decision is None:
            return None
        decision = replace(decision, policy_version=self.version)
        payload = event.envelope.payload
        merchant = getattr(payload, "merchant_id", None)
        if merchant is None or decision.verdict.strictness < self.punish_from.strictness:
            return decision
        labels = sorted({s.label for s in signals})
        verdict = Verdict.BLOCK  # what is punished is taken down
        hit = RuleHit(
            rule="penalise",
            verdict=verdict,
            explanation=f"{self.points} points for {', '.join(labels)}",
            actions=(
                Action(
                    EFFECT,
                    {
                        "merchant": merchant,
                        "points": self.points,
                        "violation": labels[0],
                        "matter": f"{event.subject.type}:{event.subject.id}:{labels[0]}",
                        "nodes": [list(node) for node in self.nodes],
                    },
                ),
            ),
        )
        return replace(decision, verdict=verdict, hits=(*decision.hits, hit))


class Penalise:
    kind = EFFECT

    def apply(self, decision: Decision, action: Action, session: Session) -> None:
        params, at = action.params, decision.event.occurred_at
        merchant = params["merchant"]
        already = session.scalar(
            select(PointsEntryRow.id).where(
                PointsEntryRow.entity_type == "merchant",
                PointsEntryRow.entity_id == merchant,
                PointsEntryRow.matter == params["matter"],
            )
        )
        if already is not None:
            return
        session.add(
            PointsEntryRow(
                entity_type="merchant",
                entity_id=merchant,
                violation=params["violation"],
                violation_class="general",
                points=params["points"],
                matter=params["matter"],
                at=at,
                decision_id=decision.id,
                policy_version=decision.policy_version,
                rule="penalise",
            )
        )
        session.flush()
        total = session.scalar(
            select(func.sum(PointsEntryRow.points)).where(
                PointsEntryRow.entity_type == "merchant", PointsEntryRow.entity_id == merchant
            )
        )
        for threshold, kind in params["nodes"]:
            node = f"points>={threshold}"
            if total < threshold or session.scalar(
                select(SanctionRow.id).where(
                    SanctionRow.entity_id == merchant, SanctionRow.node == node
                )
            ):
                continue
            session.add(
                SanctionRow(
                    entity_type="merchant",
                    entity_id=merchant,
                    kind=kind,
                    node=node,
                    starts_at=at,
                    ends_at=None,
                    state="active",
                    decision_id=decision.id,
                    policy_version=decision.policy_version,
                    statement={"points": total, "node": node, "rule": "penalise"},
                )
            )
            session.flush()


def penalty_registry(policy) -> Registry:  # type: ignore[no-untyped-def]
    """Every registered detector and effect, ``policy``, and the test effect."""
    base = build_registry(Settings(), policy=policy)
    return replace(base, effects={**base.effects, EFFECT: Penalise()})


LENIENT = PenaltyPolicy("lenient-1", points=2, nodes=((4, "warning"), (18, "ban")))
STRICT = PenaltyPolicy(
    "strict-1",
    points=6,
    nodes=((4, "warning"), (18, "ban")),
    punish_from=Verdict.REVIEW,
)
