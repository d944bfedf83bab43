"""A merchant's or streamer's negative-experience rate, compared with its peers.

Negative experiences are the rows of ``negative_feedback`` (``voice.projection``): "not
interested", dislike, report (``feedback.negative`` of kind report and ``report.filed``)
and bad reviews (``feedback.negative`` bad_review and ``review.posted`` rated 2 or less),
aimed at the merchant, its listings or live sessions, or the streamer, its sessions or
the orders from them. One user's signals about one thing count once (a report filed and
a report button pressed; a bad review posted and flagged): the distinct ``dedupe_key``.

The exposure is orders paid in the window: a merchant's orders; a streamer's orders
placed from its live sessions (a streamer judged by what it sold, not by viewers).

Peers: a merchant against the merchants of its main category (the category of most of
its orders so far; all merchants when the category has fewer than ``MIN_PEERS``), a
streamer against all streamers. Peer median and 90th percentile (nearest rank) are over
the other members of the group with orders in the window (not the entity itself: in a
small group its own rate would be its p90). Over the band: at least ``MIN_NEGATIVES``
negatives, a rate above max(2 × peer median, peer p90), and the
Wilson lower bound (95 %) of the rate above the peer median; rates above 1 (more
signals than orders) are capped at 1 for the bound.

``negative_rate`` is the one definition; the merchant trust score reads it.
"""

from __future__ import annotations

import hashlib
import json
import math
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from trustfair.events.fields import CHINA
from trustfair.events.payload import EntityRef
from trustfair.store.models import NegativeBandRow, NegativeFeedbackRow, VoiceOrderRow

WINDOW = timedelta(days=7)
MIN_NEGATIVES = 5
MIN_PEERS = 5
Z95 = 1.959964
ENTITY_TYPES = ("merchant", "streamer")


@dataclass(frozen=True)
class NegativeRate:
    """``negatives`` negative experiences against ``exposures`` orders in a window."""

    negatives: int
    exposures: int

    @property
    def rate(self) -> float | None:
        """Negatives per order; None with no orders to judge by."""
        return self.negatives / self.exposures if self.exposures else None


def _owner(entity_type: str) -> Any:
    return (
        NegativeFeedbackRow.merchant_id
        if entity_type == "merchant"
        else (NegativeFeedbackRow.streamer_id)
    )


def _order_owner(entity_type: str) -> Any:
    return VoiceOrderRow.merchant_id if entity_type == "merchant" else VoiceOrderRow.streamer_id


def negative_rate(
    session: Session, entity: EntityRef, since: datetime, until: datetime
) -> NegativeRate:
    """``entity``'s negative experiences per order paid in [since, until]; merchants and
    streamers only (anything else has none)."""
    if entity.type not in ENTITY_TYPES:
        return NegativeRate(0, 0)
    negatives = session.scalar(
        select(func.count(func.distinct(NegativeFeedbackRow.dedupe_key))).where(
            _owner(entity.type) == entity.id,
            NegativeFeedbackRow.at >= since,
            NegativeFeedbackRow.at <= until,
        )
    )
    exposures = session.scalar(
        select(func.count()).where(
            _order_owner(entity.type) == entity.id,
            VoiceOrderRow.paid_at >= since,
            VoiceOrderRow.paid_at <= until,
        )
    )
    return NegativeRate(int(negatives or 0), int(exposures or 0))


def rates_of(
    session: Session, entity_type: str, since: datetime, until: datetime
) -> dict[str, NegativeRate]:
    """Every merchant's (or streamer's) rate over [since, until], in two grouped queries."""
    owner, order_owner = _owner(entity_type), _order_owner(entity_type)
    negatives = dict(
        session.execute(
            select(owner, func.count(func.distinct(NegativeFeedbackRow.dedupe_key)))
            .where(
                owner.is_not(None), NegativeFeedbackRow.at >= since, NegativeFeedbackRow.at <= until
            )
            .group_by(owner)
        ).all()
    )
    exposures = dict(
        session.execute(
            select(order_owner, func.count())
            .where(
                order_owner.is_not(None),
                VoiceOrderRow.paid_at >= since,
                VoiceOrderRow.paid_at <= until,
            )
            .group_by(order_owner)
        ).all()
    )
    return {
        entity_id: NegativeRate(int(negatives.get(entity_id, 0)), int(exposures.get(entity_id, 0)))
        for entity_id in set(negatives) | set(exposures)
    }


