"""Lexicons as data: one YAML file per label in a versioned directory.

A lexicon directory holds ``manifest.yaml`` (``version: ...``) and one ``<label>.yaml``
per label. Every file is validated on load; a problem is reported as
``file:line: problem`` and nothing of a directory with a problem is used.

A label's file::

    label: extreme_claim
    severity: block            # of its terms, unless a term says otherwise
    sources: [广告法 第九条第三项]
    terms:                     # words and phrases that carry the label
      - 全网最低
      - {term: 最好, severity: review}
      - {term: 微信, disguise: true}     # also homophones, look-alikes and pinyin
    groups:                    # named lists the label's detector uses (cues, diseases ...)
      cues: [加, 私, 联系]
    lawful:                    # lawful uses: a match inside one of these is not flagged
      - 最近
      - {pattern: '\\d{4}年.{0,12}销量第1', note: 限定时间的销量事实}
    patterns:                  # regular expressions over the folded text
      - {pattern: '史上最.', rule: extreme_claim.history_best, requires: [史上]}
    params: {window: 8}        # numbers the label's detector reads

The manifest may add ``shared_groups``: lists every label's detector reads (words that
deny a claim, the marks of a regulator's case report).
"""

from __future__ import annotations

import hashlib
import re
import re._constants as _sre
import re._parser as _sre_parse
import time
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)

from trustfair.text.labels import LABELS, Label
from trustfair.yaml_files import FileError, load_yaml_model

Severity = Literal["block", "review"]

DEFAULT_LEXICON_DIR = Path(__file__).parent / "lexicons"
MAX_TERM_CHARS = 64


# Texts a pattern must get through quickly: long runs of what patterns are made of.
# A pattern that backtracks on them would let one message tie up the engine.
PROBE_CHARS = 400
_PROBES = tuple(
    unit * (PROBE_CHARS // len(unit)) + end
    for unit in ("1", "一", "a", "斤", "天", " ", "好", "1天", "加微", "_|", "最", "。")
    for end in ("", "!")  # "!": a run that almost matches and then fails, for backtracking
)
MAX_PROBE_SECONDS = 0.2


def _nested_repeat(tokens: Any, inside: bool = False) -> bool:
    """Does a repeat without a small bound sit inside another repeat? ((a+)+, (a|aa)*)

    Such patterns backtrack exponentially on a near-miss; they are refused before any
    text is tried on them.
    """
    for op, value in tokens:
        if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT):
            _, most, sub = value
            unbounded = most == _sre.MAXREPEAT or most > 16
            if (inside and unbounded) or _nested_repeat(sub, inside or unbounded):
                return True
            # (a|aa)*: alternatives under an unbounded repeat can split one text many ways.
            if unbounded and any(op == _sre.BRANCH for op, _ in _flat(sub)):
                return True
        elif (
            (op == _sre.SUBPATTERN and _nested_repeat(value[-1], inside))
            or (op == _sre.BRANCH and any(_nested_repeat(alt, inside) for alt in value[1]))
            or (op in (_sre.ASSERT, _sre.ASSERT_NOT) and _nested_repeat(value[1], inside))
        ):
            return True
    return False


def _broad_unbounded_repeats(tokens: Any) -> int:
    """How many unbounded repeats of a broad class (\\W*, \\s+, .*, [^。]*) a pattern has.

    Two of them in a row (1\\W*贴\\W*(就)?\\W*见效) backtrack polynomially on a long
    run of separators: one chat line of spaces would take seconds.
    """
    count = 0
    for op, value in tokens:
        if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT):
            _, most, sub = value
            broad = any(
                sub_op == _sre.ANY
                or sub_op == _sre.CATEGORY
                or (
                    sub_op == _sre.IN
                    and any(item[0] in (_sre.NEGATE, _sre.CATEGORY) for item in sub_value)
                )
                for sub_op, sub_value in sub
            )
            if (most == _sre.MAXREPEAT or most > 64) and broad:
                count += 1
            count += _broad_unbounded_repeats(sub)
        elif op == _sre.SUBPATTERN:
            count += _broad_unbounded_repeats(value[-1])
        elif op == _sre.BRANCH:
            count += max((_broad_unbounded_repeats(alt) for alt in value[1]), default=0)
    return count


def _flat(tokens: Any) -> list[tuple[Any, Any]]:
    out = []
    for op, value in tokens:
        out.append((op, value))
        if op == _sre.SUBPATTERN:
            out += _flat(value[-1])
    return out


