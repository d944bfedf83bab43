"""How shipping deadlines are watched: data (``merchant/data/fulfilment.yaml``, or the
file ``TRUSTFAIR_FULFILMENT`` names), validated when loaded."""

from __future__ import annotations

import os
from datetime import timedelta
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from trustfair.yaml_files import load_yaml_model

DEFAULT_TERMS_PATH = Path(__file__).parent / "data" / "fulfilment.yaml"
Hours = Annotated[int, Field(ge=1, le=24 * 30)]


class Compensated(StrEnum):
    ALL = "all"
    """Every order whose deadline passed unshipped: the platform's own promise."""
    GUARANTEED = "guaranteed"
    """Only orders covered by the late-shipment guarantee when they were paid."""


class FulfilmentTerms(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    horizon_hours: Hours = 12
    urge_interval_hours: Hours = 6
    compensate: Compensated = Compensated.ALL
    lookback_days: Annotated[int, Field(ge=1, le=365)] = 7
    ack_base_url: Annotated[str, Field(min_length=1, max_length=512)] = "http://127.0.0.1:8000"
    miss_grace_hours: Annotated[int, Field(ge=0, le=72)] = 2
    """A deadline is judged missed only this long after it passed, so a shipment made
    before it whose event reaches the log late is still counted (judged by event time)."""

    @model_validator(mode="after")
    def _urged_before_the_deadline(self) -> FulfilmentTerms:
        # An order enters the horizon at most one interval after its merchant's last
        # urge; with an interval as long as the horizon it could reach its deadline
        # unurged.
        if self.urge_interval_hours >= self.horizon_hours:
            raise ValueError(
                f"urge_interval_hours ({self.urge_interval_hours}) must be shorter than "
                f"horizon_hours ({self.horizon_hours}), or an order may reach its deadline "
                "without an urge"
            )
        if self.miss_grace_hours >= self.lookback_days * 24:
            raise ValueError(
                f"miss_grace_hours ({self.miss_grace_hours}) must be shorter than the "
                f"lookback ({self.lookback_days} days), or no miss would ever be recorded"
            )
        return self

    @property
    def miss_grace(self) -> timedelta:
        return timedelta(hours=self.miss_grace_hours)

    @property
    def horizon(self) -> timedelta:
        return timedelta(hours=self.horizon_hours)

    @property
    def urge_interval(self) -> timedelta:
        return timedelta(hours=self.urge_interval_hours)

    @property
    def lookback(self) -> timedelta:
        return timedelta(days=self.lookback_days)


def load_terms(path: Path = DEFAULT_TERMS_PATH) -> FulfilmentTerms:
    """The terms in ``path``; ``yaml_files.FileError`` (file, line, key) if wrong."""
    return load_yaml_model(path, FulfilmentTerms)


@cache
def default_terms() -> FulfilmentTerms:
    """The file TRUSTFAIR_FULFILMENT names, else the bundled one."""
    named = os.environ.get("TRUSTFAIR_FULFILMENT")
    return load_terms(Path(named) if named else DEFAULT_TERMS_PATH)
