"""A live session that receives N user reports within M minutes opens a review case.

Reports come in bursts when a stream does something viewers find wrong; one report
is noise, a burst is worth a reviewer's eyes while the stream is still on.
"""

from __future__ import annotations

from dataclasses import dataclass

from trustfair.detect.live_reports import LIVE_REPORT_BURST
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

RULE_ID = "live_report_burst"


@dataclass(frozen=True)
class LiveReportBurstRule:
    threshold: int
    window_minutes: int
    sla_minutes: int
    id: str = RULE_ID

    def evaluate(
        self, event: StoredEvent, signals: list[Signal], context: Context
    ) -> RuleHit | None:
        bursts = [s for s in signals if s.label == LIVE_REPORT_BURST]
        if not bursts:
            return None
        signal = max(bursts, key=lambda s: s.evidence["reports"])
        count = signal.evidence["reports"]
        if count < self.threshold:
            return None
        session_id = signal.evidence["session_id"]
        return RuleHit(
            rule=self.id,
            verdict=Verdict.REVIEW,
            explanation=(
                f"live session {session_id} received {count} user reports within "
                f"{self.window_minutes} minutes (threshold {self.threshold})"
            ),
            signals=(signal,),
            actions=(
                Action(
                    "open_case",
                    {
                        "kind": RULE_ID,
                        "queue": "live",
                        "priority": 1,
                        "subject_type": "live_session",
                        "subject_id": session_id,
                        "sla_minutes": self.sla_minutes,
                        "summary": f"{count} reports within {self.window_minutes} min",
                    },
                ),
            ),
        )


@register_rule(RULE_ID)
def make_rule(settings: Settings) -> LiveReportBurstRule:
    return LiveReportBurstRule(
        threshold=settings.live_report_threshold,
        window_minutes=int(settings.live_report_window.total_seconds() // 60),
        sla_minutes=int(settings.live_report_case_sla.total_seconds() // 60),
    )
