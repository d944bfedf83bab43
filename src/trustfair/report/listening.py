"""The trust report's listening section: users hurt by several bad experiences and
called back, the recommendation score (NPS) with its 95 % intervals, what detractors
complained about, and merchants and streamers whose negative feedback stood over
their peers' band — read from ``callbacks``, ``callback_calls``, ``survey_answers`` and
``negative_bands`` (``trustfair export callbacks``, ``export nps``, ``export
negative_feedback`` give them row by row).
"""

from __future__ import annotations

from collections import Counter
from statistics import median

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from trustfair.report.figures import Breakdown, Figure, Section
from trustfair.store.models import CallbackCallRow, CallbackRow, NegativeBandRow
from trustfair.voice.nps import Nps, answers, detractor_problems, nps_by

NPS_SOURCE = (
    "survey_answers: 100 × (answers 9-10 − answers 0-6) / answers; 95 % interval over the "
    "trinomial variance; groups under {min_n} answers shown without a score"
)


def _nps_label(title: str, nps: Nps) -> str:
    interval = nps.interval
    if interval is None:
        return f"{title} (n={nps.n}, too few answers for a score)"
    return f"{title} (n={nps.n}, 95 % CI {interval[0]:.1f} to {interval[1]:.1f})"


def _nps_figure(key: str, title: str, nps: Nps) -> Figure:
    score = nps.score
    return Figure(
        key,
        _nps_label(title, nps),
        None if score is None else round(score, 1),
        NPS_SOURCE.format(min_n=nps.min_n),
        "points",
    )


def listening_section(session: Session) -> Section:
    section = Section("listening", "User listening: call-backs, NPS, negative feedback")
    states = Counter(
        {
            k: v
            for k, v in session.execute(
                select(CallbackRow.state, func.count()).group_by(CallbackRow.state)
            )
        }
    )
    reasons: Counter[str] = Counter()
    for (entry_reasons,) in session.execute(select(CallbackRow.reasons)):
        reasons.update({r["kind"] for r in entry_reasons})
    calls = Counter(
        {
            k: v
            for k, v in session.execute(
                select(CallbackCallRow.outcome, func.count()).group_by(CallbackCallRow.outcome)
            )
        }
    )
    listed_total = sum(states.values())
    section.figures = [
        Figure(
            "users_listed_for_callback",
            "Users hurt by 2+ bad experiences within 30 days, put on the call-back list",
            listed_total,
            "callbacks: entries (a user listed again after a resolved entry counts again)",
        ),
        Figure(
            "users_called_back",
            "… reached by a call",
            states["called"] + states["resolved"],
            "callbacks in state called or resolved",
        ),
        Figure(
            "users_resolved",
            "… whose problem was resolved",
            states["resolved"],
            "callbacks in state resolved",
        ),
    ]
    section.breakdowns = [
        Breakdown(
            "callbacks_by_reason",
            "Call-backs by the kind of bad experience behind them",
            dict(sorted(reasons.items())),
            "callbacks: entries whose reasons include each kind",
        ),
        Breakdown(
            "callback_calls_by_outcome",
            "Calls made, by outcome",
            dict(sorted(calls.items())),
            "callback_calls by outcome",
        ),
    ]
    rows = answers(session)
    (overall,) = nps_by(rows, "overall") or [Nps("all", 0, 0, 0)]
    section.figures.append(_nps_figure("nps", "Recommendation score (NPS)", overall))
    for by, title in (
        ("month", "NPS, month"),
        ("week", "NPS, week"),
        ("category", "NPS, category"),
    ):
        for group in nps_by(rows, by):
            section.figures.append(
                _nps_figure(f"nps_{by}_{group.key}", f"{title} {group.key}", group)
            )
    for by, title in (("channel", "NPS, orders from"), ("buyer", "NPS, buyer")):
        for group in nps_by(rows, by):
            section.figures.append(
                _nps_figure(f"nps_{by}_{group.key}", f"{title} {group.key}", group)
            )
    problems = detractor_problems(rows)
    section.breakdowns.append(
        Breakdown(
            "detractor_problems",
            "What detractors' comments were about (answers 0-6 with a comment)",
            dict(problems.counts.most_common()),
            "survey_answers with score 0-6 by the problem their comment was classified as",
        )
    )
    over = session.execute(
        select(NegativeBandRow.entity_type, NegativeBandRow.period, func.count())
        .where(NegativeBandRow.over_band.is_(True))
        .group_by(NegativeBandRow.entity_type, NegativeBandRow.period)
    ).all()
    section.figures.append(
        Figure(
            "entities_over_negative_band",
            "Merchants and streamers whose negative feedback stood over their peers' band",
            int(
                session.scalar(
                    select(
                        func.count(
                            func.distinct(
                                NegativeBandRow.entity_type + ":" + NegativeBandRow.entity_id
                            )
                        )
                    ).where(NegativeBandRow.over_band.is_(True))
                )
                or 0
            ),
            "negative_bands where over_band: distinct merchants and streamers",
        )
    )
    for entity_type in ("merchant", "streamer"):
        rates = [
            r
            for (r,) in session.execute(
                select(NegativeBandRow.rate).where(
                    NegativeBandRow.entity_type == entity_type, NegativeBandRow.rate.is_not(None)
                )
            )
        ]
        section.figures.append(
            Figure(
                f"negative_rate_median_{entity_type}",
                f"Median weekly negative-experience rate of a {entity_type} (per 100 orders)",
                round(100 * median(rates), 2) if rates else None,
                f"negative_bands of {entity_type}s: distinct negative experiences / orders",
                "per 100 orders",
            )
        )
    section.breakdowns.append(
        Breakdown(
            "over_band_by_week",
            "Over the band, by week and kind",
            {f"{period} {entity_type}": int(n) for entity_type, period, n in sorted(over)},
            "negative_bands where over_band, by period and entity type",
        )
    )
    return section
