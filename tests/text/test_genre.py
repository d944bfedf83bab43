"""The news-report judgement reads reports as news and sellers' words as sellers'."""

from __future__ import annotations

import pytest

from trustfair.text.engine import ModerationEngine
from trustfair.text.genre import features, is_news_report, news_probability
from trustfair.text.normalize import normalize


def probability(text: str) -> float:
    return news_probability(normalize(text).compact)


@pytest.mark.parametrize(
    "text",
    [
        "西山矿务局是全国最大的焦精煤生产基地，去年原煤产量突破千万吨。",
        "罗纳尔多当选国际足联最佳球员，这是他第二次获得该奖项。",
    ],
)
def test_news_reads_as_news(text: str) -> None:
    assert is_news_report(normalize(text).compact)


@pytest.mark.parametrize(
    "text",
    [
        "家人们这款面霜是全网最好用的，没有之一，三号链接赶紧拍",
        "亲，这款是我们家卖得最好的，今天下单还送小样哦",
        "房间很干净，服务员态度也好，下次还住这家",
    ],
)
def test_sellers_and_shoppers_do_not(text: str) -> None:
    assert probability(text) < 0.5


def test_the_model_reads_the_features_it_was_trained_on() -> None:
    # eval/genre/train.py vectorises with ``features``; scoring must see the same grams.
    text = "本报讯 記者從市場監管局獲悉"
    compact = normalize(text).compact
    grams = set(features(text))
    assert grams == set(compact) | {compact[i : i + 2] for i in range(len(compact) - 1)}


def test_a_regulators_case_report_is_not_excused_as_news(engine: ModerationEngine) -> None:
    text = "经查，当事人在直播中宣称其面霜为全网最好用的产品，违反广告法第九条。"
    assert "extreme_claim" in {label.label for label in engine.moderate(text).labels}
