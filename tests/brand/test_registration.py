"""Company registration numbers: a CN 统一社会信用代码 and its check character."""

from __future__ import annotations

import pytest

from tests.brand.conftest import CREDIT_CODE
from trustfair.brand.registration import (
    cn_check_character,
    cn_credit_code_problem,
    registration_problem,
)


def test_a_real_format_credit_code_is_valid() -> None:
    assert cn_check_character(CREDIT_CODE[:17]) == "3"
    assert cn_credit_code_problem(CREDIT_CODE) is None
    assert registration_problem("CN", CREDIT_CODE) is None


def test_a_check_character_of_zero_is_written_0() -> None:
    # 31 - (sum mod 31) is 31 when the sum is a multiple of 31: the standard writes 0.
    first17 = next(
        f"91350100M0001{n:04d}"
        for n in range(10_000)
        if cn_check_character(f"91350100M0001{n:04d}") == "0"
    )
    assert cn_credit_code_problem(first17 + "0") is None


@pytest.mark.parametrize(
    ("code", "says"),
    [
        ("91350100M000100Y44", "check character is '4'; for the first 17 it should be '3'"),
        ("91350100M000100Y4", "18 characters, not 17"),
        ("91350100M000100Y433", "18 characters, not 19"),
        ("91350100I000100Y43", "'I' is not allowed"),
        ("91350100O000100Z43", "'OZ' is not allowed"),
        ("91350100m000100y43", "'my' is not allowed"),
        ("", "18 characters, not 0"),
    ],
)
def test_an_invalid_credit_code_is_refused_saying_why(code: str, says: str) -> None:
    problem = cn_credit_code_problem(code)
    assert problem is not None and says in problem


def test_a_swap_of_two_characters_is_caught() -> None:
    swapped = CREDIT_CODE[:2] + CREDIT_CODE[3] + CREDIT_CODE[2] + CREDIT_CODE[4:]
    assert swapped != CREDIT_CODE
    assert cn_credit_code_problem(swapped) is not None


def test_other_countries_need_only_a_short_non_empty_number() -> None:
    assert registration_problem("DE", "HRB 12345") is None
    assert "empty" in (registration_problem("US", "  ") or "")
    assert "at most 64" in (registration_problem("GB", "x" * 65) or "")
    assert "ISO 3166" in (registration_problem("china", CREDIT_CODE) or "")
