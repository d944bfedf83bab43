"""Who is asking, and may they: the dependencies every endpoint declares.

A service sends ``Authorization: Bearer tf_…`` (an API key); a person signed in to the
console sends the session cookie, and with it, on anything but GET/HEAD/OPTIONS, the
session's CSRF token in ``X-CSRF-Token`` (a form posts it as ``csrf_token``), so a
page elsewhere cannot act in their name. 401 says who you are is unknown; 403 says you
may not.
"""

from __future__ import annotations

import hmac
import time
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from starlette.concurrency import run_in_threadpool

from trustfair.access.accounts import digest, key_principal, session_principal
from trustfair.access.roles import Permission, Principal
from trustfair.events.payload import EntityRef
from trustfair.store.database import Store

SESSION_COOKIE = "tf_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
KEY_CACHE_SECONDS = 10.0
"""A key checked in the last 10 s is not looked up again: the event stream sends
hundreds of requests a second with one key. A revoked key stops within that time."""

_key_cache: dict[str, tuple[float, Principal | None]] = {}


def cookies_secure(request: Request) -> bool:
    """Whether the cookies set in answer to ``request`` are marked Secure, as
    TRUSTFAIR_COOKIE_SECURE says; when auto, if the browser reached us over HTTPS: the
    request's scheme, or behind a TLS-terminating proxy, its X-Forwarded-Proto. (Anyone
    may send that header, but it can only make a cookie stricter, for themselves.)"""
    setting = request.app.state.registry.settings.cookie_secure
    if setting is not None:
        return bool(setting)
    if request.url.scheme == "https":
        return True
    forwarded = request.headers.get("x-forwarded-proto", "")
    return any(proto.strip().lower() == "https" for proto in forwarded.split(","))


_MISSING = object()


def _cached_key(key: str) -> Principal | object | None:
    """The cached check of ``key`` if it is fresh, else _MISSING."""
    cached = _key_cache.get(digest(key))
    if cached is not None and time.monotonic() - cached[0] < KEY_CACHE_SECONDS:
        return cached[1]
    return _MISSING


def _lookup_key(store: Store, key: str) -> Principal | None:
    cache_key = digest(key)
    now = time.monotonic()
    with store.reading() as session:
        found = key_principal(session, key)
    if len(_key_cache) > 10_000:
        _key_cache.clear()
    _key_cache[cache_key] = (now, found)
    return found


def forget_cached_keys() -> None:
    """Drop cached key checks (a key was revoked in this process)."""
    _key_cache.clear()


def _lookup_session(store: Store, token: str) -> Principal | None:
    with store.reading() as session:
        return session_principal(session, token, datetime.now(UTC))


async def optional_principal(request: Request) -> Principal | None:
    """The principal of the request's credentials, or None if it carries none.

    Credentials that are present but wrong are a 401, not an anonymous request.
    """
    store: Store = request.app.state.store
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, key = header.partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            raise HTTPException(401, "Authorization: use Bearer <API key>")
        found = _cached_key(key.strip())
        if found is _MISSING:  # only then a trip to the thread pool and the store
            found = await run_in_threadpool(_lookup_key, store, key.strip())
        if not isinstance(found, Principal):
            raise HTTPException(401, "the API key is not valid (unknown or revoked)")
        request.state.principal = found  # for the access log
        return found
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    found = await run_in_threadpool(_lookup_session, store, token)
    if found is None:
        return None  # an expired session is the same as none: sign in again
    if request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not sent and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")
        ):
            sent = str((await request.form()).get(CSRF_FIELD, ""))
        if not sent or not hmac.compare_digest(sent, found.csrf_token or ""):
            raise HTTPException(403, f"missing or wrong CSRF token ({CSRF_HEADER})")
    request.state.principal = found  # for the access log
    return found


async def current_principal(
    found: Annotated[Principal | None, Depends(optional_principal)],
) -> Principal:
    if found is None:
        raise HTTPException(
            401,
            "sign in or send Authorization: Bearer <API key>",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return found


def require(permission: Permission):  # type: ignore[no-untyped-def]
    """A dependency: the principal, if it holds ``permission``; else 403."""

    async def check(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        if not principal.can(permission):
            raise HTTPException(403, f"{principal.role.value} may not {permission.value}")
        return principal

    check.__name__ = f"require_{permission.name.lower()}"
    return check


def ensure_may_see(
    principal: Principal, party: EntityRef | None, missing: str = "not found"
) -> None:
    """404 unless ``principal`` may see the records of ``party`` (its own, for a
    merchant or a brand): not-yours looks like not-found, so a merchant cannot probe
    for other merchants' records. ``missing`` is the detail, the same words a record
    that does not exist gets ("no case 7")."""
    if not principal.may_see(party):
        raise HTTPException(404, missing)