def wilson_low(negatives: int, exposures: int, z: float = Z95) -> float | None:
    """The Wilson score interval's lower bound of negatives/exposures (p capped at 1)."""
    if exposures <= 0:
        return None
    n = exposures
    p = min(negatives, n) / n
    centre = p + z * z / (2 * n)
    spread = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, (centre - spread) / (1 + z * z / n))


def nearest_rank(values: list[float], share: float) -> float:
    """The ``share`` percentile of ``values`` by nearest rank (ceil(share·n)-th smallest)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


@dataclass(frozen=True)
class Band:
    """One entity's rate judged against its peers."""

    entity: EntityRef
    rate: NegativeRate
    peer_group: str
    peer_median: float | None
    peer_p90: float | None
    wilson_low: float | None

    @property
    def over(self) -> bool:
        r = self.rate.rate
        if r is None or self.peer_median is None or self.peer_p90 is None:
            return False
        return (
            self.rate.negatives >= MIN_NEGATIVES
            and r > max(2 * self.peer_median, self.peer_p90)
            and self.wilson_low is not None
            and self.wilson_low > self.peer_median
        )


def main_categories(session: Session, until: datetime) -> dict[str, str]:
    """Each merchant's main category: the category of most of its orders up to ``until``
    (ties to the first in alphabetical order)."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for merchant_id, category, n in session.execute(
        select(VoiceOrderRow.merchant_id, VoiceOrderRow.category, func.count())
        .where(VoiceOrderRow.paid_at <= until, VoiceOrderRow.category.is_not(None))
        .group_by(VoiceOrderRow.merchant_id, VoiceOrderRow.category)
    ):
        counts[merchant_id][category] = n
    return {
        merchant: min(c, key=lambda category: (-c[category], category))
        for merchant, c in counts.items()
    }


def bands(session: Session, entity_type: str, since: datetime, until: datetime) -> list[Band]:
    """Every merchant's (or streamer's) band over [since, until]."""
    rates = rates_of(session, entity_type, since, until)
    if entity_type == "merchant":
        main = main_categories(session, until)
        group_of = {
            m: f"category.{fitted(main[m], PEER_GROUP_CHARS - 9)}" if m in main else "merchants"
            for m in rates
        }
    else:
        group_of = dict.fromkeys(rates, "streamers")
    members: dict[str, dict[str, float]] = defaultdict(dict)
    for entity_id, rate in rates.items():
        if rate.rate is not None:
            members[group_of[entity_id]][entity_id] = rate.rate
    everyone = {e: r.rate for e, r in rates.items() if r.rate is not None}
    result = []
    for entity_id in sorted(rates):
        rate, group = rates[entity_id], group_of[entity_id]
        peers = [r for e, r in members[group].items() if e != entity_id]
        if len(peers) < MIN_PEERS:
            group = f"{entity_type}s"
            peers = [r for e, r in everyone.items() if e != entity_id]
        result.append(
            Band(
                EntityRef(entity_type, entity_id),
                rate,
                group,
                statistics.median(peers) if peers else None,
                nearest_rank(peers, 0.9) if peers else None,
                wilson_low(rate.negatives, rate.exposures),
            )
        )
    return result


def over_band(session: Session, entity: EntityRef, at: datetime) -> Band | None:
    """``entity``'s band over the week to ``at`` (None when it had no orders or signals)."""
    for band in bands(session, entity.type, at - WINDOW, at):
        if band.entity == entity:
            return band
    return None


PEER_GROUP_CHARS = 64
"""A peer group's room (a ``Code`` in the event, the band row's column)."""
EVENT_ID_CHARS = 128


