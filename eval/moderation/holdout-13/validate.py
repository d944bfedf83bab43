#!/usr/bin/env python3
"""Validate the h15 corpus files written by build.py."""
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
    recs = []
    with open(path, encoding="utf-8") as f:
        for ln, line in enumerate(f, 1):
            try:
                r = json.loads(line)
            except json.JSONDecodeError as e:
                err(f"{name}:{ln}: JSON error {e}")
                continue
            if set(r) != keys:
                err(f"{name}:{ln}: keys {sorted(r)} != {sorted(keys)}")
            for k in keys:
                if not isinstance(r.get(k), str) or not r.get(k):
                    err(f"{name}:{ln}: field {k} missing or not a non-empty string")
            recs.append(r)
    data[name] = recs

ids = Counter()
texts = Counter()
for name, recs in data.items():
    for r in recs:
        ids[r.get("id")] += 1
        texts[r.get("text")] += 1
        rid = r.get("id", "")
        if not rid.startswith("h15-"):
            err(f"{name}: id {rid!r} does not start with h15-")
        if r.get("label") not in LABELS:
            err(f"{name}: {rid} invalid label {r.get('label')!r}")
        n = len(r.get("text", ""))
        if not 6 <= n <= 200:
            err(f"{name}: {rid} text length {n} outside 6..200")

for i, c in ids.items():
    if c > 1:
        err(f"duplicate id {i}")
for t, c in texts.items():
    if c > 1:
        err(f"duplicate text ({c}x): {t}")

# per-file checks
for r in data["clean.jsonl"]:
    if r["label"] != "clean":
        err(f"clean.jsonl: {r['id']} label is not clean")
    if not (r["source"].startswith("hard_negative/") or r["source"].startswith("ordinary/")):
        err(f"clean.jsonl: {r['id']} bad source {r['source']}")
src = Counter(r["source"].split("/")[0] for r in data["clean.jsonl"])
if src["hard_negative"] != 160 or src["ordinary"] != 140:
    err(f"clean.jsonl: expected 160 hard_negative + 140 ordinary, got {dict(src)}")

for r in data["violations.jsonl"]:
    if r["label"] == "clean":
        err(f"violations.jsonl: {r['id']} is labeled clean")
    if not r["source"].startswith("violation/"):
        err(f"violations.jsonl: {r['id']} bad source {r['source']}")
vsrc = Counter(r["source"] for r in data["violations.jsonl"] if r["label"] == "spam_porn")
if vsrc["violation/seo_hijack"] != 20 or vsrc["violation/vulgar"] != 20:
    err(f"violations.jsonl: spam_porn split {dict(vsrc)} != 20/20")

reg_expected = {"extreme_claim", "medical_claim", "exaggeration", "price_fraud",
                "counterfeit_hint"}
rl = Counter(r["label"] for r in data["regulator_quotes.jsonl"])
for lab in reg_expected:
    if rl[lab] != 10:
        err(f"regulator_quotes.jsonl: {lab} has {rl[lab]} lines, expected 10")
for r in data["regulator_quotes.jsonl"]:
    n = len(r["text"])
    if not 60 <= n <= 130:
        err(f"regulator_quotes.jsonl: {r['id']} length {n} outside 60..130")
    if not r["source"].startswith("regulator/"):
        err(f"regulator_quotes.jsonl: {r['id']} bad source {r['source']}")
    if r["label"] not in reg_expected:
        err(f"regulator_quotes.jsonl: {r['id']} unexpected label {r['label']}")

viol_by_id = {r["id"]: r for r in data["violations.jsonl"]}
tech = Counter()
for r in data["disguises.jsonl"]:
    p = viol_by_id.get(r.get("plain_id"))
    if p is None:
        err(f"disguises.jsonl: {r['id']} plain_id {r.get('plain_id')} not in violations")
    else:
        if p["label"] != r["label"]:
            err(f"disguises.jsonl: {r['id']} label {r['label']} != plain {p['label']}")
        if p["text"] == r["text"]:
            err(f"disguises.jsonl: {r['id']} text identical to plain line")
    if r.get("disguise") not in TECHNIQUES:
        err(f"disguises.jsonl: {r['id']} bad technique {r.get('disguise')}")
    if r["source"] != f"disguise/{r.get('disguise')}":
        err(f"disguises.jsonl: {r['id']} source {r['source']} != disguise/{r.get('disguise')}")
    tech[r.get("disguise")] += 1
for t in TECHNIQUES:
    if tech[t] != 6:
        err(f"disguises.jsonl: technique {t} has {tech[t]} lines, expected 6")

for name, n in EXPECTED_TOTAL.items():
    if len(data[name]) != n:
        err(f"{name}: {len(data[name])} lines, expected {n}")

# report
total = 0
for name, recs in data.items():
    total += len(recs)
    print(f"{name}: {len(recs)} lines")
    for lab, c in sorted(Counter(r["label"] for r in recs).items()):
        print(f"    {lab:18s} {c}")
    if name == "clean.jsonl":
        for s, c in sorted(src.items()):
            print(f"    [{s}] {c}")
    if name == "disguises.jsonl":
        print("    techniques: " + ", ".join(f"{t}={c}" for t, c in sorted(tech.items())))
print(f"total: {total} lines")

if errors:
    print(f"\nFAILED with {len(errors)} error(s):")
    for e in errors:
        print("  - " + e)
    sys.exit(1)
print("\nOK: all checks passed")
