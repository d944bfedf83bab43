"""What a text detector reads: the normalised text, the lexicon hits in it, and the
item's context and category."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from trustfair.text.normalize import NormalizedText

MAX_HITS_PER_GROUP = 64
SHARED = "shared"
"""The label under which the manifest's shared groups are found."""

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
    whole_word: bool = False
    """Must not cut through a word of its surroundings."""


@dataclass(frozen=True, slots=True)
class Hit:
    entry: Entry
    cstart: int
    """Start in the compact view."""
    cend: int
    text: NormalizedText

    @property
    def start(self) -> int:
        """Start in the original text (worked out only when a finding needs it)."""
        return self.text.original_index(self.cstart)

    @property
    def end(self) -> int:
        return self.text.original_index(self.cend - 1) + 1


@dataclass
class Document:
    text: NormalizedText
    hits: list[Hit]
    context: str | None = None
    category: str | None = None
    _by_key: dict[tuple[str, str], list[Hit]] = field(default_factory=dict, repr=False)
    memo: dict[str, object] = field(default_factory=dict, repr=False)
    """What several detectors work out of the same text, worked out once."""

    def __post_init__(self) -> None:
        for hit in self.hits:
            found = self._by_key.setdefault((hit.entry.label, hit.entry.group), [])
            # Beyond a few hundred of one kind, more add nothing to a verdict but time:
            # detectors pair hits up, and "治疗糖尿病" × 4,000 must not take seconds.
            if len(found) < MAX_HITS_PER_GROUP:
                found.append(hit)

    def hits_of(self, label: str, group: str = "term") -> list[Hit]:
        return self._by_key.get((label, group), [])

    @property
    def original(self) -> str:
        return self.text.original
