"""Listings held against the brands' counterfeit feature library, before they sell.

On ``listing.published``, ``listing.updated`` and ``listing.price_changed`` (a change is
judged on the listing as it now reads: the fields it changed over the ones it had), the
listing's text, declared brand, seller, price and pictures are matched against the
banks (``brand.matching``). Each brand the listing touches gives one signal:
``counterfeit`` (the mark used, with the signs of a fake as reasons) or ``lookalike``
(the signs of a brand's fakes without its mark), with the score the policy's ``brand.*``
rules turn into intercept, review or monitor.

The banks are read as they stand when the batch runs, like the policy: a brand that adds
an entry changes the next checks, not past decisions.
"""

from __future__ import annotations

from dataclasses import dataclass

from trustfair.brand.matching import ListingFacts
from trustfair.pipeline.interfaces import Context, Signal, StoredEvent
from trustfair.pipeline.registry import register_detector
from trustfair.settings import Settings

LISTING_EVENTS = frozenset({"listing.published", "listing.updated", "listing.price_changed"})
"""A new price is checked too: a price cut under the floor after publishing is a sign."""


def listing_facts(event: StoredEvent, context: Context) -> ListingFacts | None:
    """The listing as it reads after ``event``: an update's fields over the listing's
    earlier state; None for an update of a listing never published."""
    payload = event.envelope.payload.model_dump(mode="json")
    if event.type in ("listing.updated", "listing.price_changed"):
        before = context.listing_as_of(payload["listing_id"], event.seq - 1)
        if before is None:
            return None
        merged = {**before, **{k: v for k, v in payload.items() if v is not None}}
    else:
        merged = dict(payload)
    return ListingFacts(
        listing_id=merged["listing_id"],
        merchant_id=merged["merchant_id"],
        title=merged.get("title") or "",
        description=merged.get("description") or "",
        category=merged.get("category"),
        price_fen=merged.get("price_fen"),
        brand_id=merged.get("brand_id"),
        image_ids=tuple(merged.get("image_ids") or ()),
    )


@dataclass(frozen=True)
class BrandDetector:
    name: str = "brand"
    version: str = "1"
    event_types: frozenset[str] = LISTING_EVENTS

    def detect(self, event: StoredEvent, context: Context) -> list[Signal]:
        facts = listing_facts(event, context)
        if facts is None:
            return []
        matcher = context.brand_matcher(event.occurred_at)
        pictures = context.picture_hits(facts.image_ids) if facts.image_ids else []
        return [
            Signal(self.name, self.version, finding.kind, finding.score, finding.to_evidence())
            for finding in matcher.check(facts, pictures)
        ]


@register_detector("brand")
def make_detector(_: Settings) -> BrandDetector:
    return BrandDetector()
