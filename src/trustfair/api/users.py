"""/v1/users: the people who sign in to the console, managed by an admin.

``trustfair user add`` makes the first admin; from then on an admin adds the others
here, disables them (their sessions end at once) and sets new passwords (the sessions
opened with the old one end). Passwords are never returned.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from trustfair.access import accounts
from trustfair.access.roles import Permission, Principal
from trustfair.api.auth import require
from trustfair.api.schemas import Text, errors
from trustfair.store.database import Store
from trustfair.store.models import UserRow

router = APIRouter(prefix="/v1", tags=["users"], responses=errors(401, 403))
Admin = Annotated[Principal, Depends(require(Permission.USERS_MANAGE))]
Username = Annotated[Text, Path(min_length=1, max_length=64)]


class User(BaseModel):
    username: str
    role: str
    owns: list[str]
    locale: str
    created_at: datetime
    disabled_at: datetime | None

    @classmethod
    def of(cls, row: UserRow) -> User:
        return cls(
            username=row.username,
            role=row.role,
            owns=list(row.owns or []),
            locale=row.locale,
            created_at=row.created_at,
            disabled_at=row.disabled_at,
        )


class NewUser(BaseModel):
    username: Text = Field(min_length=1, max_length=64)
    password: Text = Field(min_length=1, max_length=1024)
    role: Text = Field(max_length=32)
    owns: list[Annotated[Text, Field(max_length=200)]] = Field(default_factory=list, max_length=100)
    locale: Text = Field(default="zh", max_length=8)


class NewPassword(BaseModel):
    password: Text = Field(min_length=1, max_length=1024)


def _in_transaction(store: Store, work):  # type: ignore[no-untyped-def]
    """Run ``work(session, now)``; LookupError → 404, a taken name → 409, another
    ValueError → 422."""
    try:
        with store.transaction() as session:
            return User.of(work(session, datetime.now(UTC)))
    except LookupError as exc:
        raise HTTPException(404, str(exc).strip("'\"")) from None
    except ValueError as exc:
        raise HTTPException(409 if "exists already" in str(exc) else 422, str(exc)) from None


@router.get("/users", response_model=list[User], summary="Everyone who signs in to the console")
def list_users(request: Request, _: Admin) -> list[User]:
    store: Store = request.app.state.store
    with store.reading() as session:
        return [User.of(row) for row in accounts.list_users(session)]


@router.post(
    "/users",
    response_model=User,
    status_code=201,
    summary="Add a user (a merchant or brand owns at least one party)",
    responses=errors(409),
)
async def add_user(request: Request, _: Admin, body: NewUser) -> User:
    def add(session, now):  # type: ignore[no-untyped-def]
        return accounts.add_user(
            session, body.username, body.password, body.role, now, body.owns, body.locale
        )

    return await run_in_threadpool(_in_transaction, request.app.state.store, add)


@router.post(
    "/users/{username}/disable",
    response_model=User,
    summary="Stop a user signing in; their sessions end now",
    responses=errors(404),
)
def disable_user(request: Request, admin: Admin, username: Username) -> User:
    if admin.kind == "user" and admin.name == username:
        raise HTTPException(409, "an admin does not disable themselves")
    return _in_transaction(
        request.app.state.store, lambda s, now: accounts.disable_user(s, username, now)
    )


@router.post(
    "/users/{username}/enable",
    response_model=User,
    summary="Let a disabled user sign in again",
    responses=errors(404),
)
def enable_user(request: Request, _: Admin, username: Username) -> User:
    return _in_transaction(
        request.app.state.store, lambda s, now: accounts.enable_user(s, username)
    )


@router.post(
    "/users/{username}/password",
    response_model=User,
    summary="Set a user's password; the sessions opened with the old one end",
    responses=errors(404),
)
def set_password(request: Request, _: Admin, username: Username, body: NewPassword) -> User:
    return _in_transaction(
        request.app.state.store,
        lambda s, now: accounts.set_password(s, username, body.password, now),
    )
