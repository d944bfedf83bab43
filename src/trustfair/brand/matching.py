"""A listing held against the counterfeit feature library: evidence, score, reasons.

Evidence comes in two kinds, and the difference is the law's:

- **the mark**: the listing uses the brand — its name or an alias in the text, the brand
  declared on the listing, its logo or its own product photos in the pictures;
- **signs of a fake**: a known-fake picture, a fake serial number, the slang of the
  brand's fakes or the trade words of fakes in general (高仿, A货, 原单 …), a price below
  the floor the brand never sells under.

A listing that uses the mark with signs of a fake is a **counterfeit** candidate; one
that shows the brand's fake slang or fake pictures *without* the mark is a
**look-alike** (it imitates, it does not use the mark); one that uses the mark with no
sign of a fake is resale to watch. Signs combine by noisy-or (each is independent
evidence that it is fake); an authorised seller's listing is cleared unless it shows a
known-fake picture. Negative entries cancel the evidence they overlap.

The score is what the policy reads (``brand.*`` rules): intercept, review or monitor.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from trustfair.brand.library import EntryKind
from trustfair.text.normalize import normalize

COUNTERFEIT = "counterfeit"
LOOKALIKE = "lookalike"

# How strongly each sign says "fake", on its own (noisy-or combines them).
SIGN_WEIGHTS: dict[str, float] = {
    "fake_image": 0.9,
    "serial_pattern": 0.8,
    "brand_slang": 0.7,
    "fake_trade_word": 0.6,
    "below_floor": 0.6,
    "far_below_floor": 0.75,
}
FAR_BELOW = 0.5
"""Under half the floor is far below it."""
MARK_ONLY_SCORE = 0.3
"""The mark, used by a seller the brand did not authorise, with no sign of a fake."""
AUTHORISED_FACTOR = 0.1
"""What is left of the score for an authorised seller's listing."""
LOOKALIKE_FACTOR = 0.8
MIN_SCORE = 0.1
"""Below this nothing is reported: an authorised seller's listing under the mark."""


@dataclass(frozen=True, slots=True)
class TextTerm:
    entry_id: int | None
    """None for the brand's registered name and aliases, and the general trade words."""
    brand_id: str | None
    """None for the trade words of fakes in general."""
    kind: str
    """``name``, ``slang`` or ``fake_trade_word``."""
    term: str
    negative: bool = False


@dataclass(frozen=True, slots=True)
class PictureHit:
    """A listing picture that matched a bank picture (``brand.image_index``)."""

    image_id: str
    entry_id: int
    brand_id: str
    kind: str
    negative: bool
    inliers: int


@dataclass(frozen=True, slots=True)
class Floor:
    entry_id: int
    amount_fen: int
    category: str | None


@dataclass(frozen=True, slots=True)
class SerialPattern:
    entry_id: int
    pattern: Any
    """A compiled regular expression, checked at entry (``library.valid_regex``)."""


@dataclass
class BrandBank:
    """What one brand's enabled entries say, ready to match."""

    brand_id: str
    name: str
    sellers: dict[str, int] = field(default_factory=dict)
    """Authorised merchant → its entry id."""
    floors: list[Floor] = field(default_factory=list)
    serials: list[SerialPattern] = field(default_factory=list)

    def floor_for(self, category: str | None) -> Floor | None:
        """The category's own floor if the bank has one, else the brand-wide floor."""
        own = [f for f in self.floors if f.category is not None and f.category == category]
        general = [f for f in self.floors if f.category is None]
        chosen = own or general
        return max(chosen, key=lambda f: f.amount_fen) if chosen else None


@dataclass(frozen=True, slots=True)
class ListingFacts:
    listing_id: str
    merchant_id: str
    title: str
    description: str
    category: str | None
    price_fen: int | None
    brand_id: str | None
    """The brand the seller declared on the listing."""
    image_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Reason:
    what: str
    """``mark``, a sign (``SIGN_WEIGHTS``), ``authorised_seller`` or ``cleared``."""
    detail: str
    entry_id: int | None = None
    weight: float | None = None
    span: tuple[int, int] | None = None
    """Where in title + "\\n" + description, in the original text."""

    def to_record(self) -> dict[str, Any]:
        record: dict[str, Any] = {"what": self.what, "detail": self.detail}
        if self.entry_id is not None:
            record["entry_id"] = self.entry_id
        if self.weight is not None:
            record["weight"] = self.weight
        if self.span is not None:
            record["span"] = list(self.span)
        return record


