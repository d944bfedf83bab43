"""The learned judgements: news reads as news, black-hat keyword lines as spam, and the
label models add what the lexicons miss and overrule what they are sure of."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import trustfair.text.engine as engine_module
from trustfair.text.detectors import base
from trustfair.text.engine import ModerationEngine
from trustfair.text.learned import (
    features,
    is_news_report,
    label_probabilities,
    models,
    news_probability,
    stuffing_probability,
)
from trustfair.text.lexicon import DEFAULT_LEXICON_DIR
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


def test_the_models_read_the_features_they_were_trained_on() -> None:
    # eval/learned/train.py vectorises with ``features``; scoring must find those grams.
    text = "本报讯 記者從市場監管局獲悉，ＡＢＣ１２３"
    trained = {models()._row_of[g] for g in features(text) if g in models()._row_of}
    assert trained
    assert set(models()._rows_by_dict(normalize(text).compact)) == trained


def test_a_regulators_case_report_is_not_excused_as_news(
    engine: ModerationEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(base, "is_news_report", lambda compact: True)  # read all as news
    report = "经查，当事人在直播中宣称其面霜为全网最好用的产品，违反广告法第九条。"
    assert "extreme_claim" in {label.label for label in engine.moderate(report).labels}
    news = "西山矿务局是全国最大的焦精煤生产基地，去年原煤产量突破千万吨。"
    assert engine.moderate(news).verdict == "pass"


@pytest.mark.parametrize(
    "text",
    [
        "重庆品茶 重庆喝茶 重庆同城工作室 重庆外围 重庆夜生活",
        "县图书馆首页|真钱棋牌|斗地主赢现金|捕鱼提现|开户送彩金",
    ],
)
def test_a_black_hat_keyword_line_is_spam_without_a_lexicon_word(
    engine: ModerationEngine, text: str
) -> None:
    assert "spam_porn" in {label.label for label in engine.moderate(text).labels}


@pytest.mark.parametrize(
    "text",
    [
        "首页 | 新闻中心 | 产品展示 | 联系我们 | 在线留言",
        "2026新款 女装 针织衫 宽松 显瘦 百搭 秋冬 打底衫",
    ],
)
def test_a_lawful_menu_or_title_is_no_keyword_stuffing(text: str) -> None:
    assert stuffing_probability(normalize(text).compact) < 0.5


def test_a_claim_in_words_no_lexicon_has_is_held_for_review(engine: ModerationEngine) -> None:
    text = "汽车贴膜 全城天花板门店 贴膜界王炸 档期火爆"
    result = engine.moderate(text)
    assert result.verdict == "review"
    [label] = result.labels
    assert (label.label, label.rule, label.severity) == (
        "extreme_claim",
        "extreme_claim.learned",
        "review",
    )
    span = label.spans[0]
    assert (
        result.labels[0].spans[0]["text"]
        == "汽车贴膜 全城天花板门店 贴膜界王炸 档期火爆"[span["start"] : span["end"]]
    )


@pytest.mark.parametrize(
    "text",
    [
        "禁止在标题中使用“全城天花板”“贴膜界王炸”这类说法",  # a rule forbids it
        "原价199，现价169，欢迎选购",  # whether 原价 was ever charged, words cannot tell
    ],
)
def test_the_label_model_adds_nothing_where_it_cannot_judge(
    engine: ModerationEngine, text: str
) -> None:
    assert not [label for label in engine.moderate(text).labels if label.rule.endswith("learned")]


def test_the_label_model_overrules_a_word_in_lawful_company(
    engine: ModerationEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 最好看 is an extreme claim's word; a filmgoer's word claims nothing.
    text = "这是我今年看过最好看的电影，哭了两次，散场了还坐着不想走"
    assert engine.moderate(text).verdict == "pass"
    # Each model alone overrules it: the label model, sure of no extreme claim, and the
    # violation model, sure the text breaks no rule at all.
    monkeypatch.setattr(engine_module, "LABEL_VETO", 0.0)
    assert engine.moderate(text).verdict == "pass"
    monkeypatch.setattr(engine_module, "VIOLATION_VETO", 0.0)
    assert "extreme_claim" in {label.label for label in engine.moderate(text).labels}


@pytest.mark.parametrize(
    "text",
    [
        "这个是高仿的包",  # too short for its context to speak against it
        "好用得不得了全网第一",
        "家人们这款面霜是全网最好用的，今天直播间下单还送小样，库存不多了抓紧",
    ],
)
def test_the_violation_model_leaves_a_plain_claim_alone(
    engine: ModerationEngine, text: str
) -> None:
    assert engine.moderate(text).verdict != "pass"


def test_a_rule_page_around_a_lexicon_word_is_overruled_by_the_violation_model(
    engine: ModerationEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The label models alone do not overrule it; the violation model reads the rule.
    text = (
        "平台规则第十二条：商品标题和详情页中不得出现暗示假冒的描述，"
        "比如高仿、原单、复刻版，违者下架。"
    )
    monkeypatch.setattr(engine_module, "LABEL_VETO", 0.0)
    assert engine.moderate(text).verdict == "pass"
    monkeypatch.setattr(engine_module, "VIOLATION_VETO", 0.0)
    assert engine.moderate(text).verdict != "pass"


def test_a_text_no_lexicon_word_is_in_is_judged_when_it_reads_as_a_violation(
    engine: ModerationEngine,
) -> None:
    # No lexicon word of any label is here; the models read it all the same.
    text = "这把剪刀剪五十年都不会钝，传家宝级别的，闭眼入"
    assert "exaggeration" in {label.label for label in engine.moderate(text).labels}


def test_a_word_added_after_the_models_were_trained_always_counts(tmp_path: Path) -> None:

    lexicons = tmp_path / "lexicons"
    shutil.copytree(DEFAULT_LEXICON_DIR, lexicons)
    path = lexicons / "exaggeration.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("terms:\n", "terms:\n  - 量子能量水\n", 1),
        encoding="utf-8",
    )
    text = "今天给大家推荐量子能量水"
    assert label_probabilities(normalize(text).compact, ("exaggeration",))["exaggeration"] < 0.2
    assert "exaggeration" in {
        label.label for label in ModerationEngine.load(lexicons).moderate(text).labels
    }


def test_long_and_short_texts_find_the_same_grams() -> None:
    text = normalize("家人们这款面霜是全网最好用的，没有之一，三号链接赶紧拍！𠀋😀").compact
    assert sorted(models()._rows_by_dict(text)) == sorted(models()._rows(text).tolist())


def test_a_case_report_may_carry_what_only_the_label_model_finds(
    engine: ModerationEngine,
) -> None:
    # From eval/moderation/holdout-4 (tuned on): a judgment quoting a claim no lexicon
    # word names. The report's 宣称 and 判决 mark a case, whose quotes are claims, though
    # it reads as news.
    text = "判决书载明：被告人在直播中宣称“吃了这个益生菌，孩子再也不会感冒发烧”。"
    assert [(label.label, label.rule) for label in engine.moderate(text).labels] == [
        ("medical_claim", "medical_claim.learned")
    ]


def test_a_case_report_is_read_by_the_label_models_though_no_lexicon_word_is_in_it(
    engine: ModerationEngine,
) -> None:
    text = "当事人在招生宣传中称“跟着学保底提五十分”，违反广告法，不得对培训效果作保证。"
    _, woken = engine._matches(normalize(text))
    assert woken == {engine_module.JUDGE_ONLY}  # no detector: only the judging
    assert [(label.label, label.rule) for label in engine.moderate(text).labels] == [
        ("exaggeration", "exaggeration.learned")
    ]


def _models_file(path: Path, names: tuple[str, ...]) -> Path:
    import numpy as np

    # Every model scores a text by whether it holds 好.
    np.savez(
        path,
        ids=np.array([ord("好")], dtype=np.int64),
        weights=np.full((1, len(names)), 8.0, dtype=np.float32),
        bias=np.full(len(names), -4.0, dtype=np.float32),
        names=np.array(names),
        known_entries=np.array([], dtype=str),
        known_rules=np.array([], dtype=str),
    )
    return path


def test_a_models_file_named_in_the_environment_is_read_instead(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from trustfair.text import learned

    path = _models_file(tmp_path / "models.npz", learned.REQUIRED_MODELS)
    monkeypatch.setenv(learned.MODELS_ENV, str(path))
    learned.models.cache_clear()
    try:
        loaded = learned.models()
        assert loaded.names == learned.REQUIRED_MODELS
        assert loaded.probabilities("好")["spam_porn"] > 0.9
        assert loaded.probabilities("坏")["spam_porn"] < 0.1
    finally:
        monkeypatch.delenv(learned.MODELS_ENV)
        learned.models.cache_clear()


def test_a_models_file_without_a_model_the_engine_asks_for_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from trustfair.text import learned

    path = _models_file(tmp_path / "partial.npz", ("news_genre", "seo_stuffing"))
    monkeypatch.setenv(learned.MODELS_ENV, str(path))
    learned.models.cache_clear()
    try:
        with pytest.raises(ValueError, match=r"partial\.npz: no model named spam_porn"):
            learned.models()
    finally:
        monkeypatch.delenv(learned.MODELS_ENV)
        learned.models.cache_clear()


def test_the_models_judge_only_text_in_the_language_they_learnt(engine: ModerationEngine) -> None:
    # To models trained on Chinese, English is handles and pinyin.
    assert engine.moderate("I love java and hello world").verdict == "pass"
    assert engine.moderate("Thanks, the parcel arrived on time and the box was intact").verdict == (
        "pass"
    )


def test_the_models_add_nothing_to_a_text_of_a_few_characters(engine: ModerationEngine) -> None:
    # A live session's title: four characters are too few grams to judge by.
    assert engine.moderate("今晚专场", "title").verdict == "pass"


def test_a_text_sure_to_break_a_rule_carries_the_likeliest_label(
    engine: ModerationEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No lexicon word, and the exaggeration model alone is not sure enough to add it;
    # the violation model is sure something is wrong, and the label models say what.
    text = "穿上这条裤子腿立马细两圈，姐妹们冲"
    assert "exaggeration" in {label.label for label in engine.moderate(text).labels}
    monkeypatch.setattr(engine_module, "VIOLATION_ALONE", 2.0)
    assert engine.moderate(text).verdict == "pass"


def test_a_claim_padded_with_other_sentences_is_not_talked_away(
    engine: ModerationEngine,
) -> None:
    padding = "欢迎光临本店，有任何问题请联系客服，祝您购物愉快，收到货了记得给个好评哦"
    for claim in ("这个是高仿的包", "加我微信买", "本品能根治糖尿病"):
        assert engine.moderate(f"{claim}。{padding}").verdict != "pass", claim
        assert engine.moderate(f"{padding}。{claim}").verdict != "pass", claim
    assert engine.moderate("这个是高仿的包12345678901234567890").verdict != "pass"


def test_english_padding_does_not_switch_the_models_off(engine: ModerationEngine) -> None:
    text = "这把剪刀剪五十年都不会钝，传家宝级别的，闭眼入 scissors forever sharp buy now"
    assert "exaggeration" in {label.label for label in engine.moderate(text).labels}
