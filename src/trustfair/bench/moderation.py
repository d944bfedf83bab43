"""Characters/s of ``moderate`` on a mixed corpus of at least 5 MB, beside a bare
pyahocorasick automaton with the same lexicon scanning the already-normalised text.

The corpus mixes what a marketplace feeds the engine: listing titles and descriptions,
live transcript segments, chat, reviews and tickets from a simulated marketplace, and
the hand-written evaluation corpora (lawful copy, news, customer service, regulators'
cases, spam). Both sides go item by item. The baseline is the engine's own automaton,
so the lexicon is the same key for key; its texts are normalised before its clock
starts. Runs alternate, and the median of each is kept. Latency is one
``moderate`` call on a 200-character live segment.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from trustfair.text.holder import default_holder
from trustfair.text.normalize import normalize

TARGET_BYTES = 5 * 1024 * 1024
SEGMENT_CHARS = 200
LONG_TEXT_CHARS = 100
EVAL_DIR = Path(__file__).resolve().parents[3] / "eval" / "moderation"


def _simulated_texts(seed: int) -> list[tuple[str, str | None, str | None]]:
    from trustfair.sim import simulate
    from trustfair.sim.labeled import labeled_lines

    with tempfile.TemporaryDirectory() as tmp:
        simulate(seed=seed, scale="medium", out_dir=Path(tmp))
        return [(i["text"], i["context"], i["category"]) for i in labeled_lines(Path(tmp))]


def _hand_written_texts() -> list[tuple[str, str | None, str | None]]:
    texts: list[tuple[str, str | None, str | None]] = []
    for path in sorted(EVAL_DIR.glob("*/*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            if "text" in record:  # real/known_violations.jsonl holds ids, not texts
                texts.append((record["text"], None, None))
    return texts


def corpus(seed: int = 7) -> list[tuple[str, str | None, str | None]]:
    """A realistic mix of at least TARGET_BYTES of text."""
    hand = _hand_written_texts()
    simulated = _simulated_texts(seed)
    items: list[tuple[str, str | None, str | None]] = []
    size = 0
    i = 0
    # Interleave: one hand-written text for every 20 simulated ones, until 5 MB.
    while size < TARGET_BYTES:
        item = (
            hand[(i // 20) % len(hand)] if hand and i % 20 == 0 else simulated[i % len(simulated)]
        )
        items.append(item)
        size += len(item[0].encode("utf-8"))
        i += 1
    return items


def _segments(items: list[tuple[str, str | None, str | None]], count: int) -> list[str]:
    live = [text for text, context, _ in items if context == "live"] or [t for t, _, _ in items]
    segments, current = [], ""
    for text in live * 3:
        current += text
        if len(current) >= SEGMENT_CHARS:
            segments.append(current[:SEGMENT_CHARS])
            current = ""
            if len(segments) == count:
                break
    return segments


def run(events: int = 0, repeats: int = 3) -> dict[str, Any]:
    engine = default_holder().current()
    items = corpus()
    characters = sum(len(text) for text, _, _ in items)
    compact = [normalize(text).compact for text, _, _ in items]
    automaton = engine.automaton

    def engine_pass() -> float:
        started = time.perf_counter()
        for text, context, category in items:
            engine.moderate(text, context, category)
        return time.perf_counter() - started

    def automaton_pass() -> float:
        started = time.perf_counter()
        for text in compact:
            for _ in automaton.iter(text):
                pass
        return time.perf_counter() - started

    ours, bare = [], []
    for _ in range(repeats):
        ours.append(engine_pass())
        bare.append(automaton_pass())
    # Per-call overhead weighs most on short texts (chat lines of a few characters);
    # the same two measures on the texts of 100 characters or more show the rest.
    long_items = [item for item in items if len(item[0]) >= LONG_TEXT_CHARS]
    long_compact = [normalize(text).compact for text, _, _ in long_items]
    long_characters = sum(len(text) for text, _, _ in long_items)
    started = time.perf_counter()
    for text, context, category in long_items:
        engine.moderate(text, context, category)
    long_ours = time.perf_counter() - started
    started = time.perf_counter()
    for text in long_compact:
        for _ in automaton.iter(text):
            pass
    long_bare = time.perf_counter() - started
    latencies = []
    for segment in _segments(items, 2_000):
        started = time.perf_counter()
        engine.moderate(segment, "live")
        latencies.append((time.perf_counter() - started) * 1000)
    cuts = statistics.quantiles(latencies, n=100)
    ours_rate = characters / statistics.median(ours)
    bare_rate = characters / statistics.median(bare)
    return {
        "bench": "moderation",
        "corpus_bytes": sum(len(t.encode("utf-8")) for t, _, _ in items),
        "corpus_items": len(items),
        "characters": characters,
        "lexicon_version": engine.version,
        "automaton_keys": len(automaton),
        "moderate_chars_per_s": round(ours_rate),
        "bare_automaton_chars_per_s": round(bare_rate),
        "ratio": round(ours_rate / bare_rate, 4),
        "moderate_seconds": [round(s, 3) for s in ours],
        "automaton_seconds": [round(s, 3) for s in bare],
        "texts_of_100_chars_or_more": {
            "items": len(long_items),
            "characters": long_characters,
            "moderate_chars_per_s": round(long_characters / long_ours),
            "bare_automaton_chars_per_s": round(long_characters / long_bare),
            "ratio": round(long_bare / long_ours, 4),
        },
        "latency_200_chars_ms": {
            "calls": len(latencies),
            "p50": round(statistics.median(latencies), 4),
            "p99": round(cuts[98], 4),
        },
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
    }
