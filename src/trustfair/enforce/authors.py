"""Who answers for an event, and which matter it belongs to.

Points and sanctions go to merchants and streamers: a listing's copy and prices are
the merchant's, what is said in a live stream is the streamer's. A matter is what is
punished once however many events show it: one listing's copy, one live session, one
price change, one shop name, one week of a shop's shipping.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from typing import Any

from trustfair.events.payload import EntityRef
from trustfair.pipeline.interfaces import StoredEvent

SANCTIONABLE = frozenset({"merchant", "streamer"})
_CHINA = timezone(timedelta(hours=8))

_AUTHOR_FIELD = {
    "listing.published": ("merchant", "merchant_id"),
    "listing.updated": ("merchant", "merchant_id"),
    "listing.removed": ("merchant", "merchant_id"),
    "listing.price_changed": ("merchant", "merchant_id"),
    "merchant.registered": ("merchant", "merchant_id"),
    "merchant.updated": ("merchant", "merchant_id"),
    "streamer.registered": ("streamer", "streamer_id"),
    "streamer.updated": ("streamer", "streamer_id"),
    "live.started": ("streamer", "streamer_id"),
    "live.segment": ("streamer", "streamer_id"),
    "live.ended": ("streamer", "streamer_id"),
    "live.chat": ("user", "user_id"),
    "order.shipped": ("merchant", "merchant_id"),
}


def author_type_of(event_type: str) -> str | None:
    """The kind of party events of ``event_type`` are attributed to, if any."""
    found = _AUTHOR_FIELD.get(event_type)
    return found[0] if found else None


def author_in(event_type: str, payload: dict[str, Any]) -> EntityRef | None:
    """The party a stored event (its type and JSON payload) is attributed to, if any:
    for readers that hold a row of the event log, not a validated envelope."""
    found = _AUTHOR_FIELD.get(event_type)
    if found is None:
        return None
    entity_type, field = found
    value = payload.get(field)
    return EntityRef(entity_type, str(value)) if value else None


def author_of(event: StoredEvent) -> EntityRef | None:
    """The party an event's content is attributed to, if the event has one."""
    found = _AUTHOR_FIELD.get(event.type)
    if found is None:
        return None
    entity_type, field = found
    value = getattr(event.envelope.payload, field, None)
    return EntityRef(entity_type, str(value)) if value else None


def matter_of(event: StoredEvent, violation: str) -> str:
    """The matter an event's violation belongs to (see the module's docstring).

    A price change is its own matter: two false discounts on one listing are two
    offences. Everything else said in a listing's copy is one matter per listing,
    and everything said in a live session one matter per session. A shop's shipping
    is judged by the week (ISO week, +08:00): a habit of late parcels is one offence a
    week, not one per parcel.
    """
    payload = event.envelope.payload
    if event.type == "listing.price_changed":
        matter = f"price_change:{event.envelope.event_id}"
    elif event.type.startswith("listing."):
        matter = f"listing:{payload.listing_id}"
    elif event.type.startswith("live."):
        matter = f"live_session:{payload.session_id}"
    elif event.type == "order.shipped":
        matter = f"shipping:{payload.merchant_id}:{shipping_week(event.occurred_at)[0]}"
    elif event.type in ("merchant.registered", "merchant.updated"):
        matter = f"shop:{payload.merchant_id}"
    elif event.type in ("streamer.registered", "streamer.updated"):
        matter = f"profile:{payload.streamer_id}"
    else:
        matter = f"event:{event.envelope.event_id}"
    return f"{violation}@{matter}"


def shipping_week(at: datetime) -> tuple[str, datetime]:
    """The week a shop's shipment at ``at`` is judged in: its ISO week on the platform's
    calendar (+08:00), named like ``2026-W11``, and the moment it begins (Monday 00:00
    +08:00; it lasts 7 days). At the turn of a year the ISO year is not the calendar
    year: 29-31 December 2025 are in 2026-W01, 1-3 January 2027 in 2026-W53."""
    local = at.astimezone(_CHINA)
    year, week, weekday = local.isocalendar()
    monday = datetime.combine(local.date() - timedelta(days=weekday - 1), time(), _CHINA)
    return f"{year}-W{week:02d}", monday
