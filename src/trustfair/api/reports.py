"""GET /v1/reports/trust: the trust report's figures, each with the records it counts."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from trustfair.access.roles import Permission, Principal
from trustfair.api.auth import require
from trustfair.api.schemas import errors
from trustfair.report.figures import build_report

router = APIRouter(prefix="/v1", tags=["reports"])


class Figure(BaseModel):
    key: str
    label: str
    value: int | float | None
    source: str = Field(description="The records counted, in words checkable against an export.")
    unit: str


class Breakdown(BaseModel):
    key: str
    label: str
    rows: dict[str, int]
    source: str


class Section(BaseModel):
    key: str
    title: str
    figures: list[Figure]
    breakdowns: list[Breakdown]


class Period(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: datetime | None = Field(alias="from", description="The first event's time.")
    to: datetime | None = Field(description="The last event's time.")


class TrustReport(BaseModel):
    title: str
    generated_at: datetime
    generator: str
    store: str
    period: Period
    sections: list[Section]


@router.get(
    "/reports/trust",
    response_model=TrustReport,
    summary="The trust report, computed from the store now",
    description="What `trustfair report` writes as report.json: every figure with its source.",
    responses=errors(401, 403),
)
def get_trust_report(
    request: Request,
    _: Annotated[Principal, Depends(require(Permission.REPORTS_READ))],
) -> TrustReport:
    return TrustReport.model_validate(build_report(request.app.state.store))
