from __future__ import annotations

import random

import pytest

from trustfair.text.normalize import normalize


@pytest.mark.parametrize(
    ("text", "compact"),
    [
        ("微_信", "微信"),
        ("加 V", "加v"),
        ("薇❤信", "薇信"),
        ("微\u200b信", "微信"),  # zero-width space
        ("微\x07信", "微信"),  # control character
        ("史.上.最.强", "史上最强"),
        ("加加加加微信", "加微信"),  # a character repeated 3+ times collapses
        ("谢谢", "谢谢"),  # twice is language, not padding
        ("188 8888 8888", "18888888888"),  # digits never collapse: a phone number
        ("電 話：１３８-1234-5678", "电话13812345678"),
    ],
)
def test_the_compact_view_drops_what_breaks_words(text: str, compact: str) -> None:
    assert normalize(text).compact == compact


def test_a_compact_span_maps_back_to_the_original_characters() -> None:
    text = "加 V：ｗｘ_１３８-1234-5678 ❤"
    normalized = normalize(text)
    start = normalized.compact.index("138")
    begin, end = normalized.original_span(start, start + 11)
    assert text[begin:end] == "１３８-1234-5678"


def test_every_compact_character_comes_from_its_original_position() -> None:
    rng = random.Random(11)
    alphabet = "微信加vV１①壹 _|❤.。\u200b好好好8"
    for _ in range(500):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 30)))
        normalized = normalize(text)
        for i, char in enumerate(normalized.compact):
            assert normalized.folded[normalized.original_index(i)] == char


def test_an_emoji_in_place_of_a_character_reads_as_that_character() -> None:
    assert normalize("扫码➕我").compact == "扫码加我"
    assert normalize("薇❤信").compact == "薇信"  # a decoration is still a separator
