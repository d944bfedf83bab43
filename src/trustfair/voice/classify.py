"""What a user's ticket, review or survey comment is mainly about: one ``Problem``.

``classify(text)`` reads the text clause by clause in the project's compact view
(``text.normalize``: traditional → simplified, full-width → half-width, Chinese
numerals → digits, spaces and punctuation dropped, with the map back to the original)
after dropping the fillers of spoken Chinese (嗯, 那个: hotline transcripts). In each
clause it finds the terms and phrase patterns of every problem type
(``voice/data/problems.yaml``), and, for terms of three hanzi or more, their
sound-alikes (typos written by sound: 退欵 for 退款; ``text.sounds``), which count less.
A term just after a negation (没有破损, 不是假货) does not count, unless the negation is
part of a question or a suspicion (是不是假货); an intensifier just before it (太慢,
一直不发货) makes it count more. A term inside a longer term or pattern of another
problem that was found at the same place gives way to it (单号是假的 is a fake tracking
number, not a fake product).

**The main problem.** Each problem's score is the sum of its hits' weights (a term at
most twice). A text often names several: the buyer of a fake was refused a refund, a
parcel came late and the service was rude. The main problem is chosen so that the
ticket goes to who must act:

1. ``counterfeit`` when it has clear evidence (a score of ``CLEAR`` or more): a fake is
   a violation the platform acts on (enforcement, fake-one-pay-N), whatever else went
   wrong on the way; a refund refused for a fake is a counterfeit ticket.
2. else ``refund_refused`` when it has clear evidence: a refusal or a stalled refund is
   the grievance the user brings, and the defect behind the request (broken, late, not
   wanted) is only why they asked.
3. else the highest score among the others; ``rude_service`` and ``other`` give way to
   any problem with clear evidence (rude words around a late parcel are about the
   parcel), and ``other`` is the answer when nothing scores ``AT_LEAST``.

``score`` is the main problem's share of all the evidence (with a prior of
``AT_LEAST`` for ``other``): 0..1, higher when one problem stands out. ``runner_up``
is the next problem with any evidence.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache

import ahocorasick

from trustfair.text.normalize import normalize
from trustfair.text.sounds import sound_of
from trustfair.voice.problem_terms import ProblemTerms, compact, default_problem_terms
from trustfair.voice.problems import Problem

CLEAR = 2.5
"""A score this high is clear evidence of a problem (one strong term)."""
AT_LEAST = 0.6
"""Below this no problem is named: the text is ``other``."""
MOST_PER_TERM = 2
"""One term counts at most this many times in a text (a rant repeats itself)."""
_CLAUSE_BREAKS = re.compile(r"[，。！？；,.!?;\n\r…~～、|]+")
_HANZI = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True, slots=True)
class Span:
    """A term or pattern found in the original text: ``text[start:end]``."""

    start: int
    end: int
    problem: Problem
    term: str
    """The term (or pattern) of the data file that matched."""
    weight: float
    """What it counted for: the term's weight, with boosts and discounts."""
    negated: bool = False
    """Found after a negation: shown, not counted."""
    by_sound: bool = False


@dataclass(frozen=True, slots=True)
class Classification:
    problem: Problem
    score: float
    """Confidence in ``problem``: its share of all the evidence, 0..1."""
    spans: tuple[Span, ...]
    """Every hit, in the order of the text (negated ones included, marked)."""
    runner_up: Problem | None
    scores: dict[Problem, float] = field(default_factory=dict)

    def spans_of(self, problem: Problem) -> list[Span]:
        return [span for span in self.spans if span.problem is problem and not span.negated]


@dataclass(frozen=True, slots=True)
class _Entry:
    problem: Problem
    term: str
    key: str
    weight: float


@dataclass(frozen=True, slots=True)
class _Clause:
    text: str
    """The clause in the compact view, fillers dropped."""
    index: tuple[int, ...]
    """For each character of ``text``, its position in the original."""


