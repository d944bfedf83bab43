#!/usr/bin/env python3
"""Validate the h13 corpus files. Exits non-zero on any error."""
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
    "clean.jsonl": (BASE_KEYS, 300),
    "violations.jsonl": (BASE_KEYS, 200),
    "regulator_quotes.jsonl": (BASE_KEYS, 50),
    "disguises.jsonl": (BASE_KEYS | {"plain_id", "disguise"}, 48),
}

errors = []


def err(msg):
    errors.append(msg)


data = {}
for name, (keys, expected) in FILES.items():
    rows = []
    path = os.path.join(HERE, name)
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            try:
                r = json.loads(line)
            except json.JSONDecodeError as e:
                err(f"{name}:{n}: bad JSON ({e})")
                continue
            if not isinstance(r, dict) or set(r) != keys:
                err(f"{name}:{n}: keys {sorted(r) if isinstance(r, dict) else r} != {sorted(keys)}")
                continue
            if not all(isinstance(r[k], str) and r[k].strip() for k in keys):
                err(f"{name}:{n}: empty or non-string field")
            rows.append(r)
    if len(rows) != expected:
        err(f"{name}: {len(rows)} lines, expected {expected}")
    data[name] = rows

all_rows = [r for rows in data.values() for r in rows]

# ids
ids = Counter(r["id"] for r in all_rows)
for i, c in ids.items():
    if c > 1:
        err(f"duplicate id {i}")
    if not i.startswith("h13-"):
        err(f"id without h13- prefix: {i}")

# labels
for r in all_rows:
    if r["label"] not in LABELS:
        err(f"{r['id']}: invalid label {r['label']}")

# texts unique across all files
texts = Counter(r["text"] for r in all_rows)
for t, c in texts.items():
    if c > 1:
        err(f"text appears {c} times: {t[:30]}…")

# clean file
src = Counter(r["source"].split("/")[0] for r in data["clean.jsonl"])
if src != Counter({"hard_negative": 160, "ordinary": 140}):
    err(f"clean.jsonl source split {dict(src)} != hard_negative 160 / ordinary 140")
for r in data["clean.jsonl"]:
    if r["label"] != "clean":
        err(f"{r['id']}: clean.jsonl line not labelled clean")

# violations file
vio = {r["id"]: r for r in data["violations.jsonl"]}
for r in data["violations.jsonl"]:
    if r["label"] == "clean":
        err(f"{r['id']}: clean label in violations.jsonl")
    if not r["source"].startswith("violation/"):
        err(f"{r['id']}: bad source {r['source']}")
sp = Counter(r["source"] for r in data["violations.jsonl"] if r["label"] == "spam_porn")
if sp != Counter({"violation/seo_hijack": 20, "violation/vulgar": 20}):
    err(f"spam_porn split {dict(sp)}")

# regulator quotes
reg_labels = Counter(r["label"] for r in data["regulator_quotes.jsonl"])
want = {"extreme_claim", "medical_claim", "exaggeration", "price_fraud", "counterfeit_hint"}
if reg_labels != Counter({k: 10 for k in want}):
    err(f"regulator label counts {dict(reg_labels)}")
for r in data["regulator_quotes.jsonl"]:
    n = len(r["text"])
    if not 60 <= n <= 130:
        err(f"{r['id']}: regulator quote length {n} outside 60-130")
    if not r["source"].startswith("regulator/"):
        err(f"{r['id']}: bad source {r['source']}")

# disguises
techs = Counter()
for r in data["disguises.jsonl"]:
    p = vio.get(r["plain_id"])
    if p is None:
        err(f"{r['id']}: plain_id {r['plain_id']} not found in violations.jsonl")
    elif p["label"] != r["label"]:
        err(f"{r['id']}: label {r['label']} != plain label {p['label']}")
    elif p["text"] == r["text"]:
        err(f"{r['id']}: disguise identical to plain text")
    if r["disguise"] not in TECHNIQUES:
        err(f"{r['id']}: unknown technique {r['disguise']}")
    if r["source"] != f"disguise/{r['disguise']}":
        err(f"{r['id']}: source {r['source']} does not match technique")
    techs[r["disguise"]] += 1
if techs != Counter({t: 6 for t in TECHNIQUES}):
    err(f"technique counts {dict(techs)}")

# report
for name, rows in data.items():
    lab = Counter(r["label"] for r in rows)
    print(f"{name}: {len(rows)}")
    for k, v in sorted(lab.items()):
        print(f"    {k:18s} {v}")
lens = [len(r["text"]) for r in all_rows]
print(f"total {len(all_rows)} lines, text length {min(lens)}-{max(lens)} chars")

if errors:
    print(f"\nFAILED with {len(errors)} error(s):")
    for e in errors:
        print("  -", e)
    sys.exit(1)
print("OK")
