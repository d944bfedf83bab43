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
from functools import cache
from itertools import chain

from trustfair.text.fold import fold, fold_table

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


# Code points the one-pass table covers: the planes text is written in, and the tag
# and variation-selector block (invisible, used inside emoji and to pad words).
_TABLE_RANGES = (range(0x30000), range(0xE0000, 0xE1000))
_BEYOND_THE_TABLE = "\U00030000"


@cache
def _compact_table() -> dict[int, str | None]:
    """One ``str.translate`` table that folds a character and drops it if its folded
    form is a separator: the folded text and the separator pass in one C loop."""
    table: dict[int, str | None] = dict(fold_table())
    for cp in chain(*_TABLE_RANGES):
        folded = table.get(cp) or chr(cp)
        if folded == "_" or not folded.isalnum():
            table[cp] = None
    return table


def _without_separators(text: str) -> str:
    stage = text.translate(_compact_table())
    if stage and max(stage) >= _BEYOND_THE_TABLE:
        # A character outside the table's planes: let the regex decide (rare).
        return _SEPARATORS.sub("", fold(text))
    return stage


class NormalizedText:
    """A text, its folded form (same positions) and its compact view, with the map
    from compact positions back to the original."""

    __slots__ = ("_folded", "_passes", "compact", "original")

    def __init__(self, original: str) -> None:
        self.original = original
        # One translate pass and one regex pass in C. The folded text and the position
        # maps are built only when a detector or a span asks, which for most texts
        # (nothing found) is never.
        stage = _without_separators(original)
        self.compact = _REPEATS.sub(r"\1", stage) if _REPEATS.search(stage) else stage
        self._folded: str | None = None
        self._passes: tuple[_Removals, _Removals] | None = None

    @property
    def folded(self) -> str:
        """The original with every character folded: the same length and positions."""
        if self._folded is None:
            self._folded = fold(self.original)
        return self._folded

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


def normalize(text: str) -> NormalizedText:
    return NormalizedText(text)
