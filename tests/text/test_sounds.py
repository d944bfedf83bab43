"""The sound view: homophones of longer terms and pinyin of any term are found, as
disguises; a sound-alike that is a word of its own, or a short one, is not."""

from __future__ import annotations

import pytest

from trustfair.text.engine import ModerationEngine
from trustfair.text.sounds import sound_of, sound_view, syllables_of


def test_pinyin_runs_are_cut_into_syllables() -> None:
    assert syllables_of("zhibojian") == ["zhi", "bo", "jian"]
    assert syllables_of("weixinfangfang") == ["wei", "xin", "fang", "fang"]
    assert syllables_of("java") is None  # not pinyin: left as letters


def test_pinyin_hanzi_and_digits_sound_alike() -> None:
    assert sound_view("quanguodiyi").text == sound_of("全国第1")
    assert sound_of("源价") == sound_of("原价")


def test_a_pinyin_span_maps_back_to_its_letters() -> None:
    view = sound_view("加weixin好友")
    start = view.text.index(sound_of("微信"))
    assert view.compact_span(start, start + 2) == (1, 7)


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("这款是全网销量di yi的面霜", "extreme_claim"),
        ("每天喝一杯，降雪压", "medical_claim"),  # 降血压 by its sound
    ],
)
def test_sound_alike_disguises_are_found_and_scored_lower(
    engine: ModerationEngine, text: str, label: str
) -> None:
    results = {result.label: result for result in engine.moderate(text).labels}
    assert label in results
    assert results[label].score < 0.9  # below any plain match


def test_a_pinyin_disguise_scores_lower_than_the_plain_word(engine: ModerationEngine) -> None:
    plain = engine.moderate("这款是全网销量第一的面霜").labels[0]
    disguised = engine.moderate("这款是全网销量di yi的面霜").labels[0]
    assert disguised.label == plain.label == "extreme_claim"
    assert disguised.score < plain.score
    assert disguised.spans[0]["text"] == "销量di yi"  # the original characters


@pytest.mark.parametrize(
    "text",
    [
        "主播这个碗能进微波炉吗",  # 碗能 sounds like 万能: two characters are too few
        "有没有小码的 我姑娘穿",  # 码的 sounds like 妈的
        "您的退款已原路退回，预计1-3个工作日到账",  # 已原 sounds like 医院
        "东北黑木耳 250g 一级品，泡发率约1:10",  # 级品 cuts through 一级
        "快递包裹今天到了，很满意",  # 包裹 (a word) sounds like 保过
        "I love java and hello world",  # English is not pinyin
    ],
)
def test_sound_alikes_that_are_words_of_their_own_pass(engine: ModerationEngine, text: str) -> None:
    assert engine.moderate(text).verdict == "pass"


def test_an_id_after_a_contact_word_in_pinyin_is_diversion(engine: ModerationEngine) -> None:
    # The id itself is evidence, so this finding keeps its full score.
    labels = {r.label for r in engine.moderate("联系店主wei xin fangfang_2024，支持转账").labels}
    assert "diversion" in labels
