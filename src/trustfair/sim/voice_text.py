"""What buyers write to customer service, as they write it: one problem a ticket, told
through the channel it came in by.

A text is built from a core saying what went wrong (the problem), optional context (the
order, the product, the money, when), now and then an aside on another topic that
does not take over, a demand, a mood; then the channel shapes it (a hotline call is
transcribed speech, a social post tags the platform, a review is angry and short) and
the writer's habits mark it (no punctuation, full-width digits, traditional characters,
pinyin, slips of the keyboard). Every choice draws from the generator passed in: the
simulator passes its voice stream, never the main one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from random import Random

from trustfair.voice.problems import Problem

CHANNELS = ("in_app", "hotline", "review", "social", "survey_comment")


@dataclass(frozen=True, slots=True)
class Facts:
    """What a buyer may mention of the order a ticket is about."""

    product: str
    category: str
    amount_yuan: int
    paid_at: datetime
    order_id: str | None = None
    carrier: str = ""
    brand: str = ""
    shop: str = ""


def _pick(r: Random, options: tuple[str, ...] | list[str]) -> str:
    return options[r.randrange(len(options))]


def _days(r: Random) -> int:
    return r.choice((3, 4, 4, 5, 5, 6, 7, 7, 8, 10, 12))


def _when(r: Random, f: Facts) -> str:
    """How a buyer says when they bought it."""
    d = f.paid_at
    return _pick(
        r,
        (
            f"{d.month}月{d.day}号",
            f"{d.month}.{d.day}",
            f"{d.day}号",
            "上周",
            "前几天",
            "上个星期",
            f"{d.month}月{d.day}日",
            "月初",
            "那天直播间",
        ),
    )


def _money(r: Random, yuan: int) -> str:
    return _pick(r, (f"{yuan}元", f"{yuan}块", f"{yuan}块钱", f"¥{yuan}", f"{yuan}元钱"))


# -- the cores: what the ticket is about -----------------------------------------------

_LATE = (
    "{when}拍的{p}到现在还没发货",
    "下单{n}天了还显示待发货",
    "说好48小时内发货的，现在都{n}天了",
    "催了{k}次发货了，每次都说明天发，明天又明天",
    "直播间说现货秒发，结果拍了{n}天还没发",
    "订单一直显示商家备货中，{n}天了一点动静没有",
    "到底什么时候发货啊，等了快一个星期了",
    "页面写的现货，下单了又说要等，不是预售啊",
    "{p}{n}天不发货，是没货了吗",
    "超过承诺的发货时间了还没发，按规则是不是要赔",
    "商家说缺货要等十天半个月，下单的时候明明显示有货",
    "买的{p}到今天还是未发货状态",
    "只生成了个快递单号，快递根本没揽收，这不是虚假发货吗",
    "发货也太慢了，{n}天才发出来，我都不想要了",
    "拖了{n}天才发货，急用的东西都耽误了",
    "已经超过发货时效了，一直不发",
    "我{when}下的单，现在还在等发货",
    "别人家都是当天发，你们家{n}天了还没动",
    "{p}拍了{n}天没发货",
    "说好的24小时发货呢",
    "问了几次都说在打包，打包{n}天？",
    "订单{n}天未发货，申请催发货也没用",
    "东西便宜是便宜，可{n}天了都不发货有什么用",
    "本来想买来送人的，拖到现在还没发，生日都过了",
)
_DELIVERY = (
    "快递{n}天没更新了，一直卡在中转站",
    "物流显示已签收，但我根本没收到",
    "{carrier}快递员不送上门，直接扔驿站也不打个电话",
    "包裹被快递压烂了，箱子都扁了",
    "物流信息停在派送中三天了",
    "快递送到别人家去了，现在找不到",
    "{carrier}说包裹丢了，让我等他们查，查了一周了",
    "快递一直在转运，绕了半个中国",
    "快递电话打不通，也不知道包裹在哪",
    "显示投递到快递柜了，柜子里没有",
    "物流三四天不动，到底是不是寄丢了",
    "{carrier}的单号查不到任何信息，发出来{n}天了",
    "签收人不是我，也没人通知我，包裹不见了",
    "快递外包装破了，里面的东西少了一件",
    "派送了{n}天还没到，别的快递两天就到",
    "快递放门口被人拿走了，都没经过我同意",
    "商家发货倒是挺快，快递在路上走了一个多星期还没到",
)
_QUALITY_GENERIC = (
    "收到的{p}有破损",
    "{p}用了{n}天就坏了",
    "和直播间展示的完全不是一个东西",
    "实物和图片差距太大了",
    "做工太粗糙了，到处是线头胶水印",
    "收到就有一股很重的味道，放了几天都散不掉",
    "质量太差了，{money}就买了这么个东西",
    "跟描述不符，详情页说的材质根本不是这个",
    "收到的{p}是旧的，有使用痕迹",
    "颜色和直播间看到的差很多",
    "东西有瑕疵，表面好几道划痕",
    "刚拆开就是坏的",
    "主播说的那些效果一个都没有",
    "快递慢就算了，拆开东西还是坏的",
    "等了那么久到手一看，质量差得离谱",
)
_QUALITY_BY_CATEGORY = {
    "food": (
        "{p}收到已经过期了，生产日期是去年的",
        "{p}里面有头发",
        "吃了{p}肚子疼拉了一晚上",
        "{p}包装漏气了，打开有哈喇味",
        "{p}发霉了，好几袋都有白毛",
    ),
    "health_food": (
        "{p}瓶子里的片碎成粉末了",
        "{p}吃了以后起疹子",
        "{p}的保质期只剩一个月了",
        "{p}胶囊粘成一坨了",
    ),
    "cosmetics": (
        "{p}用了脸上过敏发红",
        "{p}的质地跟之前完全不一样，很稀",
        "{p}按压泵头坏的，挤不出来",
        "{p}用了一次就爆痘",
        "{p}颜色跟试色差太多",
    ),
    "apparel": (
        "{p}洗了一次就掉色，还缩水",
        "{p}尺码严重不准，按尺码表买的小了两个码",
        "{p}开线了，穿一次就开",
        "{p}起球起得厉害",
        "{p}说是纯棉的，摸着就是化纤",
    ),
    "electronics": (
        "{p}充不进电",
        "{p}连不上蓝牙，试了好几个手机都不行",
        "{p}用了{n}天就开不了机",
        "{p}有杂音，声音一会有一会没有",
        "{p}续航跟宣传的差太远，说十个小时两个小时就没电",
    ),
    "luxury_bags": (
        "{p}的五金件掉漆了",
        "{p}肩带的走线是歪的",
        "{p}皮面有折痕，看着像被人用过",
    ),
    "home": (
        "{p}用了几次就变形了",
        "{p}涂层掉了，这还敢用吗",
        "{p}漏水，根本不能用",
        "{p}有刺鼻的味道",
    ),
    "baby": (
        "{p}给宝宝用了屁股红了",
        "{p}有异味，不敢给孩子用",
        "{p}的奶嘴有裂口",
        "{p}包装破了，里面受潮了",
    ),
}
_COUNTERFEIT = (
    "怀疑买到假货了，{p}跟专柜的对比logo都印歪了",
    "{brand}{p}防伪码扫出来显示不存在",
    "这个价格我就觉得不对，收到一看就是高仿",
    "拿去专柜验了，说不是{brand}正品",
    "包装盒上的英文都拼错了，肯定是假的",
    "味道跟我在官方旗舰店买的完全不一样，怀疑是假货",
    "说是{brand}正品，批次号官网查不到",
    "{p}没有防伪标，问商家要授权书也不给",
    "这是假货吧，做工跟正品差远了",
    "直播间说保真，收到的{p}明显是仿的",
    "{brand}官方客服说这个编码不是他们的产品",
    "鉴定结果出来了，假的",
    "卖假货的店铺，{p}一看就是A货",
    "序列号查询是无效的，这就是{brand}假货",
    "拿到手的{p}重量都不对，专柜的比这个沉多了，高仿无疑",
    "这么便宜我早该想到的，收到的是假货",
)
_REFUSED = (
    "申请退货被商家拒绝了，说影响二次销售，吊牌都没拆",
    "七天无理由退货，商家不同意",
    "商家拒绝退款，说我已经用过了，我就拆开看了一眼",
    "退款申请被驳回{k}次了",
    "{p}有问题，申请退款，商家说不退不换",
    "商家说特价商品不支持退货，页面上根本没写",
    "申请仅退款被拒，非要我寄回去，运费还让我自己出",
    "要退货商家不给退，说过了时间，明明才{n}天",
    "退款申请商家直接拒绝了，理由都不写",
    "商家不同意退货，让我自己想办法",
    "问题件申请退款，卖家拒绝，说是人为损坏",
    "商家拒绝售后，说定制商品不退，这也不是定制的",
    "退货申请一提交就被拒了",
    "商家让我先确认收货再退款，确认了就不给退了",
    "卖家说拆封了就不能退，{p}都没法试怎么知道好不好",
    "{p}申请退款被拒",
)
_STALLED = (
    "退货寄回去{n}天了，商家一直不确认收货，钱也不退",
    "退款说三个工作日到账，一周了还没到",
    "运费险怎么还没赔",
    "只退了一部分钱，少退了{less}块",
    "退货已经签收了，退款还是没到",
    "退货的运费说好商家出，到现在也没给",
    "退款一直显示处理中，{n}天了",
)
_PRICE = (
    "直播间说{money}，下单变成了{more}元",
    "主播说原价{ref}，我查了历史价一直就卖{money}",
    "刚买完第二天就降了{less}块，能不能保价",
    "同款别家便宜一半，所谓直播间专享价是骗人的",
    "划线价是编的，从来没卖过那个价",
    "说好包邮的，结算多扣了运费",
    "主播喊的是买一送一，下单只有一件的价",
    "直播间价格和商品页不一样，多收了我{less}块",
    "我买完{n}天就降价了，差了{less}块",
    "标的{money}，付款的时候多了{less}块不知道是什么钱",
    "说是全网最低价，我在别的平台看便宜{less}",
    "先涨价再打折，这不是价格欺诈吗",
    "东西质量一般也就算了，价格比直播间说的贵了{less}块",
)
_RUDE_MERCHANT = (
    "商家客服态度太差了，问两句就不耐烦，还说爱买不买",
    "卖家客服已读不回，发了十几条消息没人理",
    "客服骂人，说我事多",
    "商家把我拉黑了，消息都发不出去",
    "店铺客服阴阳怪气的，说我不会用",
    "问问题客服就回一个嗯，再问就不回了",
    "商家客服说有本事你去投诉啊，这什么态度",
    "找商家客服{n}天了，一个人都找不到",
    "卖家电话打过去直接挂断",
    "商家客服说话特别难听",
    "客服一直用机器人敷衍我，人工永远不出来",
    "这家店客服太嚣张了，说我是职业差评师",
    "问了好几次什么时候发货，客服爱答不理，最后直接不回了，这什么服务态度",
    "东西有点问题想问问客服，结果被怼了一顿，说我不识货",
)
_RUDE_PLATFORM = (
    "打平台客服电话，说了没两句就把我电话挂了",
    "平台客服态度敷衍，一直让我等，等了{n}天也没人联系我",
    "你们平台的客服说话太冲了，我又没惹她",
    "在线客服转人工排了一个小时，接通了就说这个处理不了",
    "平台客服答应给我回电，到现在也没有",
    "客服小二一点耐心都没有，我还没说完就结束对话了",
    "你们客服说这个不归她管，踢来踢去",
    "平台客服全程念模板，根本不听我说什么",
)
_OTHER = (
    "怎么修改收货地址",
    "优惠券领了用不了",
    "想开发票，找不到在哪开",
    "直播间有人一直刷广告，能不能管管",
    "账号怎么注销",
    "积分怎么突然没了",
    "主播说的抽奖什么时候开奖",
    "付款一直提示失败，换了卡也不行",
    "想问一下{p}适合几岁的小孩用",
    "收到好多推销电话，是不是信息泄露了",
    "怎么绑定亲情账号",
    "红包过期了能不能恢复",
    "直播间的回放在哪里看",
    "地址填错了，还没发货能改吗",
    "问一下{p}有没有赠品",
    "怎么取消自动续费的会员",
    "直播间声音一直卡",
    "发票抬头写错了能重开吗",
    "想买的{p}没货了，什么时候补货",
    "手机号换了怎么改绑",
)

_CORES = {
    Problem.LATE_SHIPMENT: _LATE,
    Problem.DELIVERY: _DELIVERY,
    Problem.COUNTERFEIT: _COUNTERFEIT,
    Problem.PRICE: _PRICE,
    Problem.OTHER: _OTHER,
}

# Demands and moods, by problem; asides are a mild second topic that stays second.
_DEMANDS = {
    Problem.LATE_SHIPMENT: (
        "赶紧发货",
        "再不发就给我退款",
        "要求按规定赔付",
        "今天能不能发出来给个准话",
        "不要了直接退钱",
        "",
    ),
    Problem.DELIVERY: ("帮我查一下包裹在哪", "麻烦联系一下快递", "要么找到要么补发", "", ""),
    Problem.QUALITY: ("要求退货退款", "给我换一个", "退钱", "希望给个说法", "", ""),
    Problem.COUNTERFEIT: (
        "要求假一赔三",
        "退款并且下架这个商品",
        "平台管不管卖假货的",
        "必须给我一个说法",
        "",
    ),
    Problem.REFUND_REFUSED: ("申请平台介入", "把钱退给我", "请平台处理", "这个钱必须退", ""),
    Problem.PRICE: ("退差价", "要求保价", "把多收的钱退给我", "这算不算虚假宣传", ""),
    Problem.RUDE_SERVICE: (
        "要求道歉",
        "投诉这个客服",
        "这种服务态度你们管不管",
        "希望平台处理一下",
        "",
    ),
    Problem.OTHER: ("谢谢", "麻烦告诉我一下", "", "", ""),
}
_ASIDES = {
    Problem.LATE_SHIPMENT: ("之前在你们家买过一次还行", "本来等着急用", "第一次在这家买"),
    Problem.DELIVERY: ("东西本身应该没问题", "商家倒是发货挺快的"),
    Problem.QUALITY: ("物流倒是挺快的", "价格也不便宜", "发货还算及时"),
    Problem.COUNTERFEIT: ("发货倒是挺快", "包装看着还挺像样"),
    Problem.REFUND_REFUSED: ("东西本来就一般", "发货也慢"),
    Problem.PRICE: ("东西还行", "发货挺快的"),
    Problem.RUDE_SERVICE: ("东西还没收到", "本来就是问个小问题"),
    Problem.OTHER: ("之前买的挺好的",),
}
_OPENERS = ("你好", "在吗", "客服你好", "您好", "客服", "你好，", "hello", "在不在", "")
_ANGER = ("太气人了", "什么破店", "无语了", "服了", "真的气死", "一肚子火", "垃圾", "")
_POLITE = ("麻烦尽快处理，谢谢", "辛苦帮忙看一下", "谢谢", "麻烦了", "")


def _core(
    r: Random, problem: Problem, facts: Facts, *, refused: bool, platform: bool, told: bool
) -> str:
    if problem == Problem.QUALITY:
        special = _QUALITY_BY_CATEGORY.get(facts.category, ())
        options = _QUALITY_GENERIC + special + special
    elif problem == Problem.REFUND_REFUSED:
        options = _REFUSED if refused else _STALLED
    elif problem == Problem.RUDE_SERVICE:
        options = _RUDE_PLATFORM if platform else _RUDE_MERCHANT
    else:
        options = _CORES[problem]
    template = _pick(r, options)
    more = facts.amount_yuan + r.choice((5, 10, 20, 30, 50))
    # Once the context named the product, the buyer says "it" rather than repeat it.
    product = _pick(r, ("东西", "这个", "收到的东西")) if told else facts.product
    return template.format(
        p=product,
        n=_days(r),
        k=r.choice((2, 3, 3, 4, 5, 6)),
        when="" if told else _when(r, facts),
        money=_money(r, facts.amount_yuan),
        more=more,
        ref=facts.amount_yuan * r.choice((2, 3, 4, 5)),
        less=r.choice((5, 8, 10, 15, 20, 30, 50)),
        brand="" if told else facts.brand,
        carrier=facts.carrier or _pick(r, ("中通", "圆通", "韵达", "申通")),
    )


def _shop(facts: Facts) -> str:
    # A hijacked shop name carries keyword spam before "_"; a buyer names the shop.
    return facts.shop.rsplit("_", 1)[-1]


def _context(r: Random, facts: Facts) -> str:
    """Order details a buyer pastes in, now and then."""
    options = [
        f"我{_when(r, facts)}买的{facts.product}",
        f"{_money(r, facts.amount_yuan)}买的{facts.product}",
        f"买了个{facts.product}",
    ]
    if facts.order_id:
        options += [f"订单号{facts.order_id}", f"订单{facts.order_id}"]
    if _shop(facts):
        options.append(f"在{_shop(facts)}买的")
    return _pick(r, options)


def compose(
    r: Random,
    problem: Problem,
    facts: Facts,
    *,
    refused: bool = True,
    platform: bool = False,
    angry: float = 0.4,
    opener: bool = True,
    demand: float = 0.6,
    mood: float = 0.6,
) -> str:
    """The clauses of a ticket, before the channel shapes them."""
    parts: list[str] = []
    if problem == Problem.OTHER:
        angry = 0.0  # a question is asked, not shouted
    if opener and r.random() < 0.3:
        opener = _pick(r, _OPENERS)
        if opener:
            parts.append(opener)
    told = False
    if problem != Problem.OTHER and facts.product and r.random() < 0.45:
        context = _context(r, facts)
        told = facts.product in context
        parts.append(context)
    parts.append(_core(r, problem, facts, refused=refused, platform=platform, told=told))
    if r.random() < 0.12:
        parts.append(_pick(r, ("而且", "另外", "还有就是", "")) + _pick(r, _ASIDES[problem]))
    if r.random() < demand:
        wanted = _pick(r, _DEMANDS[problem])
        if wanted:
            parts.append(wanted)
    feeling = _pick(r, _ANGER) if r.random() < angry else _pick(r, _POLITE)
    if feeling and r.random() < mood:
        parts.append(feeling)
    return _join(r, parts)


def _join(r: Random, parts: list[str]) -> str:
    end = _pick(r, ("。", "", "！", "!!", "？", "", "。。。", "！！！"))
    seps = ("，", "，", "。", " ", ",", "")
    text = parts[0]
    for part in parts[1:]:
        if text[-1] in "，。！？,.!? ":
            text += part
        else:
            text += _pick(r, seps) + part
    return text + (end if text[-1] not in "，。！？!?" else "")


# -- channels ---------------------------------------------------------------------------

_FILLERS = ("嗯", "就是", "那个", "然后", "呃", "就是说", "对", "这个")
_DIGITS = "零一二三四五六七八九"


def spoken_number(n: int) -> str:
    """How a number is said aloud (and transcribed): 3 → 三, 48 → 四十八, 105 → 一百零五."""
    if n < 0 or n >= 100_000:
        return str(n)
    if n < 10:
        return _DIGITS[n]
    units = ((10_000, "万"), (1_000, "千"), (100, "百"), (10, "十"))
    out = ""
    zero = False
    for size, name in units:
        digit = n // size % 10
        if digit:
            if zero and out:
                out += "零"
            out += ("" if (digit == 1 and size == 10 and not out) else _DIGITS[digit]) + name
            zero = False
        elif out:
            zero = True
    if n % 10:
        out += ("零" if zero else "") + _DIGITS[n % 10]
    return out


def _speak_numbers(text: str) -> str:
    out, digits = [], ""
    for ch in text + " ":
        if ch.isascii() and ch.isdigit():
            digits += ch
            continue
        if digits:
            # Order numbers are read out digit by digit; amounts and days as numbers.
            out.append(
                "".join(_DIGITS[int(d)] for d in digits)
                if len(digits) > 5
                else spoken_number(int(digits))
            )
            digits = ""
        out.append(ch)
    return "".join(out)[:-1]


def hotline(r: Random, text: str) -> str:
    """A call transcribed by speech recognition: fillers, no punctuation to speak of,
    numbers in words, the caller repeating themselves."""
    text = re.sub(r"¥(\d+)", r"\1块", text)
    text = re.sub(r"(\d{1,2})\.(\d{1,2})", r"\1月\2号", text)
    text = _speak_numbers(text)
    for mark in "。！？!?，,":
        text = text.replace(mark, " ")
    words = [w for w in text.split(" ") if w]
    out: list[str] = [_pick(r, ("喂 你好", "喂", "你好", "喂 喂 听得到吗 你好", "诶你好"))]
    for w in words:
        if r.random() < 0.5:
            out.append(_pick(r, _FILLERS))
        out.append(w)
        if r.random() < 0.08:
            out.append(w[: max(1, len(w) // 2)])
    if r.random() < 0.5:
        out.append(
            _pick(r, ("对 就这个事", "你们帮我看一下吧", "就是这样", "嗯 好的", "你听明白了吗"))
        )
    sep = _pick(r, (" ", " ", "，"))
    return sep.join(out)


_TAGS = ("@平台官方", "@官方客服", "@平台客服小助手", "@消费者保护中心", "@12315")


def social(r: Random, text: str, facts: Facts, question: bool = False) -> str:
    """A public post tagging the platform: 曝光, #维权#, 避雷, or a 黑猫投诉-style form;
    a question is just asked of the platform's account."""
    shop = _shop(facts) or "这家店"
    if question:
        return f"{_pick(r, _TAGS)} {text}".strip()
    if r.random() < 0.25:
        demand = _pick(r, ("退款", "赔偿", "退一赔三", "道歉并处理", "给个说法"))
        return f"【投诉对象】{shop}【投诉问题】{text}【投诉要求】{demand}" + (
            "" if r.random() < 0.5 else f" {_pick(r, _TAGS)}"
        )
    head = _pick(
        r,
        (
            f"曝光{shop}！",
            f"大家避雷{shop}",
            "#维权#",
            "实名曝光",
            f"{_pick(r, _TAGS)} ",
            "真的忍不了了发出来让大家看看",
            "",
        ),
    )
    tail = _pick(
        r,
        (
            f" {_pick(r, _TAGS)}",
            f" {_pick(r, _TAGS)} {_pick(r, _TAGS)}",
            " 求扩散",
            " 官方管不管",
            " #消费维权#",
            "",
        ),
    )
    return f"{head}{text}{tail}".strip()


