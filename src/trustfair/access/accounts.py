"""Accounts: users and their console sessions, API keys, and signing in.

Passwords are hashed with Argon2 (pwdlib's recommended settings). Keys and session
tokens are random 256-bit secrets: the store keeps their SHA-256, so a copy of the
database opens nothing.

Sign-in is rate-limited from the attempts recorded in the store, so the limit holds
across server processes: 5 failures for one username from one client, and 20 from one
client whatever the usernames, in 15 minutes. The limit is per client, not per username
alone, so that guessing from one place cannot lock an admin out everywhere.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from pwdlib import PasswordHash
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from trustfair.access.roles import (
    PERMISSIONS,
    USER_ROLES,
    Permission,
    Principal,
    Role,
    parse_owned,
)
from trustfair.store.database import Store
from trustfair.store.models import ApiKeyRow, LoginAttemptRow, SessionRow, UserRow

SESSION_LIFETIME = timedelta(hours=12)
LOGIN_WINDOW = timedelta(minutes=15)
LOGIN_FAILURES_ALLOWED = 5
"""Failed sign-ins for one username from one client within LOGIN_WINDOW before that
client is refused for that username (others may still sign in as it)."""
LOGIN_FAILURES_ALLOWED_PER_CLIENT = 20
"""Failed sign-ins from one client, whatever the usernames, within LOGIN_WINDOW before
the client is refused."""
MIN_PASSWORD_LENGTH = 10
KEY_PREFIX = "tf"
USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")
KEY_ID = re.compile(r"^[0-9a-f]{16}$")
"""What ``add_key`` makes (``secrets.token_hex(8)``)."""

_hasher = PasswordHash.recommended()
_DUMMY_HASH = _hasher.hash("trustfair: no such user")


class AccessRefused(Exception):
    """A sign-in or a credential that is not accepted, with the reason."""


class TooManyAttempts(AccessRefused):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many failed sign-ins; try again in {retry_after} s")
        self.retry_after = retry_after


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


# -- users -----------------------------------------------------------------------------


def add_user(
    session: Session,
    username: str,
    password: str,
    role: str,
    at: datetime,
    owns: list[str] | None = None,
    locale: str = "zh",
) -> UserRow:
    """Create a user; ValueError saying what is wrong with the request."""
    if not USERNAME.fullmatch(username):  # not match: its "$" lets "name\n" through
        raise ValueError(f"username {username!r}: 1-64 letters, digits or _.@-")
    try:
        role_ = Role(role)
    except ValueError:
        raise ValueError(
            f"role {role!r}: one of {', '.join(sorted(r.value for r in USER_ROLES))}"
        ) from None
    if role_ not in USER_ROLES:
        raise ValueError(f"role {role!r} is for API keys, not people")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"the password must be at least {MIN_PASSWORD_LENGTH} characters")
    owned = sorted(f"{e.type}:{e.id}" for e in parse_owned(owns or []))
    if role_ in (Role.MERCHANT, Role.BRAND) and not owned:
        raise ValueError(f"a {role_.value} user must own at least one party (--owns)")
    if locale not in ("zh", "en"):
        raise ValueError(f"locale {locale!r}: zh or en")
    if session.scalar(select(UserRow.id).where(UserRow.username == username)) is not None:
        raise ValueError(f"user {username!r} exists already")
    user = UserRow(
        username=username,
        password_hash=_hasher.hash(password),
        role=role_.value,
        owns=owned,
        locale=locale,
        created_at=at,
    )
    session.add(user)
    session.flush()
    return user


def user_principal(user: UserRow, row: SessionRow | None = None) -> Principal:
    role = Role(user.role)
    return Principal(
        kind="user",
        name=user.username,
        role=role,
        permissions=PERMISSIONS[role],
        owns=parse_owned(user.owns),
        session_id=row.id if row else None,
        csrf_token=row.csrf_token if row else None,
    )


# -- signing in ------------------------------------------------------------------------


@dataclass(frozen=True)
class SignedIn:
    token: str
    """The session token, for the cookie; shown once."""
    csrf_token: str
    principal: Principal
    expires_at: datetime


def _failures(
    session: Session, since: datetime, client: str, username: str | None, own: int | None
) -> tuple[int, list[datetime]]:
    """How many attempts since ``since`` failed (or are still being checked) from
    ``client``, and for ``username`` if given; and when they were made, oldest first,
    without the attempt ``own``."""
    query = select(LoginAttemptRow.id, LoginAttemptRow.at).where(
        LoginAttemptRow.client == client, LoginAttemptRow.at >= since, ~LoginAttemptRow.succeeded
    )
    if username is not None:
        query = query.where(LoginAttemptRow.username == username)
    rows = session.execute(query.order_by(LoginAttemptRow.at)).all()
    return len(rows), [at for id_, at in rows if id_ != own]


def _over_the_limit(
    session: Session, username: str, client: str, at: datetime, own: int | None = None
) -> TooManyAttempts | None:
    """TooManyAttempts if an attempt at ``at`` is one too many, else None. ``own``: the
    id of the attempt's row if it is recorded already (then it is among those counted)."""
    since = at - LOGIN_WINDOW
    limits = ((username, LOGIN_FAILURES_ALLOWED), (None, LOGIN_FAILURES_ALLOWED_PER_CLIENT))
    for of, allowed in limits:
        counted, others = _failures(session, since, client, of, own)
        if counted + (own is None) > allowed:
            # Allowed again once the oldest of the last ``allowed`` leaves the window.
            wait = others[-allowed] + LOGIN_WINDOW - at
            return TooManyAttempts(max(int(wait.total_seconds()) + 1, 1))
    return None


