#!/usr/bin/env python3
"""Validate the h26 corpus files. Exit status 0 = all checks passed."""
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
    if not os.path.exists(path):
        err("%s: missing" % name)
        return recs
    with open(path, encoding="utf-8") as f:
        for ln, line in enumerate(f, 1):
            if not line.strip():
                err("%s:%d: blank line" % (name, ln))
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                err("%s:%d: bad JSON (%s)" % (name, ln, e))
                continue
            if not isinstance(obj, dict):
                err("%s:%d: not an object" % (name, ln))
                continue
            if line.rstrip("\n") != json.dumps(obj, ensure_ascii=False):
                err("%s:%d: not written with json.dumps(ensure_ascii=False)" % (name, ln))
            obj["_where"] = "%s:%d" % (name, ln)
            recs.append(obj)
    return recs


clean = load("clean.jsonl")
viol = load("violations.jsonl")
quotes = load("regulator_quotes.jsonl")
disg = load("disguises.jsonl")

# keys, ids, labels, text
all_ids = Counter()
for name, recs, extra in (("clean", clean, set()), ("violations", viol, set()),
                          ("regulator_quotes", quotes, set()),
                          ("disguises", disg, {"plain_id", "disguise"})):
    for r in recs:
        keys = set(r) - {"_where"}
        if keys != BASE_KEYS | extra:
            err("%s: keys %s" % (r["_where"], sorted(keys)))
        rid = r.get("id")
        if not isinstance(rid, str) or not rid.startswith("h26-"):
            err("%s: bad id %r" % (r["_where"], rid))
        all_ids[rid] += 1
        if r.get("label") not in LABELS:
            err("%s: bad label %r" % (r["_where"], r.get("label")))
        t = r.get("text")
        if not isinstance(t, str) or not t.strip() or t != t.strip():
            err("%s: empty or untrimmed text" % r["_where"])
        if not isinstance(r.get("source"), str):
            err("%s: bad source" % r["_where"])
for rid, c in all_ids.items():
    if c > 1:
        err("duplicate id %s (x%d)" % (rid, c))

# clean.jsonl
if len(clean) != 300:
    err("clean: %d lines, want 300" % len(clean))
groups = Counter()
for r in clean:
    if r.get("label") != "clean":
        err("%s: label must be clean" % r["_where"])
    parts = r.get("source", "").split("/")
    if len(parts) != 2 or parts[0] not in ("hard_negative", "ordinary") or parts[1] not in REGISTERS:
        err("%s: bad source %r" % (r["_where"], r.get("source")))
        continue
    groups[parts[0]] += 1
if groups["hard_negative"] != 160 or groups["ordinary"] != 140:
    err("clean: hard_negative=%d ordinary=%d, want 160/140" % (groups["hard_negative"], groups["ordinary"]))
for g in ("hard_negative", "ordinary"):
    regs = {r["source"].split("/")[1] for r in clean if r.get("source", "").startswith(g + "/")}
    if regs != REGISTERS:
        err("clean %s: registers missing %s" % (g, sorted(REGISTERS - regs)))

# violations.jsonl
want = {"spam_porn": 40, "extreme_claim": 23, "medical_claim": 23, "exaggeration": 23,
        "price_fraud": 23, "diversion": 23, "counterfeit_hint": 23, "staged_drama": 22}
if len(viol) != 200:
    err("violations: %d lines, want 200" % len(viol))
vc = Counter(r.get("label") for r in viol)
for lab, n in want.items():
    if vc[lab] != n:
        err("violations: %s=%d, want %d" % (lab, vc[lab], n))
if vc["clean"]:
    err("violations: contains clean lines")
order = [r.get("label") for r in viol]
expected_order = [lab for lab, n in want.items() for _ in range(n)]
if order != expected_order:
    err("violations: labels not in the required block order")
sp = Counter()
for r in viol:
    src = r.get("source", "")
    if not src.startswith("violation/"):
        err("%s: bad source %r" % (r["_where"], src))
        continue
    reg = src.split("/", 1)[1]
    if r.get("label") == "spam_porn":
        if reg not in ("seo_hijack", "vulgar"):
            err("%s: spam_porn source must be seo_hijack/vulgar" % r["_where"])
        sp[reg] += 1
    elif reg not in REGISTERS:
        err("%s: unknown register %r" % (r["_where"], reg))
if sp["seo_hijack"] != 20 or sp["vulgar"] != 20:
    err("violations: seo_hijack=%d vulgar=%d, want 20/20" % (sp["seo_hijack"], sp["vulgar"]))

# regulator_quotes.jsonl
if len(quotes) != 50:
    err("regulator_quotes: %d lines, want 50" % len(quotes))
qc = Counter(r.get("label") for r in quotes)
for lab in ("extreme_claim", "medical_claim", "exaggeration", "price_fraud", "counterfeit_hint"):
    if qc[lab] != 10:
        err("regulator_quotes: %s=%d, want 10" % (lab, qc[lab]))
if sum(qc.values()) != sum(qc[l] for l in ("extreme_claim", "medical_claim", "exaggeration",
                                           "price_fraud", "counterfeit_hint")):
    err("regulator_quotes: unexpected labels %s" % dict(qc))
for r in quotes:
    if not r.get("source", "").startswith("regulator/") or len(r["source"]) <= len("regulator/"):
        err("%s: bad source %r" % (r["_where"], r.get("source")))
    n = len(r.get("text", ""))
    if not 60 <= n <= 130:
        err("%s: quote length %d not in 60-130" % (r["_where"], n))

# disguises.jsonl
if len(disg) != 48:
    err("disguises: %d lines, want 48" % len(disg))
by_id = {r.get("id"): r for r in viol}
tc = Counter()
seen_plain = Counter()
for r in disg:
    tech = r.get("disguise")
    if tech not in TECHNIQUES:
        err("%s: unknown technique %r" % (r["_where"], tech))
    tc[tech] += 1
    if r.get("source") != "disguise/%s" % tech:
        err("%s: source %r does not match technique" % (r["_where"], r.get("source")))
    p = by_id.get(r.get("plain_id"))
    if p is None:
        err("%s: plain_id %r not in violations" % (r["_where"], r.get("plain_id")))
        continue
    seen_plain[p["id"]] += 1
    if p.get("label") != r.get("label"):
        err("%s: label %r differs from plain %r" % (r["_where"], r.get("label"), p.get("label")))
    if p.get("text") == r.get("text"):
        err("%s: text identical to plain line" % r["_where"])
for tech in TECHNIQUES:
    if tc[tech] != 6:
        err("disguises: %s=%d, want 6" % (tech, tc[tech]))

# no duplicate text across all files
texts = Counter(r.get("text") for recs in (clean, viol, quotes, disg) for r in recs)
for t, c in texts.items():
    if c > 1:
        err("duplicate text (x%d): %s" % (c, t[:30]))

if errors:
    for e in errors:
        print("FAIL:", e)
    print("%d problem(s)" % len(errors))
    sys.exit(1)
print("clean=%d violations=%d regulator_quotes=%d disguises=%d" % (len(clean), len(viol), len(quotes), len(disg)))
print("validation passed")
