"""How a term can be disguised: homophones, look-alike characters and pinyin.

Sellers write 微信 as 薇信 or 威信 (same sound), 徽信 (same shape), wei xin or weixin
(pinyin) or wei信 (half and half). For a term marked ``disguise: true`` the lexicon
compiler adds these forms as *variants*, matched like the term but scored lower.

Homophones come from pypinyin's readings of the 3,755 most common characters (GB2312
level 1), so the list is data, not a hand-made guess; look-alikes come from the
lexicon manifest. A variant that is itself a common word (威信 "prestige", by
jieba's dictionary) is kept but marked ``is_word``: detectors then ask for more
evidence than the word alone.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from importlib import resources

from pypinyin import Style, lazy_pinyin

MAX_VARIANTS_PER_TERM = 400
COMMON_WORD_FREQUENCY = 50
"""A variant seen at least this often in jieba's dictionary is a word in its own right."""


@dataclass(frozen=True, slots=True)
class Variant:
    text: str
    kind: str
    """"homophone" (sound or shape) or "pinyin"."""
    is_word: bool


def _common_characters() -> list[str]:
    # GB2312 level 1: lead bytes 0xB0–0xD7, the 3,755 most used hanzi.
    chars = []
    for lead in range(0xB0, 0xD8):
        for trail in range(0xA1, 0xFF):
            try:
                chars.append(bytes((lead, trail)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return chars


@cache
def _characters_by_sound() -> dict[str, tuple[str, ...]]:
    by_sound: dict[str, list[str]] = defaultdict(list)
    for char in _common_characters():
        by_sound[lazy_pinyin(char, style=Style.NORMAL)[0]].append(char)
    return {sound: tuple(chars) for sound, chars in by_sound.items()}


@cache
def _word_frequencies() -> dict[str, int]:
    frequencies = {}
    dictionary = resources.files("jieba").joinpath("dict.txt")
    with dictionary.open("r", encoding="utf-8") as lines:
        for line in lines:
            word, frequency, *_ = line.split(" ")
            if 2 <= len(word) <= 4:
                frequencies[word] = int(frequency)
    return frequencies


def sound_of(char: str) -> str:
    return lazy_pinyin(char, style=Style.NORMAL)[0]


def is_common_word(text: str) -> bool:
    return _word_frequencies().get(text, 0) >= COMMON_WORD_FREQUENCY


def is_hanzi(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"


def disguises_of(term: str, lookalikes: dict[str, str]) -> list[Variant]:
    """The homophone, look-alike and pinyin forms of ``term`` (not ``term`` itself)."""
    if not any(is_hanzi(c) for c in term):
        return []
    sounds = [sound_of(c) if is_hanzi(c) else c for c in term]
    found: dict[str, Variant] = {}

    def add(text: str, kind: str) -> None:
        if text != term and text not in found and len(found) < MAX_VARIANTS_PER_TERM:
            found[text] = Variant(text, kind, is_common_word(text))

    # Pinyin: every mix of characters and syllables (wei信, 微xin, weixin).
    positions = [i for i, c in enumerate(term) if is_hanzi(c)]
    add("".join(sounds), "pinyin")  # all in pinyin, however long
    for count in range(1, min(len(positions), 4) + 1):
        for chosen in itertools.combinations(positions, count):
            add("".join(sounds[i] if i in chosen else c for i, c in enumerate(term)), "pinyin")
    # Homophones and look-alikes: one character replaced, then two, nearest first.
    options = []
    for char, sound in zip(term, sounds, strict=True):
        same = (
            [c for c in _characters_by_sound().get(sound, ()) if c != char]
            if is_hanzi(char)
            else []
        )
        alike = [c for c in lookalikes.get(char, "") if c != char and c not in same]
        options.append(alike + same)
    for count in (1, 2):
        for chosen in itertools.combinations(range(len(term)), count):
            for replacement in itertools.product(*(options[i] for i in chosen)):
                if len(found) >= MAX_VARIANTS_PER_TERM:
                    return list(found.values())
                chars = list(term)
                for i, c in zip(chosen, replacement, strict=True):
                    chars[i] = c
                add("".join(chars), "homophone")
    return list(found.values())
