"""Listings checked against the banks by the real pipeline and the default policy:
intercepted before they sell, held for review or watched, with the reasons kept; a
bank change (a disabled entry) takes effect with the next batch."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.brand.builders import holder, right
from tests.factories import T0, event, ingest
from trustfair.access.roles import PERMISSIONS, Principal, Role
from trustfair.brand.library import EntryKind, NewEntry, add_entry, set_enabled
from trustfair.store.models import BrandCheckRow, CaseRow, OutboxRow, PointsEntryRow

STAFF = Principal("user", "rev", Role.REVIEWER, PERMISSIONS[Role.REVIEWER])


def certified(store) -> None:  # type: ignore[no-untyped-def]
    """Brand b1's holder and trademark, certified and valid: its mark is enforced."""
    holder(store, "rh-b1", "b1")
    right(store, "rh-b1", "b1")


def brand_registered() -> dict:
    return event(
        "brand-b1",
        "brand.registered",
        {"brand_id": "b1", "name": "香奈尔", "aliases": ["Chanelle"], "owner": "香奈尔集团"},
    )


def published(listing_id: str, title: str, price: int, merchant: str = "m1", at=T0) -> dict:
    return event(
        f"pub-{listing_id}",
        "listing.published",
        {
            "listing_id": listing_id,
            "merchant_id": merchant,
            "title": title,
            "category": "luxury_bags",
            "price_fen": price,
        },
        at,
    )


def bank(store, *entries: NewEntry) -> list[int]:  # type: ignore[no-untyped-def]
    with store.transaction() as session:
        ids = [add_entry(session, STAFF, entry, T0).id for entry in entries]
    return ids


def checks(store) -> dict[str, tuple[str, str, float]]:  # type: ignore[no-untyped-def]
    with store.reading() as session:
        rows = session.scalars(select(BrandCheckRow).order_by(BrandCheckRow.id))
        return {r.listing_id: (r.kind, r.outcome, r.score) for r in rows}


def test_listings_are_intercepted_reviewed_or_watched_by_their_evidence(store, registry) -> None:
    ingest(store, registry, brand_registered())
    certified(store)
    bank(
        store,
        NewEntry("b1", EntryKind.PRICE_FLOOR, amount_fen=900_000),
        NewEntry("b1", EntryKind.AUTHORISED_SELLER, value="m-auth"),
        NewEntry("b1", EntryKind.SLANG, value="小香奈"),
    )
    ingest(
        store,
        registry,
        published("l-fake", "香奈尔 高仿 菱格链条包", 90_000),
        published("l-cheap", "香奈尔 菱格链条包", 600_000),
        published("l-resale", "香奈尔 菱格链条包 二手", 1_200_000),
        published("l-auth", "香奈尔 菱格链条包", 1_200_000, merchant="m-auth"),
        published("l-alike", "小香奈风 格纹外套", 30_000),
        published("l-plain", "纯棉短袖T恤", 3_000),
    )
    found = checks(store)
    assert found["l-fake"][:2] == ("counterfeit", "intercept")
    assert found["l-cheap"][:2] == ("counterfeit", "review")
    assert found["l-resale"][:2] == ("counterfeit", "monitor")
    assert "l-auth" not in found
    assert found["l-alike"][:2] == ("lookalike", "review")
    assert "l-plain" not in found
    with store.reading() as session:
        commands = session.scalars(select(OutboxRow).where(OutboxRow.topic == "listing.intercept"))
        assert [c.payload["subject"]["id"] for c in commands] == ["l-fake"]
        queued = session.scalars(select(CaseRow.kind).where(CaseRow.queue == "brand")).all()
        assert sorted(queued) == ["counterfeit_review", "lookalike_review"]
        points = session.scalars(select(PointsEntryRow.violation)).all()
        assert points == ["counterfeit"]
        reasons = session.scalars(
            select(BrandCheckRow.reasons).where(BrandCheckRow.listing_id == "l-fake")
        ).one()
        assert {r["what"] for r in reasons} == {"mark", "fake_trade_word", "far_below_floor"}


def test_an_update_is_judged_on_the_listing_as_it_now_reads(store, registry) -> None:
    ingest(store, registry, brand_registered())
    certified(store)
    bank(store, NewEntry("b1", EntryKind.PRICE_FLOOR, amount_fen=900_000))
    ingest(store, registry, published("l1", "菱格链条包 新款", 90_000))
    assert checks(store) == {}
    update = event(
        "upd-l1",
        "listing.updated",
        {"listing_id": "l1", "merchant_id": "m1", "title": "香奈尔 菱格链条包 高仿"},
        T0 + timedelta(hours=1),
    )
    ingest(store, registry, update)
    assert checks(store)["l1"][:2] == ("counterfeit", "intercept")


