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


def _float_env(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r}: expected a number") from None
    if not value > 0 or value == float("inf"):
        raise ValueError(f"{name}={value}: must be a positive number")
    return value


def _auto_bool_env(name: str) -> bool | None:
    """auto (None, also when unset), true or false."""
    raw = os.environ.get(name, "").strip().lower()
    choices = {"": None, "auto": None, "true": True, "false": False}
    if raw not in choices:
        raise ValueError(f"{name}={os.environ[name]!r}: expected auto, true or false")
    return choices[raw]


@dataclass(frozen=True)
class Settings:
    live_report_window: timedelta = timedelta(minutes=10)
    """The window in which reports on one live session are counted as a burst (how
    many make a burst worth a case is the policy file's to say)."""
    policy_path: Path | None = None
    """The policy file the pipeline runs (TRUSTFAIR_POLICY); the bundled default if None."""
    live_case_sla: timedelta = timedelta(hours=1)
    """How soon a reviewer must pick up a live session's shutdown case."""
    live_risk_half_life_seconds: float = 120.0
    """A live session's risk score halves every this many seconds of event time."""
    live_risk_threshold: float = 100.0
    """The risk score at which a live session is shut down (once)."""
    webhook_url: str | None = None
    """Where outbox commands are POSTed; without it nothing is delivered."""
    webhook_secret: str | None = None
    """The key of the HMAC-SHA256 signature on every webhook."""
    outbox_max_attempts: int = 10
    """Deliveries tried before a command is given up (left undelivered, marked)."""
    ship_within: timedelta = timedelta(hours=48)
    """An order paid without a ship_by must ship within this (the common 48-hour promise)."""
    cookie_secure: bool | None = None
    """Mark the session and console cookies Secure (TRUSTFAIR_COOKIE_SECURE): True,
    False, or None (auto) when the request came over HTTPS, by its scheme or by a
    proxy's X-Forwarded-Proto."""
    idempotency_lease: timedelta = timedelta(seconds=20)
    """How long a money-moving request holds its Idempotency-Key; a retry after its
    server died waits this long at most before taking the request over."""
    urge_secret: str = "trustfair-urge-v1"  # DEFAULT_URGE_SECRET
    """The key of the HMAC on an urge's one-click acknowledgement link
    (TRUSTFAIR_URGE_SECRET); the default is fine for a demo, not for production."""

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            live_report_window=timedelta(
                minutes=_int_env("TRUSTFAIR_LIVE_REPORT_WINDOW_MINUTES", 10)
            ),
            policy_path=Path(os.environ["TRUSTFAIR_POLICY"])
            if os.environ.get("TRUSTFAIR_POLICY")
            else None,
            live_case_sla=timedelta(minutes=_int_env("TRUSTFAIR_LIVE_CASE_SLA_MINUTES", 60)),
            live_risk_half_life_seconds=_float_env("TRUSTFAIR_LIVE_RISK_HALF_LIFE_SECONDS", 120.0),
            live_risk_threshold=_float_env("TRUSTFAIR_LIVE_RISK_THRESHOLD", 100.0),
            webhook_url=os.environ.get("TRUSTFAIR_WEBHOOK_URL") or None,
            webhook_secret=os.environ.get("TRUSTFAIR_WEBHOOK_SECRET") or None,
            outbox_max_attempts=_int_env("TRUSTFAIR_OUTBOX_MAX_ATTEMPTS", 10),
            ship_within=timedelta(hours=_int_env("TRUSTFAIR_SHIP_WITHIN_HOURS", 48)),
            cookie_secure=_auto_bool_env("TRUSTFAIR_COOKIE_SECURE"),
            idempotency_lease=timedelta(
                seconds=_int_env("TRUSTFAIR_IDEMPOTENCY_LEASE_SECONDS", 20)
            ),
            urge_secret=os.environ.get("TRUSTFAIR_URGE_SECRET") or DEFAULT_URGE_SECRET,
        )


DEFAULT_URGE_SECRET = "trustfair-urge-v1"
"""Well known (it is in the source): anyone can forge an acknowledgement link with it."""


def warn_if_default_urge_secret(settings: Settings) -> bool:
    """Log a loud warning when ``settings`` sign urge links with the well-known default
    secret (serving so, anyone can acknowledge any urge); True if it did."""
    if settings.urge_secret != DEFAULT_URGE_SECRET:
        return False
    import logging

    logging.getLogger("trustfair.settings").warning(
        "TRUSTFAIR_URGE_SECRET is not set: urge acknowledgement links are signed with the "
        "well-known default secret, so anyone can forge them. Set TRUSTFAIR_URGE_SECRET "
        "to a long random value before serving merchants."
    )
    return True