class Classifier:
    def __init__(self, words: ProblemTerms) -> None:
        self.words = words
        self.version = words.version
        self._plain = ahocorasick.Automaton()
        self._sound = ahocorasick.Automaton()
        plain: dict[str, list[_Entry]] = defaultdict(list)
        sound: dict[str, list[_Entry]] = defaultdict(list)
        for problem, problem_words in words.problems.items():
            for term in problem_words.terms:
                key = compact(term.text)
                entry = _Entry(problem, term.text, key, term.weight)
                plain[key].append(entry)
                if len(_HANZI.findall(key)) >= 3:
                    sound[sound_of(key)].append(entry)
        for key, entries in plain.items():
            self._plain.add_word(key, (key, tuple(entries)))
        for key, entries in sound.items():
            self._sound.add_word(key, (key, tuple(entries)))
        self._plain.make_automaton()
        if sound:
            self._sound.make_automaton()
        self._has_sound = bool(sound)
        self._patterns = [
            (problem, pattern.regex, re.compile(pattern.regex), pattern.weight)
            for problem, problem_words in words.problems.items()
            for pattern in problem_words.patterns
        ]
        self._fillers = _alternation(compact(f) for f in words.fillers)
        self._questions = [compact(q) for q in words.questions]
        self._negations = [(compact(n.word), n.reach) for n in words.negations]
        self._intensifiers = [compact(i) for i in words.intensifiers]
        self._secondary = [compact(m) for m in words.secondary_markers]

    # -- views ------------------------------------------------------------------------

    def clauses(self, text: str) -> list[_Clause]:
        """The text cut at clause punctuation, each clause in the compact view."""
        found = []
        start = 0
        for brk in [*_CLAUSE_BREAKS.finditer(text), None]:
            end = brk.start() if brk else len(text)
            if end > start:
                found.append(self._clause(text[start:end], start))
            start = brk.end() if brk else len(text)
        return [clause for clause in found if clause.text]

    def _clause(self, piece: str, offset: int) -> _Clause:
        view = normalize(piece)
        chars = view.compact
        index = [offset + view.original_index(i) for i in range(len(chars))]
        if self._fillers is not None and self._fillers.search(chars):
            kept = [True] * len(chars)
            for match in self._fillers.finditer(chars):
                kept[match.start() : match.end()] = [False] * (match.end() - match.start())
            chars = "".join(c for c, keep in zip(chars, kept, strict=True) if keep)
            index = [i for i, keep in zip(index, kept, strict=True) if keep]
        return _Clause(chars, tuple(index))

    # -- hits -------------------------------------------------------------------------

    def _hits_in(self, clause: _Clause) -> list[Span]:
        raw: list[tuple[int, int, Problem, str, float, bool]] = []
        text = clause.text
        for end, (key, entries) in self._plain.iter(text):
            start = end - len(key) + 1
            raw += [(start, end + 1, e.problem, e.term, e.weight, False) for e in entries]
        if self._has_sound:
            sounded = sound_of(text)
            for end, (key, entries) in self._sound.iter(sounded):
                start = end - len(key) + 1
                written = text[start : end + 1]
                keys = {e.key for e in entries}
                if written in keys or not any(set(written) & set(k) for k in keys):
                    continue  # the plain term (found above), or a mere sound-alike
                raw += [
                    (start, end + 1, e.problem, e.term, e.weight * self.words.sound_weight, True)
                    for e in entries
                ]
        for problem, regex, pattern, weight in self._patterns:
            raw += [
                (m.start(), m.end(), problem, regex, weight, False) for m in pattern.finditer(text)
            ]
        raw = _without_dominated([hit for hit in raw if not _asks(text, hit[0])])
        secondary = any(marker in text for marker in self._secondary)
        spans = []
        for start, end, problem, term, weight, by_sound in raw:
            negated = self._negated(text, start, end)
            if not negated and self._intensified(text, start):
                weight *= self.words.intensifier_boost
            if secondary:
                weight *= self.words.secondary_weight
            spans.append(
                Span(
                    clause.index[start],
                    clause.index[end - 1] + 1,
                    problem,
                    term,
                    round(weight, 3),
                    negated,
                    by_sound,
                )
            )
        return spans

    def _negated(self, text: str, start: int, end: int) -> bool:
        if text[end : end + 2].startswith(_ASKING) or text[end + 1 : end + 2] in _ASKING:
            return False  # 不是假货吧: a suspicion put as a question
        before = text[:start]
        for question in self._questions:
            at = before.rfind(question)
            if at != -1 and start - (at + len(question)) <= 2:
                return False
        for word, reach in self._negations:
            at = before.rfind(word)
            if at != -1 and start - (at + len(word)) <= reach:
                return True
        return False

    def _intensified(self, text: str, start: int) -> bool:
        before = text[max(0, start - 4) : start]
        return any(before.endswith(word) or word in before[-3:] for word in self._intensifiers)

    # -- the verdict ------------------------------------------------------------------

    def classify(self, text: str) -> Classification:
        spans = sorted(
            (span for clause in self.clauses(text) for span in self._hits_in(clause)),
            key=lambda s: (s.start, s.end, s.problem.value),
        )
        scores: dict[Problem, float] = defaultdict(float)
        counted: dict[tuple[Problem, str], int] = defaultdict(int)
        for span in spans:
            if span.negated or counted[(span.problem, span.term)] >= MOST_PER_TERM:
                continue
            counted[(span.problem, span.term)] += 1
            scores[span.problem] += span.weight
        main = main_problem(scores)
        evidence = {p: s for p, s in scores.items() if s > 0}
        total = sum(evidence.values()) + (AT_LEAST if Problem.OTHER not in evidence else 0)
        own = evidence.get(main, AT_LEAST if main is Problem.OTHER else 0.0)
        others = sorted(
            (p for p in evidence if p is not main), key=lambda p: (-evidence[p], _ORDER[p])
        )
        return Classification(
            problem=main,
            score=round(own / total, 3) if total else 1.0,
            spans=tuple(spans),
            runner_up=others[0] if others else None,
            scores={p: round(s, 3) for p, s in evidence.items()},
        )


