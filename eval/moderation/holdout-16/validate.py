#!/usr/bin/env python3
# -*- coding: utf-8 -*-
"""Validate the h18 corpus files produced by build.py."""
import json
import os
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
LABELS = {"clean", "spam_porn", "extreme_claim", "medical_claim", "exaggeration",
          "price_fraud", "diversion", "staged_drama", "counterfeit_hint"}
REGISTERS = {"live_asr", "chat", "listing_title", "description", "review", "ticket",
             "customer_service", "rule_page", "announcement", "news", "forum",
             "manual", "navigation"}
TECHNIQUES = ["traditional", "fullwidth", "separators", "homophone", "pinyin",
              "chinese_numerals", "circled_numerals", "emoji"]
BASE_KEYS = {"id", "text", "label", "source"}

errors = []


def err(msg):
    errors.append(msg)


def load(name):
    path = os.path.join(HERE, name)
    recs = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                err(f"{name}:{n}: empty line")
                continue
            try:
                r = json.loads(line)
            except json.JSONDecodeError as e:
                err(f"{name}:{n}: bad JSON ({e})")
                continue
            if not isinstance(r, dict):
                err(f"{name}:{n}: not an object")
                continue
            if line.rstrip("\n") != json.dumps(r, ensure_ascii=False):
                err(f"{name}:{n}: not serialised with json.dumps(ensure_ascii=False)")
            recs.append((n, r))
    return recs


files = {
    "clean.jsonl": BASE_KEYS,
    "violations.jsonl": BASE_KEYS,
    "regulator_quotes.jsonl": BASE_KEYS,
    "disguises.jsonl": BASE_KEYS | {"plain_id", "disguise"},
}
data = {}
all_ids = set()
texts = {}
for name, keys in files.items():
    recs = load(name)
    data[name] = [r for _, r in recs]
    for n, r in recs:
        where = f"{name}:{n}"
        if set(r) != keys:
            err(f"{where}: keys {sorted(r)} != {sorted(keys)}")
            continue
        for k in keys:
            if not isinstance(r[k], str) or not r[k].strip():
                err(f"{where}: key {k} must be a non-empty string")
        if not r["id"].startswith("h18-"):
            err(f"{where}: id {r['id']} lacks prefix h18-")
        if r["id"] in all_ids:
            err(f"{where}: duplicate id {r['id']}")
        all_ids.add(r["id"])
        if r["label"] not in LABELS:
            err(f"{where}: bad label {r['label']}")
        t = r["text"].strip()
        if t in texts:
            err(f"{where}: duplicate text (also {texts[t]})")
        texts[t] = where

# clean.jsonl
clean = data["clean.jsonl"]
if len(clean) != 300:
    err(f"clean.jsonl: {len(clean)} lines, expected 300")
kinds = Counter()
for r in clean:
    if r.get("label") != "clean":
        err(f"clean {r.get('id')}: label must be clean")
    src = r.get("source", "")
    kind, _, reg = src.partition("/")
    if kind not in ("hard_negative", "ordinary") or reg not in REGISTERS:
        err(f"clean {r.get('id')}: bad source {src}")
    kinds[kind] += 1
if kinds["hard_negative"] != 160 or kinds["ordinary"] != 140:
    err(f"clean.jsonl: hard_negative={kinds['hard_negative']} ordinary={kinds['ordinary']}, expected 160/140")
for kind in ("hard_negative", "ordinary"):
    regs = {r["source"].split("/", 1)[1] for r in clean if r.get("source", "").startswith(kind + "/")}
    if regs != REGISTERS:
        err(f"clean.jsonl: {kind} registers missing {sorted(REGISTERS - regs)}")

# violations.jsonl
viol = data["violations.jsonl"]
if len(viol) != 200:
    err(f"violations.jsonl: {len(viol)} lines, expected 200")
want = {"spam_porn": 40, "extreme_claim": 23, "medical_claim": 23, "exaggeration": 23,
        "price_fraud": 23, "diversion": 23, "counterfeit_hint": 23, "staged_drama": 22}
got = Counter(r.get("label") for r in viol)
if dict(got) != want:
    err(f"violations.jsonl: label counts {dict(got)} != {want}")
sp = Counter(r["source"] for r in viol if r.get("label") == "spam_porn")
if sp != Counter({"violation/seo_hijack": 20, "violation/vulgar": 20}):
    err(f"violations.jsonl: spam_porn sources {dict(sp)}")
for r in viol:
    src = r.get("source", "")
    if not src.startswith("violation/"):
        err(f"violations {r.get('id')}: bad source {src}")
    elif r.get("label") != "spam_porn" and src.split("/", 1)[1] not in REGISTERS:
        err(f"violations {r.get('id')}: unknown register in {src}")
    if r.get("label") == "clean":
        err(f"violations {r.get('id')}: clean label not allowed")

# regulator_quotes.jsonl
reg = data["regulator_quotes.jsonl"]
if len(reg) != 50:
    err(f"regulator_quotes.jsonl: {len(reg)} lines, expected 50")
want_r = {l: 10 for l in ("extreme_claim", "medical_claim", "exaggeration", "price_fraud", "counterfeit_hint")}
got_r = Counter(r.get("label") for r in reg)
if dict(got_r) != want_r:
    err(f"regulator_quotes.jsonl: label counts {dict(got_r)} != {want_r}")
for r in reg:
    if not r.get("source", "").startswith("regulator/") or len(r["source"]) <= len("regulator/"):
        err(f"regulator {r.get('id')}: bad source {r.get('source')}")
    n = len(r.get("text", ""))
    if not 60 <= n <= 130:
        err(f"regulator {r.get('id')}: length {n} outside 60-130")

# disguises.jsonl
dis = data["disguises.jsonl"]
if len(dis) != 48:
    err(f"disguises.jsonl: {len(dis)} lines, expected 48")
vmap = {r["id"]: r for r in viol if "id" in r}
tech = Counter()
for r in dis:
    t = r.get("disguise")
    tech[t] += 1
    if t not in TECHNIQUES:
        err(f"disguise {r.get('id')}: unknown technique {t}")
    if r.get("source") != f"disguise/{t}":
        err(f"disguise {r.get('id')}: source {r.get('source')} != disguise/{t}")
    p = vmap.get(r.get("plain_id"))
    if p is None:
        err(f"disguise {r.get('id')}: plain_id {r.get('plain_id')} not in violations.jsonl")
        continue
    if p["label"] != r.get("label"):
        err(f"disguise {r.get('id')}: label {r.get('label')} != plain label {p['label']}")
    if p["text"] == r.get("text"):
        err(f"disguise {r.get('id')}: text identical to plain")
if dict(tech) != {t: 6 for t in TECHNIQUES}:
    err(f"disguises.jsonl: technique counts {dict(tech)}")

if errors:
    for e in errors:
        print("ERROR:", e)
    print(f"FAILED with {len(errors)} error(s)")
    sys.exit(1)
print("OK: clean=%d violations=%d regulator_quotes=%d disguises=%d; all checks passed"
      % (len(clean), len(viol), len(reg), len(dis)))
