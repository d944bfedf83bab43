"""The trust report's brand-protection section: what the counterfeit feature library
intercepted before it sold, what rights holders' notices took down and what was
restored, and how fast — all read from stored records (``brand_checks``,
``ip_complaints`` and their steps, ``bank_entries``, ``rights_holders``, ``rights``;
``trustfair export brand-checks`` and ``export complaints`` give them row by row).
"""

from __future__ import annotations

from statistics import median

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from trustfair.report.figures import Breakdown, Figure, Section
from trustfair.store.models import (
    BankEntryRow,
    BrandCheckRow,
    ComplaintRow,
    RightRow,
    RightsHolderRow,
)


def _listings(session: Session, *where: object) -> int:
    return int(
        session.scalar(select(func.count(func.distinct(BrandCheckRow.listing_id))).where(*where))
        or 0
    )


def _grouped(session: Session, column: object, *where: object) -> dict[str, int]:
    rows = session.execute(select(column, func.count()).where(*where).group_by(column))
    return {str(key): int(count) for key, count in sorted(rows, key=lambda r: str(r[0]))}


def _hours(seconds: list[float]) -> float | None:
    return round(median(seconds) / 3600, 2) if seconds else None


def brand_section(session: Session) -> Section:
    section = Section("brand", "Brand protection")
    intercepted = BrandCheckRow.outcome == "intercept"
    times = session.execute(
        select(ComplaintRow.filed_at, ComplaintRow.measures_at).where(
            ComplaintRow.measures_at.is_not(None)
        )
    ).all()
    to_action = [(measures - filed).total_seconds() for filed, measures in times]
    section.figures = [
        Figure(
            "listings_matched",
            "Listings that touched a brand's bank",
            _listings(session),
            "brand_checks: distinct listings",
        ),
        Figure(
            "listings_intercepted",
            "Counterfeit listings intercepted before they sold",
            _listings(session, intercepted),
            "brand_checks with outcome intercept: distinct listings",
        ),
        Figure(
            "listings_held_for_review",
            "Listings held for a reviewer",
            _listings(session, BrandCheckRow.outcome == "review"),
            "brand_checks with outcome review: distinct listings",
        ),
        Figure(
            "listings_monitored",
            "Listings watched (resale under the mark, faint look-alikes)",
            _listings(session, BrandCheckRow.outcome == "monitor"),
            "brand_checks with outcome monitor: distinct listings",
        ),
        Figure(
            "bank_entries",
            "Entries in the counterfeit feature library (enabled)",
            int(session.scalar(select(func.count()).where(BankEntryRow.enabled.is_(True))) or 0),
            "bank_entries where enabled",
        ),
        Figure(
            "brands_with_banks",
            "Brands that co-build the library",
            int(session.scalar(select(func.count(func.distinct(BankEntryRow.brand_id)))) or 0),
            "bank_entries: distinct brands",
        ),
        Figure(
            "rights_holders_certified",
            "Rights holders certified",
            int(
                session.scalar(select(func.count()).where(RightsHolderRow.state == "certified"))
                or 0
            ),
            "rights_holders where state = certified",
        ),
        Figure(
            "rights_certified",
            "Rights certified (trademarks, patents, copyrights)",
            int(session.scalar(select(func.count()).where(RightRow.state == "certified")) or 0),
            "rights where state = certified",
        ),
        Figure(
            "notices_filed",
            "Rights holders' notices filed",
            int(session.scalar(select(func.count(ComplaintRow.id))) or 0),
            "ip_complaints",
        ),
        Figure(
            "takedowns",
            "Listings taken down on a notice",
            len(times),
            "ip_complaints with measures_at",
        ),
        Figure(
            "restorations",
            "Listings restored (measures lifted: no action shown in time, notice withdrawn"
            " or rejected)",
            int(
                session.scalar(
                    select(func.count()).where(
                        ComplaintRow.measures_at.is_not(None),
                        ComplaintRow.state.in_(("restored", "withdrawn", "rejected")),
                    )
                )
                or 0
            ),
            "ip_complaints with measures_at, in state restored, withdrawn or rejected",
        ),
        Figure(
            "median_hours_to_action",
            "Median time from notice to takedown",
            _hours(to_action),
            "ip_complaints: median of measures_at − filed_at",
            unit="hours",
        ),
    ]
    section.breakdowns = [
        Breakdown(
            "intercepted_by_brand",
            "Listings intercepted, by brand",
            {
                str(brand): int(count)
                for brand, count in session.execute(
                    select(
                        BrandCheckRow.brand_id, func.count(func.distinct(BrandCheckRow.listing_id))
                    )
                    .where(intercepted)
                    .group_by(BrandCheckRow.brand_id)
                    .order_by(BrandCheckRow.brand_id)
                )
            },
            "brand_checks with outcome intercept: distinct listings, by brand",
        ),
        Breakdown(
            "checks_by_kind_and_outcome",
            "Brand checks by finding and outcome (a listing is checked again when it changes)",
            {
                f"{kind} → {outcome}": int(count)
                for kind, outcome, count in session.execute(
                    select(BrandCheckRow.kind, BrandCheckRow.outcome, func.count())
                    .group_by(BrandCheckRow.kind, BrandCheckRow.outcome)
                    .order_by(BrandCheckRow.kind, BrandCheckRow.outcome)
                )
            },
            "brand_checks, by kind and outcome",
        ),
        Breakdown(
            "bank_entries_by_kind",
            "Library entries by kind (enabled)",
            _grouped(session, BankEntryRow.kind, BankEntryRow.enabled.is_(True)),
            "bank_entries where enabled, by kind",
        ),
        Breakdown(
            "notices_by_state",
            "Notices by state (restored, referred, upheld …)",
            _grouped(session, ComplaintRow.state),
            "ip_complaints, by state",
        ),
        Breakdown(
            "notices_by_jurisdiction",
            "Notices by jurisdiction",
            _grouped(session, ComplaintRow.jurisdiction),
            "ip_complaints, by jurisdiction",
        ),
    ]
    return section
