"""A merchant's or streamer's negative-experience rate over its peers' band, from the
log: ``feedback.over_band`` (written weekly by ``trustfair voice negative-feedback``,
once per entity and week) → ``negative_feedback_band``. The policy decides what that
costs (a review case in the ``voice`` queue in the default policy)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from trustfair.pipeline.interfaces import Context, Signal, StoredEvent
from trustfair.pipeline.registry import register_detector
from trustfair.settings import Settings

LABEL = "negative_feedback_band"


@dataclass(frozen=True)
class NegativeFeedbackDetector:
    name: str = "negative_feedback"
    version: str = "1"
    event_types: frozenset[str] = frozenset({"feedback.over_band"})

    def detect(self, event: StoredEvent, context: Context) -> list[Signal]:
        p: Any = event.envelope.payload
        evidence = {
            "entity": f"{p.entity_type}:{p.entity_id}",
            "since": p.since.isoformat(),
            "until": p.until.isoformat(),
            "peer_group": p.peer_group,
            "negatives": p.negatives,
            "exposures": p.exposures,
            "rate_percent": round(p.rate_ppm / 10_000, 2),
            "peer_median_percent": round(p.peer_median_ppm / 10_000, 2),
            "peer_p90_percent": round(p.peer_p90_ppm / 10_000, 2),
            "wilson_low_percent": round(p.wilson_low_ppm / 10_000, 2),
        }
        return [Signal(self.name, self.version, LABEL, 1.0, evidence)]


@register_detector("negative_feedback")
def make_detector(_: Settings) -> NegativeFeedbackDetector:
    return NegativeFeedbackDetector()