@dataclass(frozen=True, slots=True)
class Finding:
    brand_id: str
    kind: str
    """``counterfeit`` or ``lookalike``."""
    score: float
    reasons: tuple[Reason, ...]

    certified: bool = False
    """A certified holder of the brand has a certified trademark valid now: only then is
    its mark enforced without a reviewer (``brand.intercept`` asks for it)."""

    def to_evidence(self) -> dict[str, Any]:
        return {
            "brand_id": self.brand_id,
            "kind": self.kind,
            # A number, so that a policy can ask for it (evidence_at_least: {certified: 1}).
            "certified": 1 if self.certified else 0,
            "reasons": [r.to_record() for r in self.reasons],
        }


@dataclass(frozen=True, slots=True)
class _TextHit:
    term: TextTerm
    start: int
    end: int
    """Original positions in the listing's text."""


def _overlaps(a: _TextHit, b: _TextHit) -> bool:
    return a.start < b.end and b.start < a.end


class TextMatcher:
    """Every bank's terms in one Aho-Corasick automaton, over the normalised text
    (folded, separators and repeats removed), so 香 奈 尔 and 香奈爾 match 香奈尔."""

    def __init__(self, terms: Iterable[TextTerm]) -> None:
        import ahocorasick

        self._automaton = ahocorasick.Automaton()
        table: dict[str, list[TextTerm]] = {}
        for term in terms:
            key = normalize(term.term).compact
            if key:
                table.setdefault(key, []).append(term)
        for key, found in table.items():
            self._automaton.add_word(key, (len(key), tuple(found)))
        self._empty = not table
        if not self._empty:
            self._automaton.make_automaton()

    def hits(self, text: str) -> list[_TextHit]:
        if self._empty or not text:
            return []
        normal = normalize(text)
        out = []
        for end, (length, terms) in self._automaton.iter(normal.compact):
            start, stop = normal.original_span(end - length + 1, end + 1)
            key = normal.compact[end - length + 1 : end + 1]
            if key.isascii() and _inside_a_word(normal.folded, start, stop):
                continue  # "HY" (or "ＨＹ") in "WHY" is no brand
            out.extend(_TextHit(term, start, stop) for term in terms)
        return out


def _inside_a_word(text: str, start: int, stop: int) -> bool:
    """Whether latin letters or digits run on either side of ``text[start:stop]``."""
    before = text[start - 1] if start > 0 else ""
    after = text[stop] if stop < len(text) else ""
    return (before.isascii() and before.isalnum()) or (after.isascii() and after.isalnum())


SERIAL_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{2,39}")
"""What a serial number looks like in a listing: 3..40 letters, digits and dashes. A
pattern is matched against whole tokens only, never the whole text: its cost is bounded
by the token's length, and ``[0-9]`` cannot match every listing with a digit."""


def _serial_in(serial: SerialPattern, text: str) -> re.Match[str] | None:
    for token in SERIAL_TOKEN.finditer(text):
        if serial.pattern.fullmatch(token.group(0)):
            return token
    return None


def _noisy_or(weights: Iterable[float], start: float = 0.0) -> float:
    missing = 1.0 - start
    for weight in weights:
        missing *= 1.0 - weight
    return 1.0 - missing


