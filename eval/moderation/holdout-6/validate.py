#!/usr/bin/env python3
# validate.py - checks the h8 corpus files and prints counts.
import json
import os
import sys
import difflib
from collections import Counter

D = os.path.dirname(os.path.abspath(__file__))
LABELS = {"spam_porn", "extreme_claim", "medical_claim", "exaggeration", "price_fraud",
          "diversion", "staged_drama", "counterfeit_hint", "clean"}
TECHS = {"traditional", "fullwidth", "separators", "homophone", "pinyin",
         "chinese_numerals", "circled_numerals", "emoji"}
FILES = {
    "clean.jsonl": {"id", "text", "label", "source"},
    "violations.jsonl": {"id", "text", "label", "source"},
    "regulator_quotes.jsonl": {"id", "text", "label", "source"},
    "disguises.jsonl": {"id", "text", "label", "source", "plain_id", "disguise"},
}

errors, warnings = [], []
data = {}
for fn, keys in FILES.items():
    rows = []
    with open(os.path.join(D, fn), encoding="utf-8") as f:
        for ln, line in enumerate(f, 1):
            try:
                r = json.loads(line)
            except Exception as e:
                errors.append(f"{fn}:{ln} parse error {e}")
                continue
            if set(r) != keys:
                errors.append(f"{fn}:{ln} keys {sorted(r)} != {sorted(keys)}")
            if r.get("label") not in LABELS:
                errors.append(f"{fn}:{ln} bad label {r.get('label')}")
            if not str(r.get("id", "")).startswith("h8-"):
                errors.append(f"{fn}:{ln} bad id {r.get('id')}")
            if not str(r.get("text", "")).strip():
                errors.append(f"{fn}:{ln} empty text")
            rows.append(r)
    data[fn] = rows

# unique ids / texts across all files
ids = Counter(r["id"] for rows in data.values() for r in rows)
for k, v in ids.items():
    if v > 1:
        errors.append(f"duplicate id {k}")
texts = Counter(r["text"] for rows in data.values() for r in rows)
for k, v in texts.items():
    if v > 1:
        errors.append(f"duplicate text: {k[:40]}")

# file-specific checks
clean = data["clean.jsonl"]
for r in clean:
    if r["label"] != "clean":
        errors.append(f"clean file has label {r['label']} ({r['id']})")
    kind, _, reg = r["source"].partition("/")
    if kind not in ("ordinary", "hard_negative") or not reg:
        errors.append(f"bad clean source {r['source']}")
    n = len(r["text"])
    if reg == "asr" and not 50 <= n <= 200:
        warnings.append(f"{r['id']} asr length {n}")
    if reg == "title" and not 40 <= n <= 60:
        warnings.append(f"{r['id']} title length {n}")

viol = {r["id"]: r for r in data["violations.jsonl"]}
for r in data["violations.jsonl"]:
    if r["label"] == "clean":
        errors.append(f"violation labelled clean {r['id']}")

for r in data["regulator_quotes.jsonl"]:
    n = len(r["text"])
    if not 80 <= n <= 300:
        errors.append(f"{r['id']} regulator length {n}")
    t = r["text"]
    if not any(q in t for q in ("“", "「", "宣称", "声称", "称", "标注", "宣传")):
        errors.append(f"{r['id']} no quote marker")

plain_used = Counter()
ratios = []
for r in data["disguises.jsonl"]:
    p = viol.get(r["plain_id"])
    if p is None:
        errors.append(f"{r['id']} plain_id {r['plain_id']} missing")
        continue
    if p["label"] != r["label"]:
        errors.append(f"{r['id']} label {r['label']} != plain {p['label']}")
    if r["disguise"] not in TECHS:
        errors.append(f"{r['id']} bad technique {r['disguise']}")
    if r["text"] == p["text"]:
        errors.append(f"{r['id']} identical to plain")
    plain_used[r["plain_id"]] += 1
    ratios.append((difflib.SequenceMatcher(None, p["text"], r["text"]).ratio(), r["id"]))
for k, v in plain_used.items():
    if v > 1:
        warnings.append(f"plain {k} disguised {v} times")

# counts
print("== counts ==")
for fn, rows in data.items():
    print(f"{fn}: {len(rows)}")
    for lab, c in sorted(Counter(r["label"] for r in rows).items()):
        print(f"    {lab}: {c}")
kinds = Counter(r["source"].split("/")[0] for r in clean)
print("clean by kind:", dict(kinds))
print("clean by register:", dict(sorted(Counter(r["source"].split("/")[1] for r in clean).items())))
print("violations by register:", dict(sorted(Counter(r["source"].split("/")[1] for r in viol.values()).items())))
print("regulator by register:", dict(sorted(Counter(r["source"].split("/")[1] for r in data["regulator_quotes.jsonl"]).items())))
print("disguise techniques:", dict(sorted(Counter(r["disguise"] for r in data["disguises.jsonl"]).items())))
ratios.sort()
print("lowest disguise/plain similarity:", [(round(a, 2), b) for a, b in ratios[:3]])
print("total lines:", sum(len(v) for v in data.values()))

# required counts
exp = {"clean.jsonl": 360, "violations.jsonl": 260, "regulator_quotes.jsonl": 70, "disguises.jsonl": 80}
for fn, n in exp.items():
    if len(data[fn]) != n:
        errors.append(f"{fn}: {len(data[fn])} lines, expected {n}")
if kinds["hard_negative"] < 170:
    errors.append(f"only {kinds['hard_negative']} hard negatives")
vc = Counter(r["label"] for r in viol.values())
if vc["spam_porn"] != 60:
    errors.append("spam_porn must be 60")
for lab in LABELS - {"clean", "spam_porn"}:
    if vc[lab] not in (28, 29):
        errors.append(f"{lab} count {vc[lab]} not 28-29")
rc = Counter(r["label"] for r in data["regulator_quotes.jsonl"])
for lab in ("extreme_claim", "medical_claim", "exaggeration", "price_fraud", "counterfeit_hint"):
    if rc[lab] != 14:
        errors.append(f"regulator {lab} count {rc[lab]} != 14")
if set(rc) - {"extreme_claim", "medical_claim", "exaggeration", "price_fraud", "counterfeit_hint"}:
    errors.append("unexpected regulator labels")
tc = Counter(r["disguise"] for r in data["disguises.jsonl"])
for t in TECHS:
    if tc[t] != 10:
        errors.append(f"technique {t} count {tc[t]} != 10")

for w in warnings:
    print("WARN", w)
for e in errors:
    print("ERROR", e)
print("OK" if not errors else f"{len(errors)} errors")
sys.exit(1 if errors else 0)
