"""The shared detector: lexicon terms and patterns, minus lawful uses, with disguised
forms accepted only where they read as a disguise."""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any, ClassVar

from trustfair.text.document import SHARED, Document, Hit
from trustfair.text.labels import ADVERTISING_LABELS
from trustfair.text.learned import is_news_report
from trustfair.text.lexicon import SHARED_PREFIX, LabelLexicon
from trustfair.text.normalize import NormalizedText
from trustfair.text.variants import is_hanzi

PLAIN_SCORE = {"block": 0.9, "review": 0.7}
KIND_FACTOR = {"plain": 1.0, "pinyin": 0.8, "homophone": 0.7}
"""A disguised match is scored lower than the plain wording (issue: 'found, and
scored lower than a plain match')."""
CONTEXT_WINDOW = 6
DENIAL_REACH = 3
"""How many original characters may stand between a denial and the claim it denies."""
NOT_DENYING = ("错过", "犹豫", "再犹豫", "再等", "等了", "忘了")
"""What a denial may deny instead of the claim after it (不要错过全网第一)."""
SCOPE_REACH = 16
"""How far a denial reaches into the list it governs (严禁销售高仿、A货、复刻)."""
LIST_MARKS = "、“「『\"'"


def _governs_a_list(
    denial: Hit, finding: Finding, gap: str, denials: list[Hit], original: str
) -> bool:
    """Is the claim an item of a list the denial governs? 严禁销售高仿、A货: the claim opens
    an item (after 、 or a quote mark), or follows 任何/什么 (没有任何微信群); no other
    denial stands in between; and the denial is not one of a row of denied items, whose
    undenied last item is asserted (不要998、不要888、全网最低价)."""
    opens_an_item = original[finding.start - 1 : finding.start] in LIST_MARKS
    if not (opens_an_item or gap.endswith(("任何", "什么"))):
        return False
    if any(denial.end <= other.start and other.end <= finding.start for other in denials):
        return False
    return not any(
        other.end <= denial.start and original[other.end : denial.start].endswith("、")
        for other in denials
    )


QUOTE_DENIAL_REACH = 10
"""How far before a quoted claim a denial forbids it (不得在广告中使用“最佳”)."""
CLAUSE_BREAK = re.compile(r"[。！!？?，,；;\n]")


@dataclass(frozen=True, slots=True)
class Finding:
    label: str
    rule: str
    severity: str
    score: float
    start: int
    end: int
    kind: str = "plain"


@dataclass(frozen=True)
class CompiledPattern:
    regex: re.Pattern[str]
    severity: str
    rule: str
    anchor_group: str | None = None
    """The group of automaton keys one of which must be in the text; None: always try."""


WINDOW_CHARS = 200
"""How far on either side of an anchor a pattern may look."""


def inside(finding: Finding, spans: list[tuple[int, int]]) -> bool:
    return any(start <= finding.start and finding.end <= end for start, end in spans)


# What a report quotes a seller as saying (宣称“三天去根”, 称“最安全”“最温和”): a claim
# however much the text around it reports, warns or discusses.
_QUOTE = r"[“「『\"][^”」』\"]{1,80}[”」』\"]"
_QUOTED_CLAIM = re.compile(
    rf"(?:宣称|声称|称|宣传|标注|标示|标称|使用了?|打出|写着|表述|承诺|说|强调|号称|吹嘘|鼓吹)"
    rf"[^“「『\"。]{{0,10}}((?:{_QUOTE}[、，,]?)+)"
    # or the quotes first, then what they were: 「用十年都不会坏」——这是…的宣传语
    rf"|((?:{_QUOTE}[、，,]?)+)[^“「『\"。]{{0,16}}(?:宣传语|广告语|话术|宣传口号)"
)


def quoted_claims(doc: Document) -> list[tuple[int, int]]:
    """The spans of the claims a report quotes someone as making — a report of what
    was found (发现, 抽查, 认定 …), not a warning about such claims in general."""
    if not (doc.hits_of(SHARED, "case_findings") or doc.hits_of(SHARED, "inspections")):
        return []
    original = doc.original
    denials = doc.hits_of(SHARED, "denials")
    return [
        match.span(1) if match.group(1) else match.span(2)
        for match in _QUOTED_CLAIM.finditer(original)
        # 不能在广告里使用“最佳”: quoted to be forbidden in the same clause, not as said.
        if not any(
            0 <= match.start() - denial.end <= QUOTE_DENIAL_REACH
            and not CLAUSE_BREAK.search(original, denial.end, match.start())
            for denial in denials
        )
    ]


_IN_QUOTES = re.compile(r"(?:[“「『‘\"'][^”」』’\"'\n]{1,30}[”」』’\"'][、，,]?)+")


