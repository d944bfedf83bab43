#!/usr/bin/env python3
"""Validate regulator_quotes.jsonl and clean.jsonl of the h21 corpus."""
import json
import os
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
LABELS = {"clean", "extreme_claim", "medical_claim", "exaggeration",
          "price_fraud", "counterfeit_hint"}
KEYS = {"id", "text", "label", "source"}
MIN_LEN, MAX_LEN = 50, 160

SPECS = {
    "regulator_quotes.jsonl": {
        "total": 200,
        "per_label": {"extreme_claim": 40, "medical_claim": 40,
                      "exaggeration": 40, "price_fraud": 40,
                      "counterfeit_hint": 40},
        "source_prefix": "regulator/",
    },
    "clean.jsonl": {
        "total": 200,
        "per_label": {"clean": 200},
        "source_prefix": "hard_negative/",
    },
}


def main():
    errors = []
    ids = set()
    texts = {}
    for fname, spec in SPECS.items():
        path = os.path.join(HERE, fname)
        if not os.path.exists(path):
            errors.append(f"{fname}: missing")
            continue
        counts = Counter()
        n = 0
        with open(path, encoding="utf-8") as f:
            for ln, line in enumerate(f, 1):
                where = f"{fname}:{ln}"
                if not line.strip():
                    errors.append(f"{where}: blank line")
                    continue
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError as e:
                    errors.append(f"{where}: bad JSON ({e})")
                    continue
                n += 1
                if not isinstance(rec, dict) or set(rec) != KEYS:
                    errors.append(f"{where}: keys {sorted(rec) if isinstance(rec, dict) else type(rec)}")
                    continue
                if not all(isinstance(rec[k], str) for k in KEYS):
                    errors.append(f"{where}: non-string field")
                    continue
                rid, text, label, source = rec["id"], rec["text"], rec["label"], rec["source"]
                if not rid.startswith("h21-"):
                    errors.append(f"{where}: id prefix {rid!r}")
                if rid in ids:
                    errors.append(f"{where}: duplicate id {rid!r}")
                ids.add(rid)
                if label not in LABELS:
                    errors.append(f"{where}: unknown label {label!r}")
                if label not in spec["per_label"]:
                    errors.append(f"{where}: label {label!r} not allowed in {fname}")
                counts[label] += 1
                if not source.startswith(spec["source_prefix"]) or len(source) <= len(spec["source_prefix"]):
                    errors.append(f"{where}: source {source!r}")
                if text != text.strip() or "\n" in text:
                    errors.append(f"{where}: whitespace/newline in text")
                if not (MIN_LEN <= len(text) <= MAX_LEN):
                    errors.append(f"{where}: length {len(text)} outside {MIN_LEN}-{MAX_LEN} ({rid})")
                if text in texts:
                    errors.append(f"{where}: duplicate text (also {texts[text]})")
                texts[text] = where
        if n != spec["total"]:
            errors.append(f"{fname}: {n} records, expected {spec['total']}")
        for lab, want in spec["per_label"].items():
            if counts[lab] != want:
                errors.append(f"{fname}: label {lab} has {counts[lab]}, expected {want}")
        print(f"{fname}: {n} records; " + ", ".join(f"{k}={v}" for k, v in sorted(counts.items())))
    if errors:
        print(f"FAILED with {len(errors)} error(s):")
        for e in errors:
            print("  " + e)
        sys.exit(1)
    print("validation passed")


if __name__ == "__main__":
    main()
