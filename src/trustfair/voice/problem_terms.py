"""The words of each problem type (``voice/data/problems.yaml``), checked when loaded.

Terms are written as people write them; they are put into the compact view here
(``text.normalize``: folded, separators dropped), the view the classifier matches in,
so a term written with 一直 matches the text's 一直 (both fold to 1直).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from trustfair.text.normalize import normalize
from trustfair.voice.problems import Problem
from trustfair.yaml_files import load_yaml_model

DEFAULT_PATH = Path(__file__).parent / "data" / "problems.yaml"
Weight = Annotated[float, Field(gt=0, le=10)]
Word = Annotated[str, Field(min_length=1, max_length=40)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def compact(text: str) -> str:
    """``text`` as the classifier's view has it (folded, separators dropped)."""
    return normalize(text).compact


class Term(_Strict):
    text: Word
    weight: Weight

    @field_validator("text")
    @classmethod
    def _matchable(cls, text: str) -> str:
        if not compact(text):
            raise ValueError(f"{text!r} is only separators: it can never match")
        return text


class Pattern(_Strict):
    regex: Annotated[str, Field(min_length=1, max_length=400)]
    weight: Weight

    @field_validator("regex")
    @classmethod
    def _compiles(cls, regex: str) -> str:
        try:
            compiled = re.compile(regex)
        except re.error as exc:
            raise ValueError(f"not a regular expression: {exc}") from None
        if compiled.match(""):
            raise ValueError("matches the empty text: it would match everywhere")
        return regex


class Negation(_Strict):
    word: Word
    reach: Annotated[int, Field(ge=0, le=10)]
    """How many characters may stand between the negation and the term (没有任何破损)."""


class ProblemWords(_Strict):
    terms: list[Term] = Field(default_factory=list)
    patterns: list[Pattern] = Field(default_factory=list)


class ProblemTerms(_Strict):
    version: Word
    sound_weight: Annotated[float, Field(ge=0, le=1)]
    intensifier_boost: Annotated[float, Field(ge=1, le=3)]
    negations: list[Negation]
    questions: list[Word] = Field(default_factory=list)
    intensifiers: list[Word] = Field(default_factory=list)
    fillers: list[Word] = Field(default_factory=list)
    secondary_markers: list[Word] = Field(default_factory=list)
    secondary_weight: Annotated[float, Field(ge=0, le=1)] = 1.0
    problems: dict[Problem, ProblemWords]

    @model_validator(mode="after")
    def _every_problem(self) -> ProblemTerms:
        missing = sorted(p.value for p in Problem if p not in self.problems)
        if missing:
            raise ValueError(f"problems without words: {', '.join(missing)}")
        for problem, words in self.problems.items():
            seen: set[str] = set()
            for term in words.terms:
                key = compact(term.text)
                if key in seen:
                    raise ValueError(f"{problem.value}: term {term.text!r} is listed twice")
                seen.add(key)
        return self


def load_problem_terms(path: Path = DEFAULT_PATH) -> ProblemTerms:
    """The words in ``path``; ``yaml_files.FileError`` (file, line, what) if wrong."""
    return load_yaml_model(path, ProblemTerms)


@cache
def default_problem_terms() -> ProblemTerms:
    return load_problem_terms()
