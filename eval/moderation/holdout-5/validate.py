#!/usr/bin/env python3
# -*- coding: utf-8 -*-
"""Validate the h7 corpus files. Exits non-zero on any error."""
import json, os, re, sys
from collections import Counter, defaultdict

D = os.path.dirname(os.path.abspath(__file__))
LABELS = {"spam_porn", "extreme_claim", "medical_claim", "exaggeration", "price_fraud",
          "diversion", "staged_drama", "counterfeit_hint", "clean"}
TECHS = {"traditional", "fullwidth", "separators", "homophone", "pinyin",
         "chinese_numerals", "circled_numerals", "emoji"}
BASE_KEYS = {"id", "text", "label", "source"}
FILES = {
    "clean.jsonl": BASE_KEYS,
    "violations.jsonl": BASE_KEYS,
    "regulator_quotes.jsonl": BASE_KEYS,
    "disguises.jsonl": BASE_KEYS | {"plain_id", "disguise"},
}
errors = []
def err(m): errors.append(m)

data = {}
for fn, keys in FILES.items():
    rows = []
    p = os.path.join(D, fn)
    if not os.path.exists(p):
        err(f"missing {fn}"); continue
    with open(p, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            try:
                r = json.loads(line)
            except Exception as e:
                err(f"{fn}:{n} parse error {e}"); continue
            if set(r) != keys:
                err(f"{fn}:{n} keys {sorted(r)} != {sorted(keys)}")
            if not isinstance(r.get("text"), str) or not r["text"].strip():
                err(f"{fn}:{n} empty text")
            if r.get("label") not in LABELS:
                err(f"{fn}:{n} bad label {r.get('label')}")
            if not str(r.get("id", "")).startswith("h7-"):
                err(f"{fn}:{n} id must start with h7-")
            if not r.get("source"):
                err(f"{fn}:{n} empty source")
            rows.append(r)
    data[fn] = rows

allrows = [r for rows in data.values() for r in rows]
ids = Counter(r["id"] for r in allrows)
for i, c in ids.items():
    if c > 1: err(f"duplicate id {i}")
texts = Counter(r["text"].strip() for r in allrows)
for t, c in texts.items():
    if c > 1: err(f"duplicate text: {t[:40]}")

# clean file checks
clean = data.get("clean.jsonl", [])
for r in clean:
    if r["label"] != "clean": err(f"{r['id']} in clean.jsonl not clean")
    if not re.match(r"^(ordinary|hard_negative)/[a-z_]+$", r["source"]):
        err(f"{r['id']} bad clean source {r['source']}")
    if not 4 <= len(r["text"]) <= 400: err(f"{r['id']} length {len(r['text'])}")
hn = sum(r["source"].startswith("hard_negative/") for r in clean)
if len(clean) != 360: err(f"clean count {len(clean)} != 360")
if hn < 160: err(f"hard negatives {hn} < 160")

# violations
viol = data.get("violations.jsonl", [])
want = {"spam_porn": 60, "extreme_claim": (28, 29), "medical_claim": (28, 29), "exaggeration": (28, 29),
        "price_fraud": (28, 29), "diversion": (28, 29), "staged_drama": (28, 29), "counterfeit_hint": (28, 29)}
vc = Counter(r["label"] for r in viol)
if len(viol) != 260: err(f"violations count {len(viol)} != 260")
for l, w in want.items():
    ok = vc[l] == w if isinstance(w, int) else w[0] <= vc[l] <= w[1]
    if not ok: err(f"violations {l}={vc[l]} wanted {w}")
if "clean" in vc: err("clean label in violations.jsonl")
seo = sum(r["label"] == "spam_porn" and r["source"].endswith("hijacked_page_seo") for r in viol)
if seo != 30: err(f"SEO spam lines {seo} != 30")

# regulator quotes
reg = data.get("regulator_quotes.jsonl", [])
rc = Counter(r["label"] for r in reg)
if len(reg) != 70: err(f"regulator count {len(reg)} != 70")
for l in ["extreme_claim", "medical_claim", "exaggeration", "price_fraud", "counterfeit_hint"]:
    if rc[l] != 14: err(f"regulator {l}={rc[l]} != 14")
for r in reg:
    if not 80 <= len(r["text"]) <= 300: err(f"{r['id']} length {len(r['text'])} not in 80-300")
    if not re.search(r"[“「]|宣称|声称|称|标注", r["text"]): err(f"{r['id']} has no quotation marker")

# disguises
vid = {r["id"]: r for r in viol}
dis = data.get("disguises.jsonl", [])
if len(dis) != 80: err(f"disguise count {len(dis)} != 80")
tc = Counter(r["disguise"] for r in dis)
for t in TECHS:
    if tc[t] != 10: err(f"technique {t}={tc[t]} != 10")
for t in tc:
    if t not in TECHS: err(f"unknown technique {t}")

FW = re.compile("[\uff01-\uff5e\u3000]")
CIRC = re.compile("[\u2460-\u2473\u24ea\u3251-\u325f\u32b1-\u32bf]")
EMO = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27bf\u2b00-\u2bff]")
CNUM = re.compile("[零〇一二三四五六七八九十百千万幺壹贰叁肆伍陆柒捌玖拾佰仟]")
SEP = re.compile(r"[\u4e00-\u9fff][\-\.\*/|·~][\u4e00-\u9fff]")
for r in dis:
    p = vid.get(r["plain_id"])
    if p is None:
        err(f"{r['id']} plain_id {r['plain_id']} missing"); continue
    if p["label"] != r["label"]: err(f"{r['id']} label {r['label']} != plain {p['label']}")
    if p["text"] == r["text"]: err(f"{r['id']} identical to plain")
    t, pt, tech = r["text"], p["text"], r["disguise"]
    if r["source"] != "disguise/" + tech: err(f"{r['id']} source/disguise mismatch")
    if tech == "fullwidth" and not FW.search(t): err(f"{r['id']} no fullwidth chars")
    if tech == "circled_numerals" and not CIRC.search(t): err(f"{r['id']} no circled numerals")
    if tech == "chinese_numerals" and not (len(re.findall(r"\d", t)) < len(re.findall(r"\d", pt)) and CNUM.search(t)):
        err(f"{r['id']} chinese_numerals did not replace digits")
    if tech == "emoji" and len(EMO.findall(t)) <= len(EMO.findall(pt)): err(f"{r['id']} no added emoji")
    if tech == "pinyin" and len(re.findall("[a-z]{3,}", t)) <= len(re.findall("[a-z]{3,}", pt)): err(f"{r['id']} no added pinyin")
    if tech == "separators" and len(SEP.findall(t)) <= len(SEP.findall(pt)): err(f"{r['id']} no added separators")
    if tech == "traditional" and len(t) != len(pt): err(f"{r['id']} traditional changed length")
    if tech == "homophone" and abs(len(t) - len(pt)) > 2: err(f"{r['id']} homophone changed length too much")

# report
print("== counts ==")
for fn, rows in data.items():
    print(f"{fn}: {len(rows)}")
print("clean sources:", dict(Counter(r['source'].split('/')[0] for r in clean)))
print("clean registers:", dict(sorted(Counter(r['source'].split('/')[1] for r in clean).items())))
print("violations by label:", dict(vc), "| SEO spam:", seo)
print("regulator by label:", dict(rc))
print("regulator by source:", dict(Counter(r['source'] for r in reg)))
print("disguise by technique:", dict(tc))
print("disguise by label:", dict(Counter(r['label'] for r in dis)))
print("distinct plain_ids used:", len({r['plain_id'] for r in dis}))
lens = [len(r["text"]) for r in clean]
print(f"clean length min/max: {min(lens)}/{max(lens)}")
if errors:
    print(f"\n{len(errors)} ERROR(S):")
    for e in errors: print("  -", e)
    sys.exit(1)
print("\nOK: all checks passed")
