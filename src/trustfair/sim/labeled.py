"""Labeled text from a simulation, for ``trustfair eval moderation``.

Every event that carries text becomes ``{"id", "text", "label", "context", "category"}``:
the first text label the truth gives it, or ``clean``. Events whose violation is not
in their own text (price history, a counterfeit listing's price) are left out rather
than called clean.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from trustfair.events.envelope import event_adapter

_CONTEXTS = {
    "listing.published": "listing",
    "listing.updated": "listing",
    "live.segment": "live",
    "live.started": "title",
    "live.chat": "chat",
    "review.posted": "review",
    "merchant.registered": "shop",
    "ticket.opened": "ticket",
}


def labeled_lines(sim_dir: Path) -> Iterator[dict[str, Any]]:
    violations: dict[str, dict[str, Any]] = {}
    with (sim_dir / "truth.jsonl").open(encoding="utf-8") as truth:
        for line in truth:
            record = json.loads(line)
            if record.get("kind") == "violation":
                violations[record["event_id"]] = record
    categories: dict[str, str] = {}
    with (sim_dir / "events.jsonl").open(encoding="utf-8") as events:
        for line in events:
            event = event_adapter().validate_json(line)
            payload = event.payload
            if event.type == "listing.published":
                categories[payload.listing_id] = payload.category  # type: ignore[attr-defined]
            texts = payload.texts()
            if not texts or event.type not in _CONTEXTS:
                continue
            truth = violations.get(event.event_id)
            if truth and not truth.get("text_labels"):
                continue
            label = truth["text_labels"][0] if truth else "clean"
            listing = getattr(payload, "listing_id", None)
            yield {
                "id": event.event_id,
                "text": "\n".join(text for _, text in texts),
                "label": label,
                "context": _CONTEXTS[event.type],
                "category": getattr(payload, "category", None) or categories.get(listing or ""),
            }
