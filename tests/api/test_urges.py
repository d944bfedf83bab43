"""Urges over HTTP: the merchant reads its own and acknowledges by the signed link or
signed in; a token of another urge, or one made without the secret, is refused."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.api.conftest import Api
from trustfair.access.roles import Role
from trustfair.merchant.urges import Signer
from trustfair.store.models import UrgeRow


def _urge(api: Api, merchant_id: str) -> UrgeRow:
    with api.store.transaction() as session:
        row = UrgeRow(
            merchant_id=merchant_id,
            sent_at=datetime(2026, 3, 1, tzinfo=UTC),
            first_due_at=datetime(2026, 3, 1, 6, tzinfo=UTC),
            orders=0,
            message="ship",
            rule="fulfilment.at_risk",
        )
        session.add(row)
        session.flush()
        session.expunge(row)
        return row


def _urge_row(api: Api, urge_id: int) -> UrgeRow:
    with api.store.reading() as session:
        row = session.get(UrgeRow, urge_id)
        session.expunge(row)
        return row


def _token(api: Api, row: UrgeRow) -> str:
    return Signer(api.client.app.state.registry.settings.urge_secret).token(row)


def test_the_link_acknowledges_its_urge_once(api: Api) -> None:
    row = _urge_row(api, api.world.m1_urge)
    first = api.client.post(f"/v1/urges/{row.id}/ack", params={"token": _token(api, row)})
    assert first.status_code == 200, first.text
    assert first.json()["acknowledged_by"] == "link:merchant:m1"
    again = api.client.post(f"/v1/urges/{row.id}/ack", params={"token": _token(api, row)})
    assert again.status_code == 200
    assert again.json()["acknowledged_at"] == first.json()["acknowledged_at"]


def test_a_forged_or_other_urges_token_is_refused(api: Api) -> None:
    row = _urge_row(api, api.world.m1_urge)
    other = _urge(api, "m1")
    for token in (_token(api, other), Signer("a guess").token(row), "0" * 64):
        answer = api.client.post(f"/v1/urges/{row.id}/ack", params={"token": token})
        assert answer.status_code == 403
        assert answer.json()["detail"] == f"the token does not acknowledge urge {row.id}"
    assert _urge_row(api, row.id).acknowledged_at is None
    assert api.client.post(f"/v1/urges/{row.id}/ack").status_code == 401  # nor token nor key


def test_a_merchant_reads_and_acknowledges_its_own_urges_only(api: Api) -> None:
    merchant = api.as_(Role.MERCHANT)  # owns m1
    theirs = _urge(api, "m2")
    page = api.client.get("/v1/merchants/m1/urges", headers=merchant).json()
    assert [u["id"] for u in page["urges"]] == [api.world.m1_urge] and page["total"] == 1
    assert page["urges"][0]["orders"][0]["order_id"] == "o-m1"
    assert api.client.get("/v1/merchants/m2/urges", headers=merchant).status_code == 404
    assert api.client.get(f"/v1/urges/{theirs.id}", headers=merchant).status_code == 404
    assert api.client.post(f"/v1/urges/{theirs.id}/ack", headers=merchant).status_code == 404
    signed_in = api.client.post(f"/v1/urges/{api.world.m1_urge}/ack", headers=merchant)
    assert signed_in.status_code == 200
    assert signed_in.json()["acknowledged_by"].startswith("key:")
    staff = api.client.get(f"/v1/urges/{theirs.id}", headers=api.as_(Role.REVIEWER))
    assert staff.status_code == 200 and staff.json()["merchant_id"] == "m2"
    assert (
        api.client.post(f"/v1/urges/{theirs.id}/ack", headers=api.as_(Role.REVIEWER)).status_code
        == 403
    )


def test_the_link_opened_in_a_browser_shows_a_button_and_acknowledges_nothing(api: Api) -> None:
    row = _urge_row(api, api.world.m1_urge)
    token = _token(api, row)
    page = api.client.get(f"/v1/urges/{row.id}/ack", params={"token": token})
    assert page.status_code == 200, page.text
    assert page.headers["content-type"].startswith("text/html")
    assert '<form method="post"' in page.text and f"token={token}" in page.text
    assert _urge_row(api, row.id).acknowledged_at is None  # opening it acknowledged nothing
    wrong = api.client.get(f"/v1/urges/{row.id}/ack", params={"token": "0" * 64})
    assert wrong.status_code == 403
    # The button POSTs the acknowledgement; the page then says it is done.
    assert api.client.post(f"/v1/urges/{row.id}/ack", params={"token": token}).status_code == 200
    again = api.client.get(f"/v1/urges/{row.id}/ack", params={"token": token})
    assert "<form" not in again.text and "Acknowledged" in again.text
