"""Price fraud read from a listing's price history, not from words.

Three rules, after 《明码标价和禁止价格欺诈规定》 (SAMR, 2022):

``price.reference_above_7d_low``
    A reference ("original", struck-through) price shown with a lower price must not
    exceed the lowest price actually paid for the listing in the 7 days before; if
    nothing was paid in those 7 days, the last price paid before (Art. 20: 被比较价格 is
    the lowest 成交价 of the 7 days before the cut, else the last 成交价). Where the
    listing was never sold, the law gives no figure; a demanding buyer still expects
    原价 to have been a price here, so the reference is compared with the lowest price
    the listing was *offered* at in those 7 days (``basis: lowest_listed_7d``, a lower
    score), and a reference on a listing with no price before it at all was never a
    price here (``basis: no_price_before``, the lowest score).
``price.raised_before_promotion``
    A promotion whose comparison price (its reference, else the price it cuts) equals
    or nearly equals (within ``raise_approach``) a price the seller raised the listing
    to, from a lower one, within ``raise_window`` before: 先提价后打折. Read from the
    offered prices, so it holds whether or not anyone bought at the raised price,
    which the 7-day rule alone would miss when the only sales were at it.
``price.spoken_differs_from_checkout``
    A live segment whose spoken price is below the listing's price in force when it
    was said (what the buyer is charged at checkout): a low price announced, a higher
    one settled (Art. 19's 以低价诱骗……以高价进行结算, as we read it). A spoken price
    *above* checkout deceives no buyer into paying more, and is more often the
    reference price the transcript caught, so it is not flagged. Streamers say whole
    yuan ("129" for 129.90), so a gap below one yuan (``spoken_tolerance_fen``) is
    rounding, not fraud.

Histories come from the ``listing_prices`` projection, written before detectors run;
"before the event" means earlier in the log (``seq``) and not later in time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any

from trustfair.pipeline.interfaces import Context, PricePoint, Signal, StoredEvent
from trustfair.pipeline.registry import register_detector
from trustfair.settings import Settings
from trustfair.store.models import LIST_PRICE, TRANSACTION_PRICE

LABEL = "price_fraud"
REFERENCE_RULE = "price.reference_above_7d_low"
RAISE_RULE = "price.raised_before_promotion"
SPOKEN_RULE = "price.spoken_differs_from_checkout"

REFERENCE_WINDOW = timedelta(days=7)
"""Art. 20: the comparison price is the lowest transaction price of the 7 days before."""
RAISE_WINDOW = timedelta(days=7)
"""How recent a raise must be to count as one made for the promotion: the same 7 days."""
RAISE_APPROACH = 0.05
"""A comparison price within 5 % below the raised price still leans on the raise."""
SPOKEN_TOLERANCE_FEN = 99
"""Spoken prices are whole yuan: less than one yuan below checkout is rounding."""

# How firmly each basis supports the finding: the law's own figure, or our fallbacks.
SCORE_OF_BASIS = {
    "lowest_transaction_7d": 1.0,
    "last_transaction": 1.0,
    "lowest_listed_7d": 0.8,
    "no_price_before": 0.6,
}
RAISE_SCORE = 0.9
SPOKEN_SCORE = 1.0


@dataclass(frozen=True, slots=True)
class ReferenceBasis:
    """What a reference price is held against, and where that figure came from."""

    basis: str
    price_fen: int | None
    at: datetime | None
    """When that price was paid or offered (None for ``no_price_before``)."""


def _window(since: datetime, until: datetime, days: float) -> dict[str, Any]:
    return {"since": since.isoformat(), "until": until.isoformat(), "days": days}


def _days(span: timedelta) -> float:
    return round(span.total_seconds() / 86_400, 3)


@dataclass(frozen=True)
class PriceHistoryDetector:
    reference_window: timedelta = REFERENCE_WINDOW
    raise_window: timedelta = RAISE_WINDOW
    raise_approach: float = RAISE_APPROACH
    spoken_tolerance_fen: int = SPOKEN_TOLERANCE_FEN
    reference_tolerance_fen: int = 0
    """The law allows none: a reference one fen above the basis is above it."""
    name: str = "price_history"
    version: str = "1"
    event_types: frozenset[str] = frozenset(
        {"listing.published", "listing.price_changed", "live.segment"}
    )

    def detect(self, event: StoredEvent, context: Context) -> list[Signal]:
        if event.type == "live.segment":
            return self._spoken(event, context)
        payload = event.envelope.payload
        reference = getattr(payload, "reference_price_fen", None)
        signals = []
        if reference is not None and reference > payload.price_fen:  # type: ignore[attr-defined]
            signals += self._reference(event, context, reference)
        promotion = getattr(payload, "promotion_id", None)
        if event.type == "listing.price_changed" and (reference is not None or promotion):
            signals += self._raised(event, context, reference)
        return signals

    def _signal(self, rule: str, score: float, evidence: dict[str, Any]) -> Signal:
        return Signal(self.name, self.version, LABEL, score, {"rule": rule, **evidence})

    # -- price.reference_above_7d_low --------------------------------------------------

    def reference_basis(
        self, listing_id: str, at: datetime, before_seq: int, context: Context
    ) -> ReferenceBasis:
        """The price a reference shown at ``at`` may not exceed (see the module doc)."""
        since = at - self.reference_window
        paid = context.listing_prices(listing_id, TRANSACTION_PRICE, since, at, before_seq)
        if paid:
            low = min(paid, key=lambda p: p.price_fen)
            return ReferenceBasis("lowest_transaction_7d", low.price_fen, low.at)
        last = context.last_listing_price(listing_id, TRANSACTION_PRICE, at, before_seq)
        if last is not None:
            return ReferenceBasis("last_transaction", last.price_fen, last.at)
        offered = self._offered_since(listing_id, since, at, before_seq, context)
        if offered:
            low = min(offered, key=lambda p: p.price_fen)
            return ReferenceBasis("lowest_listed_7d", low.price_fen, low.at)
        return ReferenceBasis("no_price_before", None, None)

    def _reference(self, event: StoredEvent, context: Context, reference: int) -> list[Signal]:
        payload = event.envelope.payload
        listing_id: str = payload.listing_id  # type: ignore[attr-defined]
        at = event.occurred_at
        found = self.reference_basis(listing_id, at, event.seq - 1, context)
        allowed = found.price_fen
        if allowed is not None and reference <= allowed + self.reference_tolerance_fen:
            return []
        evidence: dict[str, Any] = {
            "listing_id": listing_id,
            "reference_fen": reference,
            "price_fen": payload.price_fen,  # type: ignore[attr-defined]
            "basis": found.basis,
        }
        figure = {
            "lowest_transaction_7d": "lowest_7d_fen",
            "last_transaction": "last_transaction_fen",
            "lowest_listed_7d": "lowest_listed_7d_fen",
        }.get(found.basis)
        if figure is not None:
            evidence[figure] = found.price_fen
            evidence["basis_at"] = found.at.isoformat() if found.at else None
            evidence["excess_fen"] = reference - (found.price_fen or 0)
        evidence["window"] = _window(at - self.reference_window, at, _days(self.reference_window))
        return [self._signal(REFERENCE_RULE, SCORE_OF_BASIS[found.basis], evidence)]

    # -- price.raised_before_promotion -------------------------------------------------

    def _offered_since(
        self, listing_id: str, since: datetime, until: datetime, before_seq: int, context: Context
    ) -> list[PricePoint]:
        """The prices in force at any moment of [since, until]: the one in force at
        ``since`` and every later one, in order."""
        start = context.last_listing_price(listing_id, LIST_PRICE, since, before_seq)
        later = context.listing_prices(listing_id, LIST_PRICE, since, until, before_seq)
        if start is None:
            return later
        return [start, *(p for p in later if p.seq != start.seq)]

    def _raised(self, event: StoredEvent, context: Context, reference: int | None) -> list[Signal]:
        payload = event.envelope.payload
        listing_id: str = payload.listing_id  # type: ignore[attr-defined]
        price: int = payload.price_fen  # type: ignore[attr-defined]
        at = event.occurred_at
        since = at - self.raise_window
        offered = self._offered_since(listing_id, since, at, event.seq - 1, context)
        if not offered:
            return []
        comparison = reference if reference is not None else offered[-1].price_fen
        if price >= comparison:
            return []  # no cut is claimed
        for before, raised in reversed(list(pairwise(offered))):
            if raised.at < since or raised.price_fen <= before.price_fen:
                continue
            if before.price_fen < comparison and comparison >= raised.price_fen * (
                1 - self.raise_approach
            ):
                evidence = {
                    "listing_id": listing_id,
                    "comparison": "reference" if reference is not None else "price_before",
                    "comparison_fen": comparison,
                    "reference_fen": reference,
                    "price_fen": price,
                    "raised_from_fen": before.price_fen,
                    "raised_to_fen": raised.price_fen,
                    "raised_at": raised.at.isoformat(),
                    "days_before_promotion": _days(at - raised.at),
                    "promotion_id": getattr(payload, "promotion_id", None),
                    "window": _window(since, at, _days(self.raise_window)),
                }
                return [self._signal(RAISE_RULE, RAISE_SCORE, evidence)]
        return []

    # -- price.spoken_differs_from_checkout --------------------------------------------

    def _spoken(self, event: StoredEvent, context: Context) -> list[Signal]:
        payload = event.envelope.payload
        spoken = getattr(payload, "spoken_price_fen", None)
        listing_id = getattr(payload, "listing_id", None)
        if spoken is None or listing_id is None:
            return []
        at = event.occurred_at
        in_force = context.last_listing_price(listing_id, LIST_PRICE, at, event.seq)
        if in_force is None or in_force.price_fen - spoken <= self.spoken_tolerance_fen:
            return []
        evidence = {
            "listing_id": listing_id,
            "session_id": getattr(payload, "session_id", None),
            "spoken_fen": spoken,
            "checkout_fen": in_force.price_fen,
            "checkout_since": in_force.at.isoformat(),
            "gap_fen": in_force.price_fen - spoken,
            "tolerance_fen": self.spoken_tolerance_fen,
            "window": {"at": at.isoformat()},
        }
        return [self._signal(SPOKEN_RULE, SPOKEN_SCORE, evidence)]


@register_detector("price_history")
def make_detector(_: Settings) -> PriceHistoryDetector:
    return PriceHistoryDetector()
