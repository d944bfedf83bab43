"""The moderation engine: lexicons compiled into one automaton, and the detectors.

``ModerationEngine.moderate(text, context, category)`` normalises the text, finds every
lexicon key in one pass of an Aho–Corasick automaton (pyahocorasick), lets each
label's detector judge its hits, and returns the verdict with spans on the original.
An engine is immutable: a new lexicon version is a new engine (see ``holder.py``).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

import ahocorasick

from trustfair.text.case_reports import case_report_findings
from trustfair.text.detectors import DETECTOR_TYPES
from trustfair.text.detectors.base import (
    WINDOW_CHARS,
    CompiledPattern,
    Finding,
    LexiconDetector,
    breaks_a_word,
    marks_a_case,
    reported_speech,
)
from trustfair.text.document import SHARED, Document, Entry, Hit
from trustfair.text.fold import fold_numerals
from trustfair.text.labels import ADVERTISING_LABELS, BUYER_SPEECH
from trustfair.text.learned import (
    LABEL_ALONE,
    LABEL_VETO,
    VIOLATION_ALONE,
    VIOLATION_LABEL,
    VIOLATION_VETO,
    in_their_language,
    is_news_report,
    label_probabilities,
    may_hold_a_violation,
    models,
    violation_probability,
)
from trustfair.text.lexicon import LABELS, LexiconSet, Term, load_lexicons
from trustfair.text.normalize import NormalizedText, normalize
from trustfair.text.sounds import sound_of, sound_view
from trustfair.text.variants import disguises_of, is_common_word, is_hanzi
from trustfair.yaml_files import FileError

BLOCK_SCORE = 0.8
"""A label blocks when its strongest finding is of block severity and scores this much."""
MIN_HOMOPHONE_CHARS = 3
"""The fewest hanzi a sound-alike needs for the sound view to report it (pinyin: any)."""


@dataclass(frozen=True)
class LabelResult:
    label: str
    score: float
    severity: str
    rule: str
    spans: list[dict[str, Any]]

    def to_record(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "score": self.score,
            "severity": self.severity,
            "rule": self.rule,
            "spans": self.spans,
        }


@dataclass(frozen=True)
class Moderation:
    verdict: str
    labels: list[LabelResult]
    lexicon_version: str

    def to_record(self, item_id: Any = None) -> dict[str, Any]:
        return {
            "id": item_id,
            "verdict": self.verdict,
            "labels": [label.to_record() for label in self.labels],
            "lexicon_version": self.lexicon_version,
        }


def anchor_group(pattern_index: int) -> str:
    return f"anchor{pattern_index}"


def lexicon_entries_and_rules(
    lexicons: LexiconSet, keys: dict[str, list[Entry]] | None = None
) -> tuple[set[str], set[str]]:
    """Every (label, group, term) of a lexicon set, as "label\tgroup\tterm", and every
    rule it names: what the label models were trained beside (learned.py)."""
    entries: set[str] = set()
    rules: set[str] = set()
    for key_entries in (keys or _automaton_keys(lexicons)).values():
        for entry in key_entries:
            entries.add(f"{entry.label}\t{entry.group}\t{entry.term}")
            rules.add(entry.rule)
    for label, lexicon in lexicons.labels.items():
        rules.update(p.rule or f"{label}.pattern" for p in lexicon.patterns)
    return entries, rules


def _automaton_keys(lexicons: LexiconSet) -> dict[str, list[Entry]]:
    """Every key the automaton looks for (normalised), and what each stands for."""
    entries: dict[str, list[Entry]] = defaultdict(list)
    lookalikes = dict(lexicons.manifest.lookalikes)

    def add(text: str, entry: Entry) -> None:
        key = normalize(text).compact
        if not key:
            raise FileError(
                lexicons.directory / f"{entry.label}.yaml",
                None,
                f"{text!r} is empty once normalised (separators only?), so it would never match",
            )
        entries[key].append(entry)

    def add_term(label: str, group: str, term: Term, severity: str, rule: str) -> None:
        add(term.term, Entry(label, group, term.term, severity, rule, whole_word=term.whole_word))
        if term.disguise:
            for variant in disguises_of(normalize(term.term).compact, lookalikes):
                add(
                    variant.text,
                    Entry(label, group, term.term, severity, rule, variant.kind, variant.is_word),
                )

    for group, words in lexicons.manifest.shared_groups.items():
        for word in words:
            add(word, Entry(SHARED, group, word, "review", f"{SHARED}.{group}"))
    for label, lexicon in lexicons.labels.items():
        for term in lexicon.term_entries():
            severity = term.severity or lexicon.severity
            add_term(label, "term", term, severity, term.rule or lexicon.default_rule())
        for lawful in lexicon.lawful_entries():
            if lawful.text:
                add(lawful.text, Entry(label, "lawful", lawful.text, "review", "lawful"))
        for group in lexicon.groups:
            for term in lexicon.group_entries(group):
                add_term(label, group, term, "review", f"{label}.{group}")
        for index, pattern in enumerate(lexicon.patterns):
            for word in pattern.requires:
                add(word, Entry(label, anchor_group(index), word, "review", "anchor"))
    # A word listed twice in a group is one word: counted twice it would pass for two
    # (two stuffing words in a line that has one).
    return {key: list(dict.fromkeys(key_entries)) for key, key_entries in entries.items()}


@dataclass(frozen=True, slots=True)
class _Key:
    """The value the automaton returns for a key: what it stands for, and which
    detectors it wakes, worked out once when the engine is built."""

    length: int
    entries: tuple[Entry, ...]
    wakes: frozenset[int]
    anchors: frozenset[tuple[int, int]]
    """The (detector, pattern) whose anchor this key is: the detector runs if the
    pattern matches the text (most texts with 直接 or 保证 in them claim nothing)."""
    latin: bool
    """A Latin or digit key: it does not count inside a longer Latin or digit run ..."""
    entries_inside_a_word: tuple[Entry, ...]
    """... except as a pattern's anchor, which only opens the door for a pattern that
    checks for itself (vx in vxabc123); av in java is not av."""


def _compile_automaton(
    keys: dict[str, list[Entry]],
    owners: dict[tuple[str, str], int],
    anchored: dict[tuple[str, str], tuple[int, int]],
) -> ahocorasick.Automaton:
    def wakes(entries: tuple[Entry, ...]) -> frozenset[int]:
        return frozenset(
            owner for e in entries if (owner := owners.get((e.label, e.group))) is not None
        )

    def anchors(entries: tuple[Entry, ...]) -> frozenset[tuple[int, int]]:
        return frozenset(
            pattern for e in entries if (pattern := anchored.get((e.label, e.group))) is not None
        )

    automaton = ahocorasick.Automaton()
    for key, key_entries in keys.items():
        # A plain entry wins over a disguise of another term with the same key.
        plain = {(e.label, e.group) for e in key_entries if e.kind == "plain"}
        kept = tuple(e for e in key_entries if e.kind == "plain" or (e.label, e.group) not in plain)
        latin = _same_class(key[0], key[0]) or _same_class(key[-1], key[-1])
        as_anchor = tuple(e for e in kept if e.rule == "anchor")
        automaton.add_word(key, _Key(len(key), kept, wakes(kept), anchors(kept), latin, as_anchor))
    automaton.make_automaton()
    return automaton


def _hanzi_count(text: str) -> int:
    return sum(map(is_hanzi, text))


def _compile_sound_automaton(
    keys: dict[str, list[Entry]], owners: dict[tuple[str, str], int], min_hanzi: int = 2
) -> ahocorasick.Automaton:
    """Every plain key of ``min_hanzi`` or more hanzi, by its sound (``sounds.py``)."""
    by_sound: dict[str, list[Entry]] = defaultdict(list)
    written: dict[str, set[str]] = defaultdict(set)
    for key, key_entries in keys.items():
        if _hanzi_count(key) < min_hanzi:
            continue  # one syllable sounds like too much
        for entry in key_entries:
            if entry.kind == "plain" and entry.label != SHARED and entry.rule != "anchor":
                by_sound[sound_of(key)].append(entry)
                written[sound_of(key)].add(key)
    automaton = ahocorasick.Automaton()
    for sound, entries in by_sound.items():
        kept = tuple(dict.fromkeys(entries))
        wakes = frozenset(
            owner for e in kept if (owner := owners.get((e.label, e.group))) is not None
        )
        automaton.add_word(sound, (len(sound), kept, wakes, frozenset(written[sound])))
    automaton.make_automaton()
    return automaton


class ModerationEngine:
    def __init__(self, lexicons: LexiconSet) -> None:
        self.lexicons = lexicons
        self.version = lexicons.version
        keys = _automaton_keys(lexicons)
        self.detectors: list[LexiconDetector] = []
        for label in LABELS:
            lexicon = lexicons.labels[label]
            try:
                detector = DETECTOR_TYPES[label](
                    lexicon,
                    [
                        CompiledPattern(
                            re.compile(fold_numerals(p.pattern)),
                            p.severity or lexicon.severity,
                            p.rule or f"{label}.pattern",
                            anchor_group(index) if p.requires else None,
                        )
                        for index, p in enumerate(lexicon.patterns)
                    ],
                    [
                        (re.compile(fold_numerals(w.pattern)), w.unless, w.only_with)
                        for w in lexicon.lawful_entries()
                        if w.pattern
                    ],
                )
            except ValueError as exc:  # a parameter the detector cannot use
                raise FileError(lexicons.directory / f"{label}.yaml", None, str(exc)) from None
            self.detectors.append(detector)

        self._conditional = [
            index for index, detector in enumerate(self.detectors) if detector.may_run_untriggered
        ]
        owners = {
            (detector.label, group): index
            for index, detector in enumerate(self.detectors)
            for group in detector.triggers
        }
        # A regulator's report is judged even when no lexicon word of any label is in
        # it: the label models read the claim it quotes, which may be in words no
        # lexicon has. Its marks wake no detector, only the judging.
        owners.update({(SHARED, group): JUDGE_ONLY for group in _CASE_GROUPS})
        anchored = {
            (detector.label, pattern.anchor_group): (index, number)
            for index, detector in enumerate(self.detectors)
            for number, pattern in enumerate(detector.patterns)
            if pattern.anchor_group
        }
        # Load the learned models now, not on a first request, and learn what of this
        # lexicon is newer than they are: the models never overrule that.
        known_entries, known_rules = models().known_entries, models().known_rules
        entries, rules = lexicon_entries_and_rules(lexicons, keys)
        self._new_entries = frozenset(entries - known_entries)
        self._new_rules = frozenset(rules - known_rules)
        self.automaton = _compile_automaton(keys, owners, anchored)
        self.sound_automaton = _compile_sound_automaton(keys, owners)
        self.homophone_automaton = _compile_sound_automaton(keys, owners, MIN_HOMOPHONE_CHARS)

    @classmethod
    def load(cls, directory: Any = None) -> ModerationEngine:
        return cls(load_lexicons(directory))

    def document(
        self, text: str, context: str | None = None, category: str | None = None
    ) -> Document:
        normalized = normalize(text)
        return Document(
            normalized, _hits(self._matches(normalized)[0], normalized), context, category
        )

    def _matches(self, normalized: NormalizedText) -> tuple[list[_Match], set[int]]:
        """The automaton's matches in a text, and the detectors they wake.

        The hot loop: most texts end with it, so hits are made only later, and only if
        some detector is to read them.
        """
        compact = normalized.compact
        found: list[_Match] = []
        woken: set[int] = set()
        anchored: set[tuple[int, int]] = set()
        for end, key in self.automaton.iter(compact):
            entries, wakes = key.entries, key.wakes
            if key.latin and _inside_a_latin_word(compact, end - key.length + 1, end + 1):
                entries, wakes = key.entries_inside_a_word, _NOTHING
            if entries:
                found.append((end, key.length, entries))
                if wakes:
                    woken |= wakes
                if key.anchors:
                    anchored |= key.anchors
        self._sound_matches(normalized, found, woken)
        for index, number in anchored:
            if index in woken:
                continue
            # A short text is searched whole; a long one is left to the detector, which
            # searches only around the anchors (base.pattern_findings).
            if len(compact) > WINDOW_CHARS or self.detectors[index].patterns[number].regex.search(
                normalized.folded
            ):
                woken.add(index)
        return found, woken

    def _sound_matches(
        self, normalized: NormalizedText, found: list[_Match], woken: set[int]
    ) -> None:
        """Add what the sound view finds that the plain pass did not: 源价, yuanjia."""
        compact = normalized.compact
        view = sound_view(compact)
        # Without pinyin only homophones can be found, and those of three characters
        # or more: the smaller automaton, whose keys ordinary text seldom sounds like.
        automaton = self.homophone_automaton if view.spans is None else self.sound_automaton
        plainly: set[tuple[int, int, str]] | None = None
        for end, (length, entries, wakes, keys) in automaton.iter(view.text):
            cstart, cend = view.compact_span(end - length + 1, end + 1)
            written = compact[cstart:cend]
            if written in keys:
                continue  # the word itself, found by the plain pass
            if plainly is None:
                plainly = {
                    (plain_end, plain_length, e.label)
                    for plain_end, plain_length, plain_entries in found
                    for e in plain_entries
                    if e.rule != "anchor"
                }
            entries = tuple(e for e in entries if (cend - 1, cend - cstart, e.label) not in plainly)
            if not entries:
                continue  # a disguise the plain pass knew (disguise: true)
            kind = "pinyin" if any(c.isascii() and c.isalpha() for c in written) else "homophone"
            if kind == "homophone" and (
                _hanzi_count(written) < MIN_HOMOPHONE_CHARS
                or not _keeps_a_character(written, keys)
                or is_common_word(written)
                or breaks_a_word(*_as_written(normalized, cstart, cend))
            ):
                # Two characters that sound like a two-character term are too often
                # innocent (碗能 and 万能, 码的 and 妈的): those disguises are the
                # lexicon's to list (disguise: true). A disguise swaps the character
                # that would be caught and keeps the rest (源价, 湿诊); 已原 shares
                # only a sound with 医院. And 包裹 is not 保过, nor 号色 in 九号色
                # 好色: a sound-alike that is a word of its own, or cuts through one,
                # is not a disguise.
                continue
            found.append((cend - 1, cend - cstart, tuple(replace(e, kind=kind) for e in entries)))
            woken |= wakes  # the woken detectors read the hits themselves: a spare one is harmless

    def moderate(
        self, text: str, context: str | None = None, category: str | None = None
    ) -> Moderation:
        normalized = normalize(text)
        found, woken = self._matches(normalized)
        for index in self._conditional:
            if index not in woken and self.detectors[index].runs_untriggered(normalized, category):
                woken.add(index)
        if not woken and not may_hold_a_violation(normalized.compact):
            return Moderation("pass", [], self.version)
        return self._judge(normalized, _hits(found, normalized), woken, context, category)

    def _judge(
        self,
        text: NormalizedText,
        hits: list[Hit],
        woken: set[int],
        context: str | None,
        category: str | None,
    ) -> Moderation:
        doc = Document(text, hits, context, category)
        probability = label_probabilities(text.compact, LABELS)
        # Out of their language the label and violation models overrule and add nothing.
        judged = in_their_language(text.compact)
        results = []
        for index in sorted(woken - {JUDGE_ONLY}):
            detector = self.detectors[index]
            if not _may_carry(detector.label, doc):
                continue
            findings = detector.find(doc) + case_report_findings(doc, detector.label)
            if findings and judged and probability[detector.label] < LABEL_VETO:
                findings = [f for f in findings if not self._overruled(f, doc)]
            if findings and judged and violation_probability(text.compact) < VIOLATION_VETO:
                findings = [f for f in findings if not self._overruled(f, doc, by_stance=True)]
            if findings:
                results.append(_summarise(detector.label, findings, text.original))
        if (
            judged
            and len(text.compact) >= LEARNED_MIN_CHARS
            and (marks_a_case(doc) or not _says_of_others(doc))
        ):
            found = {result.label for result in results}
            for label, p in probability.items():
                if label in FACT_LABELS:
                    continue
                if (
                    p >= LABEL_ALONE
                    and label not in found
                    and _may_carry(label, doc)
                    and not _told_as_news(label, doc)
                ):
                    results.append(_learned_result(label, p, text))
            if not results and violation_probability(text.compact) >= VIOLATION_ALONE:
                # Sure that the text breaks a rule, and fairly sure which one.
                label, p = max(
                    ((lb, pb) for lb, pb in probability.items() if lb not in FACT_LABELS),
                    key=lambda pair: pair[1],
                )
                if (
                    p >= VIOLATION_LABEL
                    and _may_carry(label, doc)
                    and not _told_as_news(label, doc)
                ):
                    results.append(_learned_result(label, p, text))
        return Moderation(_verdict(results), results, self.version)

    def _overruled(self, finding: Finding, doc: Document, by_stance: bool = False) -> bool:
        """May the label model, sure the text carries no such label (or, ``by_stance``,
        the violation model, sure it breaks no rule at all), overrule this finding? Only
        one made of lexicon words it was trained beside (a term among them); not a fact
        worked out of the text, nor anything of a word, pattern or rule the lexicon gained
        after the model was trained. The label model judges the finding's own sentence,
        so that lawful padding around a claim does not talk it away; the violation model
        judges the whole text, whose rule, warning or report is the stance around it, and
        the finding's own sentence, which must lean lawful too."""
        if finding.rule.endswith(FACT_RULES) or finding.rule in self._new_rules:
            return False
        inside = [
            hit
            for hit in doc.hits
            if hit.entry.label == finding.label
            and hit.start < finding.end
            and finding.start < hit.end
        ]
        known = [
            f"{hit.entry.label}\t{hit.entry.group}\t{hit.entry.term}" not in self._new_entries
            for hit in inside
        ]
        if not all(known) or not any(hit.entry.group == "term" for hit in inside):
            return False
        sentence = _sentence_around(doc.original, finding.start, finding.end)
        if by_stance:
            # The finding's own sentence must lean lawful too, and hold enough words for
            # its stance to be read: a claim padded with other sentences (欢迎光临本店)
            # or with digits is not talked away.
            return (
                _hanzi_count(sentence) >= VIOLATION_VETO_MIN_HANZI
                and _sentence_violation(sentence) < VIOLATION_VETO
            )
        return _sentence_probability(sentence, finding.label) < LABEL_VETO


