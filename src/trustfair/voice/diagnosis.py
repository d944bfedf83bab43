"""Which merchants, categories, streamers and processes cause which problems, and what
is rising this week.

**Who causes what.** For each merchant, category and streamer: its voices (tickets,
low reviews, detractors' comments: the unified list) by problem, and, where its orders
are known (``order.paid`` in the window), its voices per 100 orders against the
platform's. Top offenders are those with at least ``min_orders`` orders and
``min_voices`` voices, by how many times the platform's rate theirs is. Processes
(``PROCESS_OF``) are counted the same way, platform-wide.

**Rising this week.** The week is the 7 days up to ``until``; the baseline is the 4
weeks before it, as a weekly mean. A problem (and a merchant × problem) is rising when
its count this week is at least ``min_count`` and would be that high by chance under a
Poisson law of the baseline mean with probability under ``alpha`` (0.01): clear, not
noise. A baseline of nothing is taken as ``FLOOR`` a week (a first week of 5 fakes at a
merchant that never had one is rising, but 1 is not).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from trustfair.store.models import EventRow, TicketRow
from trustfair.voice.problems import PROCESS_OF, Problem
from trustfair.voice.tickets import categories_of

WEEK = timedelta(days=7)
BASELINE_WEEKS = 4
FLOOR = 0.5
DIMENSIONS = ("merchant", "category", "streamer")


@dataclass
class Offender:
    """One merchant, category or streamer: its voices by problem against its orders."""

    dimension: str
    key: str
    voices: int
    orders: int | None
    by_problem: dict[str, int]
    rate_per_100: float | None = None
    times_platform: float | None = None

    @property
    def main_problem(self) -> str:
        return max(self.by_problem, key=lambda p: (self.by_problem[p], p))

    def to_record(self) -> dict[str, Any]:
        return {
            "dimension": self.dimension,
            "key": self.key,
            "voices": self.voices,
            "orders": self.orders,
            "rate_per_100": self.rate_per_100,
            "times_platform": self.times_platform,
            "main_problem": self.main_problem,
            "by_problem": dict(sorted(self.by_problem.items())),
        }


@dataclass
class Rising:
    problem: str
    merchant_id: str | None
    this_week: int
    weekly_mean: float
    p_value: float

    def to_record(self) -> dict[str, Any]:
        return {
            "problem": self.problem,
            "merchant_id": self.merchant_id,
            "this_week": self.this_week,
            "weekly_mean": round(self.weekly_mean, 2),
            "times": round(self.this_week / max(self.weekly_mean, FLOOR), 2),
            "p_value": float(f"{self.p_value:.3g}"),
        }


@dataclass
class Diagnosis:
    since: datetime
    until: datetime
    voices: int
    orders: int
    by_problem: dict[str, int]
    by_process: dict[str, int]
    by_channel: dict[str, dict[str, int]]
    platform_rate_per_100: float | None
    offenders: dict[str, list[Offender]] = field(default_factory=dict)
    rising: list[Rising] = field(default_factory=list)

    def to_record(self) -> dict[str, Any]:
        return {
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "voices": self.voices,
            "orders": self.orders,
            "platform_rate_per_100": self.platform_rate_per_100,
            "by_problem": self.by_problem,
            "by_process": self.by_process,
            "by_channel": self.by_channel,
            "offenders": {
                dim: [o.to_record() for o in found] for dim, found in self.offenders.items()
            },
            "rising": [r.to_record() for r in self.rising],
        }


def poisson_tail(count: int, mean: float) -> float:
    """P(X ≥ count) for X ~ Poisson(mean)."""
    if count <= 0:
        return 1.0
    term = math.exp(-mean)
    below = term
    for k in range(1, count):
        term *= mean / k
        below += term
    return max(0.0, 1.0 - below)


def diagnose(
    session: Session,
    since: datetime,
    until: datetime,
    *,
    min_orders: int = 20,
    min_voices: int = 3,
    top: int = 10,
    min_count: int = 5,
    alpha: float = 0.01,
) -> Diagnosis:
    """The diagnosis of the voices opened in [since, until]; rising: the week to
    ``until`` against the 4 weeks before."""
    rows = _voices(session, min(since, until - WEEK * (BASELINE_WEEKS + 1)), until)
    in_window = [r for r in rows if since <= r["opened_at"] <= until]
    orders = _orders(session, since, until)
    by_problem = Counter(r["problem"] for r in in_window)
    by_process = Counter(PROCESS_OF[Problem(r["problem"])].value for r in in_window)
    by_channel: dict[str, Counter[str]] = defaultdict(Counter)
    for r in in_window:
        by_channel[r["channel"]][r["problem"]] += 1
    total_orders = len(orders["all"])
    platform = 100 * len(in_window) / total_orders if total_orders else None
    diagnosis = Diagnosis(
        since=since,
        until=until,
        voices=len(in_window),
        orders=total_orders,
        by_problem=dict(sorted(by_problem.items())),
        by_process=dict(sorted(by_process.items())),
        by_channel={c: dict(sorted(v.items())) for c, v in sorted(by_channel.items())},
        platform_rate_per_100=round(platform, 3) if platform is not None else None,
    )
    for dimension in DIMENSIONS:
        diagnosis.offenders[dimension] = _offenders(
            dimension, in_window, orders[dimension], platform, min_orders, min_voices, top
        )
    diagnosis.rising = rising(rows, until, min_count=min_count, alpha=alpha)
    return diagnosis


def rising(
    rows: list[dict[str, Any]], until: datetime, *, min_count: int = 5, alpha: float = 0.01
) -> list[Rising]:
    """Problems, and merchant × problem, clearly up this week (most surprising first)."""
    week_start = until - WEEK
    base_start = week_start - WEEK * BASELINE_WEEKS
    now: Counter[tuple[str | None, str]] = Counter()
    before: Counter[tuple[str | None, str]] = Counter()
    for r in rows:
        at = r["opened_at"]
        keys = [(None, r["problem"])]
        if r["merchant_id"]:
            keys.append((r["merchant_id"], r["problem"]))
        if week_start < at <= until:
            now.update(keys)
        elif base_start < at <= week_start:
            before.update(keys)
    found = []
    for (merchant, problem), count in now.items():
        if count < min_count:
            continue
        mean = before[(merchant, problem)] / BASELINE_WEEKS
        p = poisson_tail(count, max(mean, FLOOR))
        if p < alpha:
            found.append(Rising(problem, merchant, count, mean, p))
    return sorted(found, key=lambda r: (r.p_value, -r.this_week, r.merchant_id or "", r.problem))


_VOICE_FIELDS = ("opened_at", "problem", "channel", "merchant", "category", "streamer")


def _voices(session: Session, since: datetime, until: datetime) -> list[dict[str, Any]]:
    columns = (
        TicketRow.opened_at,
        TicketRow.problem,
        TicketRow.channel,
        TicketRow.merchant_id,
        TicketRow.category,
        TicketRow.streamer_id,
    )
    return [
        dict(
            zip(
                ("opened_at", "problem", "channel", "merchant", "category", "streamer"),
                row,
                strict=True,
            )
        )
        | {"merchant_id": row[3]}
        for row in session.execute(
            select(*columns).where(TicketRow.opened_at >= since, TicketRow.opened_at <= until)
        )
    ]


def _orders(session: Session, since: datetime, until: datetime) -> dict[str, dict[str, set[str]]]:
    """Orders paid in the window: all, and by merchant, category and streamer."""
    found: dict[str, Any] = {"all": set(), **{d: defaultdict(set) for d in DIMENSIONS}}
    listing_of: dict[str, str] = {}
    for order_id, payload in session.execute(
        select(EventRow.subject_id, EventRow.payload).where(
            EventRow.type == "order.paid",
            EventRow.occurred_at >= since,
            EventRow.occurred_at <= until,
        )
    ):
        found["all"].add(order_id)
        found["merchant"][payload.get("merchant_id")].add(order_id)
        if payload.get("streamer_id"):
            found["streamer"][payload["streamer_id"]].add(order_id)
        if payload.get("listing_id"):
            listing_of[order_id] = payload["listing_id"]
    categories = categories_of(session, set(listing_of.values()))
    for order_id, listing_id in listing_of.items():
        if listing_id in categories:
            found["category"][categories[listing_id]].add(order_id)
    return found


def _offenders(
    dimension: str,
    voices: list[dict[str, Any]],
    orders: dict[str, set[str]],
    platform: float | None,
    min_orders: int,
    min_voices: int,
    top: int,
) -> list[Offender]:
    grouped: dict[str, Counter[str]] = defaultdict(Counter)
    for r in voices:
        if r[dimension]:
            grouped[r[dimension]][r["problem"]] += 1
    found = []
    for key, problems in grouped.items():
        count = sum(problems.values())
        paid = len(orders.get(key, ())) or None
        offender = Offender(dimension, key, count, paid, dict(problems))
        if paid:
            offender.rate_per_100 = round(100 * count / paid, 3)
            if platform:
                offender.times_platform = round(offender.rate_per_100 / platform, 2)
        found.append(offender)
    ranked = [o for o in found if o.voices >= min_voices and (o.orders or 0) >= min_orders]
    ranked.sort(key=lambda o: (-(o.times_platform or 0), -o.voices, o.key))
    return ranked[:top]
