"""Linked accounts share sanctions: a banned seller does not return under a new shop."""

from __future__ import annotations

from sqlalchemy import select

from tests.enforce.conftest import (
    at,
    identity,
    listing_published,
    merchant_registered,
    streamer_registered,
)
from tests.enforce.test_points import run
from trustfair.enforce.linked import digest
from trustfair.store.models import IdentityKeyRow, SanctionRow


def banned_m1(*more):  # type: ignore[no-untyped-def]
    return (
        merchant_registered("r1", "m1", identity(1)),
        listing_published("e1", "l1", "m1", "[[spam_porn]]", at(minutes=1)),
        listing_published("e2", "l2", "m1", "[[spam_porn]]", at(minutes=2)),  # 12 + 24: ban
        *more,
    )


def active(store) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    with store.reading() as session:
        found: dict[str, list[str]] = {}
        for row in session.scalars(
            select(SanctionRow).where(SanctionRow.state == "active").order_by(SanctionRow.id)
        ):
            found.setdefault(row.entity_id, []).append(row.kind)
        return found


def test_a_new_shop_with_a_banned_sellers_phone_is_banned_on_registration(store, registry) -> None:
    newcomer = identity(2, phone=identity(1)["phone"])
    run(store, registry, *banned_m1(merchant_registered("r2", "m2", newcomer, at(days=3))))
    assert active(store)["m2"] == ["live_suspension", "ban"]
    with store.reading() as session:
        shared = session.scalars(select(SanctionRow).where(SanctionRow.entity_id == "m2")).all()
    assert {s.statement["shared"]["linked_by"][0] for s in shared} == {"phone"}
    assert all(s.shared_from_id is not None for s in shared)


def test_an_account_already_linked_when_the_ban_comes_is_banned_too(store, registry) -> None:
    # The same person's ID number behind a streamer account registered earlier.
    run(
        store,
        registry,
        streamer_registered("r0", "st9", identity(9, id_number=identity(1)["id_number"])),
        *banned_m1(),
    )
    assert "ban" in active(store)["st9"]


def test_unlinked_accounts_and_unshared_kinds_are_left_alone(store, registry) -> None:
    run(
        store,
        registry,
        merchant_registered("r2", "m2", identity(2)),
        merchant_registered("r1", "m1", identity(1)),
        listing_published("e1", "l1", "m1", "[[extreme_claim]]", at(minutes=1)),
        # 4 + 4 (too late to count as a repeat) = 8: a warning, which is not shared.
        listing_published("e2", "l2", "m1", "[[extreme_claim]]", at(days=40)),
        merchant_registered("r3", "m3", identity(3, phone=identity(1)["phone"]), at(days=41)),
    )
    assert active(store) == {"m1": ["warning"]}


def test_identity_keys_are_kept_as_keyed_hashes_and_matched_however_written(
    store, registry
) -> None:
    run(
        store,
        registry,
        *banned_m1(
            merchant_registered("r2", "m2", identity(2, phone="+86-138-0000-0001"), at(days=1))
        ),
    )
    with store.reading() as session:
        digests = set(session.scalars(select(IdentityKeyRow.digest)))
    assert digest("phone", "13800000001") in digests
    assert not any("13800000001" in d for d in digests)
    assert "ban" in active(store)["m2"]
