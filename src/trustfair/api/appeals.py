"""POST /v1/appeals: a sanctioned party asks for the decision to be looked at again.

The appeal opens a case in the ``appeals`` queue under the caller's name; a reviewer
decides it through /v1/cases. A merchant appeals its own sanctions only: another
party's sanction answers 404, like one that does not exist.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError

from trustfair.access.roles import Permission, Principal
from trustfair.api.auth import require
from trustfair.api.schemas import MAX_ID, Text, errors
from trustfair.cases import work
from trustfair.enforce.appeals import AppealRefused
from trustfair.store.database import Store

router = APIRouter(prefix="/v1", tags=["cases"])


class AppealBody(BaseModel):
    sanction_id: int = Field(ge=1, le=MAX_ID)
    reason: Text = Field(min_length=1, max_length=4000, description="Why it was wrong.")


class AppealFiled(BaseModel):
    case_id: int = Field(description="The appeal case, at /v1/cases/{case_id}.")


@router.post(
    "/appeals",
    response_model=AppealFiled,
    status_code=201,
    summary="Appeal a sanction: opens an appeal case",
    description=(
        "Only an active sanction, within the appeal period its statement of reasons "
        "gives, and not one shared from a linked account (appeal the original): "
        "otherwise 409 says which. One appeal at a time per sanction."
    ),
    responses=errors(401, 403, 404, 409),
)
def post_appeal(
    request: Request,
    principal: Annotated[Principal, Depends(require(Permission.APPEALS_FILE))],
    body: AppealBody,
) -> AppealFiled:
    store: Store = request.app.state.store
    # The server's clock, never the caller's: the appeal period is measured by it.
    now = datetime.now(UTC)
    with store.transaction() as session:
        try:
            case_id = work.appeal_sanction(session, principal, body.sanction_id, body.reason, now)
        except work.SanctionNotFound as exc:
            raise HTTPException(404, str(exc)) from None
        except AppealRefused as exc:
            raise HTTPException(409, str(exc)) from None
        except IntegrityError:
            # Another appeal of this sanction was filed at the same moment and won the
            # one-active-case-per-subject index.
            raise HTTPException(
                409, f"sanction {body.sanction_id} is already under appeal"
            ) from None
    return AppealFiled(case_id=case_id)
