"""Field types shared by every event payload.

They are strict on purpose: events come from other teams' services, and a value that
has to be guessed at (a price sent as "12.5", a time without a zone) is refused with a
reason rather than stored as something the sender did not mean.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, Field, StringConstraints

CHINA = timezone(timedelta(hours=8))
"""The platform's calendar (China Standard Time): points periods, shop-weeks, the
console's clock."""

# Limits on text: generous for real content, small enough that one line cannot fill
# the store. A longer value is "oversized" and the whole event is rejected.
MAX_ID_CHARS = 128
MAX_NAME_CHARS = 200
MAX_SHORT_TEXT_CHARS = 2_000
MAX_LONG_TEXT_CHARS = 20_000


def _no_nul(value: str) -> str:
    # PostgreSQL text cannot hold U+0000, and no real text contains it: refuse it
    # here so both stores accept exactly the same events.
    if "\x00" in value:
        raise ValueError("text contains a NUL character (U+0000)")
    return value


Id = Annotated[
    str,
    StringConstraints(min_length=1, max_length=MAX_ID_CHARS, pattern=r"^[\x21-\x7e]+$"),
]
"""An identifier: 1–128 printable ASCII characters without spaces."""

Name = Annotated[
    str, StringConstraints(min_length=1, max_length=MAX_NAME_CHARS), AfterValidator(_no_nul)
]
ShortText = Annotated[
    str, StringConstraints(max_length=MAX_SHORT_TEXT_CHARS), AfterValidator(_no_nul)
]
LongText = Annotated[
    str, StringConstraints(max_length=MAX_LONG_TEXT_CHARS), AfterValidator(_no_nul)
]
Code = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[a-z0-9_.-]+$")]
"""A machine-readable code such as a category or a reason: lower-case ASCII."""

Fen = Annotated[int, Field(ge=0, le=10**13)]
"""An amount of money in integer fen (1/100 yuan). Never a float."""

Quantity = Annotated[int, Field(ge=1, le=1_000_000)]

Count = Annotated[int, Field(ge=0, le=10**12)]
"""A count (viewers, followers, stock, milliseconds): bounded, so sums stay in 64 bits."""

_RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$"
)
_NO_ZONE = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$")
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


def _rfc3339_text(value: object) -> object:
    # A Unix time ("1714557600") or a date alone would be guessed at; an RFC 3339
    # timestamp with Z or ±hh:mm says exactly when. Digits past microseconds are dropped.
    if not isinstance(value, str):
        return value  # strict validation refuses it with its own message
    match = _RFC3339.match(value)
    if not match:
        if _NO_ZONE.match(value):
            raise ValueError("timestamp has no time zone")
        raise ValueError(
            "must be an RFC 3339 timestamp with a time zone, e.g. 2026-03-01T20:00:00+08:00"
        )
    fraction = match.group(1) or ""
    text = value.replace(fraction, fraction[:7], 1) if len(fraction) > 7 else value
    try:
        return datetime.fromisoformat(text.replace("z", "Z").replace("t", "T"))
    except ValueError as exc:
        raise ValueError(f"not a real date and time: {exc}") from None


def _plausible(value: datetime) -> datetime:
    if not EARLIEST <= value <= LATEST:
        raise ValueError(f"timestamp out of range: must lie between {EARLIEST:%Y} and {LATEST:%Y}")
    return value


Timestamp = Annotated[AwareDatetime, BeforeValidator(_rfc3339_text), AfterValidator(_plausible)]
"""A point in time sent as RFC 3339 text with a zone, between 2000 and 2100."""