def sign_in(
    store: Store, username: str, password: str, client: str, at: datetime
) -> SignedIn | None:
    """Check the password and open a session: None if it is wrong (the failed attempt is
    recorded), TooManyAttempts if there were too many.

    The check (Argon2, 50-200 ms by design) runs with no transaction open: on SQLite a
    write transaction holds the process's write turn, and every guess would stall event
    ingestion. Around it, short steps: the attempt is recorded first, as failed, and
    committed; then the failures in the window are counted, this one among them, so that
    of N concurrent attempts each sees at least those committed before it, and no more
    than the limit reach the check (overlapping attempts may count one another and all
    be refused: the limit errs on the safe side). An attempt refused is taken back: it
    checked nothing. A right password then marks it succeeded and opens the session.
    """
    # A NUL cannot be stored or even compared in PostgreSQL text; no username holds
    # one (add_user), so the attempt fails as any unknown name does, and is recorded.
    username = username[:64].replace("\x00", "\N{REPLACEMENT CHARACTER}")
    client = client[:64].replace("\x00", "\N{REPLACEMENT CHARACTER}")
    with store.reading() as session:  # refused already: no write turn for it
        refused = _over_the_limit(session, username, client, at)
    if refused is not None:
        raise refused
    with store.transaction() as session:
        attempt = LoginAttemptRow(username=username, client=client, at=at, succeeded=False)
        session.add(attempt)
        session.flush()
        attempt_id = attempt.id
    with store.reading() as session:
        refused = _over_the_limit(session, username, client, at, own=attempt_id)
        user = session.scalar(select(UserRow).where(UserRow.username == username))
        checked_hash = user.password_hash if user is not None else None
    if refused is not None:
        with store.transaction() as session:
            session.execute(delete(LoginAttemptRow).where(LoginAttemptRow.id == attempt_id))
        raise refused
    # Verifying against the dummy hash when the user does not exist costs the same as a
    # real check, so the time taken does not tell which usernames exist.
    if not _hasher.verify(password, checked_hash or _DUMMY_HASH) or checked_hash is None:
        return None
    with store.transaction() as session:
        user = session.scalar(select(UserRow).where(UserRow.username == username))
        # Disabled, or given a new password, while the old one was being checked: no.
        if user is None or user.disabled_at is not None or user.password_hash != checked_hash:
            return None
        session.execute(
            update(LoginAttemptRow).where(LoginAttemptRow.id == attempt_id).values(succeeded=True)
        )
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        row = SessionRow(
            token_hash=digest(token),
            user_id=user.id,
            csrf_token=csrf,
            created_at=at,
            expires_at=at + SESSION_LIFETIME,
        )
        session.add(row)
        session.flush()
        return SignedIn(token, csrf, user_principal(user, row), row.expires_at)


def session_principal(session: Session, token: str, at: datetime) -> Principal | None:
    """The principal of a live session token, or None."""
    row = session.scalar(select(SessionRow).where(SessionRow.token_hash == digest(token)))
    if row is None or row.ended_at is not None or row.expires_at <= at:
        return None
    user = session.get(UserRow, row.user_id)
    if user is None or user.disabled_at is not None:
        return None
    return user_principal(user, row)