def valid_regex(pattern: str) -> str:
    """``pattern``, if it compiles, cannot match the empty string and cannot take
    super-linear time; ValueError says which it breaks. Lexicons and banks are untrusted."""
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"not a valid regular expression: {exc}") from None
    if _nested_repeat(_sre_parse.parse(pattern)):
        raise ValueError(
            "a repeat inside a repeat (like (a+)+) can take exponential time; bound the inner one"
        )
    if _broad_unbounded_repeats(_sre_parse.parse(pattern)) > 1:
        raise ValueError(
            "two unbounded repeats of broad classes (like \\W*…\\W*) can take polynomial "
            "time on a long run of separators; bound them (\\W{0,3})"
        )
    if compiled.search(""):
        raise ValueError("the pattern matches the empty string, so it would match every text")
    started = time.perf_counter()
    for probe in _PROBES:
        compiled.search(probe)
        if time.perf_counter() - started > MAX_PROBE_SECONDS:
            raise ValueError(
                f"the pattern is too slow: over {MAX_PROBE_SECONDS}s on "
                f"{PROBE_CHARS:,}-character probes (bound its repeats)"
            )
    return pattern


Regex = Annotated[str, Field(min_length=1, max_length=500), AfterValidator(valid_regex)]


def _number_as_text(value: object) -> object:
    # YAML reads `- 91` as a number; in a lexicon it is the text "91".
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


TermText = Annotated[
    str, BeforeValidator(_number_as_text), Field(min_length=1, max_length=MAX_TERM_CHARS)
]
RuleName = Annotated[str, Field(pattern=r"^[a-z0-9_.]+$", max_length=64)]
SHARED_PREFIX = "shared."
"""A lawful use's group named ``shared.X`` is the manifest's shared group X."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


MAX_DISGUISED_CHARS = 8
"""A term with disguises has its homophones and pinyin generated: keep it short."""


class Term(_Strict):
    term: TermText
    severity: Severity | None = None
    rule: RuleName | None = None
    disguise: bool = False
    """Also match homophones, look-alike characters and pinyin of this term."""
    whole_word: bool = False
    """Match only where the term stands as a word: 妈的 but not 宝妈的, 开裆 but not 开裆裤."""

    @model_validator(mode="after")
    def _short_if_disguised(self) -> Term:
        if self.disguise and len(self.term) > MAX_DISGUISED_CHARS:
            raise ValueError(
                f"a term with disguise: true may have at most {MAX_DISGUISED_CHARS} characters"
            )
        return self


class Lawful(_Strict):
    text: TermText | None = None
    pattern: Regex | None = None
    note: str = ""
    unless: RuleName | None = None
    """A group of the label: when one of its words is in the text, this use is not lawful."""
    only_with: RuleName | None = None
    """A group of the label: this use is lawful only beside one of its words."""

    @model_validator(mode="after")
    def _one_of(self) -> Lawful:
        if (self.text is None) == (self.pattern is None):
            raise ValueError("a lawful use has either text or pattern, not both or neither")
        return self


class Pattern(_Strict):
    pattern: Regex
    severity: Severity | None = None
    rule: RuleName | None = None
    requires: list[TermText] = Field(default_factory=list)
    """Words (as the compact text has them) one of which the pattern cannot match
    without; the pattern is tried only on texts that contain one. Empty: always."""


class LabelLexicon(_Strict):
    label: Label
    severity: Severity = "review"
    description: str = ""
    sources: list[str] = Field(default_factory=list)
    terms: list[TermText | Term] = Field(default_factory=list)
    groups: dict[RuleName, list[TermText | Term]] = Field(default_factory=dict)
    lawful: list[TermText | Lawful] = Field(default_factory=list)
    patterns: list[Pattern] = Field(default_factory=list)
    params: dict[RuleName, int | float | str | list[str]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _groups_named_exist(self) -> LabelLexicon:
        for entry in self.lawful_entries():
            for group in (entry.unless, entry.only_with):
                if group and not group.startswith(SHARED_PREFIX) and group not in self.groups:
                    raise ValueError(f"lawful use names the group {group!r}, which is not defined")
        return self

    def shared_groups_named(self) -> set[str]:
        """The manifest's groups this file's lawful uses read (``shared.X``)."""
        return {
            group.removeprefix(SHARED_PREFIX)
            for entry in self.lawful_entries()
            for group in (entry.unless, entry.only_with)
            if group and group.startswith(SHARED_PREFIX)
        }

    def term_entries(self) -> list[Term]:
        return [t if isinstance(t, Term) else Term(term=t) for t in self.terms]

    def group_entries(self, group: str) -> list[Term]:
        return [t if isinstance(t, Term) else Term(term=t) for t in self.groups.get(group, [])]

    def lawful_entries(self) -> list[Lawful]:
        return [w if isinstance(w, Lawful) else Lawful(text=w) for w in self.lawful]

    def default_rule(self) -> str:
        return f"{self.label}.lexicon"


Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class Manifest(_Strict):
    version: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.+-]{1,40}$")]
    description: str = ""
    lookalikes: dict[Annotated[str, Field(min_length=1, max_length=1)], str] = Field(
        default_factory=dict
    )
    """Characters that look like another (微: 徽), for disguised terms."""
    shared_groups: dict[RuleName, list[TermText]] = Field(default_factory=dict)
    """Groups every label's detector reads (denials, the marks of a regulator's case
    report), under the label ``shared``."""
    files: dict[Annotated[str, Field(pattern=r"^[a-z_]+\.yaml$")], Sha256] | None = None
    """A sealed version: the SHA-256 of every label file (``trustfair lexicon seal``).
    A directory whose files are not these is not loaded: it is still being written."""


class LexiconSet:
    """Every label's lexicon from one directory, and the version they carry together."""

    def __init__(
        self, directory: Path, manifest: Manifest, labels: dict[str, LabelLexicon], digest: str
    ):
        self.directory = directory
        self.manifest = manifest
        self.labels = labels
        self.version = f"{manifest.version}+{digest[:8]}"
        """The manifest's version and a digest of the files: two different contents
        never share a version, even if someone forgets to bump the manifest."""


