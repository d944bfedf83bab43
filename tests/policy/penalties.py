"""A small penalty policy for tests, until policy files award points and sanctions.

``PenaltyPolicy`` decides as the built-in policy does (real detectors, real rules)
and, on each decision at least as strict as ``punish_from`` about a listing, asks the
``test_penalise`` effect to block it, award the listing's merchant ``points`` and to issue the
sanction of every points node the merchant's total has reached.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.factories import T0, jsonl, listing_published, merchant_registered, report_on_live
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


DAY = timedelta(days=1)


def marketplace() -> bytes:
    """Three merchants: m1 breaks rules early and late, m2 once with a sob story (a
    review, not a block), m3 never. Plus a burst of reports on a live session."""
    return jsonl(
        merchant_registered("m1", "甲记服饰", T0 - DAY),
        merchant_registered("m2", "乙家小店", T0 - DAY),
        merchant_registered("m3", "丙丙优选", T0 - DAY),
        listing_published("l1", "m1", "全网最低价 纯棉T恤", T0),
        listing_published("l2", "m1", "加我微信 abc12345 私下交易更便宜", T0 + DAY),
        listing_published("l3", "m3", "纯棉T恤 舒适透气", T0 + DAY),
        listing_published("l4", "m2", "老板破产了，含泪甩卖，家里孩子等着交学费", T0 + 6 * DAY),
        listing_published("l5", "m1", "史上最好用的面膜", T0 + 7 * DAY),
        *(report_on_live(f"rep{i}", "s1", T0 + 8 * DAY + timedelta(minutes=i)) for i in range(5)),
    )


APPEAL_REASON = "appeal upheld: a real closing-down sale"


def overturn_and_shut_down(store) -> None:  # type: ignore[no-untyped-def]
    """What appeals and the live shutdown write, until their code lands: m2's points
    award reversed and its warning lifted; live session s1 shut down by command."""
    from trustfair.store.models import LiveRiskRow, OutboxRow

    at = T0 + 9 * DAY
    with store.transaction() as session:
        award = session.scalars(
            select(PointsEntryRow).where(PointsEntryRow.entity_id == "m2")
        ).one()
        session.add(
            PointsEntryRow(
                entity_type="merchant",
                entity_id="m2",
                violation=award.violation,
                violation_class=award.violation_class,
                points=-award.points,
                matter=award.matter,
                at=at,
                decision_id=None,
                policy_version=award.policy_version,
                rule="appeal",
                reverses_id=award.id,
                note=APPEAL_REASON,
            )
        )
        warning = session.scalars(select(SanctionRow).where(SanctionRow.entity_id == "m2")).one()
        warning.state, warning.lifted_at = "lifted", at
        warning.lifted_by, warning.lifted_reason = "reviewer:ann", APPEAL_REASON
        session.add(
            LiveRiskRow(session_id="s1", streamer_id="t1", score=9.5, updated_at=at, shutdown_at=at)
        )
        session.add(
            OutboxRow(
                topic="live.shutdown",
                dedupe_key="live.shutdown:s1",
                payload={"session_id": "s1"},
                created_at=at,
                next_attempt_at=at,
            )
        )
