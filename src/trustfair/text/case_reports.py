"""Regulators' case reports: a penalty decision, a notice or a judgment that quotes an
illegal ad and says what was wrong with it.

The quoted ad is judged by the detectors like any text. But the report also says, in
the regulator's own words, what the ad was — 虚构原价, 绝对化用语, 涉及疾病治疗功能,
or the article it broke (广告法第十七条) — and that reading holds even when the
quoted wording is new to the lexicon. So a text that reads as a case report (a party,
a finding, a quotation) carries the label its findings name, for review.

A news item that only discusses such ads in general names no party and quotes no ad,
and is left alone.
"""

from __future__ import annotations

import re

from trustfair.text.detectors.base import PLAIN_SCORE, Finding
from trustfair.text.document import SHARED, Document

LEGAL_NAME_CHARS = 4
CASE_FINDINGS = "case_findings"
"""The group of each label's lexicon holding how regulators name its violations."""

# Something quoted: in quotation marks, or after a verb of claiming (宣称：…).
_QUOTATION = re.compile(
    r"[“\"「『][^”\"」』]{2,}[”\"」』]|(?:宣称|声称|宣传|标注|标示|称)[^。，,]{0,12}[“\"「『:：]"
)


_CLAIMED = re.compile(r"(?:宣称|声称|称|宣传|标注|标示|标称|承诺|写着|打出)[^。，,]{0,12}[“\"「『]")
# 某服装店, 某饰品店, 某科技公司: a party the report does not name.
_UNNAMED_PARTY = re.compile(
    r"某[\u4e00-\u9fff]{0,6}?(?:店|公司|商家|主播|商行|企业|网店|直播间|商户|团伙|经营者)"
)


def names_a_party(doc: Document) -> bool:
    return bool(doc.hits_of(SHARED, "case_parties") or _UNNAMED_PARTY.search(doc.original))


def case_report_findings(doc: Document, label: str) -> list[Finding]:
    named = doc.hits_of(label, CASE_FINDINGS)
    if not named or not _QUOTATION.search(doc.original):
        return []
    # 商家, 卖家 are a party too when the report quotes what they claimed (宣称“…”), and
    # the text is no rule or explainer (商家不得…例如标称“原价999”) that no regulator's
    # finding makes a case.
    if not names_a_party(doc) and not (
        doc.hits_of(SHARED, "trade_parties")
        and _CLAIMED.search(doc.original)
        and not (doc.hits_of(SHARED, "norms") and not doc.hits_of(SHARED, "case_findings"))
    ):
        return []
    # A regulator's word (经查, 认定, 罚款) makes it a finding; so does the label's own
    # legal name for the violation (虚构折扣, 绝对化用语): 当事人…宣称“五折促销”…属于虚构
    # 折扣 needs no 经查. A shorter word (提价, 假货) is anyone's, a shopkeeper's too.
    if not doc.hits_of(SHARED, "case_findings") and all(
        len(hit.entry.term) < LEGAL_NAME_CHARS for hit in named
    ):
        return []
    return [
        Finding(label, f"{label}.case_report", "review", PLAIN_SCORE["review"], hit.start, hit.end)
        for hit in named
    ]