def sign_out(session: Session, session_id: int, at: datetime) -> None:
    row = session.get(SessionRow, session_id)
    if row is not None and row.ended_at is None:
        row.ended_at = at


# -- API keys --------------------------------------------------------------------------


@dataclass(frozen=True)
class NewKey:
    key: str
    """The whole key, shown once: ``tf_<key_id>_<secret>``."""
    row: ApiKeyRow


def add_key(
    session: Session,
    name: str,
    role: str,
    at: datetime,
    scopes: list[str] | None = None,
    owns: list[str] | None = None,
) -> NewKey:
    try:
        role_ = Role(role)
    except ValueError:
        raise ValueError(f"role {role!r}: one of {', '.join(r.value for r in Role)}") from None
    granted = PERMISSIONS[role_]
    for scope in scopes or []:
        try:
            permission = Permission(scope)
        except ValueError:
            raise ValueError(
                f"scope {scope!r}: one of {', '.join(p.value for p in Permission)}"
            ) from None
        if permission not in granted:
            raise ValueError(f"scope {scope!r} is beyond what role {role_.value} may do")
    owned = sorted(f"{e.type}:{e.id}" for e in parse_owned(owns or []))
    if role_ in (Role.MERCHANT, Role.BRAND) and not owned:
        raise ValueError(f"a {role_.value} key must own at least one party (--owns)")
    key_id, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
    row = ApiKeyRow(
        key_id=key_id,
        secret_hash=digest(secret),
        name=name,
        role=role_.value,
        scopes=sorted(set(scopes or [])),
        owns=owned,
        created_at=at,
    )
    session.add(row)
    session.flush()
    return NewKey(f"{KEY_PREFIX}_{key_id}_{secret}", row)


def key_principal(session: Session, key: str) -> Principal | None:
    """The principal of a valid, unrevoked key, or None."""
    prefix, _, rest = key.partition("_")
    key_id, _, secret = rest.partition("_")
    if prefix != KEY_PREFIX or not KEY_ID.fullmatch(key_id) or not secret:
        return None  # not one of ours: not looked up (a NUL in it would fail the query)
    row = session.scalar(select(ApiKeyRow).where(ApiKeyRow.key_id == key_id))
    if row is None or row.revoked_at is not None:
        return None
    if not hmac.compare_digest(row.secret_hash, digest(secret)):
        return None
    role = Role(row.role)
    permissions = PERMISSIONS[role]
    if row.scopes:
        permissions = permissions & {Permission(s) for s in row.scopes}
    return Principal(
        kind="key", name=row.name, role=role, permissions=permissions, owns=parse_owned(row.owns)
    )


def revoke_key(session: Session, key_id: str, at: datetime) -> bool:
    row = session.scalar(select(ApiKeyRow).where(ApiKeyRow.key_id == key_id))
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = at
    return True


def _user_named(session: Session, username: str) -> UserRow:
    user = session.scalar(select(UserRow).where(UserRow.username == username))
    if user is None:
        raise LookupError(f"no user {username!r}")
    return user


def end_sessions(session: Session, user: UserRow, at: datetime) -> int:
    """End every live session of ``user``; how many were live."""
    live = session.scalars(
        select(SessionRow).where(
            SessionRow.user_id == user.id, SessionRow.ended_at.is_(None), SessionRow.expires_at > at
        )
    ).all()
    for row in live:
        row.ended_at = at
    return len(live)


def disable_user(session: Session, username: str, at: datetime) -> UserRow:
    """Stop ``username`` signing in, and end the sessions it has (LookupError if none)."""
    user = _user_named(session, username)
    if user.disabled_at is None:
        user.disabled_at = at
    end_sessions(session, user, at)
    return user


def enable_user(session: Session, username: str) -> UserRow:
    user = _user_named(session, username)
    user.disabled_at = None
    return user


def set_password(session: Session, username: str, password: str, at: datetime) -> UserRow:
    """A new password; the sessions opened with the old one end (LookupError, ValueError)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"the password must be at least {MIN_PASSWORD_LENGTH} characters")
    user = _user_named(session, username)
    user.password_hash = _hasher.hash(password)
    end_sessions(session, user, at)
    return user


def list_users(session: Session) -> list[UserRow]:
    return list(session.scalars(select(UserRow).order_by(UserRow.username)))
