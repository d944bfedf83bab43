"""Text the engine flags is held for review or blocked.

Blocks when a finding of block severity scores high enough (a plain match of a
block-severity term); anything else the engine flags goes to review. staged_drama is
review only: the engine never gives it block severity.
"""

from __future__ import annotations

from dataclasses import dataclass

from trustfair.pipeline.interfaces import Context, RuleHit, Signal, StoredEvent, Verdict
from trustfair.policy.builtin import register_rule
from trustfair.settings import Settings
from trustfair.text.engine import BLOCK_SCORE

RULE_ID = "text_moderation"


@dataclass(frozen=True)
class TextModerationRule:
    id: str = RULE_ID

    def evaluate(
        self, event: StoredEvent, signals: list[Signal], context: Context
    ) -> RuleHit | None:
        flagged = [s for s in signals if s.detector == "text"]
        if not flagged:
            return None
        blocking = [
            s for s in flagged if s.evidence.get("severity") == "block" and s.score >= BLOCK_SCORE
        ]
        verdict = Verdict.BLOCK if blocking else Verdict.REVIEW
        labels = sorted({s.label for s in flagged})
        return RuleHit(
            rule=self.id,
            verdict=verdict,
            explanation=f"text flagged for {', '.join(labels)}",
            signals=tuple(blocking or flagged),
        )


@register_rule(RULE_ID)
def make_rule(_: Settings) -> TextModerationRule:
    return TextModerationRule()