def fitted(text: str, room: int) -> str:
    """``text`` if it fits in ``room`` characters; else its head and a hash of the
    whole, so that ids too long still give one distinct, stable, readable-ish name."""
    if len(text) <= room:
        return text
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    return f"{text[: room - len(digest) - 1]}-{digest}"


def over_band_event_id(entity_type: str, entity_id: str, period: str) -> str:
    """The event id of an entity's ``feedback.over_band`` of a week (a long entity id
    hashed to fit)."""
    head, tail = f"feedback.over_band:{entity_type}:", f":{period}"
    return head + fitted(entity_id, EVENT_ID_CHARS - len(head) - len(tail)) + tail


def period_of(at: datetime) -> str:
    """The ISO week of ``at`` in China time: 2026-W48."""
    year, week, _ = at.astimezone(CHINA).isocalendar()
    return f"{year}-W{week:02d}"


@dataclass
class Judgement:
    judged: int = 0
    over_band: list[EntityRef] = field(default_factory=list)
    appended: list[str] = field(default_factory=list)
    """The ids of the events written to the log by this run."""


def _ppm(value: float | None) -> int:
    return round(min(value or 0.0, 1_000_000.0) * 1_000_000)


def judge_negative_feedback(session: Session, at: datetime, registry: Any = None) -> Judgement:
    """Judge every merchant and streamer over the week to ``at``; record each band (the
    latest judgement of the ISO week) and write ``feedback.over_band`` to the log for
    each entity over the band, once per entity and week (the event id says which), run
    through the pipeline when ``registry`` is given."""
    from trustfair.events.envelope import event_adapter
    from trustfair.pipeline.runner import run_pipeline
    from trustfair.store.event_log import append_events

    since, period = at - WINDOW, period_of(at)
    result = Judgement()
    envelopes = []
    for entity_type in ENTITY_TYPES:
        for band in bands(session, entity_type, since, at):
            result.judged += 1
            row = session.scalar(
                select(NegativeBandRow).where(
                    NegativeBandRow.entity_type == entity_type,
                    NegativeBandRow.entity_id == band.entity.id,
                    NegativeBandRow.period == period,
                )
            )
            if row is None:
                row = NegativeBandRow(
                    entity_type=entity_type, entity_id=band.entity.id, period=period, event_id=None
                )
                session.add(row)
            row.since, row.until, row.peer_group = since, at, band.peer_group
            row.negatives, row.exposures, row.rate = (
                band.rate.negatives,
                band.rate.exposures,
                band.rate.rate,
            )
            row.wilson_low, row.peer_median, row.peer_p90 = (
                band.wilson_low,
                band.peer_median,
                band.peer_p90,
            )
            row.over_band = band.over or row.event_id is not None
            row.judged_at = at
            if not band.over:
                continue
            result.over_band.append(band.entity)
            if row.event_id is not None:
                continue
            row.event_id = over_band_event_id(entity_type, band.entity.id, period)
            envelopes.append(
                event_adapter().validate_json(
                    json.dumps(
                        {
                            "event_id": row.event_id,
                            "type": "feedback.over_band",
                            "occurred_at": at.isoformat(),
                            "source": "trustfair:voice",
                            "payload": {
                                "entity_type": entity_type,
                                "entity_id": band.entity.id,
                                "since": since.isoformat(),
                                "until": at.isoformat(),
                                "peer_group": band.peer_group,
                                "negatives": band.rate.negatives,
                                "exposures": band.rate.exposures,
                                "rate_ppm": _ppm(band.rate.rate),
                                "wilson_low_ppm": _ppm(band.wilson_low),
                                "peer_median_ppm": _ppm(band.peer_median),
                                "peer_p90_ppm": _ppm(band.peer_p90),
                            },
                        }
                    )
                )
            )
    session.flush()
    if envelopes:
        stored = append_events(session, envelopes, received_at=at)
        result.appended = [s.envelope.event_id for s in stored]
        if stored and registry is not None:
            run_pipeline(stored, session, registry)
    return result
