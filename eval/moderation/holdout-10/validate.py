# -*- coding: utf-8 -*-
# Validator for corpus h12. Licence: CC0 1.0.
import json, os, sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
LABELS = {"spam_porn", "extreme_claim", "medical_claim", "exaggeration", "price_fraud",
          "diversion", "staged_drama", "counterfeit_hint", "clean"}
TECH = {"traditional", "fullwidth", "separators", "homophone", "pinyin",
        "chinese_numerals", "circled_numerals", "emoji"}
FILES = ["clean.jsonl", "violations.jsonl", "regulator_quotes.jsonl", "disguises.jsonl"]
errors = []
def err(m): errors.append(m)

data = {}
for fn in FILES:
    rows = []
    with open(os.path.join(HERE, fn), encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            try:
                r = json.loads(line)
            except Exception as e:
                err(f"{fn}:{n} parse error {e}"); continue
            need = {"id", "text", "label", "source"}
            if fn == "disguises.jsonl":
                need |= {"plain_id", "disguise"}
            if set(r) != need:
                err(f"{fn}:{n} keys {sorted(r)}")
            if r.get("label") not in LABELS:
                err(f"{fn}:{n} bad label {r.get('label')}")
            if not str(r.get("id", "")).startswith("h12-"):
                err(f"{fn}:{n} bad id prefix")
            if not str(r.get("text", "")).strip():
                err(f"{fn}:{n} empty text")
            rows.append(r)
    data[fn] = rows

ids = Counter(r["id"] for rows in data.values() for r in rows)
for i, c in ids.items():
    if c > 1: err(f"duplicate id {i}")
texts = Counter(r["text"] for rows in data.values() for r in rows)
for t, c in texts.items():
    if c > 1: err(f"duplicate text {t[:30]}")

viol = {r["id"]: r for r in data["violations.jsonl"]}
for r in data["clean.jsonl"]:
    if r["label"] != "clean": err(f"{r['id']} not clean")
    if not (r["source"].startswith("ordinary/") or r["source"].startswith("hard_negative/")):
        err(f"{r['id']} bad source")
for r in data["violations.jsonl"]:
    if r["label"] == "clean": err(f"{r['id']} clean in violations")
for r in data["regulator_quotes.jsonl"]:
    if r["label"] not in {"extreme_claim", "medical_claim", "exaggeration", "price_fraud", "counterfeit_hint"}:
        err(f"{r['id']} bad regulator label")
    if not (80 <= len(r["text"]) <= 300): err(f"{r['id']} length {len(r['text'])}")
for r in data["disguises.jsonl"]:
    p = viol.get(r["plain_id"])
    if p is None: err(f"{r['id']} plain_id missing")
    elif p["label"] != r["label"]: err(f"{r['id']} label mismatch")
    elif p["text"] == r["text"]: err(f"{r['id']} identical to plain")
    if r["disguise"] not in TECH: err(f"{r['id']} bad technique")
pids = Counter(r["plain_id"] for r in data["disguises.jsonl"])
for p, c in pids.items():
    if c > 1: err(f"plain_id reused {p}")

for fn, rows in data.items():
    print(fn, len(rows), dict(Counter(r["label"] for r in rows)))
c = data["clean.jsonl"]
print("hard negatives:", sum(r["source"].startswith("hard_negative/") for r in c),
      "ordinary:", sum(r["source"].startswith("ordinary/") for r in c))
print("clean registers:", dict(Counter(r["source"].split("/")[1] for r in c)))
print("disguise techniques:", dict(Counter(r["disguise"] for r in data["disguises.jsonl"])))
print("regulator lengths: min", min(len(r["text"]) for r in data["regulator_quotes.jsonl"]),
      "max", max(len(r["text"]) for r in data["regulator_quotes.jsonl"]))
if errors:
    print("ERRORS:"); [print(" ", e) for e in errors]; sys.exit(1)
print("OK")
