"""Field types shared by every event payload.

They are strict on purpose: events come from other teams' services, and a value that
has to be guessed at (a price sent as "12.5", a time without a zone) is refused with a
reason rather than stored as something the sender did not mean.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints

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
