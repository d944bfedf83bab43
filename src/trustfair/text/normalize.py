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

from trustfair.text.fold import fold

# What sellers put between the characters of a word, and a non-digit character
# repeated three or more times (its extra copies go).
_SEPARATORS = re.compile(r"[\W_]+")
_REPEATS = re.compile(r"([^\W\d_])\1{2,}")


class _Removals:
    """Where one pass removed runs of characters, to map positions back through it."""

    def __init__(self, pattern: re.Pattern[str], text: str, keep_first: bool) -> None:
        self.at: list[int] = []  # position in the output before which a run was removed
        self.removed_before: list[int] = []  # characters removed up to that run
        removed = 0
        for match in pattern.finditer(text):
            start = match.start() + (1 if keep_first else 0)
            self.at.append(start - removed)
            removed += match.end() - start
            self.removed_before.append(removed)

    def back(self, index: int) -> int:
        runs = bisect_right(self.at, index)
        return index + (self.removed_before[runs - 1] if runs else 0)


class NormalizedText:
    """A text, its folded form (same positions) and its compact view, with the map
    from compact positions back to the original."""

    __slots__ = ("_passes", "compact", "folded", "original")

    def __init__(self, original: str, folded: str | None = None, compact: str | None = None):
        self.original = original
        self.folded = fold(original) if folded is None else folded
        # Two passes in C; their position maps are built only when a span is asked for,
        # which for most texts (nothing found) is never.
        self.compact = compact_view(self.folded) if compact is None else compact
        self._passes: tuple[_Removals, _Removals] | None = None

    def original_index(self, compact_index: int) -> int:
        """Where the compact character at ``compact_index`` is in the original."""
        if self._passes is None:
            stage = _SEPARATORS.sub("", self.folded)
            self._passes = (
                _Removals(_SEPARATORS, self.folded, keep_first=False),
                _Removals(_REPEATS, stage, keep_first=True),
            )
        separators, repeats = self._passes
        return separators.back(repeats.back(compact_index))

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The original characters behind compact ``[start, end)``."""
        return self.original_index(start), self.original_index(end - 1) + 1


def compact_view(folded: str) -> str:
    return _REPEATS.sub(r"\1", _SEPARATORS.sub("", folded))


def normalize(text: str) -> NormalizedText:
    return NormalizedText(text)
