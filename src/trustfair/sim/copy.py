"""Lawful copy: listing titles and descriptions, a streamer's speech, viewers' chat,
reviews, tickets and survey comments.

Templates with varied slots, so that no sentence repeats often enough for a detector
to learn the simulator instead of the language.
"""

from __future__ import annotations

from random import Random

from trustfair.sim.vocab import CARRIER_NAMES, Category

TITLE_TAGS = (
    "现货速发",
    "包邮",
    "顺丰发货",
    "新品",
    "热卖",
    "限时活动",
    "买二送一",
    "品质保障",
    "",
)


def listing_title(rng: Random, cat: Category, product: str, brand: str = "") -> str:
    mod = rng.choice(cat.modifiers)
    spec = rng.choice(cat.specs)
    tag = rng.choice(TITLE_TAGS)
    head = f"{brand} " if brand else ""
    shape = rng.randrange(3)
    if shape == 0:
        title = f"{head}{mod}{product} {spec} {tag}"
    elif shape == 1:
        title = f"【{tag or '店长推荐'}】{head}{product}{mod} {spec}"
    else:
        title = f"{head}{product} {mod.removesuffix('款')}款 {spec}"
    return title.strip()


def listing_description(rng: Random, cat: Category, product: str) -> list[str]:
    """Sentences of a description; the caller may splice a violating one in."""
    points = rng.sample(cat.points, k=min(len(cat.points), rng.randint(2, 4)))
    notes = rng.sample(cat.notes, k=min(len(cat.notes), rng.randint(1, 2)))
    opener = rng.choice(
        (
            f"这款{product}是我们店的常卖款。",
            f"{product}，自家店铺长期在售。",
            f"关于这款{product}：",
            f"很多老顾客回购的{product}。",
            "",
        )
    )
    sentences = [opener] if opener else []
    sentences.extend(p + "。" for p in points)
    sentences.append(
        rng.choice(
            (
                "下单后48小时内发货。",
                "支持七天无理由退换（不影响二次销售）。",
                "有任何问题可以在平台联系客服。",
                "默认发" + CARRIER_NAMES[rng.choice(("zto", "yto", "sf", "yunda"))] + "快递。",
            )
        )
    )
    sentences.extend(notes)
    if cat.code == "health_food" and not any("不能代替药物" in n for n in notes):
        # The warning every health-food label must carry (保健食品标注警示用语指南).
        sentences.append("本品不能代替药物。")
    return sentences


def live_title(rng: Random, cat: Category, product: str, nickname: str) -> str:
    return rng.choice(
        (
            f"{nickname}的直播间｜今天上新{product}",
            f"{cat.modifiers[0]}{product}专场",
            f"源头好货 {product}福利场",
            f"周末宠粉 {product}直播",
            f"{nickname}｜好物分享",
            f"新品{product}开箱试用",
        )
    )


GREETINGS = (
    "欢迎新进来的宝宝们，点点关注不迷路",
    "家人们好，今天给大家带来的都是咱们自家的好货",
    "刚进来的姐妹先点个关注，左上角小红心",
    "欢迎欢迎，今天人好多呀，谢谢大家捧场",
    "第一次来直播间的宝宝可以先看看，不着急下单",
    "老粉们都来了吗？来了的扣个1",
    "最近好多宝宝私信问什么时候开播，今天终于来了",
    "好久不见大家，先给大家讲讲今天的安排",
)
CLOSINGS = (
    "今天就播到这里，谢谢家人们的支持，明天同一时间见",
    "下播啦，没抢到的宝宝别急，链接一直在小黄车里",
    "谢谢大家陪我这么久，售后问题随时找客服",
    "今天的福利就到这，我们下次直播再见",
)


def pitch_intro(rng: Random, cat: Category, product: str) -> str:
    point = rng.choice(cat.points)
    return rng.choice(
        (
            f"来，给大家看一下这个{product}，{point}",
            f"下面这款{product}是咱们家卖得很好的，{point}",
            f"{rng.randint(1, 30)}号链接，{product}，{point}",
            f"好多宝宝问的{product}来了，{point}",
            f"我手上这个就是{product}，你们看，{point}",
        )
    )


