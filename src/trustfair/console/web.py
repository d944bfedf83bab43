"""What every console page needs: who is looking, in which language, rendered how.

A page declares ``viewer_with(Permission.X)``: without a session it redirects to the
sign-in page (htmx requests get ``HX-Redirect``), without the permission it answers
403, and for a change (POST) without the session's CSRF token it answers 403 too (the
check is ``api.auth.optional_principal``'s). Templates are auto-escaped; every
console response carries a strict Content-Security-Policy (scripts and styles from
the console's own static files only), ``X-Frame-Options: DENY`` and a Referrer-Policy.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from trustfair.access.roles import Permission, Principal, shown_actor
from trustfair.api.auth import cookies_secure, optional_principal
from trustfair.cases.work import highlighted
from trustfair.console.i18n import (
    HTML_LANG,
    LOCALES,
    Translator,
    from_accept_language,
    pick_locale,
    translator,
)
from trustfair.events.fields import CHINA
from trustfair.store.database import Store
from trustfair.store.models import UserRow

PREFIX = "/console"
STATIC_DIR = Path(__file__).parent / "static"
LANG_COOKIE = "tf_lang"
LANG_COOKIE_AGE = 365 * 24 * 3600

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}


class ConsoleHeaders:
    """ASGI middleware: the security headers on every response under /console (pages,
    redirects, static files, errors); other paths pass through untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not (path == PREFIX or path.startswith(PREFIX + "/")):
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers[name] = value
                if not path.startswith(PREFIX + "/static/"):
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)


# -- who is looking ---------------------------------------------------------------------


class SignInFirst(Exception):
    """No session: go to the sign-in page, and come back to ``next`` after."""

    def __init__(self, next_url: str) -> None:
        self.next_url = next_url


class Problem(Exception):
    """A page that cannot be shown: 403, 404, …, with a catalogue key saying why."""

    def __init__(self, status: int, key: str, locale: str | None = None) -> None:
        self.status, self.key, self.locale = status, key, locale


@dataclass
class Viewer:
    """The signed-in person looking at a page, and in which language."""

    principal: Principal
    locale: str
    set_lang: str | None = None
    """A language chosen with ?lang=, to be remembered in a cookie."""
    flash: list[str] = field(default_factory=list)

    @property
    def t(self) -> Translator:
        return translator(self.locale)

    def can(self, permission: Permission) -> bool:
        return self.principal.can(permission)


def store_of(request: Request) -> Store:
    return request.app.state.store  # type: ignore[no-any-return]


def console_now() -> datetime:
    """The time the console works at (a dependency, so tests may fix it)."""
    return datetime.now(UTC)


def chosen_lang(request: Request) -> str | None:
    lang = request.query_params.get("lang")
    return lang if lang in LOCALES else None


def anonymous_locale(request: Request) -> str:
    return pick_locale(
        chosen_lang(request),
        request.cookies.get(LANG_COOKIE),
        from_accept_language(request.headers.get("accept-language", "")),
    )


def _user_locale(store: Store, username: str) -> str | None:
    with store.reading() as session:
        return session.scalar(select(UserRow.locale).where(UserRow.username == username))


def next_url_of(request: Request) -> str:
    """Where to come back to after signing in: this page (a GET), else the landing page."""
    if request.method != "GET" or request.headers.get("hx-request"):
        return ""
    query = f"?{request.url.query}" if request.url.query else ""
    return request.url.path + query


async def current_viewer(request: Request) -> Viewer:
    try:
        principal = await optional_principal(request)
    except HTTPException as exc:
        key = "csrf" if exc.status_code == 403 else "403"
        raise Problem(403, key, anonymous_locale(request)) from None
    if principal is None or principal.kind != "user":
        raise SignInFirst(next_url_of(request))
    chosen = chosen_lang(request)
    cookie = request.cookies.get(LANG_COOKIE)
    if chosen or cookie in LOCALES:
        locale = pick_locale(chosen, cookie)
    else:
        locale = pick_locale(
            await run_in_threadpool(_user_locale, store_of(request), principal.name)
        )
    return Viewer(principal, locale, set_lang=chosen)


