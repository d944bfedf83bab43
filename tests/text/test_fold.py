from __future__ import annotations

import random

import pytest

from trustfair.text.fold import fold


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("ＶＸ１３８", "vx138"),  # full-width → half-width, case folded
        ("WeiXin", "weixin"),
        ("發財萬歲", "发财万岁"),  # traditional → simplified, from OpenCC's table
        ("治療", "治疗"),
        ("一三八", "138"),  # Chinese numerals
        ("壹叁捌", "138"),  # financial numerals
        ("貳", "2"),  # traditional financial numeral → simplified → digit
        ("①③⑧", "138"),  # circled
        ("㈠㈡", "12"),  # parenthesized ideographs
        ("⑴⒉❸", "123"),
        ("𝐰𝐱", "wx"),  # mathematical bold letters
        ("⼀", "1"),  # Kangxi radical one
    ],
)
def test_disguised_characters_fold_to_plain_ones(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_folding_never_changes_the_length() -> None:
    rng = random.Random(7)
    for _ in range(200):
        text = "".join(chr(rng.randrange(0x20, 0x2FFFF)) for _ in range(50))
        assert len(fold(text)) == len(text)


def test_a_pattern_written_with_chinese_numerals_reads_the_folded_text() -> None:
    import re

    from trustfair.text.fold import fold, fold_numerals

    pattern = re.compile(fold_numerals(r"(都|也)不会黑一点"))
    assert pattern.search(fold("暴晒一整天都不会黑一点"))
    assert fold_numerals(r"\W[一二]{1,3}A") == r"\W[12]{1,3}A"  # syntax untouched