def pitch_detail(rng: Random, cat: Category, product: str) -> str:
    a, b = rng.sample(cat.points, 2)
    return rng.choice(
        (
            f"{a}，而且{b}",
            f"我自己用了一段时间，{a}",
            f"说实话，{b}，这个我可以保证",
            f"{rng.choice(cat.notes)}",
            f"给大家近一点看，{a}",
        )
    )


def pitch_price(rng: Random, product: str, price_yuan: int, ref_yuan: int | None) -> str:
    """What an honest streamer says of the price: the price actually charged."""
    if ref_yuan and ref_yuan > price_yuan:
        return rng.choice(
            (
                f"这款之前一直卖{ref_yuan}，今天活动价{price_yuan}，活动到周日结束",
                f"日常价{ref_yuan}，这几天店铺活动{price_yuan}元",
                f"{product}现在活动价{price_yuan}，比平时{ref_yuan}便宜一些",
            )
        )
    return rng.choice(
        (
            f"这个{product}直播间下单{price_yuan}元，和店铺同价，不玩虚的",
            f"价格是{price_yuan}元，包邮到家",
            f"{price_yuan}元一份，两份的宝宝备注一下送个小样",
            f"{product}就是{price_yuan}，喜欢的直接拍",
        )
    )


def pitch_urge(rng: Random) -> str:
    return rng.choice(
        (
            "喜欢的宝宝直接拍，库存充足不用抢",
            "拍下48小时内发货，支持七天无理由",
            "不合适可以退，运费险我们给大家买好了",
            "没想好的宝宝可以先加购物车",
            "拍了的宝宝在公屏扣个已拍，我给大家备注优先发",
            "有问题的宝宝打在公屏上，我一个一个回答",
        )
    )


def answer(rng: Random, cat: Category, product: str, carrier: str) -> str:
    return rng.choice(
        (
            f"有宝宝问发什么快递，默认{CARRIER_NAMES[carrier]}，偏远地区要补邮费",
            "问什么时候发货的，今天拍明天就发",
            f"问{product}能不能退的，可以的，七天无理由",
            f"问保质期的，{product}的保质期详情页写着，收到看一下生产日期",
            "敏感肌能不能用？建议先在耳后试用一下",
            "身高体重打在公屏上，我帮你们看尺码",
            f"有宝宝问{product}有没有赠品，两件以上送一个小礼物",
            f"{rng.choice(cat.notes)}有宝宝问到了，跟大家说一下",
        )
    )


_CHAT_PLAIN = (
    "多少钱",
    "发什么快递",
    "主播好美",
    "已拍",
    "什么时候发货",
    "能便宜点吗",
    "有赠品吗",
    "来了来了",
    "主播声音好好听",
    "上次买的很好用，回购了",
    "链接在哪",
    "👍👍👍",
    "1",
    "身高160体重110穿什么码",
    "敏感肌能用吗",
    "包邮吗",
    "还有货吗",
    "第一次来，关注了",
    "主播今天几点下播",
    "老粉报道",
    "求讲解",
    "拍了两单",
    "可以开发票吗",
    "小孩能吃吗",
    "保质期多久",
    "❤❤❤",
    "等了好久终于开播了",
)


def chat(rng: Random, product: str) -> str:
    if rng.random() < 0.35:
        return rng.choice(
            (
                f"{product}多少钱",
                f"{product}还有吗",
                f"{product}怎么拍",
                f"讲讲{product}",
                f"{product}有没有大一点的规格",
                f"{product}好用吗",
                f"{product}是正品吗",
                f"{rng.randint(1, 20)}号链接讲一下",
            )
        )
    return rng.choice(_CHAT_PLAIN)


