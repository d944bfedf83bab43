#!/usr/bin/env python3
# -*- coding: utf-8 -*-
"""Validate clean.jsonl and violations.jsonl for corpus h24."""
import json
import os
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
LABELS = {"extreme_claim", "medical_claim", "exaggeration", "price_fraud",
          "diversion", "staged_drama", "counterfeit_hint", "spam_porn"}
KEYS = {"id", "text", "label", "source"}
errors = []


def err(msg):
    errors.append(msg)


def load(name):
    rows = []
    path = os.path.join(HERE, name)
    with open(path, encoding="utf-8") as f:
        for i, line in enumerate(f, 1):
            if not line.strip():
                err("%s:%d empty line" % (name, i))
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                err("%s:%d invalid JSON: %s" % (name, i, e))
                continue
            if not isinstance(obj, dict):
                err("%s:%d not an object" % (name, i))
                continue
            if set(obj) != KEYS:
                err("%s:%d keys %s != %s" % (name, i, sorted(obj), sorted(KEYS)))
            for k in KEYS:
                if not isinstance(obj.get(k), str) or not obj.get(k, "").strip():
                    err("%s:%d field %r missing/empty/not string" % (name, i, k))
            if line.rstrip("\n") != json.dumps(obj, ensure_ascii=False):
                err("%s:%d not serialised with json.dumps(ensure_ascii=False)" % (name, i))
            rows.append((i, obj))
    return rows


clean = load("clean.jsonl")
viol = load("violations.jsonl")

# per-file checks
if len(clean) != 400:
    err("clean.jsonl has %d records, expected 400" % len(clean))
for i, r in clean:
    if r.get("label") != "clean":
        err("clean.jsonl:%d label %r != 'clean'" % (i, r.get("label")))
    src = r.get("source", "")
    if not src.startswith("hard_negative/") or len(src) <= len("hard_negative/"):
        err("clean.jsonl:%d bad source %r" % (i, src))

if len(viol) != 200:
    err("violations.jsonl has %d records, expected 200" % len(viol))
vc = Counter()
for i, r in viol:
    lab = r.get("label")
    if lab not in LABELS:
        err("violations.jsonl:%d unknown label %r" % (i, lab))
    vc[lab] += 1
    src = r.get("source", "")
    if not src.startswith("violation/") or len(src) <= len("violation/"):
        err("violations.jsonl:%d bad source %r" % (i, src))
for lab in sorted(LABELS):
    if vc[lab] != 25:
        err("label %s has %d violations, expected 25" % (lab, vc[lab]))

# cross-file checks
ids = Counter()
texts = Counter()
for name, rows in (("clean", clean), ("violations", viol)):
    for i, r in rows:
        rid = r.get("id", "")
        if not rid.startswith("h24-"):
            err("%s:%d id %r lacks prefix h24-" % (name, i, rid))
        ids[rid] += 1
        texts[r.get("text", "").strip()] += 1
for rid, c in ids.items():
    if c > 1:
        err("duplicate id %r (%d times)" % (rid, c))
for t, c in texts.items():
    if c > 1:
        err("duplicate text (%d times): %s" % (c, t[:40]))

if errors:
    for e in errors:
        print("ERROR:", e)
    print("VALIDATION FAILED: %d error(s)" % len(errors))
    sys.exit(1)
print("clean.jsonl: %d records (label clean)" % len(clean))
print("violations.jsonl: %d records %s" % (len(viol), dict(sorted(vc.items()))))
print("VALIDATION PASSED")