def load_lexicons(directory: Path | None = None) -> LexiconSet:
    """Load and validate a lexicon directory; raise FileError on the first problem."""
    directory = Path(directory or DEFAULT_LEXICON_DIR)
    manifest_path = directory / "manifest.yaml"
    if not manifest_path.is_file():
        raise FileError(manifest_path, None, "no manifest.yaml: not a lexicon directory")
    manifest = load_yaml_model(manifest_path, Manifest)
    digest = hashlib.sha256()
    labels: dict[str, LabelLexicon] = {}
    seen: dict[str, str] = {}
    for path in sorted(directory.glob("*.yaml")):
        data = path.read_bytes()  # read once: the digest and the parse see the same bytes
        digest.update(path.name.encode() + b"\0" + data)
        if path.name == "manifest.yaml":
            continue
        seen[path.name] = hashlib.sha256(data).hexdigest()
        lexicon = load_yaml_model(path, LabelLexicon, data)
        if path.stem != lexicon.label:
            raise FileError(
                path, None, f"file of label {lexicon.label!r} must be named {lexicon.label}.yaml"
            )
        unknown = lexicon.shared_groups_named() - set(manifest.shared_groups)
        if unknown:
            raise FileError(
                path,
                None,
                f"lawful use names shared group(s) the manifest lacks: {sorted(unknown)}",
            )
        labels[lexicon.label] = lexicon
    missing = [label for label in LABELS if label not in labels]
    if missing:
        raise FileError(directory, None, f"no lexicon for: {', '.join(missing)}")
    if manifest.files is not None:
        _check_seal(directory, manifest_path, manifest.files, seen)
    return LexiconSet(directory, manifest, labels, digest.hexdigest())


def file_digests(directory: Path) -> dict[str, str]:
    """The SHA-256 of every label file of a lexicon directory, by file name."""
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(directory.glob("*.yaml"))
        if path.name != "manifest.yaml"
    }


def _check_seal(
    directory: Path, manifest_path: Path, sealed: dict[str, str], seen: dict[str, str]
) -> None:
    # Writers of a new version write the label files first and the manifest, with their
    # digests, last: until every file is the one the manifest names, the version is
    # half written and the one in service stays.
    if set(seen) != set(sealed):
        extra, absent = sorted(set(seen) - set(sealed)), sorted(set(sealed) - set(seen))
        raise FileError(
            manifest_path,
            None,
            f"the sealed version lists other files (not listed: {extra}, missing: {absent})",
        )
    changed = [name for name, digest in seen.items() if sealed[name] != digest]
    if changed:
        raise FileError(
            directory / changed[0],
            None,
            "not the content the manifest seals (still being written, or edited without "
            "`trustfair lexicon seal`)",
        )
