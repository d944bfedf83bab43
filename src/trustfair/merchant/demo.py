"""The demo's sanctioned accounts taking the courses their sanctions wait for.

Half of the accounts holding a sanction that waits for a course (chosen by a stable
hash of the account, so a second run chooses the same) read it and sit its exam
through the use cases, as a merchant in the console would: 1 to 12 days after the
sanction started (within its term or after it), each question answered right with a
fixed chance, again after the cool-down when failed, and surely by the third attempt;
then they rate the course. The others
are left waiting, so the report shows both. An account enrolled already is skipped:
running the demo again adds nothing.
"""

from __future__ import annotations

import hashlib
import random
from datetime import timedelta

from sqlalchemy import select

from trustfair.events.payload import EntityRef
from trustfair.merchant import exams
from trustfair.merchant.courses import default_courses
from trustfair.store.database import Store
from trustfair.store.models import CourseHoldRow, SanctionRow

RIGHT_CHANCE = 0.7
SURE_BY_ATTEMPT = 3


def _chosen(entity: EntityRef, course_id: str) -> bool:
    digest = hashlib.sha256(f"{entity.type}:{entity.id}:{course_id}".encode()).digest()
    return digest[0] % 2 == 0


def take_the_waiting_courses(store: Store, seed: int) -> int:
    """Sit the exams as described above; the number of accounts that passed."""
    with store.reading() as session:
        waiting = session.execute(
            select(
                CourseHoldRow.entity_type,
                CourseHoldRow.entity_id,
                CourseHoldRow.course_id,
                SanctionRow.starts_at,
            )
            .join(SanctionRow, SanctionRow.id == CourseHoldRow.sanction_id)
            .where(CourseHoldRow.released_at.is_(None))
            .order_by(CourseHoldRow.sanction_id)
        ).all()
    passed = 0
    seen: set[tuple[EntityRef, str]] = set()
    for entity_type, entity_id, course_id, starts_at in waiting:
        entity = EntityRef(entity_type, entity_id)
        if (entity, course_id) in seen or not _chosen(entity, course_id):
            continue
        seen.add((entity, course_id))
        with store.transaction() as session:
            if exams.enrolment_of(session, entity, course_id) is not None:
                continue
            rng = random.Random(f"{seed}:{entity_type}:{entity_id}:{course_id}")
            after = timedelta(days=rng.randint(1, 12))  # in the term or after it
            if _sit(session, entity, course_id, starts_at + after, rng):
                passed += 1
    return passed


def _sit(session, entity: EntityRef, course_id: str, at, rng: random.Random) -> bool:  # type: ignore[no-untyped-def]
    bank = default_courses().get(course_id).exam  # type: ignore[union-attr]
    for number in range(1, SURE_BY_ATTEMPT + 1):
        attempt = exams.start_attempt(session, entity, course_id, "demo", at, rng)
        answers = {}
        for item in attempt.asked:
            right = item["choices"].index(bank.question(item["question"]).answer)
            sure = number == SURE_BY_ATTEMPT or rng.random() < RIGHT_CHANCE
            answers[item["question"]] = exams.LABELS[
                right if sure else (right + 1) % len(item["choices"])
            ]
        at = at + timedelta(minutes=rng.randint(8, 25))
        result = exams.submit_attempt(session, attempt.id, answers, at)
        if result.passed:
            exams.rate_course(session, entity, course_id, rng.choice((3, 4, 4, 5, 5)), "", at)
            return True
        at = exams.next_attempt_at(
            default_courses().get(course_id),
            exams.attempts_of(session, attempt.enrolment_id),
            at,  # type: ignore[arg-type]
        )
    return False