def review(r: Random, text: str, question: bool = False) -> str:
    """An angry review, routed to customer service; a question left in a review is
    asked between a word on the goods and the question."""
    if question:
        head = _pick(r, ("东西收到了还行，", "五星，", "东西不错。", "收到了，", "", "还没用，"))
        return f"{head}{text}"
    head = _pick(
        r, ("差评！", "一星都不想给，", "差评差评 ", "千万别买！", "失望。", "", "", "给个一星 ")
    )
    tail = _pick(r, ("，大家别买了", "，避雷", " 差评", "。不会再来了", "", ""))
    if text[-1] in "，。！？!?" and tail[:1] in ("，", "。"):
        tail = tail[1:]
    return f"{head}{text}{tail}".strip()


def survey(r: Random, text: str) -> str:
    """A survey comment: short, often clipped."""
    text = text.rstrip("。！？!?")
    if len(text) > 40 and r.random() < 0.5:
        text = text.split("，")[0]
    return text


# -- how people type --------------------------------------------------------------------

_TRADITIONAL = str.maketrans(
    "货发东买卖说这还没给问题钱质态话电对么样个时间过后运费单号们现实见坏价诉递写么让该拆块",
    "貨發東買賣說這還沒給問題錢質態話電對麼樣個時間過後運費單號們現實見壞價訴遞寫麼讓該拆塊",
)
_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
_SLIPS = (
    ("已经", "以经"),
    ("怎么", "咋"),
    ("什么", "啥"),
    ("在吗", "再吗"),
    ("的时候", "得时候"),
    ("客服", "kf"),
    ("商家", "商jia"),
    ("发货", "fa货"),
    ("退款", "tui款"),
    ("假货", "jia货"),
    ("真的", "zhen的"),
    ("垃圾", "lj"),
    ("知道", "zhidao"),
    ("卖家", "mj"),
)


