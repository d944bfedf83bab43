"""A company's registration number, checked as its country writes it.

A Chinese company carries a 统一社会信用代码 (unified social credit code, GB 32100-2015):
18 characters from digits and upper-case letters without I, O, Z, S and V, the last a
check character over the first 17. Checking it catches the typos and inventions a
reviewer would otherwise find only by looking the company up. Other countries' numbers
have no common shape: they are only required to be there and short enough to store.
"""

from __future__ import annotations

import re

CN_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
"""The 31 characters of a credit code, in the order that gives each its value."""
CN_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
"""3**i mod 31 for the 17 positions before the check character."""
MAX_OTHER = 64
COUNTRY = re.compile(r"^[A-Z]{2}$")


def cn_check_character(first17: str) -> str:
    """The check character GB 32100-2015 puts after ``first17``."""
    total = sum(CN_ALPHABET.index(c) * w for c, w in zip(first17, CN_WEIGHTS, strict=True))
    return CN_ALPHABET[(31 - total % 31) % 31]


def cn_credit_code_problem(code: str) -> str | None:
    """Why ``code`` is not a valid 统一社会信用代码, or None if it is."""
    if len(code) != 18:
        return f"a Chinese credit code has 18 characters, not {len(code)}"
    wrong = sorted({c for c in code if c not in CN_ALPHABET})
    if wrong:
        return (
            f"a Chinese credit code is digits and upper-case letters without I, O, Z, S, V; "
            f"{''.join(wrong)!r} is not allowed"
        )
    expected = cn_check_character(code[:17])
    if code[17] != expected:
        return f"the check character is {code[17]!r}; for the first 17 it should be {expected!r}"
    return None


def registration_problem(country: str, number: str) -> str | None:
    """Why ``number`` is not a company registration of ``country`` (ISO 3166 alpha-2),
    or None if it may be one."""
    if not COUNTRY.match(country):
        return f"country {country!r}: two upper-case letters (ISO 3166), such as CN"
    if country == "CN":
        return cn_credit_code_problem(number)
    if not number.strip():
        return "the registration number is empty"
    if len(number) > MAX_OTHER:
        return f"the registration number has {len(number)} characters; at most {MAX_OTHER}"
    return None
