"""Who may call what: every route of the app, called with a key of every role.

``ROUTES`` is the specification: for each route, the roles allowed (written out here,
not derived from ``access.roles.PERMISSIONS``, so a change there that opens or closes
an endpoint shows up as a failure here). A route the app has and the table lacks
fails ``test_every_route_of_the_app_is_in_the_table``: a new endpoint must say who
may call it.

A role that is not allowed gets 403. A party role (merchant, brand) that is allowed
but asks for a record that is not its own gets 404, like a record that does not exist:
the records here are merchant m1's, the merchant key owns m1 and the brand key b1.
Brand b1's rights holders are the other way round: the merchant's key gets 404.
Without credentials, everything but the public routes is 401.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.routing import iter_route_contexts

from tests.api.conftest import Api
from trustfair.access.accounts import add_user
from trustfair.access.roles import Role

A, P, R = Role.ADMIN, Role.POLICY_EDITOR, Role.REVIEWER
B, M, C = Role.BRAND, Role.MERCHANT, Role.CUSTOMER_SERVICE
U, S = Role.AUDITOR, Role.SERVICE

EVERYONE = frozenset(Role)
READERS = frozenset({A, P, R, U, C, M})
"""Who reads entities, decisions and restrictions (a merchant only its own)."""
CASE_READERS = READERS | {B}
WORKERS = frozenset({A, R})
POLICY_READERS = frozenset({A, P, R, U})
PUBLIC = None
"""No credentials needed."""

PASSWORD = "a long enough password"


@dataclass(frozen=True)
class Call:
    allowed: frozenset[Role] | None
    path: str = ""
    """The path to call, with {placeholders} for the world's records; the route's own
    path when empty."""
    body: Any = None
    ok: frozenset[int] = frozenset({200})
    """What an allowed call answers; 409 where roles take a step in turn and the
    state machine refuses the later ones."""
    owned: bool = False
    """About merchant m1's records: other parties get 404."""
    moves_money: bool = False
    """Sent with an Idempotency-Key of its own, as money-moving calls must be."""
    brand_owned: bool = False
    """About brand b1's records: the merchant's key (which owns no brand) gets 404."""
    content: bytes | None = None
    """A raw request body (an uploaded file), sent instead of ``body``'s JSON."""
    content_type: str = "application/octet-stream"


STEP_OK = frozenset({200, 409})
BRAND_READERS = frozenset({A, R, U, B, M})
"""Who reads rights holders (a brand its own; a merchant, owning no brand, none)."""
APPLICANTS = frozenset({A, B})
CERTIFIERS = WORKERS
PDF = b"%PDF-1.7\n%%EOF\n"
COURSE_READERS = frozenset({A, P, R, U, C, M})


def _picture() -> bytes:
    from trustfair.bench.photos import photo_bytes

    return photo_bytes("coins.png")


PICTURE = _picture()

