"""What a text detector reads: the normalised text, the lexicon hits in it, and the
item's context and category."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from trustfair.text.normalize import NormalizedText

Context = Literal["listing", "live", "chat", "title", "review", "shop", "ticket", "other"]


@dataclass(frozen=True, slots=True)
class Entry:
    """What one key of the automaton stands for (a key can stand for several)."""

    label: str
    group: str
    """"term", "lawful", or a group of the label's lexicon (cues, diseases, ...)."""
    term: str
    """The lexicon's wording, before any disguise."""
    severity: str
    rule: str
    kind: str = "plain"
    """"plain", "homophone" or "pinyin"."""
    is_word: bool = False
    """A disguise that is also a common word (威信): needs more evidence."""


@dataclass(frozen=True, slots=True)
class Hit:
    entry: Entry
    cstart: int
    """Start in the compact view."""
    cend: int
    start: int
    """Span in the original text."""
    end: int


@dataclass
class Document:
    text: NormalizedText
    hits: list[Hit]
    context: str | None = None
    category: str | None = None
    _by_key: dict[tuple[str, str], list[Hit]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for hit in self.hits:
            self._by_key.setdefault((hit.entry.label, hit.entry.group), []).append(hit)

    def hits_of(self, label: str, group: str = "term") -> list[Hit]:
        return self._by_key.get((label, group), [])

    @property
    def original(self) -> str:
        return self.text.original
