"""Hints of fakes: 高仿, A货, 复刻, 1:1 and the rest, as the lexicon lists them."""

from __future__ import annotations

from typing import ClassVar

from trustfair.text.detectors.base import LexiconDetector


class CounterfeitHintDetector(LexiconDetector):
    # Sellers glue an intensifier to the grade of a fake (超高仿, 最高仿), which a word
    # segmenter reads as 超高/仿: the term starts inside a word and is still the term.
    terms_may_start_inside_words: ClassVar[bool] = True