ROUTES: dict[tuple[str, str], Call] = {
    ("POST", "/v1/events"): Call(frozenset({A, S}), body=[]),
    ("POST", "/v1/moderate"): Call(frozenset({A, R, C, S}), body={"text": "你好"}),
    ("GET", "/v1/restrictions/{entity_type}/{entity_id}"): Call(
        READERS | {S}, "/v1/restrictions/merchant/m1", owned=True
    ),
    ("POST", "/v1/session"): Call(PUBLIC, body={"username": "matrix", "password": PASSWORD}),
    ("DELETE", "/v1/session"): Call(EVERYONE, ok=frozenset({204})),
    ("GET", "/v1/me"): Call(EVERYONE),
    ("GET", "/v1/queues"): Call(CASE_READERS),
    ("GET", "/v1/cases"): Call(CASE_READERS),
    ("GET", "/v1/cases/{case_id}"): Call(CASE_READERS, "/v1/cases/{m1_case}", owned=True),
    ("POST", "/v1/cases/{case_id}/assign"): Call(
        WORKERS, "/v1/cases/{m1_spare_case}/assign", ok=STEP_OK
    ),
    ("POST", "/v1/cases/{case_id}/release"): Call(
        WORKERS, "/v1/cases/{m1_spare_case}/release", ok=STEP_OK
    ),
    ("POST", "/v1/cases/{case_id}/decide"): Call(
        WORKERS,
        "/v1/cases/{m1_spare_case}/decide",
        body={"outcome": "confirm", "note": "ok"},
        ok=STEP_OK,
    ),
    ("POST", "/v1/cases/{case_id}/close"): Call(
        WORKERS, "/v1/cases/{m1_spare_case}/close", body={"note": ""}, ok=STEP_OK
    ),
    ("POST", "/v1/cases/{case_id}/appeal"): Call(
        frozenset({A, C, M}),
        "/v1/cases/{m1_case}/appeal",
        body={"reason": "误判"},
        ok=frozenset({409}),  # the case confirmed nothing yet: nothing to appeal
        owned=True,
    ),
    ("POST", "/v1/appeals"): Call(
        frozenset({A, C, M}),
        body={"sanction_id": "{m1_sanction}", "reason": "误判"},
        ok=frozenset({201, 409}),
        owned=True,
    ),
    ("GET", "/v1/entities/{entity_type}/{entity_id}"): Call(
        READERS, "/v1/entities/merchant/m1", owned=True
    ),
    ("GET", "/v1/entities/{entity_type}/{entity_id}/points"): Call(
        READERS, "/v1/entities/merchant/m1/points", owned=True
    ),
    ("GET", "/v1/decisions/{decision_id}"): Call(
        READERS, "/v1/decisions/{m1_decision}", owned=True
    ),
    ("GET", "/v1/rules"): Call(POLICY_READERS),
    ("GET", "/v1/policies"): Call(POLICY_READERS),
    ("GET", "/v1/reports/trust"): Call(frozenset({A, P, U})),
    ("GET", "/v1/webhooks"): Call(frozenset({A, U})),
    ("GET", "/v1/webhooks/deliveries"): Call(frozenset({A, U})),
    # Staff only: the list names every streamer at risk.
    ("GET", "/v1/live/at-risk"): Call(frozenset({A, P, R, U, C})),
    ("GET", "/v1/users"): Call(frozenset({A})),
    ("POST", "/v1/users"): Call(
        frozenset({A}),
        body={"username": "added", "password": PASSWORD, "role": "auditor"},
        ok=frozenset({201, 409}),  # the first admin adds it; it exists for the rest
    ),
    ("POST", "/v1/users/{username}/disable"): Call(
        frozenset({A}), "/v1/users/nobody-here/disable", ok=frozenset({404})
    ),
    ("POST", "/v1/users/{username}/enable"): Call(
        frozenset({A}), "/v1/users/nobody-here/enable", ok=frozenset({404})
    ),
    ("POST", "/v1/users/{username}/password"): Call(
        frozenset({A}),
        "/v1/users/nobody-here/password",
        body={"password": PASSWORD},
        ok=frozenset({404}),
    ),
    # Money: claims, the protection fund, deposits and the ledger.
    ("POST", "/v1/claims"): Call(
        frozenset({A, C, S}),
        body={
            "claim_ref": "cs-1",
            "order_id": "no-such-order",
            "buyer_id": "b1",
            "kind": "not_delivered",
            "requested_fen": 100,
        },
        ok=frozenset({422}),  # the order is unknown: refused, with the reason
        moves_money=True,
    ),
    ("GET", "/v1/claims"): Call(frozenset({A, R, U, C, M})),
    ("GET", "/v1/claims/{claim_id}"): Call(
        frozenset({A, R, U, C, M}), "/v1/claims/999999", ok=frozenset({404})
    ),
    ("POST", "/v1/claims/{claim_id}/decision"): Call(
        WORKERS,
        "/v1/claims/999999/decision",
        body={"outcome": "reject", "reason": "no"},
        ok=frozenset({404}),
        moves_money=True,
    ),
    ("POST", "/v1/fund/contributions"): Call(
        frozenset({A}),
        body={"contribution_ref": "matrix", "amount_fen": 100},
        ok=frozenset({201}),
        moves_money=True,
    ),
    ("POST", "/v1/merchants/{merchant_id}/deposits"): Call(
        frozenset({A, S}),
        "/v1/merchants/m1/deposits",
        body={"payment_id": "matrix", "amount_fen": 100},
        ok=frozenset({201}),
        moves_money=True,
    ),
    ("POST", "/v1/merchants/{merchant_id}/settlements"): Call(
        frozenset({A, S}),
        "/v1/merchants/m1/settlements",
        body={"settlement_ref": "matrix", "amount_fen": 100},
        moves_money=True,
    ),
    ("GET", "/v1/merchants/{merchant_id}/money"): Call(
        frozenset({A, R, U, C, M}), "/v1/merchants/m1/money", owned=True
    ),
    ("POST", "/v1/merchants/{merchant_id}/guarantees"): Call(
        frozenset({A, M}),
        "/v1/merchants/m1/guarantees",
        body={"guarantee": "return_shipping", "offered": True, "request_id": "matrix"},
        owned=True,
    ),
    ("GET", "/v1/merchants/{merchant_id}/guarantees"): Call(
        frozenset({A, R, U, C, M}), "/v1/merchants/m1/guarantees", owned=True
    ),
    ("GET", "/v1/merchants/{merchant_id}/trust-score"): Call(
        READERS, "/v1/merchants/m1/trust-score", owned=True
    ),
    ("GET", "/v1/merchants/{merchant_id}/advances"): Call(
        frozenset({A, R, U, C, M}), "/v1/merchants/m1/advances", owned=True
    ),
    ("GET", "/v1/fund"): Call(frozenset({A, U})),
    ("GET", "/v1/ledger/postings"): Call(frozenset({A, U})),
    ("GET", "/v1/ledger/check"): Call(frozenset({A, U})),
    ("POST", "/v1/ledger/postings/{posting_id}/reversal"): Call(
        frozenset({A}),
        "/v1/ledger/postings/999999/reversal",
        body={"reason": "typo"},
        ok=frozenset({404}),
        moves_money=True,
    ),
    # Brand protection: the counterfeit feature library.
    ("GET", "/v1/brands/{brand_id}/bank"): Call(
        frozenset({A, R, U, M, B}), "/v1/brands/b1/bank", brand_owned=True
    ),
    ("POST", "/v1/brands/{brand_id}/bank"): Call(
        frozenset({A, R, B}),
        "/v1/brands/b1/bank",
        body={"kind": "slang", "value": "小香奈"},
        ok=frozenset({201}),
        brand_owned=True,
    ),
    ("POST", "/v1/bank/{entry_id}/disable"): Call(
        frozenset({A, R, B}), "/v1/bank/{b1_entry}/disable", brand_owned=True
    ),
    ("POST", "/v1/bank/{entry_id}/enable"): Call(
        frozenset({A, R, B}), "/v1/bank/{b1_entry}/enable", brand_owned=True
    ),
    ("GET", "/v1/brands/{brand_id}/checks"): Call(
        frozenset({A, R, U, M, B}), "/v1/brands/b1/checks", brand_owned=True
    ),
    # Brand protection: rights holders, their documents and rights, certification.
    ("POST", "/v1/rights-holders"): Call(
        APPLICANTS,
        body={"brand_id": "b1", "company_name": "M", "registration_number": "M-1", "country": "DE"},
        ok=frozenset({201, 409}),  # the first applies; for the rest it is applied already
    ),
    ("GET", "/v1/rights-holders"): Call(BRAND_READERS),
    ("GET", "/v1/rights-holders/{holder_id}"): Call(
        BRAND_READERS, "/v1/rights-holders/{b1_holder}", brand_owned=True
    ),
    ("POST", "/v1/rights-holders/{holder_id}/documents"): Call(
        APPLICANTS,
        "/v1/rights-holders/{b1_holder}/documents?kind=evidence",
        content=PDF,
        ok=frozenset({201}),
    ),
    ("GET", "/v1/rights-holders/{holder_id}/documents/{document_id}"): Call(
        BRAND_READERS, "/v1/rights-holders/{b1_holder}/documents/{b1_document}", brand_owned=True
    ),
    ("POST", "/v1/rights-holders/{holder_id}/rights"): Call(
        APPLICANTS,
        "/v1/rights-holders/{b1_holder}/rights",
        body={
            "kind": "copyright",
            "number": "MATRIX-C-1",
            "valid_from": "2020-01-01T00:00:00Z",
        },
        ok=frozenset({201, 409}),  # claimed by the first; already claimed for the rest
    ),
    ("POST", "/v1/rights-holders/{holder_id}/certify"): Call(
        CERTIFIERS, "/v1/rights-holders/{b1_holder}/certify", ok=STEP_OK
    ),
    ("POST", "/v1/rights-holders/{holder_id}/reject"): Call(
        CERTIFIERS,
        "/v1/rights-holders/{b1_spare_holder}/reject",
        body={"reason": "no licence"},
        ok=STEP_OK,
    ),
    ("POST", "/v1/rights/{right_id}/certify"): Call(
        CERTIFIERS, "/v1/rights/{b1_right}/certify", ok=STEP_OK
    ),
    ("POST", "/v1/rights/{right_id}/reject"): Call(
        CERTIFIERS, "/v1/rights/{b1_spare_right}/reject", body={"reason": "no"}, ok=STEP_OK
    ),
    ("POST", "/v1/rights/{right_id}/revoke"): Call(
        CERTIFIERS, "/v1/rights/{b1_right}/revoke", body={"reason": "void"}, ok=STEP_OK
    ),
    ("POST", "/v1/rights-holders/{holder_id}/suspend"): Call(
        CERTIFIERS,
        "/v1/rights-holders/{b1_holder}/suspend",
        body={"reason": "malicious notices"},
        ok=STEP_OK,
    ),
    # Brand protection: notice and takedown. b1's notice on m1's listing is seen by both
    # parties; each step is taken by the first role allowed, and is 409 for the rest.
    ("POST", "/v1/complaints"): Call(
        frozenset({A, B}),
        body={
            "notice_ref": "matrix",
            "brand_id": "b1",
            "holder_id": "h-b1",
            "right_id": "{b1_notice_right}",
            "listing_id": "l2",
            "evidence": [{"kind": "test_purchase"}],
        },
        ok=frozenset({200, 201}),  # the second filing of the notice_ref answers the first
    ),
    ("GET", "/v1/complaints"): Call(frozenset({A, R, U, M, B})),
    ("GET", "/v1/complaints/{complaint_id}"): Call(
        frozenset({A, R, U, M, B}), "/v1/complaints/{b1_complaint}"
    ),
    ("POST", "/v1/complaints/{complaint_id}/declaration"): Call(
        frozenset({A, M}),
        "/v1/complaints/{b1_complaint}/declaration",
        body={"declaration": "正品", "evidence": [{"kind": "invoice"}]},
        ok=STEP_OK,
    ),
    ("POST", "/v1/complaints/{complaint_id}/action-proof"): Call(
        frozenset({A, B}),
        "/v1/complaints/{b1_complaint}/action-proof",
        body={"kind": "lawsuit", "authority": "法院", "reference": "1", "filed_on": "2026-01-02"},
        ok=STEP_OK,
    ),
    ("POST", "/v1/complaints/{complaint_id}/withdraw"): Call(
        frozenset({A, B}),
        "/v1/complaints/{b1_complaint}/withdraw",
        body={"reason": "和解"},
        ok=STEP_OK,
    ),
    ("POST", "/v1/complaints/{complaint_id}/reject"): Call(
        WORKERS, "/v1/complaints/{b1_complaint}/reject", body={"reason": "no"}, ok=STEP_OK
    ),
    ("POST", "/v1/complaints/{complaint_id}/malicious"): Call(
        WORKERS, "/v1/complaints/{b1_complaint}/malicious", body={"reason": "no"}, ok=STEP_OK
    ),
    ("POST", "/v1/complaints/{complaint_id}/review"): Call(
        WORKERS, "/v1/complaints/{b1_complaint}/review", body={}, ok=STEP_OK
    ),
    # Brand protection: pictures.
    ("PUT", "/v1/images/{image_id}"): Call(
        frozenset({A, B, S}),
        "/v1/images/matrix-picture",
        content=PICTURE,
        content_type="image/png",
        ok=frozenset({200, 201}),  # the first stores it; the rest send the same bytes
    ),
    ("GET", "/v1/images/{image_id}"): Call(
        frozenset({A, R, U, B, M}), "/v1/images/no-such-picture", ok=frozenset({404})
    ),
    # User listening (issue 8): the call-back list, NPS, negative feedback.
    ("GET", "/v1/callbacks"): Call(frozenset({A, R, U, C})),
    ("GET", "/v1/callbacks/{callback_id}"): Call(
        frozenset({A, R, U, C}), "/v1/callbacks/999999", ok=frozenset({404})
    ),
    ("POST", "/v1/callbacks/{callback_id}/calls"): Call(
        frozenset({A, C}),
        "/v1/callbacks/999999/calls",
        body={"outcome": "reached", "note": ""},
        ok=frozenset({404}),
    ),
    ("POST", "/v1/callbacks/{callback_id}/resolve"): Call(
        frozenset({A, C}), "/v1/callbacks/999999/resolve", body={}, ok=frozenset({404})
    ),
    ("GET", "/v1/voice/nps"): Call(frozenset({A, P, U})),
    ("GET", "/v1/voice/negative-feedback"): Call(frozenset({A, P, U})),
    # User voice: tickets and the diagnosis, for staff and customer service.
    ("GET", "/v1/tickets"): Call(frozenset({A, R, U, C})),
    ("GET", "/v1/tickets/{ticket_id}"): Call(
        frozenset({A, R, U, C}), "/v1/tickets/no-such-ticket", ok=frozenset({404})
    ),
    ("GET", "/v1/voice/diagnosis"): Call(frozenset({A, R, U, C})),
    # Rule courses: a merchant takes them for its own accounts; staff read everyone's.
    ("GET", "/v1/courses"): Call(COURSE_READERS),
    ("GET", "/v1/courses/{course_id}"): Call(COURSE_READERS, "/v1/courses/medical-claims"),
    ("POST", "/v1/courses/{course_id}/attempts"): Call(
        frozenset({A, M}),
        "/v1/courses/medical-claims/attempts",
        body={"entity_type": "merchant", "entity_id": "m1"},
        ok=frozenset({200, 201}),  # the open attempt is given back to the second caller
        owned=True,
    ),
    ("POST", "/v1/course-attempts/{attempt_id}/answers"): Call(
        frozenset({A, M}),
        "/v1/course-attempts/{m1_attempt}/answers",
        body={"answers": {}},
        ok=STEP_OK,  # scored for the first; submitted already for the rest
        owned=True,
    ),
    ("POST", "/v1/courses/{course_id}/rating"): Call(
        frozenset({A, M}),
        "/v1/courses/medical-claims/rating",
        body={"entity_type": "merchant", "entity_id": "m1", "rating": 4, "comment": "清楚"},
        ok=STEP_OK,  # 409 until an attempt was submitted
        owned=True,
    ),
    ("GET", "/v1/course-enrolments"): Call(COURSE_READERS),
    # Fulfilment: urges about orders at risk (ack: by the link's token, or signed in).
    ("GET", "/v1/merchants/{merchant_id}/urges"): Call(
        READERS, "/v1/merchants/m1/urges", owned=True
    ),
    ("GET", "/v1/urges/{urge_id}"): Call(READERS, "/v1/urges/{m1_urge}", owned=True),
    # The page the link opens (its token is the proof): a button that POSTs the ack.
    ("GET", "/v1/urges/{urge_id}/ack"): Call(
        PUBLIC, "/v1/urges/{m1_urge}/ack?token={m1_urge_token}"
    ),
    ("POST", "/v1/urges/{urge_id}/ack"): Call(
        frozenset({A, M}), "/v1/urges/{m1_urge}/ack", owned=True
    ),
    ("GET", "/v1/health"): Call(PUBLIC),
    ("GET", "/metrics"): Call(PUBLIC),
    ("GET", "/openapi.json"): Call(PUBLIC),
    ("GET", "/docs"): Call(PUBLIC),
    ("GET", "/docs/oauth2-redirect"): Call(PUBLIC),
    ("GET", "/redoc"): Call(PUBLIC),
}


