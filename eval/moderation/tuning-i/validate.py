#!/usr/bin/env python3
# -*- coding: utf-8 -*-
"""Validate clean.jsonl and violations.jsonl of the h23 corpus."""
import json
import os
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
LABELS = ["extreme_claim", "medical_claim", "exaggeration", "price_fraud",
          "diversion", "staged_drama", "counterfeit_hint", "spam_porn"]
KEYS = {"id", "text", "label", "source"}
errors = []


def load(name):
    rows = []
    path = os.path.join(HERE, name)
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                errors.append(f"{name}:{n}: blank line")
                continue
            try:
                r = json.loads(line)
            except json.JSONDecodeError as e:
                errors.append(f"{name}:{n}: bad JSON ({e})")
                continue
            if not isinstance(r, dict) or set(r) != KEYS:
                errors.append(f"{name}:{n}: keys must be exactly {sorted(KEYS)}")
                continue
            for k in KEYS:
                if not isinstance(r[k], str) or not r[k].strip():
                    errors.append(f"{name}:{n}: field {k} must be a non-empty string")
            if not r["id"].startswith("h23-"):
                errors.append(f"{name}:{n}: id without h23- prefix: {r['id']}")
            rows.append(r)
    return rows


clean = load("clean.jsonl")
viol = load("violations.jsonl")

if len(clean) != 400:
    errors.append(f"clean.jsonl: expected 400 lines, got {len(clean)}")
for r in clean:
    if r["label"] != "clean":
        errors.append(f"{r['id']}: clean file label must be clean")
    if not r["source"].startswith("hard_negative/") or r["source"] == "hard_negative/":
        errors.append(f"{r['id']}: bad source {r['source']}")

if len(viol) != 200:
    errors.append(f"violations.jsonl: expected 200 lines, got {len(viol)}")
lc = Counter(r["label"] for r in viol)
for lab in LABELS:
    if lc.get(lab, 0) != 25:
        errors.append(f"violations.jsonl: label {lab} has {lc.get(lab, 0)}, expected 25")
for r in viol:
    if r["label"] not in LABELS:
        errors.append(f"{r['id']}: unknown label {r['label']}")
    if not r["source"].startswith("violation/") or r["source"] == "violation/":
        errors.append(f"{r['id']}: bad source {r['source']}")

allrows = clean + viol
for i, n in Counter(r["id"] for r in allrows).items():
    if n > 1:
        errors.append(f"duplicate id {i} x{n}")
for t, n in Counter(r["text"].strip() for r in allrows).items():
    if n > 1:
        errors.append(f"duplicate text x{n}: {t[:30]}...")

if errors:
    print("VALIDATION FAILED")
    for e in errors:
        print(" -", e)
    sys.exit(1)
print(f"VALIDATION PASSED: clean={len(clean)} violations={len(viol)} "
      + " ".join(f"{k}={lc[k]}" for k in LABELS))
