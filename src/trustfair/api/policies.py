"""GET /v1/rules and /v1/policies: the policy that runs, each rule beside the
precision reviewers measured for it, and the versions decisions were made under."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel, Field

from trustfair.access.roles import Permission, Principal
from trustfair.api.auth import require
from trustfair.api.schemas import errors
from trustfair.cases.work import RulePrecision
from trustfair.read.policies import (
    NotAPolicyFile,
    active_policy_of,
    rules_with_precision,
    versions_decided_under,
)
from trustfair.store.database import Store

router = APIRouter(prefix="/v1", tags=["policy"])


class Precision(BaseModel):
    confirmed: int
    overturned: int
    reviewed: int
    precision: float | None = Field(description="confirmed / reviewed; null until reviewed.")

    @classmethod
    def of(cls, measured: RulePrecision) -> Precision:
        return cls(
            confirmed=measured.confirmed,
            overturned=measured.overturned,
            reviewed=measured.reviewed,
            precision=measured.precision,
        )


class Rule(BaseModel):
    id: str
    description: str
    verdict: str
    priority: int = Field(description="Rules run highest first.")
    shadow: bool = Field(description="Evaluated and recorded, but decides nothing.")
    events: list[str] | None = Field(description="The event types it looks at (null: any).")
    actions: list[str] = Field(description="The kinds of action it takes.")
    measured: Precision


class FormerRule(BaseModel):
    id: str
    measured: Precision


class Rules(BaseModel):
    policy_version: str
    rules: list[Rule] = Field(description="In the order they run.")
    former_rules: list[FormerRule] = Field(
        description="Rules reviewers judged that the running policy no longer has."
    )


class ActivePolicy(BaseModel):
    version: str
    file: str
    sha256: str = Field(
        description="Of the file's bytes: one version string, two files, told apart."
    )


class VersionUsed(BaseModel):
    version: str
    decisions: int
    first_decided_at: datetime
    last_decided_at: datetime


class Policies(BaseModel):
    active: ActivePolicy
    decided_under: list[VersionUsed] = Field(
        description="Every version the stored decisions name, most recently used first."
    )


def _not_a_file(exc: NotAPolicyFile) -> HTTPException:
    return HTTPException(503, str(exc))


@router.get(
    "/rules",
    response_model=Rules,
    summary="The running policy's rules, each with its measured precision",
    responses=errors(401, 403, 503),
)
def get_rules(
    request: Request,
    _: Annotated[Principal, Depends(require(Permission.RULES_READ))],
) -> Rules:
    store: Store = request.app.state.store
    with store.reading() as session:
        try:
            found = rules_with_precision(session, request.app.state.registry.policy)
        except NotAPolicyFile as exc:
            raise _not_a_file(exc) from None
    return Rules(
        policy_version=found.policy_version,
        rules=[
            Rule(
                id=item.rule.id,
                description=item.rule.description,
                verdict=item.rule.verdict.value,
                priority=item.rule.priority,
                shadow=item.rule.shadow,
                events=item.rule.when.events,
                actions=[action.kind for action in item.rule.actions],
                measured=Precision.of(item.measured),
            )
            for item in found.rules
        ],
        former_rules=[FormerRule(id=m.rule, measured=Precision.of(m)) for m in found.former],
    )


@router.get(
    "/policies",
    response_model=Policies,
    summary="The running policy file, and the versions decisions were made under",
    responses=errors(401, 403, 503),
)
def get_policies(
    request: Request,
    _: Annotated[Principal, Depends(require(Permission.POLICY_READ))],
) -> Policies:
    try:
        active = active_policy_of(request.app.state.registry.policy)
    except NotAPolicyFile as exc:
        raise _not_a_file(exc) from None
    store: Store = request.app.state.store
    with store.reading() as session:
        used = versions_decided_under(session)
    return Policies(
        active=ActivePolicy(version=active.version, file=str(active.file), sha256=active.sha256),
        decided_under=[VersionUsed(**vars(v)) for v in used],
    )
