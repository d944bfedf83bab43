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

NUMBER = re.compile(r"[\d零两十百千万]+(?:[.点块元]\d+)?")
_AMOUNT = re.compile(r"([\d零两十百千万]+?)(?:[.点块元](\d+))?")
_UNITS = {"十": 10, "百": 100, "千": 1000}


def _integer(text: str) -> int:
    if text.isdigit():
        return int(text)
    total = section = 0
    digit: int | None = None
    for char in text:
        if char.isdigit() or char == "两":
            digit = 2 if char == "两" else int(char)
        elif char in _UNITS:
            section += (1 if digit is None else digit) * _UNITS[char]
            digit = None
        elif char == "万":
            total += (section + (digit or 0)) * 10_000
            section, digit = 0, None
    return total + section + (digit or 0)


def amount(text: str) -> float:
    """A price as written once folded: 1487, 9.9, 9块9, 9百9十9 (九百九十九), 两千, 3万."""
    match = _AMOUNT.fullmatch(text)
    if not match:
        return 0.0
    whole, decimals = match.groups()
    return _integer(whole) + (float("0." + decimals) if decimals else 0.0)


REACH = 16
"""How far after the reference word its price and the offer may be (compact chars)."""


class PriceFraudDetector(LexiconDetector):
    trigger_groups: ClassVar[tuple[str, ...]] = ("term", "reference_words")

    def extra_findings(self, doc: Document) -> list[Finding]:
        ratio = float(self.lexicon.params.get("reference_ratio", 3))  # type: ignore[arg-type]
        compact = doc.text.compact
        offers = [h for h in doc.hits_of(self.label, "offer_words") if self.accept(h, doc)]
        found = []
        for reference in doc.hits_of(self.label, "reference_words"):
            if not self.accept(reference, doc):
                continue
            reference_price = NUMBER.match(compact, reference.cend)
            if not reference_price or not amount(reference_price.group()):
                continue
            for offer in offers:
                if not reference_price.end() <= offer.cstart <= reference_price.end() + REACH:
                    continue
                offer_price = NUMBER.search(compact, offer.cend, offer.cend + 8)
                offered = amount(offer_price.group()) if offer_price else 0.0
                if offer_price and 0 < offered * ratio <= amount(reference_price.group()):
                    start, end = doc.text.original_span(reference.cstart, offer_price.end())
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