class Matcher:
    """Checks listings against a snapshot of the banks (``brand.snapshot``)."""

    def __init__(
        self,
        banks: dict[str, BrandBank],
        text: TextMatcher,
        certified: frozenset[str] = frozenset(),
    ) -> None:
        self.banks = banks
        self.text = text
        self.certified = certified
        """The brands whose trademark is certified and valid now."""

    def with_certified(self, brands: Iterable[str]) -> Matcher:
        """The same banks, knowing which brands' marks are certified now (asked of the
        store per batch: a right revoked or lapsed counts at once)."""
        return Matcher(self.banks, self.text, frozenset(brands))

    def check(self, listing: ListingFacts, pictures: Sequence[PictureHit] = ()) -> list[Finding]:
        """A finding per brand the listing touches, strongest first; none when it
        touches no brand's bank."""
        words = listing.title + "\n" + listing.description
        # Title and description apart: a term is not found across the seam between them.
        offset = len(listing.title) + 1
        hits = self.text.hits(listing.title) + [
            _TextHit(h.term, h.start + offset, h.end + offset)
            for h in self.text.hits(listing.description)
        ]
        # A negative entry clears only its own brand's evidence: one brand cannot clear
        # another's mark, nor the trade words of fakes that belong to no brand.
        cleared = [h for h in hits if h.term.negative]
        hits = [
            h
            for h in hits
            if not h.term.negative
            and not any(c.term.brand_id == h.term.brand_id and _overlaps(h, c) for c in cleared)
        ]
        bad_pictures = {(p.image_id, p.brand_id) for p in pictures if p.negative}
        pictures = [
            p for p in pictures if not p.negative and (p.image_id, p.brand_id) not in bad_pictures
        ]

        brands = {h.term.brand_id for h in hits if h.term.brand_id is not None}
        brands |= {p.brand_id for p in pictures}
        if listing.brand_id is not None:
            brands.add(listing.brand_id)
        trade_words = [h for h in hits if h.term.brand_id is None]
        findings = [
            finding
            for brand_id in sorted(brands)
            if brand_id in self.banks
            and (
                finding := self._judge(
                    self.banks[brand_id],
                    listing,
                    [h for h in hits if h.term.brand_id == brand_id],
                    trade_words,
                    [p for p in pictures if p.brand_id == brand_id],
                    words,
                )
            )
            is not None
        ]
        return sorted(findings, key=lambda f: -f.score)

    def _judge(
        self,
        bank: BrandBank,
        listing: ListingFacts,
        hits: list[_TextHit],
        trade_words: list[_TextHit],
        pictures: list[PictureHit],
        words: str,
    ) -> Finding | None:
        mark: list[Reason] = []
        signs: list[Reason] = []
        if listing.brand_id == bank.brand_id:
            mark.append(Reason("mark", f"the listing declares brand {bank.name}"))
        for hit in hits:
            detail = f"{words[hit.start : hit.end]!r} ({hit.term.kind} {hit.term.term!r})"
            if hit.term.kind == EntryKind.NAME:
                mark.append(Reason("mark", detail, hit.term.entry_id, span=(hit.start, hit.end)))
            else:
                weight = SIGN_WEIGHTS["brand_slang"]
                signs.append(
                    Reason("brand_slang", detail, hit.term.entry_id, weight, (hit.start, hit.end))
                )
        for picture in pictures:
            detail = f"picture {picture.image_id} matches bank picture ({picture.inliers} points)"
            if picture.kind == EntryKind.FAKE_IMAGE:
                weight = SIGN_WEIGHTS["fake_image"]
                signs.append(Reason("fake_image", detail, picture.entry_id, weight))
            else:
                mark.append(Reason("mark", f"{picture.kind}: {detail}", picture.entry_id))
        for serial in bank.serials:
            found = _serial_in(serial, words)
            if found:
                weight = SIGN_WEIGHTS["serial_pattern"]
                signs.append(
                    Reason(
                        "serial_pattern",
                        f"{found.group(0)!r} fits a fake serial pattern",
                        serial.entry_id,
                        weight,
                        found.span(),
                    )
                )
        if not mark and not signs:
            return None
        if mark:
            # Trade words of fakes count for the brand whose mark is used.
            for hit in trade_words:
                weight = SIGN_WEIGHTS["fake_trade_word"]
                signs.append(
                    Reason(
                        "fake_trade_word",
                        f"{words[hit.start : hit.end]!r}",
                        None,
                        weight,
                        (hit.start, hit.end),
                    )
                )
            floor = bank.floor_for(listing.category)
            price = listing.price_fen
            if floor is not None and price is not None and price < floor.amount_fen:
                far = price < floor.amount_fen * FAR_BELOW
                what = "far_below_floor" if far else "below_floor"
                signs.append(
                    Reason(
                        what,
                        f"price {price} fen under the floor {floor.amount_fen} fen",
                        floor.entry_id,
                        SIGN_WEIGHTS[what],
                    )
                )
        weights = [r.weight or 0.0 for r in signs]
        reasons = [*mark, *signs]
        if mark:
            kind = COUNTERFEIT
            score = _noisy_or(weights, start=MARK_ONLY_SCORE)
        else:
            kind = LOOKALIKE
            score = _noisy_or(weights) * LOOKALIKE_FACTOR
        authorised = bank.sellers.get(listing.merchant_id)
        if authorised is not None and not any(r.what == "fake_image" for r in signs):
            score *= AUTHORISED_FACTOR
            reasons.append(
                Reason(
                    "authorised_seller",
                    f"{listing.merchant_id} sells {bank.name} with its authorisation",
                    authorised,
                )
            )
        if score < MIN_SCORE:
            return None
        certified = bank.brand_id in self.certified
        return Finding(bank.brand_id, kind, round(score, 4), tuple(reasons), certified)
