"""Risky speech, chat and reports raise a live session's risk score.

What the stream itself says weighs most: a block-severity finding of a high-risk
label in a transcript segment (pornography, off-platform diversion, medical claims,
counterfeit hints) is most of the way to a shutdown on its own, so one such line and a
little more (a second line, or a few reports) within a couple of half-lives trips it.
Claims that are wrong but not urgent (superlatives, exaggeration, price talk) weigh
less: a stream must keep making them to be cut. Review-severity findings weigh little,
and staged drama never more than review. Chat is the viewers, not the streamer: only
spam and diversion floods count, a little each. Every user report on the session adds
a fixed amount, so a burst of reports crosses in combination with what was said;
one user reporting again within the report window adds nothing.

The numbers, against the default threshold 100 and half-life 120 s, were checked on
the simulator (seed 1): at medium scale (4,044 sessions, 166 with the streamer's own
violations) 15 sessions are shut down, 11 of repeat offenders and 4 of occasional
ones, none of an honest streamer, whose highest score anywhere is 19; at small scale
(417 sessions) 2, both of repeat offenders.

The verdict is REVIEW for what was said or written (never BLOCK: the shutdown itself
is the effect's business, once the score crosses the threshold, in
``trustfair.enforce.live_risk``). A single user report only raises the score: its
verdict is ALLOW, so the report's decision says "looked at, nothing to review yet";
the burst rule and the shutdown case ask for a reviewer when there is something.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from trustfair.enforce.live_risk import KIND
from trustfair.pipeline.interfaces import (
    Action,
    Context,
    RuleHit,
    Signal,
    StoredEvent,
    Verdict,
)
from trustfair.policy.builtin import register_rule
from trustfair.settings import Settings
from trustfair.text.engine import BLOCK_SCORE

RULE_ID = "live_risk"

HIGH_RISK_LABELS = frozenset({"spam_porn", "diversion", "medical_claim", "counterfeit_hint"})
REVIEW_ONLY_LABELS = frozenset({"staged_drama"})

SEGMENT_HIGH_RISK_BLOCK = 70.0
SEGMENT_OTHER_BLOCK = 25.0
SEGMENT_REVIEW = 10.0
CHAT_FLOOD_LABELS = frozenset({"spam_porn", "diversion"})
CHAT_FLOOD_BLOCK = 4.0
REPORT_ON_SESSION = 10.0


def segment_amount(signal: Signal) -> float:
    blocking = signal.evidence.get("severity") == "block" and signal.score >= BLOCK_SCORE
    if not blocking or signal.label in REVIEW_ONLY_LABELS:
        return SEGMENT_REVIEW
    return SEGMENT_HIGH_RISK_BLOCK if signal.label in HIGH_RISK_LABELS else SEGMENT_OTHER_BLOCK


def chat_amount(signal: Signal) -> float:
    blocking = signal.evidence.get("severity") == "block" and signal.score >= BLOCK_SCORE
    return CHAT_FLOOD_BLOCK if blocking and signal.label in CHAT_FLOOD_LABELS else 0.0


@dataclass(frozen=True)
class LiveRiskRule:
    report_window: timedelta
    id: str = RULE_ID

    def evaluate(
        self, event: StoredEvent, signals: list[Signal], context: Context
    ) -> RuleHit | None:
        if event.type == "report.filed":
            if event.subject.type != "live_session" or self._reported_before(event, context):
                return None
            return self._hit(
                (), REPORT_ON_SESSION, "a user reported the live session", Verdict.ALLOW
            )
        if event.type not in ("live.segment", "live.chat"):
            return None
        flagged = [s for s in signals if s.detector == "text"]
        if not flagged:
            return None
        weigh = segment_amount if event.type == "live.segment" else chat_amount
        # One utterance is one matter: its worst finding counts, not each label in it.
        worst = max(flagged, key=weigh)
        amount = weigh(worst)
        if amount <= 0:
            return None
        where = "the streamer said" if event.type == "live.segment" else "the chat carried"
        return self._hit(
            (worst,),
            amount,
            f"{where} {worst.label} ({worst.evidence.get('severity')}, "
            f"rule {worst.evidence.get('rule')})",
        )

    def _reported_before(self, event: StoredEvent, context: Context) -> bool:
        """Whether this reporter already reported the session within the window."""
        at = event.occurred_at
        reporter = event.envelope.payload.reporter_id  # type: ignore[attr-defined]
        earlier = context.events_between(
            event.subject,
            "report.filed",
            at - self.report_window,
            at + self.report_window,
            up_to_seq=event.seq - 1,
        )
        return any(payload.get("reporter_id") == reporter for _, payload in earlier)

    def _hit(
        self,
        signals: tuple[Signal, ...],
        amount: float,
        why: str,
        verdict: Verdict = Verdict.REVIEW,
    ) -> RuleHit:
        return RuleHit(
            rule=self.id,
            verdict=verdict,
            explanation=f"{why}: live risk +{amount:g}",
            signals=signals,
            actions=(Action(KIND, {"amount": amount, "reason": why}),),
        )


@register_rule(RULE_ID)
def make_rule(settings: Settings) -> LiveRiskRule:
    return LiveRiskRule(report_window=settings.live_report_window)