VIOLATION_VETO_MIN_HANZI = 20
"""A sentence of fewer hanzi has too few words around a claim to speak against it: the
violation model leaves its findings alone (这个是高仿的包 is a claim however little else
it says)."""
LEARNED_MIN_CHARS = 6
"""The fewest compact characters the models add a finding to: in fewer, their evidence is a
few grams (今晚专场 read as spam). Thirteen writers left out in turn lost no finding by it."""
FACT_LABELS = frozenset({"price_fraud"})
"""Labels whose truth the words alone cannot tell (is 原价199 made up? the price history
knows): the label model adds none of them."""
FACT_RULES = (
    ".case_report",
    ".phone_number",
    ".account_id",
    ".link",
    ".keyword_stuffing",
    ".reference_price",
    ".health_food_without_disclaimer",
)
"""Rules that work a fact out of the text, which the label models never overrule."""
LEARNED_SCORE = 0.6
"""A finding of the label model alone scores below any lexicon finding, for review."""


_CASE_GROUPS = frozenset({"case_parties", "case_findings"})
JUDGE_ONLY = -1
"""What the marks of a case report wake: the judging, no detector."""


def _may_carry(label: str, doc: Document) -> bool:
    """Buyers' reviews and tickets advertise nothing (the advertising labels' detectors
    tell news reports from claims themselves: base._told_of_not_claimed)."""
    if label not in ADVERTISING_LABELS:
        return True
    return doc.context not in BUYER_SPEECH


