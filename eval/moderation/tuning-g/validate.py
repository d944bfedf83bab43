#!/usr/bin/env python3
"""Validate the h22 corpus files."""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SPEC = {
    "stuffing.jsonl": (150, "spam_porn", "violation/seo_hijack/"),
    "vulgar.jsonl": (50, "spam_porn", "violation/vulgar"),
    "clean.jsonl": (200, "clean", "hard_negative/"),
}
KEYS = {"id", "text", "label", "source"}


def main():
    errors = []
    ids, texts = set(), {}
    for name, (count, label, src_prefix) in SPEC.items():
        path = os.path.join(HERE, name)
        if not os.path.exists(path):
            errors.append(f"{name}: missing")
            continue
        n = 0
        with open(path, encoding="utf-8") as f:
            for ln, line in enumerate(f, 1):
                if not line.strip():
                    errors.append(f"{name}:{ln}: blank line")
                    continue
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError as e:
                    errors.append(f"{name}:{ln}: bad JSON ({e})")
                    continue
                n += 1
                if not isinstance(rec, dict) or set(rec) != KEYS:
                    errors.append(f"{name}:{ln}: keys {sorted(rec) if isinstance(rec, dict) else type(rec)}")
                    continue
                if line.rstrip("\n") != json.dumps(rec, ensure_ascii=False):
                    errors.append(f"{name}:{ln}: not json.dumps(ensure_ascii=False) form")
                for k in KEYS:
                    if not isinstance(rec[k], str) or not rec[k].strip():
                        errors.append(f"{name}:{ln}: empty/non-string {k}")
                rid = rec["id"]
                if not rid.startswith("h22-"):
                    errors.append(f"{name}:{ln}: id prefix {rid}")
                if rid in ids:
                    errors.append(f"{name}:{ln}: duplicate id {rid}")
                ids.add(rid)
                if rec["label"] != label:
                    errors.append(f"{name}:{ln}: label {rec['label']}")
                src = rec["source"]
                if src_prefix.endswith("/"):
                    if not src.startswith(src_prefix) or len(src) == len(src_prefix):
                        errors.append(f"{name}:{ln}: source {src}")
                elif src != src_prefix:
                    errors.append(f"{name}:{ln}: source {src}")
                t = rec["text"].strip()
                if t in texts:
                    errors.append(f"{name}:{ln}: duplicate text (also {texts[t]})")
                texts[t] = f"{name}:{ln}"
        if n != count:
            errors.append(f"{name}: {n} records, expected {count}")
        print(f"{name}: {n} records")
    if errors:
        print("FAIL")
        for e in errors:
            print("  " + e)
        sys.exit(1)
    print(f"OK: {len(ids)} records, all checks passed")


if __name__ == "__main__":
    main()
