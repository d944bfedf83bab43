"""Settings read from the environment, with defaults a demo runs on."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta


def _int_env(name: str, default: int, *, minimum: int = 1) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r}: expected a whole number") from None
    if value < minimum:
        raise ValueError(f"{name}={value}: must be at least {minimum}")
    return value


@dataclass(frozen=True)
class Settings:
    live_report_threshold: int = 5
    """N: reports on one live session within the window that open a review case."""
    live_report_window: timedelta = timedelta(minutes=10)
    """M: the window those reports must fall in."""
    live_report_case_sla: timedelta = timedelta(hours=1)
    """How soon a reviewer must pick up a live-session report case."""

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            live_report_threshold=_int_env("TRUSTFAIR_LIVE_REPORT_THRESHOLD", 5),
            live_report_window=timedelta(
                minutes=_int_env("TRUSTFAIR_LIVE_REPORT_WINDOW_MINUTES", 10)
            ),
            live_report_case_sla=timedelta(
                minutes=_int_env("TRUSTFAIR_LIVE_REPORT_CASE_SLA_MINUTES", 60)
            ),
        )
