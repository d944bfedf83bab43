"""The timers of notice and takedown, per jurisdiction, and the standing figures: data
(``brand/data/complaints.yaml``), validated when loaded.

A window is either calendar days (China's E-Commerce Law: 15 日) or business days
(the DMCA's 10 to 14 business days, Saturdays, Sundays and listed holidays skipped).
Days are counted in UTC: a deadline is the same time of day as the step that started
it, that many days later. Holidays are whole UTC dates.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from trustfair.yaml_files import load_yaml_model

DEFAULT_TERMS_PATH = Path(__file__).parent / "data" / "complaints.yaml"
Days = Annotated[int, Field(ge=1, le=365)]
Delta = Annotated[int, Field(ge=-100, le=100)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Window(Strict):
    """How long a party has: ``days`` calendar days, or ``business_days`` (with
    ``latest_business_days``, the last day the law still allows the step)."""

    days: Days | None = None
    business_days: Days | None = None
    latest_business_days: Days | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Window:
        if (self.days is None) == (self.business_days is None):
            raise ValueError("give either days or business_days")
        if self.latest_business_days is not None:
            if self.business_days is None:
                raise ValueError("latest_business_days goes with business_days")
            if self.latest_business_days < self.business_days:
                raise ValueError("latest_business_days is before business_days")
        return self


class Jurisdiction(Strict):
    law: str = Field(min_length=1)
    answer: Window
    """The merchant's window to declare non-infringement after the measures."""
    restore: Window
    """From the declaration reaching the rights holder to the lift of the measures."""
    holidays: list[date] = Field(default_factory=list)

    def after(self, at: datetime, window: Window) -> datetime:
        """When ``window`` started at ``at`` runs out."""
        if window.days is not None:
            return at + timedelta(days=window.days)
        assert window.business_days is not None
        return add_business_days(at, window.business_days, frozenset(self.holidays))

    def latest(self, at: datetime, window: Window) -> datetime:
        """The latest the step may happen (the DMCA's 14th business day)."""
        if window.latest_business_days is None:
            return self.after(at, window)
        return add_business_days(at, window.latest_business_days, frozenset(self.holidays))


class Standing(Strict):
    review_below: int = Field(ge=0, le=101)
    malicious: Delta
    rejected: Delta
    restored: Delta
    upheld: Delta
    referred: Delta
    withdrawn: Delta = 0


class ComplaintTerms(Strict):
    jurisdictions: dict[str, Jurisdiction] = Field(min_length=1)
    standing: Standing

    def jurisdiction(self, code: str) -> Jurisdiction:
        """The jurisdiction ``code``; LookupError naming the known ones."""
        try:
            return self.jurisdictions[code]
        except KeyError:
            known = ", ".join(sorted(self.jurisdictions))
            raise LookupError(f"unknown jurisdiction {code!r}; known: {known}") from None


def add_business_days(at: datetime, days: int, holidays: frozenset[date] = frozenset()) -> datetime:
    """``at`` moved ``days`` business days on (Monday to Friday, not a holiday), in UTC.

    Friday 12:00 plus one business day is Monday 12:00; a step on a Saturday counts
    from it, so Saturday plus one is Monday too."""
    utc = at.astimezone(UTC)
    counted = 0
    while counted < days:
        utc += timedelta(days=1)
        if utc.weekday() < 5 and utc.date() not in holidays:
            counted += 1
    return utc


def load_terms(path: Path = DEFAULT_TERMS_PATH) -> ComplaintTerms:
    """The terms in ``path``; ``yaml_files.FileError`` (file, line, key) if wrong."""
    return load_yaml_model(path, ComplaintTerms)


@cache
def default_terms() -> ComplaintTerms:
    return load_terms()
