"""False reference prices and fake urgency in what sellers write and say.

A reference price next to an offer is normal (原价199，现价99); one several times the
offer is the invented anchor the 2022 price-fraud rules name (专柜价1487，直播间只要
161). The ratio, not the words, decides.
"""

from __future__ import annotations

import re
from typing import ClassVar

from trustfair.text.detectors.base import PLAIN_SCORE, Finding, LexiconDetector
from trustfair.text.document import Document

_CURRENCY = r"(?:港币|人民币|新台币|台币|澳门币|美元|rmb|hk|nt|usd)?"
PRICE_AFTER = re.compile(
    # 今天报名398, 直播间只要99, 原价港币三千八, 今日只售$128: a word or two, and a
    # currency, may stand between an offer and its price; 3,280 is one number.
    rf"[\W_]{{0,4}}{_CURRENCY}(?:是|为|卖|都卖|只要|仅需|只售|仅售|售|报名|拿走|到手|带走)?"
    rf"[\W_]{{0,2}}{_CURRENCY}[\W_]{{0,2}}"
    r"(\d{1,3}(?:,\d{3})+(?:\.\d+)?|[\d零两十百千万拾佰仟]+(?:[.点块元]\d+)?)"
)
CUTS = frozenset({"直降", "立减"})
"""Offer words followed by the amount taken off, not the price asked."""
_AMOUNT = re.compile(r"([\d零两十百千万拾佰仟]{1,12}?)(?:[.点块元](\d{1,4}))?")
_UNITS = {"十": 10, "百": 100, "千": 1000, "拾": 10, "佰": 100, "仟": 1000}
"""Plain and financial (拾佰仟) units; their digits arrive folded (玖 → 9)."""


def _integer(text: str) -> int:
    if text.isdigit():
        return int(text)
    total = section = 0
    number: int | None = None  # the digits read since the last unit
    digits = 0
    last_unit = 0  # the unit just before them; 0 after a gap (零)
    for char in text:
        if char == "0" and digits == 0 and last_unit:
            last_unit = 0  # 一千零八 (零 arrives folded to 0): a gap, not a digit
        elif char.isdigit() or char == "两":
            value = 2 if char == "两" else int(char)
            number = value if number is None else number * 10 + value  # 10万, 3百80
            digits += 1
        elif char in _UNITS:
            section += (1 if number is None else number) * _UNITS[char]
            number, digits, last_unit = None, 0, _UNITS[char]
        elif char == "万":
            total += (section + (number or 0)) * 10_000
            section, number, digits, last_unit = 0, None, 0, 10_000
    if number is not None and digits == 1 and last_unit >= 100:
        # Spoken short form: 三百八 is 380, 两千五 is 2500, 一万二 is 12000.
        number *= last_unit // 10
    return total + section + (number or 0)


def amount(text: str) -> float:
    """A price as written once folded: 1487, 9.9, 9块9, 9百9十9 (九百九十九), 两千, 3万."""
    match = _AMOUNT.fullmatch(text)
    if not match:
        return 0.0
    whole, decimals = match.groups()
    return _integer(whole) + (float("0." + decimals) if decimals else 0.0)


REACH = 16
"""How far apart the reference price and the offer may be (original characters)."""


class PriceFraudDetector(LexiconDetector):
    trigger_groups: ClassVar[tuple[str, ...]] = ("term", "reference_words")
    param_types: ClassVar[dict[str, type]] = {"reference_ratio": float}

    def extra_findings(self, doc: Document) -> list[Finding]:
        ratio = float(self.params.get("reference_ratio", 3))  # type: ignore[arg-type]
        offers = [h for h in doc.hits_of(self.label, "offer_words") if self.accept(h, doc)]
        found = []
        for reference in doc.hits_of(self.label, "reference_words"):
            if not self.accept(reference, doc):
                continue
            anchor = price_after(doc.text.folded, reference.end)
            if anchor is None:
                continue
            reference_amount, reference_end = anchor
            for offer in offers:
                # 原价999…只要99, or 秒杀价99…原价999: either order, close together.
                if not (
                    0 <= offer.start - reference_end <= REACH
                    or 0 <= reference.start - offer.end <= REACH
                ):
                    continue
                offered = price_after(doc.text.folded, offer.end)
                if offered is None:
                    continue
                amount_offered = offered[0]
                if doc.text.compact[offer.cstart : offer.cend] in CUTS:
                    amount_offered = reference_amount - amount_offered  # 直降2000
                if 0 < amount_offered * ratio <= reference_amount:
                    start = min(reference.start, offer.start)
                    end = max(reference_end, offered[1])
                    found.append(
                        Finding(
                            self.label,
                            "price_fraud.reference_price",
                            "review",
                            PLAIN_SCORE["review"],
                            start,
                            end,
                        )
                    )
                    break
        return found


def price_after(folded: str, position: int) -> tuple[float, int] | None:
    """The price written right after ``position`` (separators allowed), and its end."""
    match = PRICE_AFTER.match(folded, position)
    if not match:
        return None
    value = amount(re.sub(r"[\s,]", "", match.group(1)))
    return (value, match.end(1)) if value else None