# Somebody else's words, told by the one writing: 那个主播说全网最低, 我朋友说这个表是
# A货, 您说的“高仿”, 买家投诉：主播说仅剩最后十件. The writer reports a claim, and makes
# none. Not the seller's own 你们说 or 姐妹们都说 (a testimonial is the seller's claim).
_REPORTED_SPEECH = re.compile(
    # Not a seller's own 为您推荐, 客服发货, 用户反馈, 网友都说 (testimonials are claims),
    # nor 他 inside 其他 or 吉他.
    r"(?:有人|有个|别人|(?<![\u4e00-\u9fff])(?:他们|她|他)|主播|弹幕|朋友(?!圈)|我爸|我妈|店家|商家|买家|那个)"
    r"[^，。！？；,.!?;\n]{0,6}?(?:说|讲|吹|举报|投诉)(?:的|过|了|着)?"
    r"|(?:你|您)说的|举报内容|投诉内容|用户诉求|工单|举报[:：]|投诉[:：]"
)


def marks_a_case(doc: Document) -> bool:
    """A regulator's case report names a party or gives a finding (当事人, 经查, 罚款):
    the claims it quotes are the ones it finds against."""
    return bool(doc.hits_of(SHARED, "case_parties") or doc.hits_of(SHARED, "case_findings"))


def reported_speech(doc: Document) -> list[tuple[int, int]]:
    """The rest of the clause after somebody else is said to have said it — but not in a
    case report, whose quotes of the party are what it finds against."""
    if doc.hits_of(SHARED, "case_parties"):
        return []
    if "reported_speech" not in doc.memo:
        original = doc.original
        ends = [m.start() for m in CLAUSE_BREAK.finditer(original)] + [len(original)]
        doc.memo["reported_speech"] = [
            (match.start(), ends[bisect_left(ends, match.end())])
            for match in _REPORTED_SPEECH.finditer(original)
        ]
    return doc.memo["reported_speech"]  # type: ignore[return-value]


def mentions(doc: Document) -> list[tuple[int, int]]:
    """Quoted wording a text mentions rather than uses: the examples of a rule page
    (违规示例：“三天祛斑”) and claims it debunks (说‘能治高血压’，那是骗人的)."""
    if not (doc.hits_of(SHARED, "rule_cues") or doc.hits_of(SHARED, "debunks")):
        return []
    if doc.hits_of(SHARED, "case_findings"):
        return []  # a regulator's report quotes what was said, to find against it
    return [match.span() for match in _IN_QUOTES.finditer(doc.original)]


