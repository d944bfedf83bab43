"""Settings read from the environment, with defaults a demo runs on."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path


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
    live_report_window: timedelta = timedelta(minutes=10)
    """The window in which reports on one live session are counted as a burst (how
    many make a burst worth a case is the policy file's to say)."""
    policy_path: Path | None = None
    """The policy file the pipeline runs (TRUSTFAIR_POLICY); the bundled default if None."""

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            live_report_window=timedelta(
                minutes=_int_env("TRUSTFAIR_LIVE_REPORT_WINDOW_MINUTES", 10)
            ),
            policy_path=Path(os.environ["TRUSTFAIR_POLICY"])
            if os.environ.get("TRUSTFAIR_POLICY")
            else None,
        )
