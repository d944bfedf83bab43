"""What a policy file may say, checked before any rule runs.

A policy file is YAML written by a governance operator: violation types with their
class and points, the points nodes that trigger sanctions, how points reset and
escalate, which sanctions linked accounts share, and the
rules that turn signals and entity state into a verdict and actions. Anything the
schema does not know is refused, so a misspelt key cannot silently switch a rule off.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from trustfair.merchant.settlement_terms import Settlement
from trustfair.pipeline.interfaces import Verdict
from trustfair.protect.terms import Protection

Name = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_.:-]{0,127}$")]
"""An identifier a policy author writes: lower case, digits, _ . : -"""

VIOLATION_CLASSES = ("general", "serious")
SanctionKind = Literal[
    "warning", "listing_removal", "traffic_limit", "live_suspension", "settlement_freeze", "ban"
]
IdentityKey = Literal["id_number", "phone", "bank_account", "address", "device"]
SANCTION_KINDS = get_args(SanctionKind)
RESTRICTING_KINDS = frozenset({"traffic_limit", "live_suspension", "settlement_freeze", "ban"})
"""Sanctions that restrict what an account may do while they last."""
IDENTITY_KEYS = get_args(IdentityKey)
ActionKind = Literal[
    "points",
    "sanction",
    "open_case",
    "raise_live_risk",
    "send_command",
    "share_sanctions",
    "file_claim",
    "take_deposit",
    "compensate",
    "brand_check",
    "file_notice",
    "advance_settlement",
    "settle_advance",
    "reverse_advance",
]
ACTION_KINDS = get_args(ActionKind)
"""What a rule may ask for; each is carried out by the effect of the same name."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ViolationType(Strict):
    violation_class: Literal["general", "serious"] = Field(alias="class")
    points: int = Field(ge=0, le=1000)
    basis: str = ""
    """The public rule it rests on, quoted in the statement of reasons."""


class SanctionSpec(Strict):
    kind: SanctionKind
    days: int | None = Field(default=None, ge=1, le=3650)
    """How long it lasts; none for a warning, a listing removal or a ban."""
    requires_course: Name | None = None
    """A rule course (merchant/data/courses.yaml) whose exam the holder must pass, after
    the sanction started, before it lifts: it runs past its days until then."""

    @model_validator(mode="after")
    def _duration_fits_the_kind(self) -> SanctionSpec:
        lasting = self.kind in RESTRICTING_KINDS - {"ban"}
        if lasting and self.days is None:
            raise ValueError(f"a {self.kind} needs days: how long it lasts")
        if not lasting and self.days is not None:
            raise ValueError(f"a {self.kind} has no duration; remove days")
        if self.requires_course is not None and not lasting:
            raise ValueError(f"a {self.kind} does not lift: it cannot wait for a course")
        return self


class Node(Strict):
    points: int = Field(ge=1, le=100_000)
    sanctions: list[SanctionSpec] = Field(min_length=1, max_length=10)


class PointsReset(Strict):
    every: Literal["calendar_year", "days"] = "calendar_year"
    days: int | None = Field(default=None, ge=1, le=3650)

    @model_validator(mode="after")
    def _days_only_for_days(self) -> PointsReset:
        if (self.every == "days") != (self.days is not None):
            raise ValueError("days is given exactly when every is 'days'")
        return self


class Escalation(Strict):
    window_days: int = Field(ge=1, le=3650)
    """The same violation again within this many days of the last one ..."""
    factor: int = Field(ge=1, le=10)
    """... costs this many times its points."""


class LinkedAccounts(Strict):
    keys: list[IdentityKey] = Field(min_length=1)
    share: list[SanctionKind] = Field(min_length=1)


class Appeals(Strict):
    within_days: int = Field(ge=1, le=365)
    how: str
    """What the statement of reasons tells the sanctioned party to do."""


class SignalCondition(Strict):
    detector: Name | None = None
    labels: list[Name] | None = None
    severity: Literal["block", "review"] | None = None
    min_score: float | None = None
    score_below: float | None = None
    """Only signals scoring under this: text held for a person rather than blocked."""
    rules: list[str] | None = None
    """Only findings of these lexicon or detector rules (a prefix ending in . matches a family)."""
    evidence_at_least: dict[str, float] | None = None
    """Numeric evidence fields and the least each must be (reports: 5)."""
    evidence_below: dict[str, float] | None = None
    """Numeric evidence fields and what each must stay under (certified: 1)."""


