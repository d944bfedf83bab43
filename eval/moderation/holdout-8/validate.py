#!/usr/bin/env python3
# validate.py - structural checks for the h10 corpus (CC0 1.0)
import json, os, re, sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
LABELS = {"spam_porn", "extreme_claim", "medical_claim", "exaggeration", "price_fraud",
          "diversion", "staged_drama", "counterfeit_hint", "clean"}
TECHS = {"traditional", "fullwidth", "separators", "homophone", "pinyin",
         "chinese_numerals", "circled_numerals", "emoji"}
KEYS = {"clean.jsonl": {"id", "text", "label", "source"},
        "violations.jsonl": {"id", "text", "label", "source"},
        "regulator_quotes.jsonl": {"id", "text", "label", "source"},
        "disguises.jsonl": {"id", "text", "label", "source", "plain_id", "disguise"}}
errors = []
def err(m): errors.append(m)

data = {}
for name in KEYS:
    rows = []
    with open(os.path.join(HERE, name), encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            try:
                r = json.loads(line)
            except Exception as e:
                err(f"{name}:{n} parse error {e}"); continue
            if set(r) != KEYS[name]: err(f"{name}:{n} keys {sorted(r)}")
            if not isinstance(r.get("text"), str) or not r["text"].strip(): err(f"{name}:{n} empty text")
            if r.get("label") not in LABELS: err(f"{name}:{n} bad label {r.get('label')}")
            if not str(r.get("id", "")).startswith("h10-"): err(f"{name}:{n} bad id {r.get('id')}")
            if not r.get("source"): err(f"{name}:{n} empty source")
            rows.append(r)
    data[name] = rows

ids = Counter(r["id"] for rows in data.values() for r in rows)
for i, c in ids.items():
    if c > 1: err(f"duplicate id {i}")
texts = Counter(r["text"].strip() for rows in data.values() for r in rows)
for t, c in texts.items():
    if c > 1: err(f"duplicate text: {t[:40]}")

for r in data["clean.jsonl"]:
    if r["label"] != "clean": err(f"clean file non-clean label {r['id']}")
    if not re.match(r"^(ordinary|hard_negative)/[a-z_]+$", r["source"]): err(f"clean source {r['id']} {r['source']}")
for r in data["violations.jsonl"] + data["regulator_quotes.jsonl"] + data["disguises.jsonl"]:
    if r["label"] == "clean": err(f"clean label in violation file {r['id']}")

viol = {r["id"]: r for r in data["violations.jsonl"]}
for r in data["disguises.jsonl"]:
    p = viol.get(r["plain_id"])
    if p is None: err(f"{r['id']} plain_id missing {r['plain_id']}"); continue
    if p["label"] != r["label"]: err(f"{r['id']} label {r['label']} != plain {p['label']}")
    if p["text"] == r["text"]: err(f"{r['id']} identical to plain")
    if r["disguise"] not in TECHS: err(f"{r['id']} bad disguise {r['disguise']}")

QUOTE = re.compile(r"[“「]|宣称|声称|称|标注|宣传")
for r in data["regulator_quotes.jsonl"]:
    n = len(r["text"])
    if not 80 <= n <= 300: err(f"{r['id']} length {n} outside 80-300")
    if not QUOTE.search(r["text"]): err(f"{r['id']} no quotation marker")

# expected counts
def expect(what, got, want):
    if got != want: err(f"{what}: got {got}, want {want}")
expect("clean lines", len(data["clean.jsonl"]), 400)
hn = sum(r["source"].startswith("hard_negative/") for r in data["clean.jsonl"])
if hn < 200: err(f"hard negatives {hn} < 200")
expect("violations", len(data["violations.jsonl"]), 280)
vc = Counter(r["label"] for r in data["violations.jsonl"])
expect("spam_porn", vc["spam_porn"], 60)
for lab in LABELS - {"clean", "spam_porn"}:
    if vc[lab] not in (31, 32): err(f"violations {lab}={vc[lab]} not 31-32")
sp_hijack = sum(r["label"] == "spam_porn" and r["source"].startswith("hijacked/") for r in data["violations.jsonl"])
expect("spam_porn hijacked", sp_hijack, 30)
expect("regulator", len(data["regulator_quotes.jsonl"]), 70)
rc = Counter(r["label"] for r in data["regulator_quotes.jsonl"])
for lab in ("extreme_claim", "medical_claim", "exaggeration", "price_fraud", "counterfeit_hint"):
    expect(f"regulator {lab}", rc[lab], 14)
expect("disguises", len(data["disguises.jsonl"]), 80)
dc = Counter(r["disguise"] for r in data["disguises.jsonl"])
for t in TECHS: expect(f"disguise {t}", dc[t], 10)

# report
for name, rows in data.items():
    print(f"{name}: {len(rows)}")
print(f"  clean: ordinary={400-hn if len(data['clean.jsonl'])==400 else '?'} hard_negative={hn}")
print("  clean registers:", dict(Counter(r['source'].split('/')[1] for r in data['clean.jsonl']).most_common()))
print("  violations by label:", dict(sorted(vc.items())), f"(spam_porn hijacked={sp_hijack})")
print("  regulator by label:", dict(sorted(rc.items())))
print("  disguises by technique:", dict(sorted(dc.items())))
print("  disguises by label:", dict(sorted(Counter(r['label'] for r in data['disguises.jsonl']).items())))
print("total lines:", sum(len(v) for v in data.values()))
if errors:
    print(f"FAILED: {len(errors)} error(s)")
    for e in errors: print("  -", e)
    sys.exit(1)
print("OK: all checks passed")
