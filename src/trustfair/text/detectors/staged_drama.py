"""Staged conflict and sob stories: a reviewer's call, never a block on its own.

Beside the lexicon's set phrases, a drama is told by what it is *for*: a fight
(摔话筒, 砸了样品, 跟厂长吵) beside a price or a buying word, or a hardship (病得起
不来, 被前夫打, 冻疮) beside an appeal to buy out of pity (求, 帮帮, 忍心, 心意). A
farmer who says hail marked the apples and buyers who mind should not buy tells a
hardship and makes no appeal.
"""

from __future__ import annotations

import re
from typing import ClassVar

from trustfair.text.detectors.base import PLAIN_SCORE, Finding, LexiconDetector
from trustfair.text.document import Document, Hit

PAIRS = (("conflicts", "price_moves"), ("hardships", "appeals"))
"""(what happened, what it is for): the groups whose hits pair into a finding."""
SENTENCE_BREAKS = re.compile(r"[。！!？?\n]")


class StagedDramaDetector(LexiconDetector):
    review_only: ClassVar[bool] = True
    trigger_groups: ClassVar[tuple[str, ...]] = ("term", "conflicts", "hardships")
    # A staged drama is told through what others said (老板说卖不完就开除我).
    reported_speech_counts: ClassVar[bool] = True
    param_types: ClassVar[dict[str, type]] = {"reach": int}

    def find(self, doc: Document) -> list[Finding]:
        if doc.hits_of(self.label, "discouragements"):
            return []  # 介意的别拍: a seller who tells buyers not to buy stages nothing
        return super().find(doc)

    def accept(self, hit: Hit, doc: Document) -> bool:
        if hit.entry.group == "term" and not doc.hits_of(self.label, "sales_cues"):
            return False  # a hardship told where nothing is sold is not staged to sell
        return super().accept(hit, doc)

    def extra_findings(self, doc: Document) -> list[Finding]:
        reach = int(self.params.get("reach", 40))  # type: ignore[arg-type]
        found = []
        for story_group, purpose_group in PAIRS:
            purposes = doc.hits_of(self.label, purpose_group)
            for story in doc.hits_of(self.label, story_group):
                purpose = self._nearest(doc, story, purposes, reach)
                told = Finding(self.label, "", "review", 0.0, story.start, story.end)
                if purpose is not None and not self.denied(told, doc):
                    start, end = min(story.start, purpose.start), max(story.end, purpose.end)
                    found.append(
                        Finding(
                            self.label,
                            f"staged_drama.{story_group}_to_sell",
                            "review",
                            PLAIN_SCORE["review"],
                            start,
                            end,
                        )
                    )
        return found

    @staticmethod
    def _nearest(doc: Document, story: Hit, purposes: list[Hit], reach: int) -> Hit | None:
        """The closest purpose in the story's sentence, within ``reach``."""
        best: tuple[int, Hit] | None = None
        for purpose in purposes:
            first, second = sorted((story, purpose), key=lambda hit: hit.start)
            gap = second.start - first.end
            closer = best is None or gap < best[0]
            if (
                closer
                and gap <= reach
                and not SENTENCE_BREAKS.search(doc.original, first.end, second.start)
            ):
                best = (gap, purpose)
        return best[1] if best else None
