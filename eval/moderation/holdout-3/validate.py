# -*- coding: utf-8 -*-
"""Validate corpus h5. Run: python3 validate.py  (exit code 1 on any error)"""
import json, os, sys
from collections import Counter

D = os.path.dirname(os.path.abspath(__file__))
LABELS = {"spam_porn", "extreme_claim", "medical_claim", "exaggeration",
          "price_fraud", "diversion", "staged_drama", "counterfeit_hint", "clean"}
TECHS = {"traditional", "fullwidth", "separators", "homophone", "pinyin",
         "chinese_numerals", "circled_numerals", "emoji"}
FILES = {
    "clean.jsonl": {"id", "text", "label", "source"},
    "violations.jsonl": {"id", "text", "label", "source"},
    "regulator_quotes.jsonl": {"id", "text", "label", "source"},
    "disguises.jsonl": {"id", "text", "label", "source", "plain_id", "disguise"},
}
EXPECTED_TOTAL = {"clean.jsonl": 320, "violations.jsonl": 230,
                  "regulator_quotes.jsonl": 60, "disguises.jsonl": 80}

errors = []
data = {}
for name, keys in FILES.items():
    rows = []
    with open(os.path.join(D, name), encoding="utf-8") as f:
        for ln, line in enumerate(f, 1):
            try:
                r = json.loads(line)
            except Exception as e:
                errors.append(f"{name}:{ln}: JSON parse error {e}")
                continue
            if set(r) != keys:
                errors.append(f"{name}:{ln}: keys {sorted(r)} != {sorted(keys)}")
            for k in keys:
                if not isinstance(r.get(k), str) or not r.get(k).strip():
                    errors.append(f"{name}:{ln}: field {k} empty or not a string")
            if r.get("label") not in LABELS:
                errors.append(f"{name}:{ln}: bad label {r.get('label')}")
            if not str(r.get("id", "")).startswith("h5-"):
                errors.append(f"{name}:{ln}: id must start with h5-: {r.get('id')}")
            rows.append(r)
    data[name] = rows
    if len(rows) != EXPECTED_TOTAL[name]:
        errors.append(f"{name}: {len(rows)} lines, expected {EXPECTED_TOTAL[name]}")

# unique ids and texts across the whole corpus
ids = Counter(r["id"] for rows in data.values() for r in rows)
for i, c in ids.items():
    if c > 1:
        errors.append(f"duplicate id {i} x{c}")
texts = Counter(r["text"].strip() for rows in data.values() for r in rows)
for t, c in texts.items():
    if c > 1:
        errors.append(f"duplicate text x{c}: {t[:40]}")

# per-file label constraints
if any(r["label"] != "clean" for r in data["clean.jsonl"]):
    errors.append("clean.jsonl contains a non-clean label")
for name in ("violations.jsonl", "regulator_quotes.jsonl", "disguises.jsonl"):
    if any(r["label"] == "clean" for r in data[name]):
        errors.append(f"{name} contains label clean")
vc = Counter(r["label"] for r in data["violations.jsonl"])
if vc["spam_porn"] != 40:
    errors.append(f"violations spam_porn = {vc['spam_porn']}, expected 40")
rc = Counter(r["label"] for r in data["regulator_quotes.jsonl"])
for lab in ("extreme_claim", "medical_claim", "exaggeration", "price_fraud", "counterfeit_hint"):
    if rc[lab] != 12:
        errors.append(f"regulator_quotes {lab} = {rc[lab]}, expected 12")
if set(rc) - {"extreme_claim", "medical_claim", "exaggeration", "price_fraud", "counterfeit_hint"}:
    errors.append(f"regulator_quotes unexpected labels {set(rc)}")
for r in data["regulator_quotes.jsonl"]:
    n = len(r["text"])
    if not 80 <= n <= 300:
        errors.append(f"{r['id']}: length {n} outside 80-300")
    if not any(q in r["text"] for q in ("“", "「", "称")):
        errors.append(f"{r['id']}: no quotation marks or 称/宣称")

# disguises: plain_id exists in violations with same label; valid technique
plain = {r["id"]: r for r in data["violations.jsonl"]}
for r in data["disguises.jsonl"]:
    p = plain.get(r["plain_id"])
    if p is None:
        errors.append(f"{r['id']}: plain_id {r['plain_id']} not in violations.jsonl")
    elif p["label"] != r["label"]:
        errors.append(f"{r['id']}: label {r['label']} != plain label {p['label']}")
    elif p["text"] == r["text"]:
        errors.append(f"{r['id']}: identical to plain text")
    if r["disguise"] not in TECHS:
        errors.append(f"{r['id']}: bad disguise technique {r['disguise']}")
dc = Counter(r["disguise"] for r in data["disguises.jsonl"])
for t in TECHS:
    if dc[t] != 10:
        errors.append(f"disguise {t} = {dc[t]}, expected 10")

# report
print("== counts ==")
for name, rows in data.items():
    print(f"{name}: {len(rows)}")
    for lab, c in sorted(Counter(r["label"] for r in rows).items()):
        print(f"    {lab:18s} {c}")
cs = Counter(r["source"].split("/")[0] for r in data["clean.jsonl"])
print("clean by kind:", dict(cs))
print("clean by source:", dict(sorted(Counter(r["source"] for r in data["clean.jsonl"]).items())))
print("clean lines >=150 chars:", sum(len(r["text"]) >= 150 for r in data["clean.jsonl"]))
print("disguise techniques:", dict(sorted(dc.items())))
print("total lines:", sum(len(v) for v in data.values()))
if errors:
    print(f"\n{len(errors)} ERROR(S):")
    for e in errors:
        print("  " + e)
    sys.exit(1)
print("\nOK: all checks passed")
