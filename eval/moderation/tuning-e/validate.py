#!/usr/bin/env python3
"""Validate the h20 corpus files written by build.py. Exit status 0 = pass."""
import json
import os
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))

LABELS = {
    "clean", "spam_porn", "extreme_claim", "medical_claim", "exaggeration",
    "price_fraud", "diversion", "staged_drama", "counterfeit_hint",
}
REGISTERS = {
    "live_asr", "chat", "listing_title", "description", "review", "ticket",
    "customer_service", "rule_page", "announcement", "news", "forum",
    "manual", "navigation",
}
TECHNIQUES = {
    "traditional", "fullwidth", "separators", "homophone", "pinyin",
    "chinese_numerals", "circled_numerals", "emoji",
}
REG_KINDS = {
    "penalty_decision", "court_judgment", "typical_case", "news",
    "consumer_warning", "police_notice", "hk_release", "tw_release",
}
BASE_KEYS = {"id", "text", "label", "source"}

errors = []


def err(msg):
    errors.append(msg)


def load(name):
    path = os.path.join(HERE, name)
    rows = []
    if not os.path.exists(path):
        err(f"{name}: missing")
        return rows
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.endswith("\n"):
                err(f"{name}:{n}: line not newline-terminated")
            line = line.rstrip("\n")
            if not line.strip():
                err(f"{name}:{n}: blank line")
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                err(f"{name}:{n}: bad JSON ({exc})")
                continue
            if not isinstance(obj, dict):
                err(f"{name}:{n}: not an object")
                continue
            if line != json.dumps(obj, ensure_ascii=False):
                err(f"{name}:{n}: not serialised with json.dumps(ensure_ascii=False)")
            obj["_where"] = f"{name}:{n}"
            rows.append(obj)
    return rows


def check_common(rows, extra_keys=frozenset()):
    for r in rows:
        w = r["_where"]
        keys = set(r) - {"_where"}
        if keys != BASE_KEYS | set(extra_keys):
            err(f"{w}: keys {sorted(keys)}")
            continue
        for k in keys:
            if not isinstance(r[k], str) or not r[k].strip():
                err(f"{w}: field {k} empty or not a string")
        if not r["id"].startswith("h20-"):
            err(f"{w}: id {r['id']!r} lacks prefix h20-")
        if r["label"] not in LABELS:
            err(f"{w}: unknown label {r['label']!r}")
        if r["text"] != r["text"].strip():
            err(f"{w}: text has leading/trailing whitespace")


clean = load("clean.jsonl")
vio = load("violations.jsonl")
quotes = load("regulator_quotes.jsonl")
dis = load("disguises.jsonl")

check_common(clean)
check_common(vio)
check_common(quotes)
check_common(dis, {"plain_id", "disguise"})

# --- clean -----------------------------------------------------------------
if len(clean) != 300:
    err(f"clean.jsonl: {len(clean)} lines, want 300")
kinds = Counter()
for r in clean:
    if r.get("label") != "clean":
        err(f"{r['_where']}: label must be clean")
    kind, _, reg = r.get("source", "").partition("/")
    if kind not in ("hard_negative", "ordinary") or reg not in REGISTERS:
        err(f"{r['_where']}: bad source {r.get('source')!r}")
    kinds[kind] += 1
if kinds["hard_negative"] != 170 or kinds["ordinary"] != 130:
    err(f"clean.jsonl: source split {dict(kinds)}, want 170/130")
regs_used = {r.get("source", "").partition("/")[2] for r in clean}
if regs_used != REGISTERS:
    err(f"clean.jsonl: registers missing {sorted(REGISTERS - regs_used)}")

# --- violations ------------------------------------------------------------
want_vio = {
    "spam_porn": 40, "extreme_claim": 23, "medical_claim": 23,
    "exaggeration": 23, "price_fraud": 23, "diversion": 23,
    "counterfeit_hint": 23, "staged_drama": 22,
}
if len(vio) != 200:
    err(f"violations.jsonl: {len(vio)} lines, want 200")
got = Counter(r.get("label") for r in vio)
if dict(got) != want_vio:
    err(f"violations.jsonl: label counts {dict(got)}, want {want_vio}")
spam_src = Counter()
for r in vio:
    src = r.get("source", "")
    if r.get("label") == "clean":
        err(f"{r['_where']}: clean label in violations")
    if not src.startswith("violation/"):
        err(f"{r['_where']}: bad source {src!r}")
        continue
    sub = src.split("/", 1)[1]
    if r.get("label") == "spam_porn":
        spam_src[sub] += 1
        if sub not in ("seo_hijack", "vulgar"):
            err(f"{r['_where']}: spam_porn source must be seo_hijack or vulgar")
    elif sub not in REGISTERS:
        err(f"{r['_where']}: unknown register {sub!r}")
if spam_src["seo_hijack"] != 20 or spam_src["vulgar"] != 20:
    err(f"violations.jsonl: spam_porn split {dict(spam_src)}, want 20/20")

# --- regulator quotes ------------------------------------------------------
if len(quotes) != 50:
    err(f"regulator_quotes.jsonl: {len(quotes)} lines, want 50")
want_q = {k: 10 for k in ("extreme_claim", "medical_claim", "exaggeration",
                          "price_fraud", "counterfeit_hint")}
got = Counter(r.get("label") for r in quotes)
if dict(got) != want_q:
    err(f"regulator_quotes.jsonl: label counts {dict(got)}, want {want_q}")
for r in quotes:
    src = r.get("source", "")
    kind = src.split("/", 1)[1] if src.startswith("regulator/") else None
    if kind not in REG_KINDS:
        err(f"{r['_where']}: bad source {src!r}")
    n = len(r.get("text", ""))
    if not 60 <= n <= 130:
        err(f"{r['_where']}: quote length {n} outside 60-130")

# --- disguises -------------------------------------------------------------
if len(dis) != 48:
    err(f"disguises.jsonl: {len(dis)} lines, want 48")
vio_by_id = {r.get("id"): r for r in vio}
tech = Counter()
for r in dis:
    t = r.get("disguise")
    tech[t] += 1
    if t not in TECHNIQUES:
        err(f"{r['_where']}: unknown technique {t!r}")
    if r.get("source") != f"disguise/{t}":
        err(f"{r['_where']}: source {r.get('source')!r} != disguise/{t}")
    plain = vio_by_id.get(r.get("plain_id"))
    if plain is None:
        err(f"{r['_where']}: plain_id {r.get('plain_id')!r} not in violations")
    else:
        if plain["label"] != r.get("label"):
            err(f"{r['_where']}: label differs from plain line")
        if plain["text"] == r.get("text"):
            err(f"{r['_where']}: text identical to plain line")
if dict(tech) != {t: 6 for t in TECHNIQUES}:
    err(f"disguises.jsonl: technique counts {dict(tech)}, want 6 each")

# --- cross-file ------------------------------------------------------------
all_rows = clean + vio + quotes + dis
ids = Counter(r.get("id") for r in all_rows)
for i, c in ids.items():
    if c > 1:
        err(f"duplicate id {i!r} ({c}x)")
texts = {}
for r in all_rows:
    key = " ".join(r.get("text", "").split())
    if key in texts:
        err(f"{r['_where']}: duplicate text (also {texts[key]})")
    else:
        texts[key] = r["_where"]

if errors:
    for e in errors:
        print("FAIL:", e)
    print(f"validation FAILED with {len(errors)} error(s)")
    sys.exit(1)
print(f"validation passed: clean={len(clean)} violations={len(vio)} "
      f"regulator_quotes={len(quotes)} disguises={len(dis)}")