def app_routes(api: Api) -> set[tuple[str, str]]:
    """(method, path) of every route, those of included routers too; a mount (static
    files, a sub-application) is ("ANY", its path)."""
    found = set()
    for route in iter_route_contexts(api.client.app.routes):
        methods = route.methods or {"ANY"}
        found |= {(method, str(route.path)) for method in methods if method != "HEAD"}
    return found


def test_every_route_of_the_app_is_in_the_table(shared_api: Api) -> None:
    # The console's pages are for people with sessions: their own table says who.
    from tests.console.test_access_matrix import CONSOLE_ROUTES

    routes = app_routes(shared_api) - set(CONSOLE_ROUTES)
    missing = sorted(routes - set(ROUTES))
    assert not missing, f"say who may call these in ROUTES: {missing}"
    assert not sorted(set(ROUTES) - routes), "ROUTES lists routes the app does not have"


def _filled(value: Any, api: Api) -> Any:
    ids = vars(api.world)
    if isinstance(value, str):
        filled = value.format(**ids)
        return int(filled) if filled.isdigit() and value != filled else filled
    if isinstance(value, dict):
        return {k: _filled(v, api) for k, v in value.items()}
    if isinstance(value, list):
        return [_filled(v, api) for v in value]
    return value


def call(api: Api, route: tuple[str, str], headers: dict[str, str]) -> int:
    method, template = route
    spec = ROUTES[route]
    api.client.cookies.clear()  # a session a previous call signed in must not carry over
    if spec.moves_money:
        headers = {**headers, "Idempotency-Key": f"matrix {method} {template} {headers}"}
    if spec.content is not None:
        headers = {**headers, "Content-Type": spec.content_type}
    response = api.client.request(
        method,
        _filled(spec.path or template, api),
        json=_filled(spec.body, api) if spec.body is not None else None,
        content=spec.content,
        headers=headers,
    )
    if response.content:  # errors too: always JSON (the docs pages are HTML)
        kind = response.headers["content-type"]
        expected = ("application/json", "text/html", "text/plain", "application/pdf")
        assert kind.startswith(expected), response.text
    return response.status_code


