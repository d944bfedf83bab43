"""What a party is shown of the platform's own work on its case: its own steps as they
are, the reviewers' as "reviewer"; no shadow rule's trial verdict."""

from __future__ import annotations

from tests.api.conftest import Api
from trustfair.access.roles import PERMISSIONS, Principal, Role, shown_actor, shown_reasons


def principal(role: Role, name: str = "p") -> Principal:
    return Principal("user", name, role, PERMISSIONS[role])


def test_a_party_sees_reviewer_not_the_reviewers_name_and_its_own_steps_as_they_are() -> None:
    merchant, staff = principal(Role.MERCHANT, "m1-owner"), principal(Role.AUDITOR)
    assert shown_actor("user:li", merchant) == "reviewer"
    assert shown_actor("key:order-service", merchant) == "service"
    assert shown_actor("system:pipeline", merchant) == "system"
    assert shown_actor("user:m1-owner", merchant) == "user:m1-owner"
    assert shown_actor("user:li", staff) == "user:li"
    reasons = [{"rule": "a"}, {"rule": "trial", "shadow": True, "would_do": []}]
    assert shown_reasons(reasons, merchant) == [{"rule": "a"}]
    assert shown_reasons(reasons, staff) == reasons


def test_a_merchant_reading_its_case_sees_no_reviewer_names(api: Api) -> None:
    client, world = api.client, api.world
    reviewer = api.as_(Role.REVIEWER)
    assert client.post(f"/v1/cases/{world.m1_case}/assign", headers=reviewer).status_code == 200
    mine = client.get(f"/v1/cases/{world.m1_case}", headers=api.as_(Role.MERCHANT)).json()
    staff = client.get(f"/v1/cases/{world.m1_case}", headers=reviewer).json()
    assert mine["assignee"] == "service" and staff["assignee"].startswith("key:")  # a key here
    assert {s["actor"] for s in mine["timeline"]} <= {"reviewer", "service", "system"}
    listed = client.get("/v1/cases", headers=api.as_(Role.MERCHANT)).json()["cases"]
    assert {c["assignee"] for c in listed if c["id"] == world.m1_case} == {"service"}
