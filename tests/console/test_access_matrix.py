"""Who may open what in the console: every console route, signed in as every role a
person can have. ``CONSOLE_ROUTES`` is the specification, written out by hand; the
API's matrix (tests/api/test_access_matrix.py) checks that together the two tables
name every route of the app.

A role that may not gets the 403 page; a party (merchant, brand) asking for a record
that is not its own gets the 404 page; without a session a page sends the browser to
sign in.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.console.conftest import add
from tests.console.test_pages import appeal_case
from trustfair.access.roles import USER_ROLES, Role

A, P, R = Role.ADMIN, Role.POLICY_EDITOR, Role.REVIEWER
B, M, C, U = Role.BRAND, Role.MERCHANT, Role.CUSTOMER_SERVICE, Role.AUDITOR
PEOPLE = frozenset(USER_ROLES)
READERS = frozenset({A, P, R, U, C, M})
PUBLIC = None


@dataclass(frozen=True)
class Page:
    allowed: frozenset[Role] | None
    path: str = ""
    form: dict[str, str] | None = None
    """Posted with the session's CSRF token; None for a GET."""
    ok: frozenset[int] = frozenset({200})
    owned: bool = False
    """Merchant m1's records: the brand (which owns b1) gets 404."""


CONSOLE_ROUTES: dict[tuple[str, str], Page] = {
    ("GET", "/console/login"): Page(PUBLIC),
    ("POST", "/console/login"): Page(PUBLIC),  # tested in test_pages: sign-in itself
    ("POST", "/console/logout"): Page(PEOPLE, form={}, ok=frozenset({303})),
    ("GET", "/console"): Page(PEOPLE, ok=frozenset({303})),
    ("GET", "/console/"): Page(PEOPLE, ok=frozenset({303})),
    ("GET", "/console/mine"): Page(PEOPLE),
    ("GET", "/console/queues"): Page(READERS | {B}),
    ("GET", "/console/cases/{case_id}"): Page(READERS | {B}, "/console/cases/{case}", owned=True),
    ("POST", "/console/cases/{case_id}/act"): Page(
        frozenset({A, R}),
        "/console/cases/{case}/act",
        form={"action": "assign"},
        ok=frozenset({303, 409}),
    ),
    ("GET", "/console/entities/{entity_type}/{entity_id}"): Page(
        READERS, "/console/entities/merchant/m1", owned=True
    ),
    ("POST", "/console/appeals"): Page(
        frozenset({A, C, M}),
        form={"sanction_id": "{sanction}", "reason": "误判"},
        ok=frozenset({303, 409}),
        owned=True,
    ),
    ("GET", "/console/live"): Page(READERS),
    ("GET", "/console/live/rows"): Page(READERS),
    ("GET", "/console/policy"): Page(frozenset({A, P, R, U})),
    ("GET", "/console/rules"): Page(frozenset({A, P, R, U})),
    ("ANY", "/console/static"): Page(PUBLIC, "/console/static/htmx.min.js"),
}


@pytest.fixture
def world(app, store, registry, sign_in):  # type: ignore[no-untyped-def]
    sanction_id, case_id = appeal_case(store, registry)
    browsers = {}
    for role in PEOPLE:
        owns = {M: ["merchant:m1"], B: ["brand:b1"]}.get(role)
        add(store, f"as-{role.value}", role.value, owns)
        browsers[role] = sign_in(f"as-{role.value}")
    return {"case": case_id, "sanction": sanction_id}, browsers


@pytest.mark.parametrize("route", list(CONSOLE_ROUTES), ids=[f"{m} {p}" for m, p in CONSOLE_ROUTES])
def test_each_person_may_open_what_the_table_allows(app, world, route) -> None:  # type: ignore[no-untyped-def]
    ids, browsers = world
    method, template = route
    page = CONSOLE_ROUTES[route]
    path = (page.path or template).format(**ids)
    if method == "POST" and page.form is None:
        pytest.skip("sign-in is tested on its own")
    for role, browser in browsers.items():
        if method == "POST":
            form = {k: v.format(**ids) for k, v in (page.form or {}).items()}
            status = browser.post(path, form).status_code
        else:
            status = browser.get(path, follow_redirects=False).status_code
        if page.allowed is not PUBLIC and role not in page.allowed:
            assert status == 403, f"{role.value} should be refused {path}"
        elif page.owned and role is B:
            assert status == 404, f"a brand does not own merchant m1's records ({path})"
        else:
            assert status in page.ok, f"{role.value} should be let into {path}: {status}"


@pytest.mark.parametrize("route", list(CONSOLE_ROUTES), ids=[f"{m} {p}" for m, p in CONSOLE_ROUTES])
def test_without_a_session_a_page_sends_the_browser_to_sign_in(app, world, route) -> None:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    ids, _ = world
    method, template = route
    page = CONSOLE_ROUTES[route]
    if page.allowed is PUBLIC:
        return
    response = TestClient(app).request(
        "GET" if method == "ANY" else method,
        (page.path or template).format(**ids),
        data={k: v.format(**ids) for k, v in (page.form or {}).items()} or None,
        follow_redirects=False,
    )
    if method == "POST":
        assert response.status_code in (303, 403)  # no session: no CSRF token either
    else:
        assert response.status_code == 303
        assert response.headers["location"].startswith("/console/login")
