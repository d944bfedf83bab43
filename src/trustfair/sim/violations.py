"""Violating snippets, one generator per text label of DESIGN.md.

A generator fills a template with varied slots, then (with probability ``hide``)
disguises its keywords the way sellers do. It returns the text and what the truth file
must say about it: the labels and the disguise techniques used.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from random import Random

from trustfair.sim import disguise
from trustfair.text.labels import LABELS

TEXT_LABELS = LABELS


@dataclass(slots=True)
class Snippet:
    text: str
    labels: list[str]
    disguises: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Context:
    """What a snippet may talk about: the product on sale and its seller."""

    product: str
    price_yuan: int
    phone: str
    brand: str = ""
    category: str = ""


class _Filler:
    """Fills ``{k}`` slots with keywords, disguising them when asked."""

    def __init__(self, rng: Random, hide: float) -> None:
        self.rng = rng
        self.hide = hide
        self.disguises: list[str] = []

    def kw(self, keyword: str) -> str:
        if self.rng.random() >= self.hide:
            return keyword
        new, technique = disguise.disguise_keyword(self.rng, keyword)
        if technique is not None and new != keyword:
            self.disguises.append(technique)
            return new
        return keyword

    def finish(self, text: str, label: str) -> Snippet:
        # Now and then the whole sentence is written in traditional characters.
        if self.rng.random() < self.hide * 0.3:
            trad = disguise.traditional(text)
            if trad != text:
                text = trad
                self.disguises.append("traditional")
        return Snippet(text, [label], sorted(set(self.disguises)))


def _wechat_id(rng: Random) -> str:
    letters = "abcdefghjkmnpqrstuvwxyz"
    head = "".join(rng.choice(letters) for _ in range(rng.randint(3, 6)))
    return head + str(rng.randint(10, 99999))


def diversion(rng: Random, ctx: Context, hide: float) -> Snippet:
    f = _Filler(rng, hide)
    # Numbers (phone, QQ) are what sellers most often spell out in disguise.
    kind = rng.choice((0, 0, 1, 1, 2, 3, 3, 3, 4, 5))
    p = ctx.product
    if kind == 0:
        k = f.kw(rng.choice(("微信", "VX", "加微信")))
        wid = _wechat_id(rng)
        text = rng.choice(
            (
                f"想要内部价的宝宝{k}{wid}，备注直播间",
                f"{k}号{wid}，拉你进福利群，比直播间还便宜",
                f"平台扣点太高了，{k}{wid}私下给你们算便宜点",
                f"售后有问题别找平台，直接{k}：{wid}",
                f"{p}还有别的规格，{k}{wid}发你实拍图",
            )
        )
    elif kind == 1:
        k = f.kw("QQ")
        num = f.kw(str(rng.randint(10_000_000, 2_999_999_999)))
        text = rng.choice((f"{k}群{num}，每天发福利", f"加{k}{num}，拉你进老粉群"))
    elif kind == 2:
        k = f.kw("私聊")
        text = rng.choice(
            (
                f"想要{p}的宝宝{k}我，私下给你优惠",
                f"具体价格{k}，这里不方便说",
                f"批发的老板{k}，量大价格好谈",
            )
        )
    elif kind == 3:
        num = f.kw(ctx.phone)
        k = f.kw("电话")
        text = rng.choice(
            (
                f"有需要直接打我{k}{num}",
                f"{k}{num}，二十四小时在线，拍不上的找我",
                f"拍不了的宝宝记一下号码{num}，直接转账发货",
            )
        )
    elif kind == 4:
        host = rng.choice(("shop", "m", "vip", "go", "mall"))
        site = rng.choice(("haowu", "tehui", "fuli", "youxuan", "zhekou")) + str(rng.randint(1, 99))
        tld = rng.choice(("cn", "top", "xyz", "vip", "cc"))
        link = f"{host}.{site}.{tld}/p/{rng.randint(100, 9999)}"
        if rng.random() < hide:
            link = link.replace(".", rng.choice((" . ", "。", "点")))
            f.disguises.append("separator")
        text = rng.choice(
            (f"去这个网址下单更便宜 {link}", f"复制{link}到浏览器打开，有隐藏优惠", f"官网{link}")
        )
    else:
        k = f.kw(rng.choice(("微信", "VX")))
        text = rng.choice(
            (
                f"主页有{k}，拍之前先联系我",
                f"点我头像看{k}，老粉都知道",
                f"福利款不在链接里，{k}找我",
            )
        )
    return f.finish(text, "diversion")


_EXTREME = (
    ("这款{p}{k}，不服来比", ("全网最低", "销量第一", "史上最强", "行业第一")),
    ("我敢说这是{k}的{p}", ("最好", "全网最好", "顶级", "独一无二")),
    ("{k}品质的{p}，今天直播间给你们", ("国家级", "顶级", "最高级", "第一")),
    ("价格{k}，别家找不到这个价", ("全网最低", "全国最低", "史上最低")),
    ("{p}里的{k}，用过的都说好", ("第一品牌", "王牌", "天花板", "第一")),
    ("这个{p}是{k}配方，没有之一", ("国家级", "最先进", "顶级", "最好")),
)


def extreme_claim(rng: Random, ctx: Context, hide: float) -> Snippet:
    f = _Filler(rng, hide)
    template, keys = rng.choice(_EXTREME)
    text = template.format(p=ctx.product, k=f.kw(rng.choice(keys)))
    return f.finish(text, "extreme_claim")


_MEDICAL_KEYS = (
    "降血压",
    "降血糖",
    "治疗糖尿病",
    "抗癌",
    "防癌",
    "治失眠",
    "根治脱发",
    "消炎",
    "治疗湿疹",
    "软化血管",
    "预防感冒",
    "治疗痘痘",
    "调理肠胃病",
)
_MEDICAL = (
    "{p}{v}了能{k}，我家老人{v}了三个月",
    "每天{v}一点{p}，{k}，比吃药还管用",
    "这个{p}可以{k}，医生都推荐",
    "长期{v}{p}能{k}，家人们相信我",
    "很多粉丝反馈{p}{k}效果特别明显",
    "{k}就靠它了，不用再去医院",
)


def medical_claim(rng: Random, ctx: Context, hide: float) -> Snippet:
    f = _Filler(rng, hide)
    key = rng.choice(_MEDICAL_KEYS)
    # Disguise the disease word rather than the verb, as sellers do (治疗唐尿病).
    for word in ("糖尿病", "抗癌"):
        if word in key:
            key = key.replace(word, f.kw(word))
            break
    verb = "吃" if ctx.category in ("food", "health_food", "") else "用"
    text = rng.choice(_MEDICAL).format(p=ctx.product, k=key, v=verb)
    return f.finish(text, "medical_claim")


def exaggeration(rng: Random, ctx: Context, hide: float) -> Snippet:
    f = _Filler(rng, hide)
    days = rng.choice(("三", "五", "七", "3", "7", "十"))
    jin = rng.choice(("十", "八", "15", "20", "二十"))
    key = rng.choice(
        (
            f"{days}天瘦{jin}斤",
            f"{days}天{{jf}}{jin}斤",
            "永不反弹",
            "百分百有效",
            "一抹就白",
            f"{days}天祛斑",
            "立竿见影",
            "用了年轻十岁",
            "无效全额退款还倒贴",
            f"吃了长高{rng.randint(3, 10)}厘米",
            "一夜之间皱纹全没了",
        )
    )
    if "{jf}" in key:
        key = key.replace("{jf}", f.kw("减肥"))
    text = rng.choice(
        (
            f"{ctx.product}{key}，不信你试试",
            f"姐妹们，{key}，我自己就是例子",
            f"用了这个{ctx.product}，{key}",
            f"保证{key}，没效果你来找我",
        )
    )
    return f.finish(text, "exaggeration")


def price_fraud(rng: Random, ctx: Context, hide: float) -> Snippet:
    """Fake original prices and fake urgency (the text kind of price fraud)."""
    f = _Filler(rng, hide)
    big = ctx.price_yuan * rng.choice((5, 6, 8, 10)) + rng.choice((99, 199, 299))
    n = rng.randint(2, 9)
    text = rng.choice(
        (
            f"原价{big}！今天家人们只要{ctx.price_yuan}！",
            f"专柜价{big}，直播间只要{ctx.price_yuan}，亏到姥姥家了",
            f"最后一小时，马上恢复原价{big}",
            f"仅剩{n}件了，抢完就没了",
            f"最后{n}单，拍完下播",
            f"只有今天这个价，明天直接涨回{big}",
            f"库存只剩最后{n}套，手慢无",
        )
    )
    return f.finish(text, "price_fraud")


def staged_drama(rng: Random, ctx: Context, hide: float) -> Snippet:
    f = _Filler(rng, hide)
    rel = rng.choice(("我妈", "我爸", "我奶奶", "我老公", "我家孩子", "我姐"))
    ill = rng.choice(("住院了", "查出来重病", "要做手术", "在ICU躺着", "病了好几个月"))
    text = rng.choice(
        (
            f"{rel}{ill}，今天这场就是为了凑医药费，求家人们帮帮忙",
            f"家里人生病了，厂里压了一堆{ctx.product}，亏本也要清",
            "公司快倒闭了，工人工资都发不出来，求大家帮帮忙",
            "今天被老板骂哭了……你们拍一单我就能少挨一顿骂",
            f"老板你别拦我！这个{ctx.product}今天我就要卖{ctx.price_yuan}，我做主了",
            "（跟老板吵起来）你不让我卖这个价我就不干了！家人们看着！",
            "运营别拉我，我就要给家人们这个价，大不了这个月不要工资",
            f"{rel}{ill}，我一边哭一边播，家人们帮帮我",
        )
    )
    return f.finish(text, "staged_drama")


def counterfeit_hint(rng: Random, ctx: Context, hide: float) -> Snippet:
    f = _Filler(rng, hide)
    k = f.kw(rng.choice(("高仿", "A货", "复刻", "1:1", "原单", "精仿", "超A", "同厂")))
    brand = ctx.brand or rng.choice(("大牌", "专柜", "名牌"))
    text = rng.choice(
        (
            f"{brand}{k}{ctx.product}，和专柜一模一样",
            f"{k}{ctx.product}，细节对比正品",
            f"这是{k}的，不是正品价当然便宜",
            f"{brand}{ctx.product}{k}版本，懂的都懂",
            f"{k}货源，{brand}同款{ctx.product}",
        )
    )
    return f.finish(text, "counterfeit_hint")


# Fragments of the keyword stuffing that hijacked the page in fixtures/.
SPAM_FRAGMENTS = (
    "国产一级特黄aa大片在线",
    "免费国产视频不卡一区",
    "少妇无码av专区在线观看",
    "成人性免费视频",
    "人妻无码一区二区三区",
    "麻豆传媒在线观看",
    "日韩免费高清在线",
    "黄色永久免费网站",
    "欧美一级黄色片视频",
    "亚洲熟妇av一区二区",
    "国产原创中文在线观看",
    "99国内视频免费看",
)


def spam_porn(rng: Random, ctx: Context, hide: float) -> Snippet:
    f = _Filler(rng, hide)
    parts = []
    for _ in range(rng.randint(2, 5)):
        frag = rng.choice(SPAM_FRAGMENTS)
        for word in ("特黄", "无码", "成人"):
            if word in frag:
                frag = frag.replace(word, f.kw(word))
                break
        parts.append(frag)
    sep = rng.choice(("_", "| ", " ", "，"))
    text = sep.join(parts)
    if rng.random() < 0.4:
        text += rng.choice(("，点主页看", " 戳头像", "，私信发链接"))
    return f.finish(text, "spam_porn")


GENERATORS: dict[str, Callable[[Random, Context, float], Snippet]] = {
    "spam_porn": spam_porn,
    "extreme_claim": extreme_claim,
    "medical_claim": medical_claim,
    "exaggeration": exaggeration,
    "price_fraud": price_fraud,
    "diversion": diversion,
    "staged_drama": staged_drama,
    "counterfeit_hint": counterfeit_hint,
}


def make(rng: Random, label: str, ctx: Context, hide: float) -> Snippet:
    return GENERATORS[label](rng, ctx, hide)
