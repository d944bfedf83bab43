"""The sound view: a text as the syllables it is read aloud with.

Sellers write a word by its sound when its characters would be caught: 降雪压 for
降血压, 高血鸭 for 高血压 — or spell it out in pinyin (yuan jia, zhi bo jian).
In the sound view every hanzi becomes its syllable (tones dropped) and every Latin
run that reads as pinyin becomes its syllables, so 原价, 源价, 园价 and yuanjia are all
one key. The engine matches every lexicon term of two or more hanzi in this view as
well (``engine.py``); what it finds there is a disguise, scored lower than the plain
word. Sound-alikes in hanzi must be three characters or more and not a word of their
own (包裹 sounds like 保过; 价位 like 加微).

Syllables come from pypinyin's character dictionary (first reading of each character),
so the table is data, not a hand-made list. Each syllable is written as one private-use
character, so for text without pinyin the view has the compact view's positions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from pypinyin.contrib.tone_convert import to_normal
from pypinyin.pinyin_dict import pinyin_dict

_FIRST_SYLLABLE_CHAR = 0xE000  # the Private Use Area: no text's own characters there
_LATIN_RUN = re.compile(r"[a-z]+")
_MAX_SYLLABLE_LETTERS = 6
MAX_PINYIN_RUN = 80
"""Letters in a row beyond this are not read as pinyin (nonono… for pages on end)."""


def _normal(reading: str) -> str:
    return to_normal(reading).replace("ü", "v")


@cache
def _syllable_chars() -> dict[str, str]:
    """Every toneless syllable, and the private-use character that stands for it."""
    syllables = sorted(
        {_normal(reading) for readings in pinyin_dict.values() for reading in readings.split(",")}
    )
    syllables = [s for s in syllables if s.isascii() and s.isalpha()]
    return {s: chr(_FIRST_SYLLABLE_CHAR + i) for i, s in enumerate(syllables)}


_DIGIT_SYLLABLES = ("ling", "yi", "er", "san", "si", "wu", "liu", "qi", "ba", "jiu")


@cache
def _hanzi_table() -> dict[int, str]:
    """``str.translate`` table: each hanzi to its syllable's character, and each digit
    too (folding made 一 a 1, and di yi must still sound like 第一)."""
    chars = _syllable_chars()
    table = {}
    for code_point, readings in pinyin_dict.items():
        syllable = _normal(readings.split(",")[0])
        if syllable in chars:
            table[code_point] = chars[syllable]
    for digit, syllable in enumerate(_DIGIT_SYLLABLES):
        table[ord(str(digit))] = chars[syllable]
    return table


def syllables_of(run: str) -> list[str] | None:
    """``run`` cut into pinyin syllables (zhibojian → zhi bo jian), fewest pieces
    first; None if it does not read as pinyin (or is too long to be a phrase)."""
    if len(run) > MAX_PINYIN_RUN:
        return None
    chars = _syllable_chars()
    # fewest[i]: the fewest syllables run[:i] cuts into, and where the last one starts.
    fewest: list[tuple[int, int] | None] = [None] * (len(run) + 1)
    fewest[0] = (0, 0)
    for end in range(1, len(run) + 1):
        for start in range(max(0, end - _MAX_SYLLABLE_LETTERS), end):
            before = fewest[start]
            if before is not None and run[start:end] in chars:
                current = fewest[end]
                if current is None or before[0] + 1 < current[0]:
                    fewest[end] = (before[0] + 1, start)
    if fewest[len(run)] is None:
        return None
    syllables, end = [], len(run)
    while end:
        _, start = fewest[end]  # type: ignore[misc]
        syllables.append(run[start:end])
        end = start
    return syllables[::-1]


@dataclass(frozen=True, slots=True)
class SoundView:
    text: str
    """The sound of each compact character (or pinyin syllable); others kept as they are."""
    spans: list[tuple[int, int]] | None
    """For each character of ``text``, its span in the compact view; None when the two
    have the same positions (no pinyin in the text)."""

    def compact_span(self, start: int, end: int) -> tuple[int, int]:
        if self.spans is None:
            return start, end
        return self.spans[start][0], self.spans[end - 1][1]


def sound_of(text: str) -> str:
    """The sound view of a lexicon key (hanzi to syllables; the rest as it is)."""
    return text.translate(_hanzi_table())


def sound_view(compact: str) -> SoundView:
    """The sound view of a compact text."""
    sounded = compact.translate(_hanzi_table())
    if not _LATIN_RUN.search(compact):
        return SoundView(sounded, None)
    chars = _syllable_chars()
    pieces: list[str] = []
    spans: list[tuple[int, int]] = []
    position = 0
    for match in _LATIN_RUN.finditer(compact):
        for i in range(position, match.start()):
            pieces.append(sounded[i])
            spans.append((i, i + 1))
        syllables = syllables_of(match.group())
        if syllables is None:
            for i in range(match.start(), match.end()):
                pieces.append(compact[i])
                spans.append((i, i + 1))
        else:
            at = match.start()
            for syllable in syllables:
                pieces.append(chars[syllable])
                spans.append((at, at + len(syllable)))
                at += len(syllable)
        position = match.end()
    for i in range(position, len(compact)):
        pieces.append(sounded[i])
        spans.append((i, i + 1))
    return SoundView("".join(pieces), spans)
