"""Signing in and out of the console, and who the caller is."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from trustfair.access.accounts import AccessRefused, SignedIn, TooManyAttempts, sign_in, sign_out
from trustfair.access.roles import Principal
from trustfair.api.auth import SESSION_COOKIE, cookies_secure, current_principal
from trustfair.api.schemas import errors
from trustfair.store.database import Store

router = APIRouter(prefix="/v1", tags=["session"])


class Credentials(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class Me(BaseModel):
    kind: str
    name: str
    role: str
    permissions: list[str]
    owns: list[str]
    csrf_token: str | None = None
    """Send it as X-CSRF-Token with every change made under the session cookie."""


def me_of(principal: Principal) -> Me:
    return Me(
        kind=principal.kind,
        name=principal.name,
        role=principal.role.value,
        permissions=sorted(p.value for p in principal.permissions),
        owns=sorted(f"{e.type}:{e.id}" for e in principal.owns),
        csrf_token=principal.csrf_token,
    )


def open_session(store: Store, username: str, password: str, client: str) -> SignedIn:
    """Sign in (rate-limited); raises AccessRefused or TooManyAttempts."""
    signed = sign_in(store, username, password, client, datetime.now(UTC))
    if signed is None:
        raise AccessRefused("wrong username or password")
    return signed


def set_session_cookie(request: Request, response: Response, signed: SignedIn) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        signed.token,
        max_age=int((signed.expires_at - datetime.now(UTC)).total_seconds()),
        httponly=True,
        samesite="lax",
        secure=cookies_secure(request),
        path="/",
    )


def client_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.post(
    "/session",
    response_model=Me,
    summary="Sign in: sets the session cookie",
    responses={401: {"description": "Wrong username or password."}, 429: {}},
)
async def post_session(request: Request, response: Response, credentials: Credentials) -> Me:
    try:
        signed = await run_in_threadpool(
            open_session,
            request.app.state.store,
            credentials.username,
            credentials.password,
            client_of(request),
        )
    except TooManyAttempts as exc:
        raise HTTPException(429, str(exc), headers={"Retry-After": str(exc.retry_after)}) from None
    except AccessRefused as exc:
        raise HTTPException(401, str(exc)) from None
    set_session_cookie(request, response, signed)
    return me_of(signed.principal)


@router.delete("/session", status_code=204, summary="Sign out", responses=errors(401))
async def delete_session(
    request: Request, principal: Annotated[Principal, Depends(current_principal)]
) -> Response:
    if principal.session_id is not None:
        store: Store = request.app.state.store

        def end() -> None:
            with store.transaction() as session:
                sign_out(session, principal.session_id or 0, datetime.now(UTC))

        await run_in_threadpool(end)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/", secure=cookies_secure(request))
    return response


@router.get(
    "/me", response_model=Me, summary="Who the credentials belong to", responses=errors(401)
)
async def get_me(principal: Annotated[Principal, Depends(current_principal)]) -> Me:
    return me_of(principal)
