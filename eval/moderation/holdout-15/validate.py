#!/usr/bin/env python3
"""Validate the h17 corpus files. Exits non-zero on any error."""
import json
import os
import re
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
LABELS = {"clean", "spam_porn", "extreme_claim", "medical_claim", "exaggeration",
          "price_fraud", "diversion", "staged_drama", "counterfeit_hint"}
REGISTERS = {"live_asr", "chat", "listing_title", "description", "review", "ticket",
             "customer_service", "rule_page", "announcement", "news", "forum",
             "manual", "navigation"}
BASE_KEYS = {"id", "text", "label", "source"}
TECHNIQUES = ["traditional", "fullwidth", "separators", "homophone", "pinyin",
              "chinese_numerals", "circled_numerals", "emoji"]
REG_KINDS = {"penalty_decision", "court_reasoning", "typical_case", "news_report",
             "consumer_tip", "police_notice", "hk_release", "tw_release"}

errors = []


def err(msg):
    errors.append(msg)


def load(name):
    path = os.path.join(HERE, name)
    recs = []
    if not os.path.exists(path):
        err(f"{name}: missing")
        return recs
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                err(f"{name}:{n}: blank line")
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                err(f"{name}:{n}: bad JSON ({e})")
                continue
            if not isinstance(obj, dict):
                err(f"{name}:{n}: not an object")
                continue
            if line.rstrip("\n") != json.dumps(obj, ensure_ascii=False):
                err(f"{name}:{n}: not serialised with json.dumps(ensure_ascii=False)")
            obj["_where"] = f"{name}:{n}"
            recs.append(obj)
    return recs


def check_common(recs, name, keys):
    for r in recs:
        w = r["_where"]
        got = set(r) - {"_where"}
        if got != keys:
            err(f"{w}: keys {sorted(got)} != {sorted(keys)}")
        for k in keys:
            if k in r and not isinstance(r[k], str):
                err(f"{w}: {k} is not a string")
        if not str(r.get("id", "")).startswith("h17-"):
            err(f"{w}: id lacks h17- prefix")
        if r.get("label") not in LABELS:
            err(f"{w}: bad label {r.get('label')!r}")
        t = r.get("text", "")
        if not t or t != t.strip():
            err(f"{w}: empty text or leading/trailing whitespace")


