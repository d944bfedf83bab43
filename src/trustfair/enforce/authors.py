"""Who answers for an event, and which matter it belongs to.

Points and sanctions go to merchants and streamers: a listing's copy and prices are
the merchant's, what is said in a live stream is the streamer's, an order's shipping
(its ``order.shipped``, and its ``order.paid``, which sets the deadline) is the
merchant's. A matter is what is punished once however many events show it: one
listing's copy, one live session, one price change, one shop name, one week of a
shop's shipping; and it is dated when it happened (``Matter.at``).

Attributing an event to an author lets rules with an ``author:`` or ``linked:``
condition, or without ``events:`` and ``signal:``, fire on it; the default policy's
rules that may see an ``order.paid`` all need a signal, and only late_shipment gives
one there.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from trustfair.events.fields import CHINA
from trustfair.events.payload import EntityRef
from trustfair.pipeline.interfaces import Signal, StoredEvent

SANCTIONABLE = frozenset({"merchant", "streamer"})

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
    # A payment that arrives after its order shipped late completes the late shipment.
    "order.paid": ("merchant", "merchant_id"),
    # A notice against the merchant's listing that stood (brand.complaints).
    "ip_complaint.upheld": ("merchant", "merchant_id"),
}


def event_types_authored_by(entity_type: str) -> list[str]:
    """The event types whose content a party of ``entity_type`` is answerable for."""
    return sorted(t for t, (kind, _) in _AUTHOR_FIELD.items() if kind == entity_type)


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


@dataclass(frozen=True, slots=True)
class Matter:
    """What is punished once (``key``, like ``late_shipment@shipping:m1:2026-W11``),
    and when it happened (``at``): the points' date and the sanctions' start."""

    key: str
    at: datetime


SAME_OFFENCE = {"counterfeit_hint": "counterfeit", "ip_infringement": "counterfeit"}
"""Violations that are one offence when found in the same matter: a listing that
advertises a fake's grade (高仿, the text engine's ``counterfeit_hint``), is found to be
a counterfeit of a brand (the brand detector's ``counterfeit``, on its publication or a
later change), or has a rights holder's notice upheld against it (``ip_infringement``)
sells one infringing item, and is punished once, under whichever rule found it first."""


def matter_of(event: StoredEvent, violation: str, signals: Iterable[Signal] = ()) -> Matter:
    """The matter an event's violation belongs to (see the module's docstring), given
    the signals that found the violation.

    A price change is its own matter: two false discounts on one listing are two
    offences (a counterfeit found on a price change is still its listing's matter).
    Everything else said in a listing's copy is one matter per listing,
    and everything said in a live session one matter per session. A shop's shipping
    is judged by the week of the shipment (ISO week, +08:00, ``shipping_week``): a
    habit of late parcels is one offence a week, not one per parcel. A late shipment
    is found on its ``order.shipped``, or on its ``order.paid`` when the payment
    reached the log after the parcel shipped; then the signal says when the parcel
    shipped (``shipped_at``), and the matter is the shipment's week and is dated at
    the shipment, not at the earlier payment. Any other matter happened at its event.

    The week is named by its ISO year, which at New Year is not the calendar year
    (29-31 December 2025 are in 2026-W01, 1-3 January 2027 in 2026-W53), while points
    count in the calendar year (+08:00) of their date. A week that straddles New Year is
    still one matter, punished once: its points fall in the year of the parcel that
    made it an offence, and late parcels in the rest of that week, across the new year,
    are not punished again.
    """
    payload = event.envelope.payload
    at = event.occurred_at
    shipped_at = _shipped_at(event, signals)
    offence = SAME_OFFENCE.get(violation, violation)
    if event.type == "listing.price_changed" and offence != "counterfeit":
        matter = f"price_change:{event.envelope.event_id}"
    elif event.type.startswith("listing."):
        matter = f"listing:{payload.listing_id}"
    elif event.type.startswith("live."):
        matter = f"live_session:{payload.session_id}"
    elif shipped_at is not None:
        at = shipped_at
        matter = f"shipping:{payload.merchant_id}:{shipping_week(at)[0]}"
    elif event.type == "ip_complaint.upheld":
        matter = f"listing:{payload.listing_id}"
    elif event.type in ("merchant.registered", "merchant.updated"):
        matter = f"shop:{payload.merchant_id}"
    elif event.type in ("streamer.registered", "streamer.updated"):
        matter = f"profile:{payload.streamer_id}"
    else:
        matter = f"event:{event.envelope.event_id}"
    return Matter(f"{offence}@{matter}", at)


def _shipped_at(event: StoredEvent, signals: Iterable[Signal]) -> datetime | None:
    """When the parcel an order event's violation is about shipped: what its signal
    says, else the ``order.shipped``'s own time; None for any other event."""
    if event.type not in ("order.shipped", "order.paid"):
        return None
    for signal in signals:
        said = signal.evidence.get("shipped_at")
        if isinstance(said, str):
            return datetime.fromisoformat(said)
    return event.occurred_at if event.type == "order.shipped" else None


def shipping_week(at: datetime) -> tuple[str, datetime]:
    """The week a shop's shipment at ``at`` is judged in: its ISO week on the platform's
    calendar (+08:00), named like ``2026-W11``, and the moment it begins (Monday 00:00
    +08:00; it lasts 7 days). At the turn of a year the ISO year is not the calendar
    year: 29-31 December 2025 are in 2026-W01, 1-3 January 2027 in 2026-W53."""
    local = at.astimezone(CHINA)
    year, week, weekday = local.isocalendar()
    monday = datetime.combine(local.date() - timedelta(days=weekday - 1), time(), CHINA)
    return f"{year}-W{week:02d}", monday
