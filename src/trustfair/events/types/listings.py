"""Listings (products offered for sale) and their prices."""

from __future__ import annotations

from pydantic import Field

from trustfair.events.fields import Code, Fen, Id, LongText, Name
from trustfair.events.payload import Payload, event_type


@event_type("listing.published", subject=("listing", "listing_id"), texts=("title", "description"))
class ListingPublished(Payload):
    listing_id: Id
    merchant_id: Id
    shop_id: Id | None = None
    title: Name
    description: LongText = ""
    category: Code
    price_fen: Fen
    reference_price_fen: Fen | None = None
    """The struck-through "original" price shown beside the price, if any."""
    brand_id: Id | None = None
    image_ids: list[Id] = Field(default_factory=list, max_length=50)
    stock: int = Field(default=0, ge=0, le=10**12)


@event_type("listing.updated", subject=("listing", "listing_id"), texts=("title", "description"))
class ListingUpdated(Payload):
    """A change to a listing: only the fields sent change."""

    listing_id: Id
    merchant_id: Id
    title: Name | None = None
    description: LongText | None = None
    category: Code | None = None
    brand_id: Id | None = None
    image_ids: list[Id] | None = Field(default=None, max_length=50)
    stock: int | None = Field(default=None, ge=0, le=10**12)


@event_type("listing.removed", subject=("listing", "listing_id"))
class ListingRemoved(Payload):
    listing_id: Id
    merchant_id: Id
    reason: Code = "merchant_withdrew"


@event_type("listing.price_changed", subject=("listing", "listing_id"))
class ListingPriceChanged(Payload):
    """A new price, and the reference price and promotion it is shown with."""

    listing_id: Id
    merchant_id: Id
    price_fen: Fen
    reference_price_fen: Fen | None = None
    promotion_id: Id | None = None
