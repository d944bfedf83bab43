#!/usr/bin/env python3
# -*- coding: utf-8 -*-
"""Validate the h6 corpus files produced by build.py (CC0 1.0)."""
import json
import os
import re
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
LABELS = {"spam_porn", "extreme_claim", "medical_claim", "exaggeration", "price_fraud",
          "diversion", "staged_drama", "counterfeit_hint", "clean"}
TECHNIQUES = {"traditional", "fullwidth", "separators", "homophone", "pinyin",
              "chinese_numerals", "circled_numerals", "emoji"}
BASE_KEYS = {"id", "text", "label", "source"}
DIS_KEYS = BASE_KEYS | {"plain_id", "disguise"}

errors = []


def err(msg):
    errors.append(msg)


def load(name):
    rows = []
    with open(os.path.join(HERE, name), encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip():
                err("%s:%d empty line" % (name, n))
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as e:
                err("%s:%d JSON error: %s" % (name, n, e))
    return rows


files = {
    "clean.jsonl": BASE_KEYS,
    "violations.jsonl": BASE_KEYS,
    "regulator_quotes.jsonl": BASE_KEYS,
    "disguises.jsonl": DIS_KEYS,
}
data = {name: load(name) for name in files}

seen_ids, seen_texts = set(), {}
for name, keys in files.items():
    for r in data[name]:
        if set(r) != keys:
            err("%s %s: keys %s != %s" % (name, r.get("id"), sorted(r), sorted(keys)))
        rid = r.get("id", "")
        if not isinstance(rid, str) or not rid.startswith("h6-"):
            err("%s: bad id %r" % (name, rid))
        if rid in seen_ids:
            err("%s: duplicate id %s" % (name, rid))
        seen_ids.add(rid)
        if r.get("label") not in LABELS:
            err("%s %s: invalid label %r" % (name, rid, r.get("label")))
        t = r.get("text")
        if not isinstance(t, str) or not t.strip():
            err("%s %s: empty text" % (name, rid))
            continue
        norm = re.sub(r"\s+", " ", t.strip())
        if norm in seen_texts:
            err("%s %s: duplicate text (also %s)" % (name, rid, seen_texts[norm]))
        seen_texts[norm] = rid
        if not isinstance(r.get("source"), str) or not r["source"]:
            err("%s %s: missing source" % (name, rid))
        # any plain 11-digit run must look like an invented mobile number (13/15/18)
        for m in re.findall(r"(?<!\d)1\d{10}(?!\d)", re.sub(r"[ \-]", "", t)):
            if m[:2] not in ("13", "15", "18"):
                err("%s %s: phone-like number %s not 13/15/18" % (name, rid, m))

# per-file constraints
for r in data["clean.jsonl"]:
    if r.get("label") != "clean":
        err("clean.jsonl %s: label must be clean" % r.get("id"))
    if not 5 <= len(r.get("text", "")) <= 400:
        err("clean.jsonl %s: length %d outside 5-400" % (r.get("id"), len(r.get("text", ""))))
for r in data["violations.jsonl"]:
    if r.get("label") == "clean":
        err("violations.jsonl %s: label clean not allowed" % r.get("id"))
reg_labels = {"extreme_claim", "medical_claim", "exaggeration", "price_fraud", "counterfeit_hint"}
quote_pat = re.compile(r"[“「]|宣称|声称|称|标注")
for r in data["regulator_quotes.jsonl"]:
    if r.get("label") not in reg_labels:
        err("regulator_quotes.jsonl %s: label %s not allowed" % (r.get("id"), r.get("label")))
    if not 80 <= len(r.get("text", "")) <= 300:
        err("regulator_quotes.jsonl %s: length %d outside 80-300" % (r.get("id"), len(r.get("text", ""))))
    if not quote_pat.search(r.get("text", "")):
        err("regulator_quotes.jsonl %s: no quotation marker" % r.get("id"))

viol_by_id = {r["id"]: r for r in data["violations.jsonl"] if "id" in r}
for r in data["disguises.jsonl"]:
    pid = r.get("plain_id")
    if pid not in viol_by_id:
        err("disguises.jsonl %s: plain_id %s not in violations.jsonl" % (r.get("id"), pid))
    elif viol_by_id[pid]["label"] != r.get("label"):
        err("disguises.jsonl %s: label %s != plain label %s" % (r.get("id"), r.get("label"), viol_by_id[pid]["label"]))
    if r.get("disguise") not in TECHNIQUES:
        err("disguises.jsonl %s: invalid disguise %r" % (r.get("id"), r.get("disguise")))

# expected counts
expect = {"clean.jsonl": 320, "violations.jsonl": 240, "regulator_quotes.jsonl": 60, "disguises.jsonl": 80}
for name, n in expect.items():
    if len(data[name]) != n:
        err("%s: %d lines, expected %d" % (name, len(data[name]), n))
vc = Counter(r["label"] for r in data["violations.jsonl"])
if vc["spam_porn"] != 45:
    err("violations: spam_porn %d != 45" % vc["spam_porn"])
rc = Counter(r["label"] for r in data["regulator_quotes.jsonl"])
for lab in reg_labels:
    if rc[lab] != 12:
        err("regulator_quotes: %s %d != 12" % (lab, rc[lab]))
dc = Counter(r["disguise"] for r in data["disguises.jsonl"])
for tech in TECHNIQUES:
    if dc[tech] != 10:
        err("disguises: %s %d != 10" % (tech, dc[tech]))

# report
for name in files:
    rows = data[name]
    print("%-24s %4d lines" % (name, len(rows)))
    for k, v in sorted(Counter(r.get("label") for r in rows).items()):
        print("    label  %-18s %4d" % (k, v))
    for k, v in sorted(Counter(r.get("source") for r in rows).items()):
        print("    source %-18s %4d" % (k, v))
    if name == "disguises.jsonl":
        for k, v in sorted(dc.items()):
            print("    disguise %-16s %4d" % (k, v))
print("total lines: %d" % sum(len(v) for v in data.values()))
if errors:
    print("\n%d ERROR(S):" % len(errors))
    for e in errors:
        print("  " + e)
    sys.exit(1)
print("OK: all checks passed")
