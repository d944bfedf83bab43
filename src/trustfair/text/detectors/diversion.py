"""Luring buyers off the platform: contact words beside a cue, phone numbers after
numeral folding, WeChat and QQ ids, links without a scheme, and set phrases."""

from __future__ import annotations

import re
from typing import ClassVar

from trustfair.text.detectors.base import PLAIN_SCORE, Finding, LexiconDetector
from trustfair.text.document import Document, Hit
from trustfair.text.normalize import NormalizedText

MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
ACCOUNT_ID = re.compile(r"[a-z][a-z0-9_-]{5,19}|\d{5,12}")
LINK = re.compile(
    # 。 for . is a common disguise of a link (vip。tehui97。xyz).
    r"(?<![a-z0-9.。@/-])(?:[a-z0-9-]{1,30}[.。])?[a-z0-9][a-z0-9-]{1,62}[.。](?:com|cn|net|org|top|xyz|"
    r"cc|vip|me|shop|site|club|info|link|live|app|io)(?:[.。]cn)?(?:/[\w/.?=&%-]*)?(?![a-z0-9])",
)
CONTACT_RULE = "diversion.contact"
WARNING_REACH = 12
"""How far before a match a warning word still governs it (compact characters)."""
LOOSE_MOBILE = re.compile(r"(?<![\da-z])1[3-9][\dolizsb]{9}(?![\da-z])")


DIGIT_RUN = re.compile(r"\d{5}")
HAS_DOT = re.compile(r"[.。]")


class DiversionDetector(LexiconDetector):
    trigger_groups: ClassVar[tuple[str, ...]] = ("term", "contact_words")

    def runs_untriggered(self, text: NormalizedText, category: str | None) -> bool:
        # A phone number or a link has no key to find it by.
        return DIGIT_RUN.search(text.compact) is not None or HAS_DOT.search(text.folded) is not None

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
        # 请不要在站外私下交易, 如遇主播索要联系方式: the platform warning about it.
        # ... or after it: 让加微信的别信, 加QQ退款是骗子.
        return any(
            -2 * WARNING_REACH <= hit.cstart - w.cend <= WARNING_REACH
            for w in doc.hits_of(self.label, "warnings")
        )

    def _id_follows(self, doc: Document, hit: Hit) -> bool:
        after = doc.text.compact[hit.cend : hit.cend + 24]
        match = ACCOUNT_ID.match(after.lstrip("号群是:：")) if after else None
        return match is not None

    def extra_findings(self, doc: Document) -> list[Finding]:
        found = []
        compact = doc.text.compact
        not_a_phone = [(h.cstart, h.cend) for h in doc.hits_of(self.label, "not_contact")]
        phones = [m.span() for m in MOBILE.finditer(compact)]
        # 15O1234876S: letters that pass for digits, as long as most of it is digits.
        phones += [
            m.span()
            for m in LOOSE_MOBILE.finditer(compact)
            if sum(c.isdigit() for c in m.group()) >= 8 and m.span() not in phones
        ]
        for start, end in phones:
            # An order or tracking number that happens to look like a mobile number.
            if any(s < start and start - e <= 3 for s, e in not_a_phone):
                continue
            found.append(self._finding("diversion.phone_number", doc, start, end))
        for hit in doc.hits_of(self.label, "contact_words"):
            after = compact[hit.cend : hit.cend + 24]
            stripped = after.lstrip("号群是")
            match = ACCOUNT_ID.match(stripped)
            if match:
                offset = hit.cend + (len(after) - len(stripped))
                found.append(
                    self._finding("diversion.account_id", doc, hit.cstart, offset + match.end())
                )
        for match in LINK.finditer(doc.text.folded):
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

    def _finding(self, rule: str, doc: Document, cstart: int, cend: int) -> Finding:
        start, end = doc.text.original_span(cstart, cend)
        return Finding(self.label, rule, "block", PLAIN_SCORE["block"], start, end)
