"""A regulator's case report carries the label its findings name, even when the quoted
ad's wording is new; news that only discusses such ads does not."""

from __future__ import annotations

import pytest

from trustfair.text.engine import ModerationEngine


def rules(engine: ModerationEngine, text: str) -> dict[str, str]:
    return {label.label: label.rule for label in engine.moderate(text).labels}


@pytest.mark.parametrize(
    ("text", "label"),
    [
        (
            "经查，当事人在详情页宣称其扫地机“可以扫完整栋楼不用回充”，经检测与实际严重不符。",
            "exaggeration",
        ),
        (
            "当事人在直播间标示“厂价2999元”，执法人员调取数据发现该价格从未实际执行，构成价格欺诈。",
            "price_fraud",
        ),
        (
            "经查，当事人宣传其枕头“躺下颈椎就舒坦”，属于对商品作涉及疾病治疗功能的宣传。",
            "medical_claim",
        ),
        (
            "本机关认定，当事人在店招上使用“全省杠杠滴”等绝对化用语，违反广告法第九条第三项。",
            "extreme_claim",
        ),
        (  # a party the report does not name
            "典型案例：某服装店将外套价格由199元调高至399元，再标注“5折抢购”，执法人员认定其构成先提价后打折的价格欺诈。",
            "price_fraud",
        ),
        (  # a seller named by its trade
            "区教育局通报：某培训机构在招生宣传中承诺“期末保底提五十分”，属于保证性承诺，已责令改正。",
            "exaggeration",
        ),
        (  # no 经查 or 认定: the legal name of the violation is the finding
            "当事人先将商品价格由89元上调至189元，再宣称“五折促销”，属于虚构折扣。",
            "price_fraud",
        ),
    ],
)
def test_a_case_report_carries_the_label_its_findings_name(
    engine: ModerationEngine, text: str, label: str
) -> None:
    assert rules(engine, text).get(label) == f"{label}.case_report"


def test_the_case_report_reading_is_only_a_review(engine: ModerationEngine) -> None:
    text = "经查，当事人宣传其茶具“泡出的水自带回甘”，属于与实际不符的虚假广告。"
    result = engine.moderate(text)
    assert [label.rule for label in result.labels] == ["exaggeration.case_report"]
    assert result.verdict == "review"


@pytest.mark.parametrize(
    "text",
    [
        "市场监管部门提醒消费者，遇到虚构原价、虚假折扣等价格欺诈行为可拨打12315投诉。",
        "律师表示，广告中使用绝对化用语可能违反广告法第九条，商家应当谨慎。",
        "记者从市场监管局获悉，今年以来共查处价格违法案件120起。",
        "价格违规说明：商家不得虚构原价，例如标称“原价999 现价99”但该商品从未以该价格成交。",
    ],
)
def test_news_about_such_cases_names_no_party_and_is_left_alone(
    engine: ModerationEngine, text: str
) -> None:
    assert engine.moderate(text).verdict == "pass", rules(engine, text)


@pytest.mark.parametrize(
    "text",
    [
        "本网店承诺：如与实际不符，全额退款",
        "商户表示“生意不好做”，属于实际困难，近期不得不提价",
    ],
)
def test_a_seller_speaking_of_itself_is_no_case_report(engine: ModerationEngine, text: str) -> None:
    assert not any(rule.endswith(".case_report") for rule in rules(engine, text).values())


@pytest.mark.parametrize(
    ("text", "label"),
    [
        (
            "市消协比较试验发现，有3款产品页面称“专治宝宝腹泻”，消委会提醒理性消费。",
            "medical_claim",
        ),
        ("消协抽查发现4款牙膏使用了“最安全”“全网第一”等字样，提醒家长理性选购。", "extreme_claim"),
    ],
)
def test_a_report_of_what_was_found_keeps_the_claims_it_quotes(
    engine: ModerationEngine, text: str, label: str
) -> None:
    assert label in rules(engine, text)


def test_a_warning_about_such_claims_in_general_is_not_one(engine: ModerationEngine) -> None:
    text = "市场监管部门提醒，对宣称“包过”“保证提分”的培训机构要提高警惕。"
    assert engine.moderate(text).verdict == "pass", rules(engine, text)