def habits(r: Random, text: str) -> str:
    """The marks of a real writer: some drop punctuation, some type full-width digits or
    traditional characters, some slip or write a word in pinyin."""
    if r.random() < 0.2:
        for mark in "，。,":
            text = text.replace(mark, " " if r.random() < 0.5 else "")
        text = " ".join(text.split())
    if r.random() < 0.07:
        text = text.translate(_FULLWIDTH)
    if r.random() < 0.05:
        text = text.translate(_TRADITIONAL)
    if r.random() < 0.15:
        wrong, right = _SLIPS[r.randrange(len(_SLIPS))]
        text = text.replace(wrong, right, 1)
    if r.random() < 0.06:
        text = text.replace("?", "？？").replace("？", "？？？", 1)
    return text


def ticket_text(
    r: Random,
    problem: Problem,
    channel: str,
    facts: Facts,
    *,
    refused: bool = True,
    platform: bool = False,
) -> str:
    """The text of one ticket about ``problem``, as it arrives by ``channel``.

    ``refused``: for a refund problem, the merchant refused (else the refund is stalled
    or short). ``platform``: for rude service, the platform's service was rude (else the
    merchant's)."""
    angry = {"review": 0.8, "social": 0.7, "hotline": 0.3}.get(channel, 0.4)
    text = compose(
        r,
        problem,
        facts,
        refused=refused,
        platform=platform,
        angry=angry,
        opener=channel in ("in_app", "social"),
    )
    if channel == "hotline":
        return hotline(r, text)
    if channel == "social":
        text = social(r, text, facts, question=problem == Problem.OTHER)
    elif channel == "review":
        text = review(r, text, question=problem == Problem.OTHER)
    elif channel == "survey_comment":
        text = survey(r, text)
    return habits(r, text)


# -- survey comments --------------------------------------------------------------------

_PRAISE = (
    "购物体验很好",
    "发货快，会推荐给朋友",
    "售后很省心",
    "东西不错，价格实惠",
    "主播讲得很清楚，买得放心",
    "物流很快，包装也好",
    "整体满意",
    "还会再来",
)
_LUKEWARM = (
    "还可以",
    "物流可以再快一点",
    "一般吧",
    "东西还行就是包装简陋",
    "直播间有点吵",
    "中规中矩",
)


def survey_comment(
    r: Random, score: int, problem: Problem | None, facts: Facts
) -> tuple[str, bool]:
    """A survey comment, and whether it tells ``problem``: praise from promoters; from
    the rest, often the order's problem told briefly; often nothing at all."""
    if problem is not None and score <= 8 and r.random() < 0.8:
        # Told to a survey, not to service: seldom a demand.
        angry = 0.3 if score > 4 else 0.6
        text = compose(r, problem, facts, angry=angry, opener=False, demand=0.15, mood=0.3)
        return habits(r, survey(r, text)), True
    if r.random() < 0.35:
        return "", False
    if score >= 9:
        return _pick(r, _PRAISE), False
    return _pick(r, _LUKEWARM), False
