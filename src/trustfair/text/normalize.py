"""Normalised views of a text, with the map back to the original characters.

``normalize(text)`` folds every character (``fold.py``), then drops what sellers put
between the characters of a word to break it up — spaces, punctuation, symbols,
emoji, zero-width and control characters, underscores — and collapses a character
repeated three or more times (加加加微信 → 加微信; digits are never collapsed, they
may be a phone number). What is left is the *compact* view the matchers read.

A span found in the compact view is reported on the original text through
``original_span``: the folded text is aligned with the original character for
character, so only the dropped runs need remembering.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from trustfair.text.fold import fold

# A run of separators, or the extra copies of a non-digit character repeated 3+ times.
_DROPPED = re.compile(r"(?P<sep>[\W_]+)|(?P<rep>([^\W\d_])\3{2,})")


@dataclass(frozen=True, slots=True)
class NormalizedText:
    original: str
    folded: str
    """Same length as ``original``; each character folded."""
    compact: str
    """``folded`` without separators and repeats: what the matchers read."""
    _drop_at: tuple[int, ...]
    """Compact positions at which a dropped run sits (before that compact character)."""
    _dropped_before: tuple[int, ...]
    """How many original characters were dropped up to and including each run."""

    def original_index(self, compact_index: int) -> int:
        """Where the compact character at ``compact_index`` is in the original."""
        runs = bisect_right(self._drop_at, compact_index)
        return compact_index + (self._dropped_before[runs - 1] if runs else 0)

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The original characters behind compact ``[start, end)``."""
        return self.original_index(start), self.original_index(end - 1) + 1


def normalize(text: str) -> NormalizedText:
    folded = fold(text)
    pieces: list[str] = []
    drop_at: list[int] = []
    dropped_before: list[int] = []
    kept_from = 0
    compact_length = 0
    dropped = 0
    for match in _DROPPED.finditer(folded):
        start, end = match.span()
        if match.lastgroup == "rep":
            start += 1  # keep one copy of the repeated character
        pieces.append(folded[kept_from:start])
        compact_length += start - kept_from
        dropped += end - start
        drop_at.append(compact_length)
        dropped_before.append(dropped)
        kept_from = end
    if not drop_at:
        return NormalizedText(text, folded, folded, (), ())
    pieces.append(folded[kept_from:])
    return NormalizedText(text, folded, "".join(pieces), tuple(drop_at), tuple(dropped_before))