@pytest.fixture(scope="module")
def matrix_api(shared_api: Api) -> Api:
    with shared_api.store.transaction() as session:
        add_user(session, "matrix", PASSWORD, "reviewer", datetime.now(UTC))
    return shared_api


@pytest.mark.parametrize(
    ("route", "role"),
    [(route, role) for route in ROUTES for role in Role],
    ids=[f"{m} {p} as {role.value}" for (m, p) in ROUTES for role in Role],
)
def test_each_role_may_call_what_the_table_allows(matrix_api: Api, route, role) -> None:
    spec = ROUTES[route]
    status = call(matrix_api, route, matrix_api.as_(role))
    if spec.allowed is not PUBLIC and role not in spec.allowed:
        assert status == 403, f"{role.value} should be refused"
    elif spec.owned and role is B:
        assert status == 404, "a brand's key does not own merchant m1's records"
    elif spec.brand_owned and role is M:
        assert status == 404, "a merchant's key does not own brand b1's records"
    else:
        assert status in spec.ok, f"{role.value} should be let through"


@pytest.mark.parametrize("route", list(ROUTES), ids=[f"{m} {p}" for m, p in ROUTES])
def test_without_credentials_only_the_public_routes_answer(matrix_api: Api, route) -> None:
    status = call(matrix_api, route, {})
    if ROUTES[route].allowed is PUBLIC:
        assert status == 200
    else:
        assert status == 401


def test_a_wrong_or_revoked_key_is_401_not_anonymous(matrix_api: Api) -> None:
    for header in ("Bearer tf_nope_nope", "Basic abc", "Bearer "):
        response = matrix_api.client.get("/v1/me", headers={"Authorization": header})
        assert response.status_code == 401, header
        assert response.json()["detail"]
