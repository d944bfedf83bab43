"""The urges page: a merchant sees its own urges and acknowledges them with one click;
staff see every merchant's; another merchant's urge cannot be acknowledged."""

from __future__ import annotations

from sqlalchemy import select

from tests.console.conftest import add
from tests.merchant.urge_builders import urge_of
from trustfair.store.models import UrgeRow


def _acknowledged(store, urge_id: int) -> str | None:  # type: ignore[no-untyped-def]
    with store.reading() as session:
        return session.scalar(select(UrgeRow.acknowledged_by).where(UrgeRow.id == urge_id))


def test_a_merchant_acknowledges_its_urge_in_one_click(store, sign_in) -> None:  # type: ignore[no-untyped-def]
    mine, theirs = urge_of(store, "m1", "o-mine"), urge_of(store, "m2", "o-theirs")
    add(store, "shop", "merchant", ["merchant:m1"])
    browser = sign_in("shop")
    page = browser.get("/console/urges").text
    assert "o-mine" in page and "o-theirs" not in page
    assert f'action="/console/urges/{mine}/ack"' in page
    done = browser.post(f"/console/urges/{mine}/ack", {})
    assert done.status_code == 303
    assert _acknowledged(store, mine) == "user:shop"
    after = browser.get(done.headers["location"]).text
    assert f"Urge {mine} acknowledged." in after
    assert f'action="/console/urges/{mine}/ack"' not in after  # no button once done
    assert browser.post(f"/console/urges/{theirs}/ack", {}).status_code == 404
    assert _acknowledged(store, theirs) is None


def test_staff_see_every_merchants_urges_and_filter_by_one(store, sign_in) -> None:  # type: ignore[no-untyped-def]
    urge_of(store, "m1", "o-one")
    urge_of(store, "m2", "o-two")
    add(store, "auditor", "auditor", locale="zh")
    browser = sign_in("auditor")
    page = browser.get("/console/urges").text
    assert "o-one" in page and "o-two" in page and "催发货提醒" in page
    assert "/ack" not in page  # an auditor reads, it does not acknowledge for the shop
    only = browser.get("/console/urges", params={"merchant": "m2"}).text
    assert "o-two" in only and "o-one" not in only
