"""The rule courses: lessons on the platform rules and an exam for each, as data.

The catalogue is ``merchant/data/courses.yaml``, checked when loaded: a wrong or unknown
key, a duplicate id, an answer that is not one of its question's choices, or an exam
that asks more questions than its bank holds is a ``yaml_files.FileError`` naming the
file, the line and the key. Policies name courses by id (a sanction that waits for
one); ``known_course_ids`` is what they are checked against.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from trustfair.yaml_files import load_yaml_model

DEFAULT_COURSES_PATH = Path(__file__).parent / "data" / "courses.yaml"

CourseId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_.:-]{0,63}$")]
ItemId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")]
Words = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Bilingual(Strict):
    en: Words
    zh: Words

    def in_(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


class Lesson(Strict):
    id: ItemId
    title: Bilingual
    body: Bilingual


class Choice(Strict):
    id: ItemId
    en: Words
    zh: Words

    def in_(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


class Question(Strict):
    id: ItemId
    text: Bilingual
    choices: list[Choice] = Field(min_length=2, max_length=8)
    answer: ItemId

    @model_validator(mode="after")
    def _answer_is_a_choice(self) -> Question:
        ids = [c.id for c in self.choices]
        if len(set(ids)) != len(ids):
            raise ValueError(f"question {self.id}: choice ids repeat: {ids}")
        if self.answer not in ids:
            raise ValueError(f"question {self.id}: answer {self.answer!r} is not one of {ids}")
        return self

    def choice(self, choice_id: str) -> Choice:
        return next(c for c in self.choices if c.id == choice_id)


class Exam(Strict):
    questions: int = Field(ge=1, le=50)
    """How many questions an attempt draws from the bank."""
    pass_percent: int = Field(ge=1, le=100)
    """The share of an attempt's questions answered right that passes it."""
    attempts_per_day: int = Field(ge=1, le=50)
    """Attempts started in any 24 hours, at most."""
    cooldown_minutes: int = Field(ge=0, le=10_080)
    """The wait after a failed attempt before the next may start."""
    time_limit_minutes: int = Field(ge=1, le=1440)
    """An attempt submitted later than this after it started fails."""
    bank: list[Question] = Field(min_length=1, max_length=500)

    @model_validator(mode="after")
    def _bank_holds_enough(self) -> Exam:
        ids = [q.id for q in self.bank]
        if len(set(ids)) != len(ids):
            raise ValueError(f"question ids repeat in the bank: {sorted(ids)}")
        if self.questions > len(self.bank):
            raise ValueError(
                f"the exam asks {self.questions} questions but its bank holds {len(self.bank)}"
            )
        return self

    def question(self, question_id: str) -> Question:
        return next(q for q in self.bank if q.id == question_id)

    def passes(self, right: int, asked: int) -> bool:
        return right * 100 >= self.pass_percent * asked


class Course(Strict):
    id: CourseId
    title: Bilingual
    lessons: list[Lesson] = Field(min_length=1, max_length=50)
    exam: Exam

    @model_validator(mode="after")
    def _lesson_ids_differ(self) -> Course:
        ids = [lesson.id for lesson in self.lessons]
        if len(set(ids)) != len(ids):
            raise ValueError(f"lesson ids repeat: {ids}")
        return self

    def lesson(self, lesson_id: str) -> Lesson | None:
        return next((lesson for lesson in self.lessons if lesson.id == lesson_id), None)


class Catalogue(Strict):
    courses: list[Course] = Field(min_length=1, max_length=200)

    @model_validator(mode="after")
    def _course_ids_differ(self) -> Catalogue:
        ids = [c.id for c in self.courses]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"course ids repeat: {repeated}")
        return self

    def get(self, course_id: str) -> Course | None:
        return next((c for c in self.courses if c.id == course_id), None)

    @property
    def ids(self) -> frozenset[str]:
        return frozenset(c.id for c in self.courses)


def load_courses(path: Path = DEFAULT_COURSES_PATH) -> Catalogue:
    """The courses in ``path``; ``yaml_files.FileError`` (file, line, key) if wrong."""
    return load_yaml_model(path, Catalogue)


@cache
def default_courses() -> Catalogue:
    return load_courses()


def known_course_ids() -> frozenset[str]:
    """The ids a policy may name: the shipped catalogue's."""
    return default_courses().ids