def _windows(spans: list[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    """The spans widened by WINDOW_CHARS each way, overlapping ones merged."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        start, end = max(0, start - WINDOW_CHARS), min(length, end + WINDOW_CHARS)
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


@cache
def _segmenter():  # type: ignore[no-untyped-def]
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def warm_up() -> None:
    """Load what the detectors load lazily (jieba's dictionary), for a server that
    would rather pay at start than in a request."""
    _segmenter()


def breaks_a_word(compact: str, start: int, end: int) -> bool:
    """Does ``compact[start:end]`` cut through a word of its surroundings?

    高访 in 高访问量 is the start of 访问, not a disguise of 高仿; 薇信 in 加薇信 stands
    alone. jieba segments a few characters around the match to tell.
    """
    left = max(0, start - 4)
    window = compact[left : min(len(compact), end + 4)]
    return _cuts_through(window, start - left, end - left)


def _two_hanzi(compact: str, hit: Hit) -> bool:
    return hit.cend - hit.cstart == 2 and all(map(is_hanzi, compact[hit.cstart : hit.cend]))


def begins_a_word(compact: str, start: int, end: int) -> bool:
    """Does ``compact[start:end]`` begin where a word of its surroundings begins?

    A two-character term that starts inside a word is the end of that word: 保过 in
    担保过, 湿了 in 淋湿了, 色色 in 形形色色, 口交 in 门口，交通. One that runs on into a
    longer word still counts (微信 in 微信号, 孤儿 in 孤儿院): sellers write that way.
    """
    left = max(0, start - 4)
    window = compact[left : min(len(compact), end + 4)]
    return _word_starts(window, start - left)


@lru_cache(maxsize=4096)
def _word_starts(window: str, start: int) -> bool:
    position = 0
    for word in _segmenter().cut(window, HMM=False):
        if position == start:
            return True
        if position > start:
            return False
        position += len(word)
    return position == start


@lru_cache(maxsize=4096)
def _cuts_through(window: str, start: int, end: int) -> bool:
    boundaries = {0}
    position = 0
    for word in _segmenter().cut(window, HMM=False):
        position += len(word)
        boundaries.add(position)
    return start not in boundaries or end not in boundaries


@dataclass
class LexiconDetector:
    """One label's detector. Subclasses add what the lexicon alone cannot see."""

    lexicon: LabelLexicon
    patterns: list[CompiledPattern] = field(default_factory=list)
    lawful_patterns: list[tuple[re.Pattern[str], str | None, str | None]] = field(
        default_factory=list
    )
    """(pattern, group whose presence cancels it, group it needs beside it)."""
    review_only: ClassVar[bool] = False
    deniable: ClassVar[bool] = True
    """Whether a denial word just before a finding cancels it (see ``denied``)."""
    cue_group: ClassVar[str] = "cues"
    trigger_groups: ClassVar[tuple[str, ...]] = ("term",)
    terms_may_start_inside_words: ClassVar[bool] = False
    """A two-character term found starting inside a word (保过 in 担保过) is not that term,
    unless this label's terms are glued to intensifiers that way (超高仿: 超高/仿)."""
    reported_speech_counts: ClassVar[bool] = False
    """Whether what the writer says somebody else said is still this label's finding."""
    param_types: ClassVar[dict[str, type]] = {}
    """The ``params`` this detector reads, and their types: checked when it is built."""

    @property
    def label(self) -> str:
        return self.lexicon.label

    def __post_init__(self) -> None:
        self.params = self._checked_params()
        self._always = any(p.anchor_group is None for p in self.patterns)
        # How a regulator names this label's violations wakes it too (case_reports.py).
        self.triggers = (*self.trigger_groups, "case_findings")
        """The groups of keys whose presence in a text makes this detector run. A
        pattern's anchors make it run only if the pattern matches (engine.py)."""

    def _checked_params(self) -> dict[str, Any]:
        checked: dict[str, Any] = {}
        for name, value in self.lexicon.params.items():
            wanted = self.param_types.get(name)
            if wanted is None:
                raise ValueError(f"params.{name}: not a parameter of the {self.label} detector")
            try:
                checked[name] = [str(v) for v in value] if wanted is list else wanted(value)
            except (TypeError, ValueError):
                raise ValueError(f"params.{name}: {value!r} is not a {wanted.__name__}") from None
            if wanted in (int, float) and checked[name] <= 0:
                raise ValueError(f"params.{name}: must be above zero")
        return checked

    def runs_untriggered(self, text: NormalizedText, category: str | None) -> bool:
        """Must this detector look at a text none of its trigger keys is in?

        Most texts hold nothing for most detectors, so the engine runs a detector only
        when one of its triggers was found — or when this says it must anyway.
        """
        return self._always

    @property
    def may_run_untriggered(self) -> bool:
        """Whether ``runs_untriggered`` can ever be true (so the engine asks at all)."""
        return self._always or type(self).runs_untriggered is not LexiconDetector.runs_untriggered

    def find(self, doc: Document) -> list[Finding]:
        findings = [
            self.finding_for(hit) for hit in doc.hits_of(self.label) if self.accept(hit, doc)
        ]
        findings += self.pattern_findings(doc)
        if self.deniable and findings:
            # Words and patterns can be denied; what a detector works out (a reference
            # price against an offer, a phone number) is a fact of the text, not a claim.
            findings = [f for f in findings if not self.denied(f, doc)]
        findings += self.extra_findings(doc)
        return self.without_lawful(findings, doc)

    # -- pieces subclasses reuse ------------------------------------------------------

    def finding_for(self, hit: Hit, rule: str | None = None, factor: float = 1.0) -> Finding:
        entry = hit.entry
        severity = "review" if self.review_only else entry.severity
        score = PLAIN_SCORE[entry.severity] * KIND_FACTOR[entry.kind] * factor
        return Finding(
            self.label,
            rule or entry.rule,
            severity,
            round(score, 3),
            hit.start,
            hit.end,
            entry.kind,
        )

    def accept(self, hit: Hit, doc: Document) -> bool:
        """Plain matches always; disguises only where they stand as a word of their own,
        and a disguise that is a common word only beside a cue of this label."""
        if hit.entry.kind == "plain":
            if hit.entry.whole_word:
                return not breaks_a_word(doc.text.compact, hit.cstart, hit.cend)
            return (
                self.terms_may_start_inside_words
                or not _two_hanzi(doc.text.compact, hit)
                or begins_a_word(doc.text.compact, hit.cstart, hit.cend)
            )
        if hit.entry.kind == "homophone" and breaks_a_word(doc.text.compact, hit.cstart, hit.cend):
            return False
        return not hit.entry.is_word or self.near(doc, hit, self.cue_group)

    def near(self, doc: Document, hit: Hit, group: str, window: int = CONTEXT_WINDOW) -> bool:
        return any(
            cue.cstart < hit.cend + window and cue.cend > hit.cstart - window
            for cue in doc.hits_of(self.label, group)
        )

    def pattern_findings(self, doc: Document) -> list[Finding]:
        found: dict[tuple[str, int, int], Finding] = {}
        length = len(doc.original)
        whole = [(0, length)]
        for pattern in self.patterns:
            if pattern.anchor_group is None or length <= WINDOW_CHARS:
                # A text shorter than a window is one window, wherever its anchors are.
                windows = whole
                if pattern.anchor_group and not doc.hits_of(self.label, pattern.anchor_group):
                    continue
            else:
                anchors = doc.hits_of(self.label, pattern.anchor_group)
                if not anchors:
                    continue
                windows = _windows([(a.start, a.end) for a in anchors], length)
            severity = "review" if self.review_only else pattern.severity
            for start, end in windows:
                # Patterns read the folded text (same positions as the original), so
                # that punctuation they rely on (1:1, www.x.com) is still there; and only
                # around their anchors, so a long text costs a pattern no more than a
                # few short ones would.
                for match in pattern.regex.finditer(doc.text.folded, start, end):
                    key = (pattern.rule, *match.span())
                    found[key] = Finding(
                        self.label,
                        pattern.rule,
                        severity,
                        PLAIN_SCORE[pattern.severity],
                        *match.span(),
                    )
        return list(found.values())

    def extra_findings(self, doc: Document) -> list[Finding]:
        return []

    def lawful_spans(
        self, doc: Document, near: list[tuple[int, int]]
    ) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
        """Spans of lawful uses — of a phrase (最近), and of a context (a news item
        that discusses such claims); patterns are tried around ``near`` only."""
        phrases = [(h.start, h.end) for h in doc.hits_of(self.label, "lawful")]
        contexts: list[tuple[int, int]] = []
        for pattern, unless, only_with in self.lawful_patterns:
            if unless and self._group_hits(doc, unless):
                continue
            if only_with and not self._group_hits(doc, only_with):
                continue
            spans = contexts if only_with or unless else phrases
            for start, end in _windows(near, len(doc.original)):
                spans += [m.span() for m in pattern.finditer(doc.text.folded, start, end)]
        if self._reads_as_news(doc):
            contexts.append((0, len(doc.original)))
        return phrases, contexts

    def _reads_as_news(self, doc: Document) -> bool:
        """A news report's superlatives and cures are news, not claims — unless it is a
        regulator's case report, whose quotes are the claims it finds against."""
        return (
            self.label in ADVERTISING_LABELS
            and not doc.hits_of(self.label, "case_report_cues")
            and not marks_a_case(doc)
            and is_news_report(doc.text.compact)
        )

    def _group_hits(self, doc: Document, group: str) -> list[Hit]:
        if group.startswith(SHARED_PREFIX):
            return doc.hits_of(SHARED, group.removeprefix(SHARED_PREFIX))
        return doc.hits_of(self.label, group)

    def without_lawful(self, findings: list[Finding], doc: Document) -> list[Finding]:
        if not findings:
            return findings
        phrases, contexts = self.lawful_spans(doc, [(f.start, f.end) for f in findings])
        if not self.reported_speech_counts:
            contexts = contexts + reported_speech(doc)
        quoted = quoted_claims(doc) if contexts else []
        mentioned = mentions(doc)
        return [
            f
            for f in findings
            if not inside(f, phrases)
            and not (inside(f, contexts) and not inside(f, quoted))
            and not inside(f, mentioned)
        ]

    @staticmethod
    def denied(finding: Finding, doc: Document) -> bool:
        """不是高仿, 不敢说全网最低, 别信一辈子不坏: a claim denied right before
        it, in the same clause, is not made; so is each item of a list a denial
        governs (严禁销售高仿、A货、复刻; 没有任何微信群、QQ群; 不会让你们加什么微信).
        Not a denial: one inside another word
        (是不是, 不得了), one about the speaker (不是我吹), or one denied in turn
        (谁说我们不是全网第一)."""
        original = doc.original
        denials = doc.hits_of(SHARED, "denials")
        for denial in denials:
            reach = finding.start - denial.end
            gap = original[denial.end : finding.start]
            if reach < 0 or CLAUSE_BREAK.search(gap) or "我" in gap or gap.startswith(NOT_DENYING):
                continue
            if reach > DENIAL_REACH and not (
                reach <= SCOPE_REACH and _governs_a_list(denial, finding, gap, denials, original)
            ):
                continue
            if (
                original[denial.start - 1 : denial.start] == "是"
                or original[denial.end : denial.end + 1] == "了"
            ):
                continue
            clause_start = max(
                (m.end() for m in CLAUSE_BREAK.finditer(original, 0, denial.start)), default=0
            )
            if any(clause_start <= other.start and other.end <= denial.start for other in denials):
                continue  # denied in turn
            return True
        return False