_OTHERS_WORDS = ("denials", "rule_cues", "debunks", "norms")


def _says_of_others(doc: Document) -> bool:
    """A text that denies, forbids, debunks or reports claims: the label model reads its
    words and not what it does with them, so it adds nothing there."""
    return any(doc.hits_of(SHARED, group) for group in _OTHERS_WORDS) or bool(reported_speech(doc))


def _learned_result(label: str, probability: float, text: NormalizedText) -> LabelResult:
    """The label model's finding, on the clause that holds its strongest evidence."""
    at = text.original_index(models().strongest_evidence(text.compact, label))
    original = text.original
    starts = [m.end() for m in _CLAUSE.finditer(original, 0, at)]
    start = starts[-1] if starts else 0
    end_match = _CLAUSE.search(original, at)
    end = end_match.start() if end_match else len(original)
    rule = f"{label}.learned"
    span = {"start": start, "end": end, "text": original[start:end]}
    return LabelResult(label, round(LEARNED_SCORE * probability, 3), "review", rule, [span])


_CLAUSE = re.compile(r"[。！!？?；;，,\n]")
_SENTENCE_END = re.compile(r"[。！!？?；;\n]")


@lru_cache(maxsize=1024)
def _sentence_probability(sentence: str, label: str) -> float:
    return label_probabilities(normalize(sentence).compact, (label,))[label]