class StateCondition(Strict):
    points_at_least: int | None = Field(default=None, ge=0)
    points_below: int | None = Field(default=None, ge=0)
    restricted_by: list[SanctionKind] | None = None
    """The author is under one of these sanctions right now."""


class When(Strict):
    events: list[str] | None = None
    signal: SignalCondition | None = None
    author: StateCondition | None = None
    listing_approved: bool | None = None
    """Whether the event's listing passed pre-review for its streamer (live.segment)."""
    linked: LinkedCondition | None = None

    @model_validator(mode="after")
    def _says_something(self) -> When:
        if self.events is None and self.signal is None and self.author is None:
            raise ValueError("a rule must say when it applies (events, signal or author)")
        return self


class LinkedCondition(Strict):
    restricted_by: list[SanctionKind] = Field(min_length=1)
    """An account linked to the author is under one of these sanctions ..."""
    keys: list[IdentityKey] | None = None
    """... linked by one of these keys (default: the keys linked_accounts names)."""


class PointsParams(Strict):
    violations: list[Name] | None = None
    """The violation types to award; default: the labels of the signals that matched."""


class SanctionParams(Strict):
    kind: SanctionKind
    days: int | None = Field(default=None, ge=1, le=3650)
    violation: Name
    """The violation type it punishes, quoted with its basis in the statement."""
    requires_course: Name | None = None
    """As a node's sanction's: a course to pass before it lifts."""

    @model_validator(mode="after")
    def _duration_fits_the_kind(self) -> SanctionParams:
        SanctionSpec(kind=self.kind, days=self.days, requires_course=self.requires_course)
        return self


class OpenCaseParams(Strict):
    kind: Name
    queue: Name = "default"
    priority: int = Field(default=3, ge=0, le=9)
    sla_minutes: int = Field(default=24 * 60, ge=1, le=525_600)
    summary: str | None = None


class LiveRiskParams(Strict):
    amount: float = Field(default=0, ge=0, le=1e6)
    amount_by_label: dict[Name, Annotated[float, Field(ge=0, le=1e6)]] | None = None
    half_life_seconds: float | None = Field(default=None, gt=0, le=86_400)
    threshold: float | None = Field(default=None, gt=0, le=1e9)
    once_per_reporter_minutes: float | None = Field(default=None, gt=0, le=1440)

    @model_validator(mode="after")
    def _raises_something(self) -> LiveRiskParams:
        if not self.amount and not self.amount_by_label:
            raise ValueError("raise_live_risk needs an amount or amount_by_label")
        return self


class CommandParams(Strict):
    topic: Name
    once_per: Literal["event", "subject"] = "event"


class NoParams(Strict):
    pass


class CompensateParams(Strict):
    guarantee: Literal["return_shipping", "late_shipment"]
    """Which guarantee's terms (the file's ``protection`` section) set the amount; the
    matched signals must be that guarantee's (``return_shipping_due`` …)."""


class BrandCheckParams(Strict):
    outcome: Literal["intercept", "review", "monitor"]
    """What the decision does about the listing, recorded for the brand and the report."""


ACTION_PARAMS: dict[str, type[Strict]] = {
    "points": PointsParams,
    "sanction": SanctionParams,
    "open_case": OpenCaseParams,
    "raise_live_risk": LiveRiskParams,
    "send_command": CommandParams,
    "share_sanctions": NoParams,
    "file_claim": NoParams,
    "take_deposit": NoParams,
    "compensate": CompensateParams,
    "brand_check": BrandCheckParams,
    "file_notice": NoParams,
    "advance_settlement": NoParams,
    "settle_advance": NoParams,
    "reverse_advance": NoParams,
}
"""What each action kind's params may say: a typo is refused, not ignored."""


class ActionSpec(Strict):
    kind: ActionKind
    params: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _params_fit_the_kind(self) -> ActionSpec:
        try:
            checked = ACTION_PARAMS[self.kind].model_validate(self.params)
        except ValidationError as exc:
            first = exc.errors(include_url=False)[0]
            where = ".".join(str(p) for p in first["loc"])
            message = first["msg"].removeprefix("Value error, ")
            raise ValueError(
                f"{self.kind} params{': ' + where if where else ''}: {message}"
            ) from None
        # The checked values, not the file's text: "7" becomes 7 for the effects.
        object.__setattr__(self, "params", checked.model_dump(exclude_unset=True))
        return self


