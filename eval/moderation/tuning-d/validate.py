#!/usr/bin/env python3
"""Validate the h19 corpus files written by build.py. Exit code 0 = pass."""
import json
import os
import re
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))

LABELS = {"clean", "spam_porn", "extreme_claim", "medical_claim", "exaggeration",
          "price_fraud", "diversion", "staged_drama", "counterfeit_hint"}
CLEAN_REGISTERS = {"live_asr", "chat", "listing_title", "description", "review", "ticket",
                   "customer_service", "rule_page", "announcement", "news", "forum",
                   "manual", "navigation"}
TECHNIQUES = ["traditional", "fullwidth", "separators", "homophone", "pinyin",
              "chinese_numerals", "circled_numerals", "emoji"]
BASE_KEYS = {"id", "text", "label", "source"}
DISGUISE_KEYS = BASE_KEYS | {"plain_id", "disguise"}

errors = []


def err(msg):
    errors.append(msg)


def load(name):
    path = os.path.join(HERE, name)
    recs = []
    if not os.path.exists(path):
        err("%s: missing" % name)
        return recs
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            line = line.rstrip("\n")
            if not line.strip():
                err("%s:%d: blank line" % (name, n))
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                err("%s:%d: bad JSON (%s)" % (name, n, e))
                continue
            if not isinstance(obj, dict):
                err("%s:%d: not an object" % (name, n))
                continue
            if line != json.dumps(obj, ensure_ascii=False):
                err("%s:%d: not serialised with json.dumps(ensure_ascii=False)" % (name, n))
            obj["_where"] = "%s:%d" % (name, n)
            recs.append(obj)
    return recs


def check_common(recs, expected_keys):
    for r in recs:
        keys = set(r) - {"_where"}
        if keys != expected_keys:
            err("%s: keys %s != %s" % (r["_where"], sorted(keys), sorted(expected_keys)))
        for k in expected_keys:
            if k in r and not (isinstance(r[k], str) and r[k].strip()):
                err("%s: key %s empty or not a string" % (r["_where"], k))
        if not str(r.get("id", "")).startswith("h19-"):
            err("%s: id without h19- prefix" % r["_where"])
        if r.get("label") not in LABELS:
            err("%s: unknown label %r" % (r["_where"], r.get("label")))
        text = r.get("text", "")
        if text != text.strip():
            err("%s: leading/trailing whitespace" % r["_where"])
        if re.search(r"\d{7,}", text):
            err("%s: unmasked long digit run" % r["_where"])


def main():
    clean = load("clean.jsonl")
    viol = load("violations.jsonl")
    quotes = load("regulator_quotes.jsonl")
    disg = load("disguises.jsonl")

    check_common(clean, BASE_KEYS)
    check_common(viol, BASE_KEYS)
    check_common(quotes, BASE_KEYS)
    check_common(disg, DISGUISE_KEYS)

    # ids unique across all files
    ids = Counter(r.get("id") for r in clean + viol + quotes + disg)
    for i, c in ids.items():
        if c > 1:
            err("duplicate id %s (x%d)" % (i, c))

    # text unique across all files
    texts = {}
    for r in clean + viol + quotes + disg:
        t = r.get("text")
        if t in texts:
            err("duplicate text: %s and %s" % (texts[t], r["_where"]))
        else:
            texts[t] = r["_where"]

    # clean.jsonl
    if len(clean) != 300:
        err("clean.jsonl: %d lines, expected 300" % len(clean))
    kinds = Counter()
    for r in clean:
        if r.get("label") != "clean":
            err("%s: label must be clean" % r["_where"])
        src = r.get("source", "")
        kind, _, reg = src.partition("/")
        kinds[kind] += 1
        if kind not in ("hard_negative", "ordinary") or reg not in CLEAN_REGISTERS:
            err("%s: bad clean source %r" % (r["_where"], src))
    if kinds["hard_negative"] != 170 or kinds["ordinary"] != 130:
        err("clean.jsonl: split %s, expected 170 hard_negative / 130 ordinary" % dict(kinds))

    # violations.jsonl
    expect_v = {"spam_porn": 40, "extreme_claim": 23, "medical_claim": 23, "exaggeration": 23,
                "price_fraud": 23, "diversion": 23, "counterfeit_hint": 23, "staged_drama": 22}
    if len(viol) != 200:
        err("violations.jsonl: %d lines, expected 200" % len(viol))
    vc = Counter(r.get("label") for r in viol)
    for lab, n in expect_v.items():
        if vc[lab] != n:
            err("violations.jsonl: %s has %d, expected %d" % (lab, vc[lab], n))
    if vc["clean"]:
        err("violations.jsonl: contains clean lines")
    sp = Counter(r["source"] for r in viol if r.get("label") == "spam_porn")
    if sp["violation/seo_hijack"] != 20 or sp["violation/vulgar"] != 20:
        err("violations.jsonl: spam_porn split %s, expected 20 seo_hijack / 20 vulgar" % dict(sp))
    for r in viol:
        src = r.get("source", "")
        if not re.fullmatch(r"violation/[a-z_]+", src):
            err("%s: bad violation source %r" % (r["_where"], src))

    # regulator_quotes.jsonl
    if len(quotes) != 50:
        err("regulator_quotes.jsonl: %d lines, expected 50" % len(quotes))
    qc = Counter(r.get("label") for r in quotes)
    for lab in ("extreme_claim", "medical_claim", "exaggeration", "price_fraud", "counterfeit_hint"):
        if qc[lab] != 10:
            err("regulator_quotes.jsonl: %s has %d, expected 10" % (lab, qc[lab]))
    for r in quotes:
        if not re.fullmatch(r"regulator/[a-z_]+", r.get("source", "")):
            err("%s: bad regulator source %r" % (r["_where"], r.get("source")))
        n = len(r.get("text", ""))
        if not 60 <= n <= 130:
            err("%s: quote length %d outside 60-130" % (r["_where"], n))

    # disguises.jsonl
    if len(disg) != 48:
        err("disguises.jsonl: %d lines, expected 48" % len(disg))
    plain = {r.get("id"): r for r in viol}
    tc = Counter()
    for r in disg:
        tech = r.get("disguise")
        tc[tech] += 1
        if tech not in TECHNIQUES:
            err("%s: unknown technique %r" % (r["_where"], tech))
        if r.get("source") != "disguise/%s" % tech:
            err("%s: source %r does not match technique" % (r["_where"], r.get("source")))
        p = plain.get(r.get("plain_id"))
        if p is None:
            err("%s: plain_id %r not in violations.jsonl" % (r["_where"], r.get("plain_id")))
        else:
            if p.get("label") != r.get("label"):
                err("%s: label %r differs from plain %r" % (r["_where"], r.get("label"), p.get("label")))
            if p.get("text") == r.get("text"):
                err("%s: disguised text identical to plain" % r["_where"])
    for t in TECHNIQUES:
        if tc[t] != 6:
            err("disguises.jsonl: technique %s has %d, expected 6" % (t, tc[t]))

    if errors:
        for e in errors:
            print("FAIL:", e)
        print("validation FAILED with %d error(s)" % len(errors))
        return 1
    print("clean.jsonl %d | violations.jsonl %d | regulator_quotes.jsonl %d | disguises.jsonl %d"
          % (len(clean), len(viol), len(quotes), len(disg)))
    print("validation passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
