#!/usr/bin/env python3
"""Validate the h16 corpus files. Exit status 1 on any error."""
import json
import os
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
LABELS = {"clean", "spam_porn", "extreme_claim", "medical_claim", "exaggeration",
          "price_fraud", "diversion", "staged_drama", "counterfeit_hint"}
TECHNIQUES = {"traditional", "fullwidth", "separators", "homophone", "pinyin",
              "chinese_numerals", "circled_numerals", "emoji"}
BASE_KEYS = {"id", "text", "label", "source"}
FILES = {
    "clean.jsonl": {"keys": BASE_KEYS, "count": 300},
    "violations.jsonl": {"keys": BASE_KEYS, "count": 200},
    "regulator_quotes.jsonl": {"keys": BASE_KEYS, "count": 50},
    "disguises.jsonl": {"keys": BASE_KEYS | {"plain_id", "disguise"}, "count": 48},
}
SOURCE_PREFIX = {
    "clean.jsonl": ("hard_negative/", "ordinary/"),
    "violations.jsonl": ("violation/",),
    "regulator_quotes.jsonl": ("regulator/",),
    "disguises.jsonl": ("disguise/",),
}

errors = []


def err(msg):
    errors.append(msg)


def load(name):
    rows = []
    path = os.path.join(HERE, name)
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                err("%s:%d empty line" % (name, n))
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                err("%s:%d bad JSON: %s" % (name, n, e))
                continue
            if not isinstance(obj, dict):
                err("%s:%d not an object" % (name, n))
                continue
            rows.append((n, obj))
    return rows


data = {name: load(name) for name in FILES}

ids = {}
texts = {}
for name, spec in FILES.items():
    rows = data[name]
    if len(rows) != spec["count"]:
        err("%s: expected %d lines, got %d" % (name, spec["count"], len(rows)))
    for n, obj in rows:
        where = "%s:%d" % (name, n)
        if set(obj) != spec["keys"]:
            err("%s keys %s != %s" % (where, sorted(obj), sorted(spec["keys"])))
        for k in spec["keys"]:
            if not isinstance(obj.get(k), str) or not obj.get(k).strip():
                err("%s field %r missing or empty" % (where, k))
        rid, text, label, src = (obj.get("id"), obj.get("text"),
                                 obj.get("label"), obj.get("source"))
        if not isinstance(rid, str) or not rid.startswith("h16-"):
            err("%s id %r does not start with h16-" % (where, rid))
        if rid in ids:
            err("%s duplicate id %r (first at %s)" % (where, rid, ids[rid][0]))
        else:
            ids[rid] = (where, obj)
        if label not in LABELS:
            err("%s invalid label %r" % (where, label))
        if name == "clean.jsonl" and label != "clean":
            err("%s clean file has label %r" % (where, label))
        if name != "clean.jsonl" and label == "clean":
            err("%s non-clean file has label clean" % where)
        if isinstance(src, str) and not src.startswith(SOURCE_PREFIX[name]):
            err("%s source %r has wrong prefix" % (where, src))
        if isinstance(text, str):
            if text != text.strip():
                err("%s text has surrounding whitespace" % where)
            if text in texts:
                err("%s duplicate text (also at %s)" % (where, texts[text]))
            else:
                texts[text] = where
        if name == "regulator_quotes.jsonl" and isinstance(text, str):
            if not 60 <= len(text) <= 130:
                err("%s regulator text length %d outside 60-130" % (where, len(text)))

# disguises: plain_id must exist in violations with the same label
viol_ids = {obj["id"]: obj for _, obj in data["violations.jsonl"] if "id" in obj}
tech_count = Counter()
for n, obj in data["disguises.jsonl"]:
    where = "disguises.jsonl:%d" % n
    pid = obj.get("plain_id")
    tech = obj.get("disguise")
    if tech not in TECHNIQUES:
        err("%s invalid disguise %r" % (where, tech))
    tech_count[tech] += 1
    if obj.get("source") != "disguise/%s" % tech:
        err("%s source %r does not match disguise %r" % (where, obj.get("source"), tech))
    if pid not in viol_ids:
        err("%s plain_id %r not found in violations.jsonl" % (where, pid))
        continue
    plain = viol_ids[pid]
    if plain.get("label") != obj.get("label"):
        err("%s label %r != plain label %r" % (where, obj.get("label"), plain.get("label")))
    if plain.get("text") == obj.get("text"):
        err("%s text identical to plain line" % where)
for tech in TECHNIQUES:
    if tech_count[tech] != 6:
        err("disguises.jsonl: technique %s has %d lines, expected 6" % (tech, tech_count[tech]))

# report
for name in FILES:
    rows = data[name]
    c = Counter(obj.get("label") for _, obj in rows)
    print("%s: %d lines" % (name, len(rows)))
    for label, k in sorted(c.items()):
        print("    %-18s %4d" % (label, k))
    if name == "clean.jsonl":
        s = Counter(obj.get("source", "").split("/")[0] for _, obj in rows)
        print("    by kind: " + ", ".join("%s=%d" % kv for kv in sorted(s.items())))
    if name == "violations.jsonl":
        s = Counter(obj.get("source") for _, obj in rows if obj.get("label") == "spam_porn")
        print("    spam_porn sources: " + ", ".join("%s=%d" % kv for kv in sorted(s.items())))
    if name == "disguises.jsonl":
        print("    by technique: " + ", ".join("%s=%d" % kv for kv in sorted(tech_count.items())))
total = sum(len(r) for r in data.values())
print("total: %d lines, %d unique ids, %d unique texts" % (total, len(ids), len(texts)))

if errors:
    print("\n%d ERROR(S):" % len(errors))
    for e in errors:
        print("  " + e)
    sys.exit(1)
print("OK")