@lru_cache(maxsize=1024)
def _sentence_violation(sentence: str) -> float:
    return violation_probability(normalize(sentence).compact)


def _told_as_news(label: str, doc: Document) -> bool:
    """A news report about advertising claims makes none (a case report does: it finds
    against the claims it quotes)."""
    return (
        label in ADVERTISING_LABELS and is_news_report(doc.text.compact) and not marks_a_case(doc)
    )


def _sentence_around(text: str, start: int, end: int) -> str:
    breaks = [m.end() for m in _SENTENCE_END.finditer(text, 0, start)]
    after = _SENTENCE_END.search(text, end)
    return text[breaks[-1] if breaks else 0 : after.start() if after else len(text)]


_NOTHING: frozenset[int] = frozenset()
_Match = tuple[int, int, tuple[Entry, ...]]
"""Where a key ends in the compact view, its length, and the entries that count there."""


def _hits(found: list[_Match], normalized: NormalizedText) -> list[Hit]:
    return [
        Hit(entry, end - length + 1, end + 1, normalized)
        for end, length, entries in found
        for entry in entries
    ]


def _keeps_a_character(written: str, keys: frozenset[str]) -> bool:
    return any(any(a == b for a, b in zip(written, key, strict=False)) for key in keys)


def _as_written(normalized: NormalizedText, cstart: int, cend: int) -> tuple[str, int, int]:
    # Words are told on the original: folded, 一级品 is 1级品 and no longer shows
    # that 级品 cuts through 一级.
    start, end = normalized.original_span(cstart, cend)
    return normalized.original, start, end