class RuleSpec(Strict):
    id: Name
    description: str = ""
    explain: str | None = None
    """The explanation given, with the strongest matched signal's evidence filled in:
    "{reports} user reports within {window_minutes} minutes"."""
    priority: int = Field(default=0, ge=-1000, le=1000)
    """Higher runs first; a rule with stop: true keeps lower ones from running."""
    when: When
    verdict: Verdict = Verdict.ALLOW
    actions: list[ActionSpec] = Field(default_factory=list, max_length=20)
    on_confirm: list[ActionSpec] = Field(default_factory=list, max_length=20)
    """What is done when a reviewer confirms a case this rule's decision opened: points
    for text held for review, say, which only a person may award."""
    shadow: bool = False
    """Record what the rule would have done, and do nothing."""
    stop: bool = False


class CourseRequirements(Strict):
    """Sanctions that wait for the rule course of the violation that caused them."""

    by_violation: dict[Name, Name] = Field(default_factory=dict)
    """Violation type → the course (merchant/data/courses.yaml) on its rule."""
    sanctions: list[SanctionKind] = Field(default_factory=list)
    """Kinds of sanction that, caused by a violation listed above, wait for its course
    (a node's own ``requires_course`` wins)."""

    @field_validator("sanctions")
    @classmethod
    def _only_lasting_kinds(cls, kinds: list[str]) -> list[str]:
        for kind in kinds:
            if kind not in RESTRICTING_KINDS - {"ban"}:
                raise ValueError(f"a {kind} does not lift: it cannot wait for a course")
        return kinds

    def course_for(self, kind: str, violation: str | None) -> str | None:
        if kind in self.sanctions and violation is not None:
            return self.by_violation.get(violation)
        return None


class PolicyFile(Strict):
    version: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    description: str = ""
    violations: dict[Name, ViolationType]
    nodes: dict[Literal["general", "serious"], list[Node]]
    points_reset: PointsReset = PointsReset()
    escalation: Escalation | None = None
    linked_accounts: LinkedAccounts | None = None
    appeals: Appeals
    rules: list[RuleSpec] = Field(min_length=1, max_length=500)
    protection: Protection = Field(default_factory=Protection)
    """The guarantees' terms and how the protection fund adjudicates claims."""
    courses: CourseRequirements = Field(default_factory=CourseRequirements)
    """Which sanctions wait for a passed rule course before they lift."""
    settlement: Settlement = Field(default_factory=Settlement)
    """The merchant trust score and early settlement (``merchant.settlement_terms``)."""

    @field_validator("nodes")
    @classmethod
    def _nodes_rise(cls, nodes: dict[str, list[Node]]) -> dict[str, list[Node]]:
        for violation_class, steps in nodes.items():
            points = [node.points for node in steps]
            if points != sorted(set(points)):
                raise ValueError(f"{violation_class} nodes must rise strictly: {points}")
        return nodes

    @model_validator(mode="after")
    def _courses_exist(self) -> PolicyFile:
        # Imported here: the catalogue is merchant data, read once.
        from trustfair.merchant.courses import known_course_ids

        known = known_course_ids()
        named: list[tuple[str, str]] = []
        for violation, course in self.courses.by_violation.items():
            if violation not in self.violations:
                raise ValueError(f"courses.by_violation: no violation type {violation!r}")
            named.append((f"courses.by_violation.{violation}", course))
        for violation_class, steps in self.nodes.items():
            for node in steps:
                for sanction in node.sanctions:
                    if sanction.requires_course is not None:
                        where = f"nodes.{violation_class} at {node.points}"
                        named.append((where, sanction.requires_course))
        for rule in self.rules:
            for action in [*rule.actions, *rule.on_confirm]:
                course = action.params.get("requires_course") if action.kind == "sanction" else None
                if course is not None:
                    named.append((f"rule {rule.id}", course))
        for where, course in named:
            if course not in known:
                raise ValueError(
                    f"{where}: no course {course!r}; known: {', '.join(sorted(known))}"
                )
        return self
