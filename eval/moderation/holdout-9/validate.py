# -*- coding: utf-8 -*-
# Validates corpora11 JSONL files. CC0 1.0.
import json, os, sys, collections
D = os.path.dirname(os.path.abspath(__file__))
LABELS = {"spam_porn", "extreme_claim", "medical_claim", "exaggeration", "price_fraud",
          "diversion", "staged_drama", "counterfeit_hint", "clean"}
TECH = {"traditional", "fullwidth", "separators", "homophone", "pinyin",
        "chinese_numerals", "circled_numerals", "emoji"}
FILES = ["clean.jsonl", "violations.jsonl", "regulator_quotes.jsonl", "disguises.jsonl"]
errs, ids, texts, rows = [], set(), {}, {}
for fn in FILES:
    rows[fn] = []
    with open(os.path.join(D, fn), encoding="utf-8") as f:
        for ln, line in enumerate(f, 1):
            try:
                r = json.loads(line)
            except Exception as e:
                errs.append(f"{fn}:{ln} parse error {e}"); continue
            need = {"id", "text", "label", "source"} | ({"plain_id", "disguise"} if fn == "disguises.jsonl" else set())
            if set(r) != need:
                errs.append(f"{fn}:{ln} keys {sorted(r)}")
            if not str(r.get("id", "")).startswith("h11-"):
                errs.append(f"{fn}:{ln} bad id prefix")
            if r.get("id") in ids:
                errs.append(f"{fn}:{ln} duplicate id {r.get('id')}")
            ids.add(r.get("id"))
            if r.get("label") not in LABELS:
                errs.append(f"{fn}:{ln} bad label {r.get('label')}")
            t = r.get("text", "")
            if not t.strip():
                errs.append(f"{fn}:{ln} empty text")
            if t in texts:
                errs.append(f"{fn}:{ln} duplicate text (also {texts[t]})")
            texts[t] = r.get("id")
            rows[fn].append(r)
byid = {r["id"]: r for r in rows["violations.jsonl"]}
for r in rows["disguises.jsonl"]:
    p = byid.get(r["plain_id"])
    if p is None:
        errs.append(f"{r['id']} plain_id missing {r['plain_id']}")
    elif p["label"] != r["label"]:
        errs.append(f"{r['id']} label mismatch with {r['plain_id']}")
    if r["disguise"] not in TECH:
        errs.append(f"{r['id']} bad disguise {r['disguise']}")
for r in rows["clean.jsonl"]:
    if r["label"] != "clean" or not r["source"].split("/")[0] in ("ordinary", "hard_negative"):
        errs.append(f"{r['id']} clean label/source")
for r in rows["regulator_quotes.jsonl"]:
    if not 80 <= len(r["text"]) <= 300:
        errs.append(f"{r['id']} length {len(r['text'])}")
for fn in FILES:
    c = collections.Counter(r["label"] for r in rows[fn])
    print(fn, len(rows[fn]), dict(sorted(c.items())))
print("clean sources:", dict(collections.Counter(r["source"].split("/")[0] for r in rows["clean.jsonl"])))
print("disguise techniques:", dict(collections.Counter(r["disguise"] for r in rows["disguises.jsonl"])))
if errs:
    print("ERRORS:", len(errs)); print("\n".join(errs)); sys.exit(1)
print("OK: all checks passed")