def _same_class(a: str, b: str) -> bool:
    return (a.isascii() and b.isascii()) and (
        (a.isalpha() and b.isalpha()) or (a.isdigit() and b.isdigit())
    )


def _inside_a_latin_word(compact: str, start: int, end: int) -> bool:
    """av in java, 91 in 1991: a Latin or digit key must not continue a longer run."""
    if start > 0 and _same_class(compact[start - 1], compact[start]):
        return True
    return end < len(compact) and _same_class(compact[end - 1], compact[end])


def _outermost(findings: list[Finding]) -> list[Finding]:
    # 全网最低 and 最低 in the same place are one finding: keep the one that covers.
    ordered = sorted(findings, key=lambda f: (f.start, -(f.end - f.start), -f.score))
    kept: list[Finding] = []
    for finding in ordered:
        if kept and kept[-1].start <= finding.start and finding.end <= kept[-1].end:
            continue
        kept.append(finding)
    return kept


def _summarise(label: str, findings: list[Finding], text: str) -> LabelResult:
    best = max(findings, key=lambda f: (f.severity == "block", f.score))
    spans = [
        {"start": f.start, "end": f.end, "text": text[f.start : f.end]}
        for f in _outermost(findings)
    ]
    return LabelResult(label, best.score, best.severity, best.rule, spans)


def _verdict(results: list[LabelResult]) -> str:
    if any(r.severity == "block" and r.score >= BLOCK_SCORE for r in results):
        return "block"
    return "review" if results else "pass"
