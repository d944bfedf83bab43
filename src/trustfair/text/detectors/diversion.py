"""Luring buyers off the platform: contact words beside a cue, phone numbers after
numeral folding, WeChat and QQ ids, links without a scheme, and set phrases."""

from __future__ import annotations

import re
from typing import ClassVar

from trustfair.text.detectors.base import CLAUSE_BREAK, PLAIN_SCORE, Finding, LexiconDetector
from trustfair.text.document import Document, Hit
from trustfair.text.fold import fold_table
from trustfair.text.normalize import NormalizedText

# Numbers are read on the folded text (same positions as the original), where a gap
# between two numbers is still there: 联系13812345678，13912345678 is two numbers, and
# 电话 13812345678 10点 is a number and a time. Inside a number, what sellers put to
# break it up (spaces, dashes, emoji, zero-width) is allowed; a comma or full stop is not.
_GAP = r"[^\w，,。.;；:：！!？?、\n]{0,3}"
MOBILE = re.compile(rf"(?<!\d)1[3-9](?:{_GAP}\d){{9}}(?!\d)")
LOOSE_MOBILE = re.compile(rf"(?<![\da-z])1[3-9o](?:{_GAP}[\dolizsb]){{9}}(?![\da-z])")
ACCOUNT_AFTER = re.compile(
    r"[\W_]{0,3}(?:号码?|群|是|为)?[\W_]{0,3}([a-z][a-z0-9_-]{5,19}|\d(?:-?\d){4,14})(?![a-z0-9_-])"
)
LINK = re.compile(
    # 。 for . is a common disguise of a link (vip。tehui97。xyz).
    r"(?<![a-z0-9.。@/-])(?:[a-z0-9-]{1,30}[.。])?[a-z0-9][a-z0-9-]{1,62}[.。](?:com|cn|net|org|top|xyz|"
    r"cc|vip|me|shop|site|club|info|link|live|app|io)(?:[.。]cn)?(?:/[\w/.?=&%-]*)?(?![a-z0-9])",
)
CONTACT_RULE = "diversion.contact"
WARNING_REACH = 12
"""How far before a match a warning word governs it (compact characters; twice that
after it)."""
WARNING_CLAUSE_REACH = 40
"""How far from a match, within its clause, a warning of three characters or more
(请不要相信, 谨防诈骗) still governs it."""
CLAUSE_WARNING_MIN_CHARS = 3


DIGIT_RUN = re.compile(r"\d{5}")
_DOTS = re.escape(
    "".join(sorted({".", "。"} | {chr(c) for c, f in fold_table().items() if f in ".。"}))
)
# Latin letters as written, full-width, mathematical (𝐭𝐞𝐡𝐮𝐢) and enclosed (ⓣⓔⓗ).
_LATIN = "A-Za-zＡ-Ｚａ-ｚ\U0001d400-\U0001d7ff\u24b6-\u24e9\U0001f130-\U0001f189"
DOMAIN_DOT = re.compile(
    # A dot between a letter or digit and a letter (shop.x, vip。tehui, www . a . com),
    # looked for in the original text: folding a text only to learn it holds no link
    # would cost more than the search; a price's 9.9 is no link.
    rf"[0-9０-９{_LATIN}]\s*[{_DOTS}]\s*[{_LATIN}]"
)


class DiversionDetector(LexiconDetector):
    trigger_groups: ClassVar[tuple[str, ...]] = ("term", "contact_words")
    # 店家说加他微信以后买可以不走平台: a buyer's word that the shop diverts.
    reported_speech_counts: ClassVar[bool] = True

    def runs_untriggered(self, text: NormalizedText, category: str | None) -> bool:
        # A phone number or a link has no key to find it by.
        return (
            DIGIT_RUN.search(text.compact) is not None
            or DOMAIN_DOT.search(text.original) is not None
        )

    def accept(self, hit: Hit, doc: Document) -> bool:
        if not super().accept(hit, doc):
            return False
        if self._warned_against(doc, hit):
            return False
        # 微信, QQ, 电话 are everyday words (支持微信支付); they divert only when the
        # text asks the buyer to use them: a cue (加, 私, 联系) or an id beside them.
        if hit.entry.rule == CONTACT_RULE:
            return self.near(doc, hit, "cues") or self._id_follows(doc, hit)
        return True

    def _warned_against(self, doc: Document, hit: Hit) -> bool:
        # 请不要在站外私下交易, 如遇主播索要联系方式: the platform warning about it,
        # just before it or after it (让加微信的别信, 加QQ退款是骗子), or anywhere in its
        # clause (请不要相信任何自称客服、要您添加微信的人).
        original = doc.original
        for warning in doc.hits_of(self.label, "warnings"):
            if -2 * WARNING_REACH <= hit.cstart - warning.cend <= WARNING_REACH:
                return True
            if len(warning.entry.term) < CLAUSE_WARNING_MIN_CHARS:
                continue  # 不会, 别加: too common to govern a whole clause
            start, end = sorted((warning.start, hit.start))
            if end - start <= WARNING_CLAUSE_REACH and not CLAUSE_BREAK.search(
                original, start, end
            ):
                return True
        return False

    def _id_follows(self, doc: Document, hit: Hit) -> bool:
        return ACCOUNT_AFTER.match(doc.text.folded, hit.end) is not None

    def extra_findings(self, doc: Document) -> list[Finding]:
        found = []
        folded = doc.text.folded
        not_a_phone = [h.end for h in doc.hits_of(self.label, "not_contact")]
        phones = [m.span() for m in MOBILE.finditer(folded)]
        # 15O1234876S: letters that pass for digits, as long as most of it is digits.
        phones += [
            m.span()
            for m in LOOSE_MOBILE.finditer(folded)
            if sum(c.isdigit() for c in m.group()) >= 8 and m.span() not in phones
        ]
        for start, end in phones:
            # An order or tracking number that happens to look like a mobile number.
            if any(0 <= start - label_end <= 4 for label_end in not_a_phone):
                continue
            found.append(self._finding("diversion.phone_number", start, end))
        for hit in doc.hits_of(self.label, "contact_words"):
            match = ACCOUNT_AFTER.match(folded, hit.end)
            if match:
                found.append(self._finding("diversion.account_id", hit.start, match.end(1)))
        for match in LINK.finditer(folded):
            found.append(
                Finding(
                    self.label,
                    "diversion.link",
                    self.lexicon.severity,
                    PLAIN_SCORE["review"],
                    *match.span(),
                )
            )
        return found

    def _finding(self, rule: str, start: int, end: int) -> Finding:
        return Finding(self.label, rule, "block", PLAIN_SCORE["block"], start, end)
