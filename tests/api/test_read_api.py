"""The read-only endpoints: rules, policies, the trust report, webhooks and their
deliveries, live sessions at risk, paging, and errors that say what and where."""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text, update

from tests.api.conftest import Api
from tests.factories import bearer
from trustfair.access.roles import Role
from trustfair.api.app import create_app
from trustfair.pipeline.registry import build_registry
from trustfair.policy.code import RulePolicy
from trustfair.report.figures import build_report
from trustfair.settings import Settings
from trustfair.store.models import DecisionRow, OutboxRow


@pytest.fixture(scope="module")
def admin(shared_api: Api) -> dict[str, str]:
    return shared_api.as_(Role.ADMIN)


def test_rules_are_listed_in_the_order_they_run_with_what_they_do(shared_api: Api, admin) -> None:
    body = shared_api.client.get("/v1/rules", headers=admin).json()
    assert body["policy_version"] == "api-1"
    assert [r["id"] for r in body["rules"]] == [
        "marked.block",
        "marked.review",
        "marked.live_risk",
        "marked.shadow",
    ]
    review = body["rules"][1]
    assert (review["verdict"], review["actions"], review["shadow"]) == (
        "review",
        ["open_case"],
        False,
    )
    assert review["measured"]["precision"] is None  # nobody has judged it yet
    assert body["former_rules"] == []


def test_policies_name_the_running_file_and_the_versions_decisions_were_made_under(
    shared_api: Api, admin
) -> None:
    body = shared_api.client.get("/v1/policies", headers=admin).json()
    policy = shared_api.client.app.state.registry.policy
    assert body["active"] == {
        "version": "api-1",
        "file": str(policy.path),
        "sha256": hashlib.sha256(policy.path.read_bytes()).hexdigest(),
    }
    with shared_api.store.reading() as session:
        decisions = len(session.scalars(select(DecisionRow.id)).all())
    [used] = body["decided_under"]
    assert (used["version"], used["decisions"]) == ("api-1", decisions)


def test_the_trust_report_is_the_reports_json(shared_api: Api, admin) -> None:
    body = shared_api.client.get("/v1/reports/trust", headers=admin).json()
    expected = build_report(shared_api.store)
    assert [s["key"] for s in body["sections"]] == [s["key"] for s in expected["sections"]]
    assert body["sections"][0]["figures"][0].keys() == {"key", "label", "value", "source", "unit"}
    assert set(body["period"]) == {"from", "to"}


def test_webhooks_show_the_url_with_credentials_masked_and_the_outbox_by_state(
    shared_api: Api,
) -> None:
    registry = shared_api.client.app.state.registry
    settings = dataclasses.replace(
        registry.settings,
        webhook_url="https://hook:s3cret@example.com:8443/in?token=abc&v=2",
        webhook_secret="shh",
    )
    app = create_app(shared_api.store, dataclasses.replace(registry, settings=settings))
    body = TestClient(app).get("/v1/webhooks", headers=shared_api.as_(Role.AUDITOR)).json()
    assert body["url"] == "https://***@example.com:8443/in?token=%2A%2A%2A&v=%2A%2A%2A"
    assert "s3cret" not in str(body) and "shh" not in str(body)
    assert body["secret_set"] is True
    with shared_api.store.reading() as session:
        waiting = len(session.scalars(select(OutboxRow.id)).all())
    # Two sanctions issued, and brand b1's notice: the take-down and the forwarded notice.
    assert waiting == 4
    assert body["outbox"] == {"pending": waiting, "retrying": 0, "delivered": 0, "given_up": 0}


SANCTIONS = "sanction.issued"


def test_deliveries_are_listed_newest_first_and_filtered(shared_api: Api, admin) -> None:
    client = shared_api.client
    with shared_api.store.transaction() as session:
        first, second = session.scalars(
            select(OutboxRow.id).where(OutboxRow.topic == SANCTIONS).order_by(OutboxRow.id)
        ).all()
        others = len(
            session.scalars(select(OutboxRow.id).where(OutboxRow.topic != SANCTIONS)).all()
        )
        now = datetime.now(UTC)
        session.execute(
            update(OutboxRow).where(OutboxRow.id == first).values(attempts=1, delivered_at=now)
        )
        session.execute(
            update(OutboxRow)
            .where(OutboxRow.id == second)
            .values(attempts=10, last_error="gave up after 10 attempts: HTTP 500")
        )
    every = client.get(f"/v1/webhooks/deliveries?topic={SANCTIONS}", headers=admin).json()
    assert [(d["id"], d["state"]) for d in every["deliveries"]] == [
        (second, "given_up"),
        (first, "delivered"),
    ]
    assert all(d["due_at"] is None for d in every["deliveries"])
    assert every["deliveries"][0]["delivery_key"].startswith("sanction.issued:")
    waiting = client.get(
        f"/v1/webhooks/deliveries?undelivered=true&topic={SANCTIONS}", headers=admin
    ).json()
    assert [d["id"] for d in waiting["deliveries"]] == [second]
    assert waiting["deliveries"][0]["last_error"].startswith("gave up")
    other = client.get("/v1/webhooks/deliveries?topic=live.shutdown", headers=admin).json()
    assert other["total"] == 0
    counts = client.get("/v1/webhooks", headers=admin).json()["outbox"]
    assert counts == {"pending": others, "retrying": 0, "delivered": 1, "given_up": 1}


