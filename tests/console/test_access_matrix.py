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
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from tests.console.conftest import add
from tests.console.test_brand import brand_world
from tests.console.test_claims import counterfeit_claim
from tests.console.test_pages import appeal_case
from tests.merchant.urge_builders import urge_of
from trustfair.access.roles import USER_ROLES, Role
from trustfair.events.payload import EntityRef
from trustfair.merchant.exams import start_attempt

A, P, R = Role.ADMIN, Role.POLICY_EDITOR, Role.REVIEWER
B, M, C, U = Role.BRAND, Role.MERCHANT, Role.CUSTOMER_SERVICE, Role.AUDITOR
PEOPLE = frozenset(USER_ROLES)
READERS = frozenset({A, P, R, U, C, M})
CLAIM_READERS = frozenset({A, R, U, C, M})
BRAND_READERS = frozenset({A, R, U, M, B})
BANK_WRITERS = frozenset({A, R, B})
STAFF_REVIEW = frozenset({A, R})
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
    brand_owned: bool = False
    """Brand b1's records: the merchant (which owns m1) gets 404."""


CONSOLE_ROUTES: dict[tuple[str, str], Page] = {
    ("GET", "/console/voice"): Page(frozenset({A, R, U, C})),
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
    ("POST", "/console/cases/{case_id}/appeal"): Page(
        frozenset({A, C, M}),
        "/console/cases/{case}/appeal",
        form={"reason": "误判"},
        ok=frozenset({409}),  # an appeal case is decided, not appealed
        owned=True,
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
    ("GET", "/console/claims"): Page(CLAIM_READERS),
    ("GET", "/console/claims/{claim_id}"): Page(
        CLAIM_READERS, "/console/claims/{claim}", owned=True
    ),
    ("POST", "/console/claims/{claim_id}/decision"): Page(
        frozenset({A, R}),
        "/console/claims/{claim}/decision",
        form={"outcome": "reject", "reason": "正品", "request_token": "matrix"},
        ok=frozenset({303}),
        owned=True,
    ),
    ("GET", "/console/merchants/{merchant_id}/trust"): Page(
        READERS, "/console/merchants/m1/trust", owned=True
    ),
    ("GET", "/console/live"): Page(READERS),
    ("GET", "/console/live/rows"): Page(READERS),
    ("GET", "/console/policy"): Page(frozenset({A, P, R, U})),
    ("GET", "/console/rules"): Page(frozenset({A, P, R, U})),
    ("GET", "/console/brand"): Page(BRAND_READERS, ok=frozenset({200, 303})),
    ("GET", "/console/brands/{brand_id}"): Page(
        BRAND_READERS, "/console/brands/b1", brand_owned=True
    ),
    ("POST", "/console/brands/{brand_id}/bank"): Page(
        BANK_WRITERS,
        "/console/brands/b1/bank",
        form={"kind": "slang", "value": "A货"},
        ok=frozenset({303}),
        brand_owned=True,
    ),
    ("POST", "/console/bank/{entry_id}/enabled"): Page(
        BANK_WRITERS,
        "/console/bank/{b1_entry}/enabled",
        form={"enabled": "0"},
        ok=frozenset({303}),
        brand_owned=True,
    ),
    # Brand b1's notice against merchant m1's listing: both parties see it.
    ("GET", "/console/complaints"): Page(BRAND_READERS),
    ("GET", "/console/complaints/{complaint_id}"): Page(
        BRAND_READERS, "/console/complaints/{b1_complaint}"
    ),
    ("POST", "/console/complaints/{complaint_id}/declaration"): Page(
        frozenset({A, M}),
        "/console/complaints/{b1_complaint}/declaration",
        form={"declaration": "正品", "evidence_kind": "licence"},
        ok=frozenset({303}),
    ),
    ("POST", "/console/complaints/{complaint_id}/action-proof"): Page(
        frozenset({A, B}),
        "/console/complaints/{b1_complaint}/action-proof",
        form={
            "kind": "complaint",
            "authority": "市场监管局",
            "reference": "A-1",
            "filed_on": "2026-03-02",
        },
        ok=frozenset({303, 409}),  # referred once declared; before, the state refuses it
    ),
    ("POST", "/console/complaints/{complaint_id}/withdraw"): Page(
        frozenset({A, B}),
        "/console/complaints/{b1_complaint}/withdraw",
        form={"reason": "和解"},
        ok=frozenset({303, 409}),  # an admin's steps before referred it
    ),
    ("POST", "/console/complaints/{complaint_id}/review"): Page(
        STAFF_REVIEW,
        "/console/complaints/{b1_complaint}/review",
        form={"outcome": "reject", "reason": "证据不足"},
        ok=frozenset({303, 409}),
    ),
    ("GET", "/console/rights"): Page(STAFF_REVIEW),
    ("POST", "/console/rights-holders/{holder_id}/decision"): Page(
        STAFF_REVIEW,
        "/console/rights-holders/{holder}/decision",
        form={"outcome": "certify"},
        ok=frozenset({303}),
    ),
    ("POST", "/console/rights/{right_id}/decision"): Page(
        STAFF_REVIEW,
        "/console/rights/{pending_right}/decision",
        form={"outcome": "reject", "reason": "证书不清晰"},
        ok=frozenset({303}),
    ),
    # User listening: the call-back list (no entry 999999: allowed roles get the 404 page).
    ("GET", "/console/callbacks"): Page(frozenset({A, R, U, C})),
    ("GET", "/console/callbacks/{callback_id}"): Page(
        frozenset({A, R, U, C}), "/console/callbacks/999999", ok=frozenset({404})
    ),
    ("POST", "/console/callbacks/{callback_id}/calls"): Page(
        frozenset({A, C}),
        "/console/callbacks/999999/calls",
        form={"outcome": "reached", "note": ""},
        ok=frozenset({404}),
    ),
    ("POST", "/console/callbacks/{callback_id}/resolve"): Page(
        frozenset({A, C}), "/console/callbacks/999999/resolve", form={}, ok=frozenset({404})
    ),
    ("GET", "/console/listening"): Page(frozenset({A, P, U})),
    # Rule courses: a merchant takes them for its own accounts; staff see everyone's.
    ("GET", "/console/courses"): Page(READERS),
    ("GET", "/console/courses/{course_id}"): Page(READERS, "/console/courses/medical-claims"),
    ("POST", "/console/courses/{course_id}/attempts"): Page(
        frozenset({A, M}),
        "/console/courses/medical-claims/attempts",
        form={"account": "merchant:m1"},
        ok=frozenset({303}),
        owned=True,
    ),
    ("GET", "/console/course-attempts/{attempt_id}"): Page(
        READERS, "/console/course-attempts/{m1_attempt}", owned=True
    ),
    ("POST", "/console/course-attempts/{attempt_id}"): Page(
        frozenset({A, M}),
        "/console/course-attempts/{m1_attempt}",
        form={},
        ok=frozenset({303, 409}),  # scored for the first; submitted already for the rest
        owned=True,
    ),
    ("POST", "/console/courses/{course_id}/rating"): Page(
        frozenset({A, M}),
        "/console/courses/medical-claims/rating",
        form={"account": "merchant:m1", "rating": "4", "comment": "清楚"},
        ok=frozenset({303, 409}),  # 409 until an attempt was submitted
        owned=True,
    ),
    # Fulfilment: urges about orders at risk.
    ("GET", "/console/urges"): Page(READERS),
    ("POST", "/console/urges/{urge_id}/ack"): Page(
        frozenset({A, M}), "/console/urges/{urge}/ack", form={}, ok=frozenset({303}), owned=True
    ),
    ("ANY", "/console/static"): Page(PUBLIC, "/console/static/htmx.min.js"),
}


LOGOUT = ("POST", "/console/logout")
CALLED = [
    r
    for r in CONSOLE_ROUTES
    if r != LOGOUT and not (r[0] == "POST" and CONSOLE_ROUTES[r].form is None)
] + [LOGOUT]
"""Every route but the sign-in form's POST (test_pages tests signing in); signing out
last, since it ends the session the others are called in."""
GUARDED = [r for r in CALLED if CONSOLE_ROUTES[r].allowed is not PUBLIC]


@pytest.fixture
def ids(store, registry) -> dict[str, object]:  # type: ignore[no-untyped-def]
    sanction_id, case_id = appeal_case(store, registry)
    claim_id = counterfeit_claim(store, registry)  # merchant m1's, in review
    return {
        "case": case_id,
        "sanction": sanction_id,
        "claim": claim_id,
        "m1_attempt": m1_attempt(store),
        "urge": urge_of(store, "m1"),
        **brand_world(store, registry),  # type: ignore[dict-item]
    }


def m1_attempt(store) -> int:  # type: ignore[no-untyped-def]
    """An exam attempt merchant m1 started, through the use case."""
    with store.transaction() as session:
        return start_attempt(
            session, EntityRef("merchant", "m1"), "medical-claims", "world", datetime.now(UTC)
        ).id


def _fill(text: str, ids: dict[str, object]) -> str:
    return text.format(**ids)


@pytest.mark.parametrize("role", sorted(PEOPLE), ids=lambda role: role.value)
def test_each_person_may_open_what_the_table_allows(store, ids, sign_in, role) -> None:  # type: ignore[no-untyped-def]
    add(store, f"as-{role.value}", role.value, {M: ["merchant:m1"], B: ["brand:b1"]}.get(role))
    browser = sign_in(f"as-{role.value}")
    for method, template in CALLED:
        page = CONSOLE_ROUTES[(method, template)]
        path = _fill(page.path or template, ids)
        if method == "POST":
            form = {k: _fill(v, ids) for k, v in (page.form or {}).items()}
            status = browser.post(path, form).status_code
        else:
            status = browser.get(path, follow_redirects=False).status_code
        if page.allowed is not PUBLIC and role not in page.allowed:
            assert status == 403, f"{role.value} should be refused {method} {path}"
        elif page.owned and role is B:
            assert status == 404, f"a brand does not own merchant m1's records ({path})"
        elif page.brand_owned and role is M:
            assert status == 404, f"a merchant does not own brand b1's records ({path})"
        else:
            assert status in page.ok, f"{role.value} should be let into {method} {path}: {status}"


def test_without_a_session_a_page_sends_the_browser_to_sign_in(app, ids) -> None:  # type: ignore[no-untyped-def]
    anonymous = TestClient(app)
    for method, template in GUARDED:
        page = CONSOLE_ROUTES[(method, template)]
        form = {k: _fill(v, ids) for k, v in (page.form or {}).items()}
        response = anonymous.request(
            method, _fill(page.path or template, ids), data=form or None, follow_redirects=False
        )
        if method == "POST":
            assert response.status_code in (303, 403), template  # no session, no CSRF token
        else:
            assert response.status_code == 303, template
            assert response.headers["location"].startswith("/console/login")
