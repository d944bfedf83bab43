"""Pornographic and vulgar content, and SEO keyword stuffing.

A stuffed line is a chain of search phrases: many fragments separated by ``_``, ``|``
or spaces, most of them carrying stuffing vocabulary (在线观看, 一区二区, 高清 ...),
or stuffing vocabulary covering much of the line, or the same phrase over and over.
No single one of those words is wrong; the shape of the line is.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Sequence
from statistics import median
from typing import ClassVar

from trustfair.text.detectors.base import PLAIN_SCORE, Finding, LexiconDetector
from trustfair.text.document import Document, Hit
from trustfair.text.learned import STUFFING_PROBABILITY, stuffing_probability
from trustfair.text.normalize import NormalizedText

FRAGMENT = re.compile(r"[^_|｜/,，、;；\s]+")


def fragment_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in FRAGMENT.finditer(text)] or [(0, len(text))]


THREE_SEPARATORS = re.compile(r"[_|｜ 、/](?:[^_|｜ 、/]*[_|｜ 、/]){2}")
"""A line cut into several fragments (one search, not a count per separator)."""


class SpamPornDetector(LexiconDetector):
    # 不是色情 beside a chain of porn keywords denies nothing.
    deniable: ClassVar[bool] = False
    trigger_groups: ClassVar[tuple[str, ...]] = ("term", "stuffing", "innuendo")
    # Lewd or vulgar words are the writer's own, whoever they are put in the mouth of.
    reported_speech_counts: ClassVar[bool] = True
    param_types: ClassVar[dict[str, type]] = {
        "min_stuffing_hits": int,
        "min_hits": int,
        "min_density": float,
        "min_chain_share": float,
        "min_repeats": int,
        "min_distinct_stuffing": int,
    }

    def runs_untriggered(self, text: NormalizedText, category: str | None) -> bool:
        # A site's name stuffed over and over has no lexicon key to wake this detector:
        # a line cut into several fragments is looked at anyway.
        return THREE_SEPARATORS.search(text.original) is not None

    def find(self, doc: Document) -> list[Finding]:
        findings = super().find(doc)
        innuendo = doc.hits_of(self.label, "innuendo")
        # 上门 is stuffing vocabulary; inside 上门服务 it is the phrase itself, no company.
        stuffing = [
            hit
            for hit in doc.hits_of(self.label, "stuffing")
            if not any(i.cstart <= hit.cstart and hit.cend <= i.cend for i in innuendo)
        ]
        if innuendo and (findings or stuffing or doc.hits_of(self.label, "suggestive")):
            findings += self.without_lawful(
                [self.finding_for(hit) for hit in innuendo if self.accept(hit, doc)], doc
            )
        return findings

    def extra_findings(self, doc: Document) -> list[Finding]:
        found = self._measured_stuffing(doc)
        if found or not self._reads_as_stuffing(doc):
            return found
        # The learned judgement alone: a line in the vocabulary and shape of a hijacked
        # page's keywords (成都品茶 成都外围 成都夜生活) that no lexicon word of it names.
        return [
            Finding(self.label, "spam_porn.seo_line", "review", PLAIN_SCORE["review"], start, end)
            for start, end in fragment_spans(doc.original)
        ]

    @staticmethod
    def _reads_as_stuffing(doc: Document) -> bool:
        return stuffing_probability(doc.text.compact) >= STUFFING_PROBABILITY

    def _measured_stuffing(self, doc: Document) -> list[Finding]:
        params = self.params
        # A word inside a longer listed word (外围 in 外围女) is that one word, not two.
        telling = _outermost(doc.hits_of(self.label, "stuffing") + doc.hits_of(self.label))
        generic = _outermost(doc.hits_of(self.label, "generic"), around=telling)
        hits = telling + generic
        min_repeats = int(params.get("min_repeats", 4))  # type: ignore[arg-type]
        fragments = [m.span() for m in FRAGMENT.finditer(doc.original)]
        # Generic words (国产, 高清, 福利) fill lawful titles too; a stuffed line also
        # carries words that only such lines carry — or one site's name over and over
        # (夜色直播官网 夜色直播app下载 夜色直播破解版 …), which no lexicon can know —
        # beside one telling word at least: a title may repeat its brand (华为手机壳 …).
        names_a_site = (
            len(telling) >= 1
            and len(generic) >= 3
            and _repeated_prefix(doc.text.folded, fragments) >= min_repeats
        )
        if not names_a_site and (
            len(telling) < int(params.get("min_stuffing_hits", 2))
            or len(hits) < int(params.get("min_hits", 3))
        ):
            return []
        compact_length = max(1, len(doc.text.compact))
        covered = _covered_length([(h.cstart, h.cend) for h in hits])
        density = covered / compact_length
        starts = sorted(h.start for h in hits)
        chained = 0
        for start, end in fragments:  # does a hit begin inside this fragment?
            first = bisect_left(starts, start)
            chained += first < len(starts) and starts[first] < end
        repeated = max(Counter(h.entry.term for h in hits).values())
        stuffed = (
            density >= float(params.get("min_density", 0.35))  # type: ignore[arg-type]
            or (
                len(fragments) >= 4
                and chained / len(fragments) >= float(params.get("min_chain_share", 0.5))
                # Keyword fragments are short; a sentence's clauses are not (法院审理一起
                # “刷单返利”诈骗案，被告人以兼职刷单为诱饵，…).
                and median(end - start for start, end in fragments) <= MAX_KEYWORD_CHARS
            )  # type: ignore[arg-type]
            or repeated >= min_repeats
            or names_a_site
            # Three different black-hat keywords in one line cut into fragments: a
            # hijacked page's link list, however much of the page's own text is around.
            or (
                len(fragments) >= 4
                and len({h.entry.term for h in telling})
                >= int(params.get("min_distinct_stuffing", 3))  # type: ignore[arg-type]
            )
        )
        if not stuffed:
            return []
        return [
            Finding(
                self.label,
                "spam_porn.keyword_stuffing",
                "block",
                PLAIN_SCORE["block"],
                h.start,
                h.end,
            )
            for h in hits
        ]


def _outermost(hits: list[Hit], around: Sequence[Hit] = ()) -> list[Hit]:
    """The hits not inside a longer hit among them (or among ``around``)."""
    outer = [*hits, *around]
    return [
        hit
        for hit in hits
        if not any(
            other.start <= hit.start
            and hit.end <= other.end
            and other.end - other.start > hit.end - hit.start
            for other in outer
        )
    ]


NAME_PREFIX_CHARS = 3
MAX_KEYWORD_CHARS = 10
"""The longest a typical fragment of a keyword chain is (深圳品茶工作室, 黑户贷款秒到账)."""


def _repeated_prefix(text: str, fragments: list[tuple[int, int]]) -> int:
    """How many fragments start with the same few characters (a site's name)."""
    prefixes = Counter(
        text[start : start + NAME_PREFIX_CHARS]
        for start, end in fragments
        if end - start > NAME_PREFIX_CHARS
    )
    return max(prefixes.values(), default=0)


def _covered_length(spans: list[tuple[int, int]]) -> int:
    covered = 0
    reach = -1
    for start, end in sorted(spans):
        if end > reach:
            covered += end - max(start, reach)
            reach = end
    return covered
