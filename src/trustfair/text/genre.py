"""Is a text a news report? A learned judgement (``data/genre/news_genre.json``).

A superlative in a news report (全国最大的焦精煤生产基地, 最佳球员) is news, not an
advertiser's claim, and 治疗 in hospital news treats nobody. Reporters' set phrases
(记者, 本报, 日电) catch some reports; most say nothing of the kind. The model weighs
the character unigrams and bigrams of the text, learnt from a month of real news and
real shoppers' reviews beside the hand-written corpora (``eval/genre/train.py``).
"""

from __future__ import annotations

import json
import math
from functools import cache
from importlib import resources

from trustfair.text.normalize import normalize

NEWS_PROBABILITY = 0.9
"""How sure the model must be before a text is read as a news report."""


def features(text: str) -> list[str]:
    """The distinct character unigrams and bigrams of the compact normalised text."""
    compact = normalize(text).compact
    return sorted(set(compact) | {compact[i : i + 2] for i in range(len(compact) - 1)})


@cache
def _model() -> tuple[float, dict[str, float]]:
    data = json.loads(
        resources.files("trustfair.text").joinpath("data/genre/news_genre.json").read_text("utf-8")
    )
    return float(data["bias"]), {str(k): float(v) for k, v in data["weights"].items()}


def news_probability(compact: str) -> float:
    """How likely the text whose compact view this is is a news report."""
    bias, weights = _model()
    grams = set(compact) | {compact[i : i + 2] for i in range(len(compact) - 1)}
    known = [weights[gram] for gram in grams if gram in weights]
    score = bias + (sum(known) / math.sqrt(len(known)) if known else 0.0)
    return 1 / (1 + math.exp(-score))


def is_news_report(compact: str) -> bool:
    return news_probability(compact) >= NEWS_PROBABILITY
