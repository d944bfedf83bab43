"""The text engine as a pipeline detector: every event that carries text is moderated.

Each text field is read with the context its event gives it (a listing's description,
a live segment, a chat message) and, for listings, the product category. One signal
per label found, with the rule, severity and spans of the original field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from trustfair.events.payload import PAYLOAD_TYPES
from trustfair.pipeline.interfaces import Context, Signal, StoredEvent
from trustfair.pipeline.registry import register_detector
from trustfair.settings import Settings
from trustfair.text.holder import EngineHolder, default_holder

TEXT_EVENT_TYPES = frozenset(name for name, model in PAYLOAD_TYPES.items() if model.text_fields)

CONTEXT_OF_EVENT = {
    "listing.published": "listing",
    "listing.updated": "listing",
    "live.started": "title",
    "live.segment": "live",
    "live.chat": "chat",
    "review.posted": "review",
    "merchant.registered": "shop",
    "merchant.updated": "shop",
    "streamer.registered": "shop",
    "streamer.updated": "shop",
    "ticket.opened": "ticket",
}


@dataclass
class TextModerationDetector:
    holder: EngineHolder
    name: str = "text"
    event_types: frozenset[str] = TEXT_EVENT_TYPES

    @property
    def version(self) -> str:
        return self.holder.current().version

    def detect(self, event: StoredEvent, context: Context) -> list[Signal]:
        engine = self.holder.current()  # one lexicon version for the whole event
        payload = event.envelope.payload
        category = getattr(payload, "category", None)
        text_context = CONTEXT_OF_EVENT.get(event.type, "other")
        signals = []
        for field, text in payload.texts():
            # A listing's title is read as a title: the health-food warning belongs in
            # its description, not in forty characters of title.
            field_context = "title" if field == "title" else text_context
            result = engine.moderate(text, field_context, category)
            for label in result.labels:
                evidence: dict[str, Any] = {
                    "field": field,
                    "rule": label.rule,
                    "severity": label.severity,
                    "spans": label.spans,
                }
                signals.append(
                    Signal(self.name, engine.version, label.label, label.score, evidence)
                )
        return signals


@register_detector("text")
def make_detector(_: Settings) -> TextModerationDetector:
    return TextModerationDetector(default_holder())