def test_a_disabled_entry_stops_matching_with_the_next_batch(store, registry) -> None:
    ingest(store, registry, brand_registered())
    certified(store)
    (slang,) = bank(store, NewEntry("b1", EntryKind.SLANG, value="小香奈"))
    ingest(store, registry, published("l1", "小香奈风 外套", 30_000))
    assert "l1" in checks(store)
    with store.transaction() as session:
        set_enabled(session, STAFF, slang, False, T0)
    ingest(store, registry, published("l2", "小香奈风 外套", 30_000, at=T0 + timedelta(hours=1)))
    assert "l2" not in checks(store)


def _photo(crop: float = 0.0) -> bytes:
    """A real photograph (scikit-image's astronaut) as PNG, cropped by ``crop`` a side."""
    import io

    from PIL import Image
    from skimage import data

    picture = Image.fromarray(data.astronaut())
    w, h = picture.size
    box = (int(w * crop), int(h * crop), w - int(w * crop), h - int(h * crop))
    out = io.BytesIO()
    picture.crop(box).save(out, "JPEG", quality=60)
    return out.getvalue()


def test_a_known_fake_picture_in_a_listing_is_found_through_the_picture_index(
    store, registry
) -> None:
    from trustfair.brand.images import save_image

    ingest(store, registry, brand_registered())
    certified(store)
    with store.transaction() as session:
        save_image(session, "bank-fake-1", _photo(), "brand", T0)
        save_image(session, "listing-pic-1", _photo(crop=0.04), "service", T0)
        save_image(session, "listing-pic-2", _photo(crop=0.04), "service", T0)
    (fake,) = bank(store, NewEntry("b1", EntryKind.FAKE_IMAGE, image_id="bank-fake-1"))

    def with_pictures(listing_id: str, title: str, pictures: list[str], hours: int) -> dict:
        listing = published(listing_id, title, 1_000_000, at=T0 + timedelta(hours=hours))
        listing["payload"]["image_ids"] = pictures
        return listing

    ingest(
        store,
        registry,
        with_pictures("l-alike", "太空主题 T恤", ["listing-pic-1"], 1),
        with_pictures("l-fake", "香奈尔 太空主题 T恤", ["listing-pic-2", "never-uploaded"], 1),
        with_pictures("l-other", "香奈尔 T恤", ["never-uploaded"], 1),
    )
    found = checks(store)
    assert found["l-alike"][:2] == ("lookalike", "review")
    assert found["l-fake"][:2] == ("counterfeit", "intercept")
    assert found["l-other"][:2] == ("counterfeit", "monitor")
    with store.transaction() as session:
        set_enabled(session, STAFF, fake, False, T0)
    ingest(store, registry, with_pictures("l-later", "太空主题 T恤", ["listing-pic-1"], 2))
    assert "l-later" not in checks(store)


def test_an_uncertified_mark_is_not_intercepted_but_held_for_a_reviewer(store, registry) -> None:
    ingest(store, registry, brand_registered())
    bank(store, NewEntry("b1", EntryKind.PRICE_FLOOR, amount_fen=900_000))
    ingest(store, registry, published("l1", "香奈尔 高仿 菱格链条包", 90_000))
    assert checks(store)["l1"][:2] == ("counterfeit", "review")
    with store.reading() as session:
        assert "listing.intercept" not in session.scalars(select(OutboxRow.topic)).all()
    # Certified, the next listing's mark is enforced at once, without a new snapshot.
    certified(store)
    later = T0 + timedelta(hours=1)
    ingest(store, registry, published("l2", "香奈尔 高仿 菱格链条包", 90_000, at=later))
    assert checks(store)["l2"][:2] == ("counterfeit", "intercept")


def test_a_price_cut_under_the_floor_after_publishing_is_checked_and_punished_once(
    store, registry
) -> None:
    ingest(store, registry, brand_registered())
    certified(store)
    bank(store, NewEntry("b1", EntryKind.PRICE_FLOOR, amount_fen=900_000))
    ingest(store, registry, published("l1", "香奈尔 链条包 原单", 1_200_000))
    assert checks(store)["l1"][:2] == ("counterfeit", "review")

    def cut(event_id: str, price: int, hours: int) -> dict:
        return event(
            event_id,
            "listing.price_changed",
            {"listing_id": "l1", "merchant_id": "m1", "price_fen": price},
            T0 + timedelta(hours=hours),
        )

    ingest(store, registry, cut("cut-1", 90_000, 1), cut("cut-2", 80_000, 2))
    with store.reading() as session:
        outcomes = session.scalars(
            select(BrandCheckRow.outcome).where(BrandCheckRow.listing_id == "l1")
        ).all()
        assert outcomes == ["review", "intercept", "intercept"]
        points = session.scalars(select(PointsEntryRow.matter)).all()
        assert points == ["counterfeit@listing:l1"]