def review(rng: Random, rating: int, product: str) -> str:
    if rating >= 5:
        return rng.choice(
            (
                f"{product}收到了，质量很好，和描述一致，物流也快",
                "包装很用心，东西不错，会回购",
                f"第一次买这家的{product}，比想象的好",
                "主播推荐的，确实好用",
                "",
            )
        )
    if rating == 4:
        return rng.choice(
            ("还行，物流有点慢", f"{product}整体不错，就是包装简陋了点", "挺好的", "")
        )
    if rating == 3:
        return rng.choice(("一般般吧，没有直播间说的那么好", "中规中矩", "和图片有点色差"))
    return rng.choice(
        (
            "和直播间说的完全不一样，效果很差",
            "发货太慢了，等了一个星期",
            f"{product}质量很差，用了两天就坏了",
            "感觉不是正品，味道和之前买的不一样",
            "客服一直不回消息，差评",
            "价格比直播间说的贵，被骗了",
        )
    )


def return_note(rng: Random, reason: str) -> str:
    notes = {
        "size": ("尺码不合适", "偏小一码", "太大了"),
        "not_as_described": ("与描述不符", "和直播间展示的不一样", "颜色和图片差别很大"),
        "quality": ("质量有问题", "收到就是坏的", "有破损"),
        "no_reason_7day": ("不想要了", "买多了", "七天无理由退货"),
        "suspected_counterfeit": ("怀疑不是正品", "做工和专柜的不一样", "没有防伪码"),
    }
    return rng.choice(notes[reason])


def ticket(rng: Random, issue: str, product: str) -> str:
    texts = {
        "late": (
            f"我{rng.randint(3, 8)}天前买的{product}还没发货，商家不回消息",
            "说好48小时发货，到现在物流都没有",
            "催了好几次发货了，一直说马上发",
        ),
        "quality": (
            f"收到的{product}有破损，申请退款一直没处理",
            f"{product}用了两天就坏了，怎么处理",
            "东西和描述差太多，要求退货",
        ),
        "price": (
            "直播间说的价格和下单价格不一样，多扣了钱",
            "主播说原价很高，我查了平时就卖这个价",
            "活动价下单后第二天降价了，能退差价吗",
        ),
        "counterfeit": (
            f"怀疑买到假的{product}，包装和专柜不一样",
            "防伪码查不到，是不是假货",
        ),
        "refund": (
            "退货已经寄回去一周了，退款还没到",
            "退货运费什么时候赔付",
            "商家拒绝退货，说不支持七天无理由",
        ),
        "other": (
            "怎么修改收货地址",
            "优惠券用不了",
            "想开发票，找不到入口",
            "直播间里有人发广告，很烦",
        ),
    }
    return rng.choice(texts[issue])


def ticket_close_note(rng: Random, resolution: str) -> str:
    return {
        "resolved": rng.choice(("已协调商家处理", "已退款", "已补发", "已解释并安抚用户")),
        "unresolved": rng.choice(("商家未响应，转二线", "用户不接受方案")),
        "duplicate": "重复工单，已合并",
        "withdrawn": "用户撤回",
    }[resolution]


def survey_comment(rng: Random, score: int) -> str:
    if score >= 9:
        return rng.choice(("购物体验很好", "发货快，会推荐给朋友", "售后很省心", ""))
    if score >= 7:
        return rng.choice(("还可以", "物流可以再快一点", ""))
    return rng.choice(
        (
            "买到的东西和直播间说的不一样",
            "发货太慢",
            "退款太麻烦了",
            "直播间太吵，一直催着下单",
            "客服态度不好",
            "",
        )
    )


def complaint_text(rng: Random, kind: str, product: str) -> str:
    return {
        "counterfeit": rng.choice(
            (
                f"购买的{product}经鉴定非正品，要求假一赔三",
                f"{product}做工粗糙，商标印刷模糊，疑似假货",
            )
        ),
        "not_as_described": rng.choice(
            (f"{product}与直播间描述严重不符", f"主播宣称的功效{product}完全没有")
        ),
        "not_delivered": rng.choice(("付款一周未发货", "物流显示签收但本人未收到")),
        "trademark": rng.choice(
            (
                f"该商品擅自使用我司注册商标销售{product}，请下架",
                f"未经授权销售我司品牌{product}，价格远低于正品，疑似假冒",
            )
        ),
    }[kind]