def main():
    clean = load("clean.jsonl")
    viol = load("violations.jsonl")
    regq = load("regulator_quotes.jsonl")
    disg = load("disguises.jsonl")

    check_common(clean, "clean", BASE_KEYS)
    check_common(viol, "violations", BASE_KEYS)
    check_common(regq, "regulator", BASE_KEYS)
    check_common(disg, "disguises", BASE_KEYS | {"plain_id", "disguise"})

    # ids unique across everything
    ids = Counter(r.get("id") for r in clean + viol + regq + disg)
    for i, c in ids.items():
        if c > 1:
            err(f"duplicate id {i} ({c}x)")

    # texts unique across everything
    texts = Counter(r.get("text") for r in clean + viol + regq + disg)
    for t, c in texts.items():
        if c > 1:
            err(f"duplicate text ({c}x): {t[:40]}")

    # clean.jsonl
    if len(clean) != 300:
        err(f"clean.jsonl: {len(clean)} lines, expected 300")
    kinds = Counter()
    regs = Counter()
    for r in clean:
        if r.get("label") != "clean":
            err(f"{r['_where']}: label must be clean")
        m = re.fullmatch(r"(hard_negative|ordinary)/(\w+)", r.get("source", ""))
        if not m or m.group(2) not in REGISTERS:
            err(f"{r['_where']}: bad source {r.get('source')!r}")
            continue
        kinds[m.group(1)] += 1
        regs[m.group(2)] += 1
    if kinds["hard_negative"] != 160 or kinds["ordinary"] != 140:
        err(f"clean.jsonl: hard_negative={kinds['hard_negative']} ordinary={kinds['ordinary']}, expected 160/140")
    missing = REGISTERS - set(regs)
    if missing:
        err(f"clean.jsonl: registers unused: {sorted(missing)}")

    # violations.jsonl
    expected_v = {"spam_porn": 40, "extreme_claim": 23, "medical_claim": 23,
                  "exaggeration": 23, "price_fraud": 23, "diversion": 23,
                  "counterfeit_hint": 23, "staged_drama": 22}
    if len(viol) != 200:
        err(f"violations.jsonl: {len(viol)} lines, expected 200")
    vc = Counter(r.get("label") for r in viol)
    if dict(vc) != expected_v:
        err(f"violations.jsonl: label counts {dict(vc)} != {expected_v}")
    sp_src = Counter()
    for r in viol:
        src = r.get("source", "")
        if r.get("label") == "clean":
            err(f"{r['_where']}: clean label in violations")
        if r.get("label") == "spam_porn":
            if src not in ("violation/seo_hijack", "violation/vulgar"):
                err(f"{r['_where']}: spam_porn source must be seo_hijack or vulgar")
            sp_src[src] += 1
        else:
            m = re.fullmatch(r"violation/(\w+)", src)
            if not m or m.group(1) not in REGISTERS:
                err(f"{r['_where']}: bad source {src!r}")
    if sp_src["violation/seo_hijack"] != 20 or sp_src["violation/vulgar"] != 20:
        err(f"violations.jsonl: spam_porn split {dict(sp_src)}, expected 20/20")

    # regulator_quotes.jsonl
    if len(regq) != 50:
        err(f"regulator_quotes.jsonl: {len(regq)} lines, expected 50")
    rc = Counter(r.get("label") for r in regq)
    exp_r = {k: 10 for k in ("extreme_claim", "medical_claim", "exaggeration",
                             "price_fraud", "counterfeit_hint")}
    if dict(rc) != exp_r:
        err(f"regulator_quotes.jsonl: label counts {dict(rc)} != {exp_r}")
    for r in regq:
        m = re.fullmatch(r"regulator/(\w+)", r.get("source", ""))
        if not m or m.group(1) not in REG_KINDS:
            err(f"{r['_where']}: bad source {r.get('source')!r}")
        n = len(r.get("text", ""))
        if not 60 <= n <= 130:
            err(f"{r['_where']}: quote length {n} outside 60-130")

    # disguises.jsonl
    if len(disg) != 48:
        err(f"disguises.jsonl: {len(disg)} lines, expected 48")
    vmap = {r.get("id"): r for r in viol}
    dc = Counter()
    for r in disg:
        w = r["_where"]
        tech = r.get("disguise")
        dc[tech] += 1
        if tech not in TECHNIQUES:
            err(f"{w}: unknown technique {tech!r}")
        if r.get("source") != f"disguise/{tech}":
            err(f"{w}: source {r.get('source')!r} != disguise/{tech}")
        p = vmap.get(r.get("plain_id"))
        if p is None:
            err(f"{w}: plain_id {r.get('plain_id')!r} not in violations.jsonl")
            continue
        if p.get("label") != r.get("label"):
            err(f"{w}: label {r.get('label')} != plain label {p.get('label')}")
        if p.get("text") == r.get("text"):
            err(f"{w}: text identical to plain line")
        t = r.get("text", "")
        if tech == "fullwidth" and not re.search(r"[\uFF10-\uFF19\uFF21-\uFF3A\uFF41-\uFF5A]", t):
            err(f"{w}: fullwidth line has no fullwidth alphanumerics")
        if tech == "circled_numerals" and not re.search(r"[\u2460-\u2473\u24EA]", t):
            err(f"{w}: circled line has no circled numerals")
        if tech == "pinyin" and not re.search(r"[a-z]{3,}", t):
            err(f"{w}: pinyin line has no latin syllables")
        if tech == "emoji" and not re.search(r"[\U0001F300-\U0001FAFF\u2600-\u27BF\u23E9-\u23FA]", t):
            err(f"{w}: emoji line has no emoji")
        if tech == "chinese_numerals" and re.search(r"\d", t):
            err(f"{w}: chinese_numerals line still has ASCII digits")
    for tech in TECHNIQUES:
        if dc[tech] != 6:
            err(f"disguises.jsonl: {tech} has {dc[tech]}, expected 6")

    if errors:
        for e in errors:
            print("ERROR:", e)
        print(f"FAILED with {len(errors)} error(s)")
        sys.exit(1)
    print(f"clean.jsonl={len(clean)} violations.jsonl={len(viol)} "
          f"regulator_quotes.jsonl={len(regq)} disguises.jsonl={len(disg)}")
    print("validation passed")


if __name__ == "__main__":
    main()
