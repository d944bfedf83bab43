# -*- coding: utf-8 -*-
# Validator for the h9 corpus. Licence: CC0 1.0.
import json, os, re, sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
LABELS = {"spam_porn", "extreme_claim", "medical_claim", "exaggeration", "price_fraud",
          "diversion", "staged_drama", "counterfeit_hint", "clean"}
TECHS = {"traditional", "fullwidth", "separators", "homophone", "pinyin",
         "chinese_numerals", "circled_numerals", "emoji"}
BASE = {"id", "text", "label", "source"}
FILES = ["clean.jsonl", "violations.jsonl", "regulator_quotes.jsonl", "disguises.jsonl"]
errors = []

def err(msg):
    errors.append(msg)

data = {}
for fn in FILES:
    rows = []
    with open(os.path.join(HERE, fn), encoding="utf-8") as f:
        for ln, line in enumerate(f, 1):
            try:
                r = json.loads(line)
            except Exception as e:
                err("%s:%d parse error %s" % (fn, ln, e)); continue
            want = BASE | ({"plain_id", "disguise"} if fn == "disguises.jsonl" else set())
            if set(r) != want:
                err("%s:%d keys %s" % (fn, ln, sorted(r)))
            if not isinstance(r.get("text"), str) or not r.get("text", "").strip():
                err("%s:%d empty text" % (fn, ln))
            if r.get("label") not in LABELS:
                err("%s:%d bad label %r" % (fn, ln, r.get("label")))
            rows.append(r)
    data[fn] = rows

# ids
ids = Counter(r["id"] for rows in data.values() for r in rows)
for i, c in ids.items():
    if c > 1: err("duplicate id %s" % i)
    if not i.startswith("h9-"): err("bad id prefix %s" % i)

# texts
texts = Counter(r["text"].strip() for rows in data.values() for r in rows)
for t, c in texts.items():
    if c > 1: err("duplicate text: %s" % t[:40])

# clean
clean = data["clean.jsonl"]
for r in clean:
    if r["label"] != "clean": err("clean file non-clean label %s" % r["id"])
    if not re.match(r"^(ordinary|hard_negative)/[a-z_]+$", r["source"]): err("clean source %s" % r["id"])
hard = sum(r["source"].startswith("hard_negative/") for r in clean)
if len(clean) != 400: err("clean count %d" % len(clean))
if hard < 200: err("hard negatives %d < 200" % hard)

# violations
viol = data["violations.jsonl"]
vc = Counter(r["label"] for r in viol)
if len(viol) != 280: err("violations count %d" % len(viol))
if vc["spam_porn"] != 60: err("spam_porn %d" % vc["spam_porn"])
for lab in LABELS - {"clean", "spam_porn"}:
    if vc[lab] not in (31, 32): err("violations %s %d" % (lab, vc[lab]))
if "clean" in vc: err("clean label in violations")
vmap = {r["id"]: r for r in viol}

# regulator quotes
reg = data["regulator_quotes.jsonl"]
rc = Counter(r["label"] for r in reg)
for lab in ("extreme_claim", "medical_claim", "exaggeration", "price_fraud", "counterfeit_hint"):
    if rc[lab] != 14: err("regulator %s %d" % (lab, rc[lab]))
if len(reg) != 70: err("regulator count %d" % len(reg))
QUOTE = re.compile(r"[“”「」『』]|宣称|声称|聲稱|宣稱|称|稱|标注|標示|宣传|宣傳")
for r in reg:
    n = len(r["text"])
    if not 80 <= n <= 300: err("regulator length %s %d" % (r["id"], n))
    if not QUOTE.search(r["text"]): err("regulator no quote marker %s" % r["id"])

# disguises
dis = data["disguises.jsonl"]
tc = Counter(r["disguise"] for r in dis)
for t in TECHS:
    if tc[t] != 10: err("disguise %s %d" % (t, tc[t]))
if set(tc) - TECHS: err("unknown techniques %s" % (set(tc) - TECHS))
def has(text, lo, hi): return any(lo <= ord(ch) <= hi for ch in text)
for r in dis:
    p = vmap.get(r["plain_id"])
    if p is None:
        err("plain_id missing %s -> %s" % (r["id"], r["plain_id"])); continue
    if p["label"] != r["label"]: err("label mismatch %s" % r["id"])
    if p["text"] == r["text"]: err("disguise identical to plain %s" % r["id"])
    t, x = r["disguise"], r["text"]
    ok = True
    if t == "fullwidth": ok = has(x, 0xFF01, 0xFF5E)
    elif t == "circled_numerals": ok = has(x, 0x2460, 0x24FF) or has(x, 0x3251, 0x32BF)
    elif t == "emoji": ok = has(x, 0x1F000, 0x1FAFF) or has(x, 0x2300, 0x27BF)
    elif t == "pinyin": ok = len(re.findall(r"[a-z]", x)) > len(re.findall(r"[a-z]", p["text"]))
    elif t == "chinese_numerals": ok = len(re.findall(r"[0-9]", x)) < len(re.findall(r"[0-9]", p["text"]))
    elif t == "separators": ok = len(x) > len(p["text"])
    elif t in ("traditional", "homophone"): ok = len(x) == len(p["text"])
    if not ok: err("technique sanity failed %s (%s)" % (r["id"], t))

print("clean.jsonl:", len(clean), "(ordinary %d, hard_negative %d)" % (len(clean) - hard, hard))
print("violations.jsonl:", len(viol), dict(sorted(vc.items())))
print("regulator_quotes.jsonl:", len(reg), dict(sorted(rc.items())))
print("disguises.jsonl:", len(dis), dict(sorted(tc.items())), dict(sorted(Counter(r["label"] for r in dis).items())))
print("total lines:", sum(len(v) for v in data.values()))
if errors:
    print("ERRORS (%d):" % len(errors))
    for e in errors: print("  ", e)
    sys.exit(1)
print("OK")
