"""The character folding table: one character in, one character out.

Folding makes the disguises of one character look like the plain character:
full-width and other compatibility forms (NFKC, where it maps one character to one),
upper case, traditional characters (OpenCC's table), Chinese, financial and circled
numerals, and the few emoji sellers put in place of a character (➕ for 加). Because
every character maps to exactly one, a position in the folded text
is the same position in the original — the offset map costs nothing here; only the
removal of separators (``normalize.py``) needs one.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from importlib import resources

# Ranges whose characters have compatibility forms sellers use as disguises: Latin-1
# and general punctuation up to CJK compatibility, CJK compatibility ideographs and
# the half/full-width block, mathematical alphanumerics (𝐰𝐱), enclosed alphanumerics.
_COMPATIBILITY_RANGES = (
    (0x00A0, 0x3400),
    (0xF900, 0xFFF0),
    (0x1D400, 0x1D800),
    (0x1F100, 0x1F200),
)

# Digits written as Chinese numerals (plain and financial) — after traditional →
# simplified, so 貳 arrives here as 贰.
_CHINESE_DIGITS = {
    "0": "零〇○",
    "1": "一壹幺",
    "2": "二贰",
    "3": "三叁",
    "4": "四肆",
    "5": "五伍",
    "6": "六陆",
    "7": "七柒",
    "8": "八捌",
    "9": "九玖",
}

# Enclosed numerals whose NFKC form is more than one character: ⑴ → "(1)", ⒈ → "1.",
# ㈠ → "(一)". Each is folded to its digit. (①–⑨ fold through NFKC already.)
_ENCLOSED_DIGIT_STARTS = (
    0x2474,  # ⑴ parenthesized digits
    0x2488,  # ⒈ digits with full stop
    0x2776,  # ❶ dingbat negative circled
    0x2780,  # ➀ dingbat circled sans-serif
    0x278A,  # ➊ dingbat negative circled sans-serif
    0x3220,  # ㈠ parenthesized ideographs
    0x3280,  # ㊀ circled ideographs
)


def _traditional_to_simplified() -> dict[str, str]:
    table = {}
    text = resources.files("trustfair.text.data.opencc").joinpath("TSCharacters.txt")
    for line in text.read_text(encoding="utf-8").splitlines():
        traditional, _, simplified = line.partition("\t")
        candidate = simplified.split(" ")[0]
        if len(traditional) == 1 and len(candidate) == 1:
            table[traditional] = candidate
    return table


def _emoji_words() -> dict[int, str]:
    """Emoji sellers put in place of a character (➕我 is 加我): see data/emoji."""
    table = {}
    text = resources.files("trustfair.text.data.emoji").joinpath("emoji_words.txt")
    for line in text.read_text(encoding="utf-8").splitlines():
        emoji, _, char = line.partition("\t")
        if len(emoji) == 1 and len(char) == 1:
            table[ord(emoji)] = char
    return table


def _fold_one(char: str, t2s: dict[str, str]) -> str:
    folded = unicodedata.normalize("NFKC", char)
    if len(folded) != 1:
        folded = char
    lowered = folded.lower()
    if len(lowered) == 1:
        folded = lowered
    return t2s.get(folded, folded)


@cache
def fold_table() -> dict[int, str]:
    """``str.translate`` table of every character that folds to another."""
    t2s = _traditional_to_simplified()
    table: dict[int, str] = {}
    candidates = {cp for start, end in _COMPATIBILITY_RANGES for cp in range(start, end)}
    candidates.update(ord(c) for c in t2s)
    candidates.update(range(ord("A"), ord("Z") + 1))
    for cp in sorted(candidates):
        char = chr(cp)
        folded = _fold_one(char, t2s)
        if folded != char:
            table[cp] = folded
    for start in _ENCLOSED_DIGIT_STARTS:
        for digit in range(1, 10):
            table[start + digit - 1] = str(digit)
    for digit, numerals in _CHINESE_DIGITS.items():
        for numeral in numerals:
            table[ord(numeral)] = digit
    table.update(_emoji_words())
    # A character that folds into a numeral folds on into its digit (壹 → 1 via T→S).
    for cp, folded in list(table.items()):
        table[cp] = table.get(ord(folded), folded)
    return table


def fold(text: str) -> str:
    """``text`` with every character folded; always the same length as ``text``."""
    return text.translate(fold_table())


@cache
def _numeral_table() -> dict[int, str]:
    table = fold_table()
    return {cp: table[cp] for cp in table if table[cp].isdigit() and not chr(cp).isascii()}


def fold_numerals(pattern: str) -> str:
    """A lexicon pattern with its Chinese numerals written as the digits they fold to.

    Patterns read the folded text, where 一 is already 1: a pattern written with 一点
    must look for 1点. Only numerals change, so the pattern's syntax is untouched.
    """
    return pattern.translate(_numeral_table())