def test_live_sessions_at_risk_are_decayed_to_now_or_to_the_moment_asked(
    shared_api: Api, admin
) -> None:
    client = shared_api.client
    body = client.get("/v1/live/at-risk", headers=admin).json()
    [session] = body["sessions"]
    assert session["session_id"] == "ls1" and session["streamer_id"] == "st1"
    # 40 points added about 36 s ago, halving every 120 s.
    assert 20 < session["score"] < 40
    assert body["half_life_seconds"] == 120
    later = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    assert (
        client.get("/v1/live/at-risk", params={"at": later}, headers=admin).json()["sessions"] == []
    )
    naive = client.get("/v1/live/at-risk", params={"at": "2026-03-01T20:00:00"}, headers=admin)
    assert (naive.status_code, naive.json()["detail"]) == (422, "at: give a time zone (+08:00, Z)")


def test_pages_are_bounded(shared_api: Api, admin) -> None:
    client = shared_api.client
    page = client.get("/v1/cases", params={"limit": 1, "offset": 1}, headers=admin).json()
    assert (page["total"], len(page["cases"]), page["offset"]) == (4, 1, 1)
    assert client.get("/v1/cases?limit=201", headers=admin).status_code == 422
    assert client.get("/v1/cases?limit=0", headers=admin).status_code == 422
    timeline = client.get(
        "/v1/entities/merchant/m1", params={"limit": 2, "offset": 1}, headers=admin
    ).json()["timeline"]
    whole = client.get("/v1/entities/merchant/m1", headers=admin).json()["timeline"]
    assert timeline == whole[1:3]


@pytest.mark.parametrize(
    ("method", "path", "status", "words"),
    [
        ("GET", "/v1/nowhere", 404, "no such endpoint: /v1/nowhere"),
        ("DELETE", "/v1/cases", 405, "DELETE is not allowed on /v1/cases"),
        ("GET", "/v1/cases/abc", 422, "case_id"),
        ("GET", f"/v1/cases/{2**63}", 422, "case_id"),
        ("GET", "/v1/cases?state=lost", 422, "state"),
        ("GET", "/v1/cases?queue=a%00b", 422, "NUL"),
        ("GET", "/v1/entities/planet/x", 422, "entity_type"),
        ("GET", "/v1/entities/merchant/m1?at=9999-12-31T23:00:00%2B00:00", 422, "between"),
        ("POST", "/v1/cases/1/decide", 422, "body"),
    ],
)
def test_errors_are_json_and_say_what_and_where(
    shared_api: Api, admin, method: str, path: str, status: int, words: str
) -> None:
    response = shared_api.client.request(method, path, headers=admin)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    assert words in str(response.json()["detail"])


def test_a_policy_in_code_has_no_file_or_rule_specs_to_show(sqlite_store) -> None:
    registry = build_registry(Settings(), policy=RulePolicy(version="code-1", rules=()))
    client = TestClient(create_app(sqlite_store, registry), headers=bearer(sqlite_store, "admin"))
    for path in ("/v1/rules", "/v1/policies", "/v1/entities/merchant/m1"):
        response = client.get(path)
        assert response.status_code == 503
        assert "not a policy file" in response.json()["detail"]


def test_a_server_error_is_json_naming_the_request_not_the_exception(sqlite_store) -> None:
    client = TestClient(
        create_app(sqlite_store),
        headers=bearer(sqlite_store, "admin"),
        raise_server_exceptions=False,
    )
    with sqlite_store.transaction() as session:
        session.execute(text("DROP TABLE review_outcomes"))
    response = client.get("/v1/rules")
    assert response.status_code == 500
    body = response.json()
    assert body["detail"] == "internal error handling GET /v1/rules"
    assert body["request_id"] == response.headers["x-request-id"]
