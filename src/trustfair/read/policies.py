"""The policy that runs, its rules beside their measured precision, and the policy
versions the stored decisions were made under.

Precision is what reviewers said of a rule's decisions (``cases.work.rule_precision``):
confirmed over reviewed. A rule that left the policy keeps its record: it is listed
apart, so a rule edited under a new id does not inherit the old one's numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from trustfair.cases.work import RulePrecision, rule_precision
from trustfair.policy.files import FilePolicy
from trustfair.policy.schema import RuleSpec
from trustfair.store.models import DecisionRow


class NotAPolicyFile(LookupError):
    """The pipeline runs a policy written in code: there is no file to describe."""


@dataclass(frozen=True)
class RuleWithPrecision:
    rule: RuleSpec
    measured: RulePrecision


@dataclass(frozen=True)
class RulesAndPrecision:
    policy_version: str
    rules: list[RuleWithPrecision]
    """The active policy's rules in the order they run."""
    former: list[RulePrecision]
    """Reviewed rules that the active policy no longer has."""


def _file_policy(policy: object) -> FilePolicy:
    if not isinstance(policy, FilePolicy):
        raise NotAPolicyFile(
            f"the running policy is not a policy file but {type(policy).__name__}: "
            "it has no file and no rule specs to show"
        )
    return policy


def rules_with_precision(session: Session, policy: object) -> RulesAndPrecision:
    """``policy`` (a loaded policy file) rule by rule, each with its measured precision."""
    rules = _file_policy(policy).rules
    measured = rule_precision(session)
    listed = [RuleWithPrecision(r, measured.get(r.id, RulePrecision(r.id, 0, 0))) for r in rules]
    ids = {r.id for r in rules}
    former = [m for rule_id, m in measured.items() if rule_id not in ids]
    return RulesAndPrecision(_file_policy(policy).version, listed, former)


@dataclass(frozen=True)
class ActivePolicy:
    version: str
    file: Path
    sha256: str


def active_policy_of(policy: object) -> ActivePolicy:
    running = _file_policy(policy)
    return ActivePolicy(running.version, running.path, running.digest)


@dataclass(frozen=True)
class VersionUsed:
    version: str
    decisions: int
    first_decided_at: datetime
    last_decided_at: datetime


def versions_decided_under(session: Session) -> list[VersionUsed]:
    """Each policy version the stored decisions name, with how many and when, newest
    use first: what a back-test or an appeal of an old decision needs to know."""
    rows = session.execute(
        select(
            DecisionRow.policy_version,
            func.count(),
            func.min(DecisionRow.decided_at),
            func.max(DecisionRow.decided_at),
        ).group_by(DecisionRow.policy_version)
    )
    found = [VersionUsed(v, int(n), first, last) for v, n, first, last in rows]
    return sorted(found, key=lambda v: (v.last_decided_at, v.version), reverse=True)
