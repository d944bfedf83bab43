#!/usr/bin/env python3
"""Validate the h25 chat corpus files. Exit status 1 on any problem."""
import json
import os
import re
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
KEYS = {"id", "text", "label", "source"}
MIN_LEN, MAX_LEN = 4, 40
OTHER_LABELS = ["extreme_claim", "medical_claim", "exaggeration",
                "price_fraud", "staged_drama", "counterfeit_hint"]

SPEC = {
    "vulgar.jsonl": {"count": 120, "labels": {"spam_porn": 120},
                     "sources": {"violation/chat_vulgar": 120}},
    "diversion.jsonl": {"count": 80, "labels": {"diversion": 80},
                        "sources": {"violation/chat_diversion": 80}},
    "other_violations.jsonl": {"count": 60,
                               "labels": {l: 10 for l in OTHER_LABELS},
                               "sources": {"violation/chat": 60}},
    "clean.jsonl": {"count": 340, "labels": {"clean": 340},
                    "sources": {"hard_negative/chat": 240,
                                "ordinary/chat": 100}},
}

# an unmasked mainland mobile number: 11 consecutive digits starting with 1
PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def main():
    errors = []
    ids = set()
    texts = {}
    total = 0
    for name, spec in SPEC.items():
        path = os.path.join(HERE, name)
        if not os.path.exists(path):
            errors.append(f"{name}: missing")
            continue
        labels, sources = Counter(), Counter()
        n = 0
        with open(path, encoding="utf-8") as f:
            for ln, line in enumerate(f, 1):
                where = f"{name}:{ln}"
                if not line.strip():
                    errors.append(f"{where}: blank line")
                    continue
                try:
                    r = json.loads(line)
                except json.JSONDecodeError as e:
                    errors.append(f"{where}: bad JSON ({e})")
                    continue
                if not isinstance(r, dict) or set(r) != KEYS:
                    errors.append(f"{where}: keys {sorted(r) if isinstance(r, dict) else type(r)}")
                    continue
                if not all(isinstance(r[k], str) for k in KEYS):
                    errors.append(f"{where}: non-string value")
                    continue
                if line.rstrip("\n") != json.dumps(r, ensure_ascii=False):
                    errors.append(f"{where}: not json.dumps(ensure_ascii=False) form")
                n += 1
                rid, text = r["id"], r["text"]
                if not rid.startswith("h25-"):
                    errors.append(f"{where}: id prefix {rid!r}")
                if rid in ids:
                    errors.append(f"{where}: duplicate id {rid}")
                ids.add(rid)
                if text != text.strip():
                    errors.append(f"{where}: surrounding whitespace")
                if not (MIN_LEN <= len(text) <= MAX_LEN):
                    errors.append(f"{where}: length {len(text)} out of range")
                key = re.sub(r"\s+", "", text)
                if key in texts:
                    errors.append(f"{where}: duplicate text (also {texts[key]})")
                texts[key] = where
                if PHONE.search(text):
                    errors.append(f"{where}: unmasked phone number")
                labels[r["label"]] += 1
                sources[r["source"]] += 1
        total += n
        if n != spec["count"]:
            errors.append(f"{name}: {n} records, expected {spec['count']}")
        if dict(labels) != spec["labels"]:
            errors.append(f"{name}: labels {dict(labels)} != {spec['labels']}")
        if dict(sources) != spec["sources"]:
            errors.append(f"{name}: sources {dict(sources)} != {spec['sources']}")
        print(f"{name}: {n} records, labels {dict(labels)}, sources {dict(sources)}")
    print(f"total: {total}")
    if errors:
        print(f"FAILED with {len(errors)} problem(s):")
        for e in errors:
            print("  " + e)
        sys.exit(1)
    print("OK: validation passed")


if __name__ == "__main__":
    main()