def viewer_with(*permissions: Permission) -> Callable[[Request], Awaitable[Viewer]]:
    """A dependency: the viewer, if they hold every one of ``permissions``; else 403."""

    async def check(request: Request) -> Viewer:
        viewer = await current_viewer(request)
        if not all(viewer.can(p) for p in permissions):
            raise Problem(403, "403", viewer.locale)
        return viewer

    check.__name__ = "viewer_with_" + "_".join(p.name.lower() for p in permissions)
    return check


# -- rendering --------------------------------------------------------------------------


def _when(value: datetime | str | None, seconds: bool = False) -> str:
    """A time as the platform's people read it: its calendar (+08:00), to the minute."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def yuan(fen: int | None) -> str:
    """Integer fen as yuan with two decimals (``12345`` → ``123.45``), by integer
    arithmetic only: no float ever rounds money."""
    if fen is None:
        return "—"
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(int(fen)), 100)
    return f"{sign}{whole}.{cents:02d}"


def _marked(text: str, spans: list[dict[str, Any]]) -> Markup:
    """``text`` with each evidence span in a ``<mark data-labels="…">``; every piece of
    the text is escaped, so markup in the evidence is shown, never run."""
    out = []
    for piece, labels in highlighted(text, spans):
        if labels:
            names = " ".join(labels)
            out.append(
                Markup('<mark data-labels="{}" title="{}">{}</mark>').format(names, names, piece)
            )
        else:
            out.append(Markup("{}").format(piece))
    return Markup("").join(out)


def _pretty_json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, default=str)


_env = Environment(
    loader=PackageLoader("trustfair.console", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.filters["when"] = _when
_env.filters["pretty_json"] = _pretty_json
_env.filters["yuan"] = yuan
_env.globals["marked"] = _marked
_env.globals["P"] = Permission
_env.globals["prefix"] = PREFIX


def static_url(name: str) -> str:
    return f"{PREFIX}/static/{quote(name)}"


_env.globals["static"] = static_url


def page_url(request: Request, **changes: object) -> str:
    """This page's URL with some query parameters changed (None drops one)."""
    params = dict(request.query_params)
    params.pop("lang", None)
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = str(value)
    query = "&".join(f"{quote(k)}={quote(v)}" for k, v in params.items())
    return request.url.path + (f"?{query}" if query else "")


def render(
    request: Request,
    template: str,
    viewer: Viewer | None = None,
    status: int = 200,
    locale: str | None = None,
    here: str | None = None,
    **context: object,
) -> HTMLResponse:
    """``template`` for ``viewer`` (None: signed out) in their language. ``here`` is the
    page the language links reload (this one, if it was a GET)."""
    locale = viewer.locale if viewer else (locale or anonymous_locale(request))
    if here is None:
        here = page_url(request) if request.method == "GET" else f"{PREFIX}/"
    t = translator(locale)
    body = _env.get_template(template).render(
        request=request,
        viewer=viewer,
        t=t,
        tv=t.value,
        locale=locale,
        html_lang=HTML_LANG[locale],
        csrf=viewer.principal.csrf_token if viewer else None,
        # Who took a step, as this viewer may see it (a party: "reviewer", no names).
        actor_of=(lambda actor: shown_actor(actor, viewer.principal)) if viewer else None,
        here=here,
        page_url=lambda **changes: page_url(request, **changes),
        **context,
    )
    response = HTMLResponse(body, status_code=status)
    chosen = viewer.set_lang if viewer else chosen_lang(request)
    if chosen:
        response.set_cookie(
            LANG_COOKIE,
            chosen,
            max_age=LANG_COOKIE_AGE,
            httponly=True,
            samesite="lax",
            secure=cookies_secure(request),
            path=PREFIX,
        )
    return response


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def safe_next(url: str | None) -> str | None:
    """A place under the console to go back to; anything else (another site) is None."""
    if url and url.startswith(PREFIX + "/") and not url.startswith("//") and "\\" not in url:
        return url
    return None


async def sign_in_first(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInFirst)
    target = f"{PREFIX}/login"
    if exc.next_url:
        target += f"?next={quote(exc.next_url, safe='')}"
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": target})
    return redirect(target)


async def problem_page(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Problem)
    return render(
        request,
        "problem.html",
        status=exc.status,
        locale=exc.locale,
        key=exc.key,
        code=exc.status,
    )
