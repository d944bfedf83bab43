"""How offending sellers hide the words a filter looks for.

Each function turns a keyword (or a whole snippet) into its disguised form and the
caller records the technique in the truth file. The traditional-character table only
covers the characters the simulator's own templates use: it exists to disguise, not to
convert (the detector will use OpenCC data).
"""

from __future__ import annotations

from random import Random

_SIMPLIFIED = (
    "疗压减弹远价仅货复单级国网号联系发买卖钱让这个们说对给还时间后会来头亲医药调节"
    "肤泻脏风湿"
    "疮痘烦净谁认识点样关开门问题么为们从两业东车长无终结经线红纸银铁铺"
    "视频费线观看妇区极码"
    "减轻体过脑记忆错现实饮杂岁护垫试丝"
)
_TRADITIONAL = (
    "療壓減彈遠價僅貨復單級國網號聯係發買賣錢讓這個們說對給還時間後會來頭親醫藥調節"
    "膚瀉臟風濕"
    "瘡痘煩淨誰認識點樣關開門問題麼為們從兩業東車長無終結經線紅紙銀鐵鋪"
    "視頻費線觀看婦區極碼"
    "減輕體過腦記憶錯現實飲雜歲護墊試絲"
)
assert len(_SIMPLIFIED) == len(_TRADITIONAL)
_TRAD_TABLE = str.maketrans(_SIMPLIFIED, _TRADITIONAL)

_SEPARATORS = ("_", " ", "-", "·", "/", "*", "|", ".", "、")
_EMOJI = ("❤", "🌸", "⭐", "💕", "✨", "🔥", "🍀", "💋")
_LOWER_NUMERALS = "〇一二三四五六七八九"
_UPPER_NUMERALS = "零壹贰叁肆伍陆柒捌玖"
_CIRCLED = "⓪①②③④⑤⑥⑦⑧⑨"

# Keyword → sound-alike or look-alike spellings sellers actually use.
HOMOPHONES: dict[str, tuple[str, ...]] = {
    "微信": ("薇信", "威信", "徽信", "胃信", "V信", "危信", "微❤"),
    "加微信": ("+薇信", "加威信", "伽V", "+V"),
    "VX": ("V❤", "薇X", "VⅩ", "ⅤX"),
    "QQ": ("扣扣", "企鹅", "球球"),
    "私聊": ("私撩", "斯聊", "丝聊"),
    "电话": ("电化", "店话"),
    "高仿": ("高访", "高纺", "搞仿"),
    "复刻": ("复克", "付刻"),
    "原单": ("原丹", "园单"),
    "A货": ("A huo", "A或"),
    "减肥": ("剪肥", "减féi"),
    "糖尿病": ("糖niao病", "唐尿病"),
    "抗癌": ("抗岩", "抗ai"),
    "全网最低": ("全王最低", "全网醉低"),
    "第一": ("弟一", "第1"),
    "最好": ("醉好", "最hao"),
    "特黄": ("特皇", "特簧"),
    "无码": ("无玛", "吾码"),
    "成人": ("城人", "成仁"),
}

PINYIN: dict[str, tuple[str, ...]] = {
    "微信": ("weixin", "wei xin", "WeiXin", "wx"),
    "加微信": ("jia weixin", "+wx", "jia vx"),
    "私聊": ("siliao", "si liao"),
    "电话": ("dianhua", "dh"),
    "高仿": ("gaofang", "GF"),
    "复刻": ("fuke",),
    "减肥": ("jianfei",),
    "抗癌": ("kang ai",),
    "全网最低": ("quanwang zuidi",),
    "成人": ("chengren",),
}


def traditional(text: str) -> str:
    return text.translate(_TRAD_TABLE)


def fullwidth(text: str) -> str:
    out = []
    for ch in text:
        code = ord(ch)
        if 0x21 <= code <= 0x7E:
            out.append(chr(code + 0xFEE0))
        elif ch == " ":
            out.append("\u3000")
        else:
            out.append(ch)
    return "".join(out)


def separated(rng: Random, text: str) -> str:
    sep = rng.choice(_SEPARATORS)
    return sep.join(text)


def with_emoji(rng: Random, text: str) -> str:
    # One emoji wedged somewhere inside the word, as in 薇❤信.
    if len(text) < 2:
        return text + rng.choice(_EMOJI)
    cut = rng.randrange(1, len(text))
    return text[:cut] + rng.choice(_EMOJI) + text[cut:]


def numerals(rng: Random, digits: str, technique: str) -> str:
    """Rewrite the ASCII digits of ``digits`` in the given numeral technique."""
    if technique == "chinese_numeral":
        table = _LOWER_NUMERALS if rng.random() < 0.6 else _UPPER_NUMERALS
        return "".join(table[int(c)] if c.isdigit() else c for c in digits)
    if technique == "circled_numeral":
        return "".join(_CIRCLED[int(c)] if c.isdigit() else c for c in digits)
    if technique == "fullwidth":
        return fullwidth(digits)
    if technique == "separator":
        sep = rng.choice((" ", "-", ".", "/"))
        # Sellers break a phone number in groups, 3-4-4 or digit by digit.
        if rng.random() < 0.5 and len(digits) == 11:
            return sep.join((digits[:3], digits[3:7], digits[7:]))
        return sep.join(digits)
    return digits


def keyword_techniques(keyword: str) -> tuple[str, ...]:
    """The techniques that make sense for ``keyword``, in a fixed order."""
    if keyword.isdigit():
        return ("chinese_numeral", "circled_numeral", "fullwidth", "separator")
    found = []
    if keyword in HOMOPHONES:
        found.append("homophone")
    if keyword in PINYIN:
        found.append("pinyin")
    if any(0x21 <= ord(c) <= 0x7E for c in keyword):
        found.append("fullwidth")
    if len(keyword) >= 2:
        found.append("separator")
        found.append("emoji")
    return tuple(found)


def disguise_keyword(rng: Random, keyword: str) -> tuple[str, str | None]:
    """(disguised keyword, technique), or the keyword unchanged and None."""
    options = keyword_techniques(keyword)
    if not options:
        return keyword, None
    technique = rng.choice(options)
    if technique == "homophone":
        return rng.choice(HOMOPHONES[keyword]), technique
    if technique == "pinyin":
        return rng.choice(PINYIN[keyword]), technique
    if technique == "emoji":
        return with_emoji(rng, keyword), technique
    if keyword.isdigit():
        return numerals(rng, keyword, technique), technique
    if technique == "fullwidth":
        return fullwidth(keyword), technique
    return separated(rng, keyword), "separator"
