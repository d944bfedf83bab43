#!/usr/bin/env python3
# -*- coding: utf-8 -*-
"""Validate the h14 corpus files written by build.py."""
import json
import os
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))

LABELS = {"clean", "spam_porn", "extreme_claim", "medical_claim", "exaggeration",
          "price_fraud", "diversion", "staged_drama", "counterfeit_hint"}
TECHNIQUES = {"traditional", "fullwidth", "separators", "homophone", "pinyin",
              "chinese_numerals", "circled_numerals", "emoji"}
BASE_KEYS = {"id", "text", "label", "source"}
FILES = {
    "clean.jsonl": BASE_KEYS,
    "violations.jsonl": BASE_KEYS,
    "regulator_quotes.jsonl": BASE_KEYS,
    "disguises.jsonl": BASE_KEYS | {"plain_id", "disguise"},
}
EXPECTED_TOTAL = {"clean.jsonl": 300, "violations.jsonl": 200,
                  "regulator_quotes.jsonl": 50, "disguises.jsonl": 48}

errors = []


def err(msg):
    errors.append(msg)


data = {}
for name, keys in FILES.items():
    path = os.path.join(HERE, name)
    rows = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip():
                err(f"{name}:{n}: empty line")
                continue
            try:
                r = json.loads(line)
            except json.JSONDecodeError as e:
                err(f"{name}:{n}: bad JSON ({e})")
                continue
            if not isinstance(r, dict):
                err(f"{name}:{n}: not an object")
                continue
            if set(r) != keys:
                err(f"{name}:{n}: keys {sorted(r)} != expected {sorted(keys)}")
            for k in keys:
                if not isinstance(r.get(k), str) or not r.get(k):
                    err(f"{name}:{n}: key {k!r} missing or not a non-empty string")
            rows.append(r)
    data[name] = rows

# ids, labels, texts
ids = Counter()
texts = Counter()
for name, rows in data.items():
    for r in rows:
        rid, text, label = r.get("id", ""), r.get("text", ""), r.get("label", "")
        ids[rid] += 1
        texts[text] += 1
        if not rid.startswith("h14-"):
            err(f"{name}: id {rid!r} does not start with 'h14-'")
        if label not in LABELS:
            err(f"{name}: {rid}: invalid label {label!r}")
        if not (6 <= len(text) <= 200):
            err(f"{name}: {rid}: text length {len(text)} outside 6..200")
for rid, c in ids.items():
    if c > 1:
        err(f"duplicate id {rid!r} ({c}x)")
for t, c in texts.items():
    if c > 1:
        err(f"duplicate text ({c}x): {t[:40]}...")

# per-file rules
for name, want in EXPECTED_TOTAL.items():
    if len(data[name]) != want:
        err(f"{name}: {len(data[name])} lines, expected {want}")

for r in data["clean.jsonl"]:
    if r["label"] != "clean":
        err(f"clean.jsonl: {r['id']} label {r['label']!r}")
    if not (r["source"].startswith("hard_negative/") or r["source"].startswith("ordinary/")):
        err(f"clean.jsonl: {r['id']} bad source {r['source']!r}")
src = Counter(r["source"].split("/")[0] for r in data["clean.jsonl"])
if src["hard_negative"] != 160 or src["ordinary"] != 140:
    err(f"clean.jsonl: hard_negative={src['hard_negative']} ordinary={src['ordinary']}, expected 160/140")

for r in data["violations.jsonl"]:
    if r["label"] == "clean":
        err(f"violations.jsonl: {r['id']} labelled clean")
    if not r["source"].startswith("violation/"):
        err(f"violations.jsonl: {r['id']} bad source {r['source']!r}")
vsrc = Counter(r["source"] for r in data["violations.jsonl"] if r["label"] == "spam_porn")
if vsrc["violation/seo_hijack"] != 20 or vsrc["violation/vulgar"] != 20:
    err(f"violations.jsonl: spam_porn sources {dict(vsrc)}, expected 20 seo_hijack + 20 vulgar")

for r in data["regulator_quotes.jsonl"]:
    n = len(r["text"])
    if not (60 <= n <= 130):
        err(f"regulator_quotes.jsonl: {r['id']} length {n} outside 60..130")
    if not r["source"].startswith("regulator/"):
        err(f"regulator_quotes.jsonl: {r['id']} bad source {r['source']!r}")
rl = Counter(r["label"] for r in data["regulator_quotes.jsonl"])
for lab in ("extreme_claim", "medical_claim", "exaggeration", "price_fraud", "counterfeit_hint"):
    if rl[lab] != 10:
        err(f"regulator_quotes.jsonl: {lab} has {rl[lab]} lines, expected 10")

plain = {r["id"]: r for r in data["violations.jsonl"]}
for r in data["disguises.jsonl"]:
    p = plain.get(r.get("plain_id"))
    if p is None:
        err(f"disguises.jsonl: {r['id']} plain_id {r.get('plain_id')!r} not in violations.jsonl")
    elif p["label"] != r["label"]:
        err(f"disguises.jsonl: {r['id']} label {r['label']!r} != plain label {p['label']!r}")
    elif p["text"] == r["text"]:
        err(f"disguises.jsonl: {r['id']} identical to its plain line")
    if r.get("disguise") not in TECHNIQUES:
        err(f"disguises.jsonl: {r['id']} unknown technique {r.get('disguise')!r}")
    if r["source"] != f"disguise/{r.get('disguise')}":
        err(f"disguises.jsonl: {r['id']} source {r['source']!r} does not match technique")
tc = Counter(r.get("disguise") for r in data["disguises.jsonl"])
for t in TECHNIQUES:
    if tc[t] != 6:
        err(f"disguises.jsonl: technique {t} has {tc[t]} lines, expected 6")

# report
for name, rows in data.items():
    print(f"{name}: {len(rows)} lines")
    for lab, c in sorted(Counter(r["label"] for r in rows).items()):
        print(f"    {lab:18s} {c}")
    if name == "disguises.jsonl":
        for t, c in sorted(tc.items()):
            print(f"    [{t}] {c}")
print(f"total: {sum(len(v) for v in data.values())} lines")

if errors:
    print(f"\nFAILED: {len(errors)} problem(s)")
    for e in errors:
        print("  -", e)
    sys.exit(1)
print("OK: all checks passed")