_ASKING = ("吧", "吗", "嘛", "么")
_ORDER = {problem: i for i, problem in enumerate(Problem)}
"""Ties go to the problem declared first in ``Problem``."""
_YIELDING = (Problem.RUDE_SERVICE, Problem.OTHER)


def main_problem(scores: dict[Problem, float]) -> Problem:
    """The main problem of a text with these scores (the precedence of the module's
    docstring)."""
    for first in (Problem.COUNTERFEIT, Problem.REFUND_REFUSED):
        if scores.get(first, 0.0) >= CLEAR:
            return first
    candidates = {p: s for p, s in scores.items() if s >= AT_LEAST}
    if not candidates:
        return Problem.OTHER
    if any(s >= CLEAR for p, s in candidates.items() if p not in _YIELDING):
        candidates = {p: s for p, s in candidates.items() if p not in _YIELDING}
    return min(candidates, key=lambda p: (-candidates[p], _ORDER[p]))


def _asks(text: str, start: int) -> bool:
    """Whether a hit starting with 不 or 没 is the middle of an A-not-A question
    (能不能退, 有没有发货): a question, not a refusal or a complaint."""
    return (
        text[start : start + 1] in ("不", "没")
        and 0 < start < len(text) - 1
        and text[start - 1] == text[start + 1]
    )


def _without_dominated(
    raw: list[tuple[int, int, Problem, str, float, bool]],
) -> list[tuple[int, int, Problem, str, float, bool]]:
    """Drop a hit that lies inside a longer hit of another problem (单号是假的 holds 假的:
    a fake tracking number), and one inside a hit of its own problem that weighs as
    much (防伪码查不到 holds 防伪码: one piece of evidence, counted once). Hits of one
    problem that only overlap both count."""
    kept = []
    for i, hit in enumerate(raw):
        start, end, problem, _, weight, _ = hit
        dominated = False
        for j, other in enumerate(raw):
            if j == i or not (other[0] <= start and end <= other[1]):
                continue
            longer = (other[1] - other[0]) > (end - start)
            if (other[2] is not problem and longer) or (
                other[2] is problem and (other[4], longer, -j) > (weight, False, -i)
            ):
                dominated = True
            if dominated:
                break
        if not dominated:
            kept.append(hit)
    return kept


def _alternation(words) -> re.Pattern[str] | None:  # type: ignore[no-untyped-def]
    words = sorted({w for w in words if w}, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, words))) if words else None


@cache
def default_classifier() -> Classifier:
    return Classifier(default_problem_terms())


def classify(text: str) -> Classification:
    """The main problem of ``text``, how sure, and the words that show it."""
    return default_classifier().classify(text)
