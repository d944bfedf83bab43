"""How well the learned judgements carry to a writer they never read.

For each corpus named, the models are trained without it (eval/learned/train.py's
recipe, on every other corpus of ``TUNED_ON`` plus any ``--also`` corpora), and the
engine with those models is measured on it. The lexicons have read every corpus of
``TUNED_ON``, so this measures the models' part, not the engine's as a whole; unseen
sets (eval/moderation/README.md) stay unread.

    .venv/bin/python eval/learned/cross_validate.py holdout-9 holdout-10 holdout-11
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from train import CORPORA, TUNED_ON, train  # noqa: E402

STUFFING_SOURCES = ("seo", "hijack", "stuff")


def _set_constant(name: str, value: str | float) -> None:
    """Set a constant wherever the engine reads it: modules that import a constant by
    name hold their own copy, so every module that has it gets the value."""
    import importlib

    constant = name.rpartition(".")[2]
    modules = [
        importlib.import_module(f"trustfair.text.{module}")
        for module in ("engine", "learned", "detectors.base", "detectors.spam_porn")
    ]
    holders = [module for module in modules if hasattr(module, constant)]
    if not holders:
        raise SystemExit(f"--set/--vary: no engine constant named {constant}")
    for module in holders:
        setattr(module, constant, float(value))


def measure(directory: Path, constant: str = "", value: float = 0.0) -> Counter:
    """Lawful lines flagged, stuffed lines, disguises, quotes and claims found."""
    from trustfair.text.holder import default_holder

    if constant:
        _set_constant(constant, value)
    engine = default_holder().current()
    counts: Counter = Counter()
    for path in sorted(directory.glob("*.jsonl")):
        for raw in path.read_text(encoding="utf-8").splitlines():
            item = json.loads(raw)
            if "text" not in item:
                continue
            result = engine.moderate(item["text"])
            found = {label.label for label in result.labels}
            label, source = item["label"], item.get("source", "")
            if label == "clean":
                kind = "lawful"
                hit = result.verdict != "pass"
            else:
                hit = label in found
                if "plain_id" in item:
                    kind = "disguise"
                elif source.startswith("regulator"):
                    kind = "quote"
                elif label == "spam_porn" and any(s in source for s in STUFFING_SOURCES):
                    kind = "stuffed"
                else:
                    kind = "claim"
            counts[kind] += 1
            counts[f"{kind}_hit"] += hit
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("held_out", nargs="*", help="corpora to leave out in turn")
    parser.add_argument("--also", nargs="*", default=[], help="corpora that always train")
    parser.add_argument(
        "--vary",
        default="",
        help="NAME=V1,V2,...: measure with each value of the engine's constant NAME "
        "(trustfair.text.engine.NAME), on the same trained folds",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        help="NAME=V: an engine constant for every measure (learned.NAME: the learned module's)",
    )
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    name, _, values = args.vary.partition("=")
    settings = [(name, float(v)) for v in values.split(",")] if name else [("", 0.0)]
    if args.measure:  # a child process, with the fold's models in its environment
        for fixed in args.set:
            _set_constant(*fixed.split("="))
        print(json.dumps([measure(CORPORA / args.measure, *setting) for setting in settings]))
        return
    totals = [Counter() for _ in settings]
    with tempfile.TemporaryDirectory() as tmp:
        for held_out in args.held_out:
            out = Path(tmp) / f"without-{held_out}.npz"
            train([c for c in TUNED_ON + args.also if c != held_out], out, report=False)
            env = {**os.environ, "TRUSTFAIR_LEARNED_MODELS": str(out)}
            child = [sys.executable, __file__, "--measure", held_out, "--vary", args.vary]
            child += [f"--set={fixed}" for fixed in args.set]
            results = json.loads(subprocess.check_output(child, env=env))
            for setting, counts, total in zip(settings, results, totals, strict=True):
                print(held_out, _label(setting), _summary(Counter(counts)), flush=True)
                total.update(counts)
    for setting, total in zip(settings, totals, strict=True):
        print("all", _label(setting), _summary(total))


def _label(setting: tuple[str, float]) -> str:
    return f"{setting[0]}={setting[1]}" if setting[0] else ""


def _summary(counts: Counter) -> str:
    parts = []
    for kind in ("lawful", "stuffed", "disguise", "quote", "claim"):
        if counts[kind]:
            share = 100 * counts[f"{kind}_hit"] / counts[kind]
            parts.append(f"{kind} {share:.1f}% ({counts[kind + '_hit']}/{counts[kind]})")
    return " | ".join(parts)


if __name__ == "__main__":
    main()
