"""The brand pages of the console: a brand's dashboard (its rights, its bank and what
the bank caught, its notices), the complaints with each party's steps, and the
reviewers' queue of rights. On both stores: the steps are guarded updates."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.console.conftest import NOW, add
from tests.factories import ingest, listing_published
from trustfair.brand.complaints import Notice, file_notice
from trustfair.brand.documents import DocumentKind, upload_document
from trustfair.store.database import Store
from trustfair.store.models import (
    BankEntryRow,
    BrandCheckRow,
    ComplaintRow,
    EventRow,
    RightRow,
    RightsHolderRow,
)

PDF = b"%PDF-1.7\n%%EOF\n"
DECLARATION = {
    "declaration": "正品，有品牌授权书",
    "evidence_kind": "licence",
    "evidence_description": "授权书扫描件",
}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest) -> Store:
    """These pages on SQLite and on PostgreSQL."""
    return request.getfixturevalue(f"{request.param}_store")  # type: ignore[no-any-return]


def _holder(session, holder_id: str, brand_id: str, state: str, days_ago: int) -> None:  # type: ignore[no-untyped-def]
    session.add(
        RightsHolderRow(
            id=holder_id,
            brand_id=brand_id,
            company_name=f"{brand_id} 有限公司",
            registration_number=f"REG-{holder_id}",
            country="HK",
            state=state,
            standing=100,
            applied_by=f"user:{brand_id}",
            applied_at=NOW - timedelta(days=days_ago),
            reason="",
        )
    )
    session.flush()


def _trademark(session, holder_id: str, brand_id: str, number: str, state: str, **more) -> int:  # type: ignore[no-untyped-def]
    right = RightRow(
        holder_id=holder_id,
        brand_id=brand_id,
        kind="trademark",
        number=number,
        nice_class=18,
        territory="CN",
        valid_from=NOW - timedelta(days=365),
        valid_until=NOW + timedelta(days=3650),
        state=state,
        applied_at=NOW - timedelta(days=more.pop("days_ago", 30)),
        reason="",
        **more,
    )
    session.add(right)
    session.flush()
    return right.id


def brand_world(store: Store, registry) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """Brand b1 (certified, with a trademark, a bank, checks and a notice against merchant
    m1's listing), brand b2 likewise against m2, and a reviewer's queue: an application
    with its licence, one without, and a pending right."""
    ingest(
        store,
        registry,
        listing_published("l-b1", "m1", "大牌包包"),
        listing_published("l-b2", "m2", "名牌手表"),
    )
    with store.transaction() as session:
        seq = {
            e.subject_id: e.seq
            for e in session.scalars(select(EventRow).where(EventRow.type == "listing.published"))
        }
        _holder(session, "rh-b1", "b1", "certified", 60)
        _holder(session, "rh-b2", "b2", "certified", 60)
        b1_right = _trademark(session, "rh-b1", "b1", "TM-b1", "certified")
        b2_right = _trademark(session, "rh-b2", "b2", "TM-b2", "certified")
        _holder(session, "rh-new", "b1", "applied", 3)
        _holder(session, "rh-bare", "b1", "applied", 5)  # older, and without its licence
        new = session.get(RightsHolderRow, "rh-new")
        certified = session.get(RightsHolderRow, "rh-b1")
        upload_document(
            session, new, DocumentKind.BUSINESS_LICENCE, PDF, "执照.pdf", NOW, "user:b1"
        )
        certificate = upload_document(
            session, certified, DocumentKind.TRADEMARK_CERTIFICATE, PDF, None, NOW, "user:b1"
        )
        pending = _trademark(
            session,
            "rh-b1",
            "b1",
            "TM-b1-25",
            "pending",
            document_ids=[certificate.id],
            days_ago=2,
        )
        entries = {}
        for brand in ("b1", "b2"):
            entry = BankEntryRow(
                brand_id=brand,
                kind="name",
                value=f"{brand}-香奈尔",
                negative=False,
                enabled=True,
                note="",
                added_by="user:world",
                added_at=NOW - timedelta(days=10),
            )
            session.add(entry)
            session.flush()
            entries[brand] = entry.id
        for brand, listing, merchant, outcome in (
            ("b1", "l-b1", "m1", "intercept"),
            ("b2", "l-b2", "m2", "review"),
        ):
            session.add(
                BrandCheckRow(
                    listing_id=listing,
                    merchant_id=merchant,
                    brand_id=brand,
                    kind="counterfeit",
                    outcome=outcome,
                    score=0.9312,
                    reasons=[
                        {
                            "what": "mark",
                            "detail": f"'{brand}-香奈尔' (name '{brand}-香奈尔')",
                            "entry_id": entries[brand],
                            "span": [0, 3],
                        },
                        {
                            "what": "far_below_floor",
                            "detail": "price 9900 fen under the floor 900000 fen",
                            "weight": 0.6,
                        },
                    ],
                    event_seq=seq[listing],
                    checked_at=NOW - timedelta(hours=1),
                )
            )
        complaints = {}
        for brand, right, listing in (("b1", b1_right, "l-b1"), ("b2", b2_right, "l-b2")):
            notice = Notice(
                f"{brand}-notice",
                brand,
                f"rh-{brand}",
                right,
                listing,
                [{"kind": "test_purchase", "description": "试买为假货"}],
                text="假冒注册商标",
            )
            complaint, _ = file_notice(session, notice, NOW, f"user:{brand}")
            complaints[brand] = complaint.id
        session.flush()
    return {
        "b1_entry": entries["b1"],
        "b2_entry": entries["b2"],
        "b1_complaint": complaints["b1"],
        "b2_complaint": complaints["b2"],
        "holder": "rh-new",
        "bare_holder": "rh-bare",
        "pending_right": pending,
    }


@pytest.fixture
def world(store, registry) -> dict[str, object]:  # type: ignore[no-untyped-def]
    return brand_world(store, registry)


def entry(store: Store, entry_id: int) -> BankEntryRow:
    with store.reading() as session:
        row = session.get(BankEntryRow, entry_id)
        session.expunge(row)
        return row


def complaint_state(store: Store, complaint_id: int) -> str:
    with store.reading() as session:
        return session.get(ComplaintRow, complaint_id).state  # type: ignore[union-attr]


def test_a_brand_sees_its_own_bank_checks_and_notices_and_nothing_of_another(
    store, world, sign_in
) -> None:
    add(store, "chanel", "brand", ["brand:b1"])
    brand = sign_in("chanel")
    home = brand.get("/console/brand", follow_redirects=False)
    assert (home.status_code, home.headers["location"]) == (303, "/console/brands/b1")
    page = brand.get("/console/brands/b1")
    assert page.status_code == 200
    for nav in ('href="/console/brand"', 'href="/console/complaints"'):
        assert nav in page.text
    assert 'href="/console/rights"' not in page.text  # a brand does not certify
    # Its rights holders and rights, with their states.
    assert 'data-holder="rh-b1" data-state="certified"' in page.text
    assert "TM-b1" in page.text and 'data-state="pending"' in page.text
    # Its bank, and what the bank caught: the reasons in words, the score.
    assert f'data-entry="{world["b1_entry"]}"' in page.text and "b1-香奈尔" in page.text
    assert "b2-香奈尔" not in page.text
    row = re.search(r'<tr data-check="\d+".*?</tr>', page.text, re.S)[0]  # type: ignore[index]
    assert 'data-outcome="intercept"' in row and "intercepted" in row and "0.93" in row
    assert "the brand&#39;s mark" in row and "far below the price floor" in row
    assert f'href="#entry-{world["b1_entry"]}"' in row and "weight 0.60" in row
    assert len(re.findall(r"data-check=", page.text)) == 1
    # Its notices.
    assert f'data-complaint="{world["b1_complaint"]}"' in page.text
    assert f'data-complaint="{world["b2_complaint"]}"' not in page.text
    # Another brand's records are not found, as if they did not exist.
    assert brand.get("/console/brands/b2").status_code == 404
    assert brand.get(f"/console/complaints/{world['b2_complaint']}").status_code == 404
    assert (
        brand.post(f"/console/bank/{world['b2_entry']}/enabled", {"enabled": "0"}).status_code
        == 404
    )
    assert brand.post("/console/brands/b2/bank", {"kind": "slang", "value": "x"}).status_code == 404
    assert entry(store, world["b2_entry"]).enabled  # type: ignore[arg-type]
    listed = brand.get("/console/complaints")
    assert re.findall(r'data-complaint="(\d+)"', listed.text) == [str(world["b1_complaint"])]
    assert "商品已下架" in brand.get("/console/complaints?lang=zh").text
    # Checks filtered by outcome.
    assert "data-check=" not in brand.get("/console/brands/b1?outcome=review").text


def test_a_brand_adds_and_disables_a_bank_entry_through_the_form(store, world, sign_in) -> None:
    add(store, "chanel", "brand", ["brand:b1"])
    brand = sign_in("chanel")
    added = brand.post("/console/brands/b1/bank", {"kind": "slang", "value": "香家A货"})
    assert added.status_code == 303, added.text
    entry_id = int(re.search(r"added=(\d+)", added.headers["location"])[1])  # type: ignore[index]
    page = brand.get(added.headers["location"])
    assert f"Entry {entry_id} added to the bank." in page.text
    assert f'data-entry="{entry_id}" data-enabled="yes" data-negative="no"' in page.text
    assert (entry(store, entry_id).added_by, entry(store, entry_id).kind) == (
        "user:chanel",
        "slang",
    )
    # A negative entry, and a price floor in yuan.
    negative = brand.post(
        "/console/brands/b1/bank", {"kind": "name", "value": "香奈尔路", "negative": "1"}
    )
    assert negative.status_code == 303
    floor = brand.post("/console/brands/b1/bank", {"kind": "price_floor", "amount": "9000"})
    assert floor.status_code == 303
    page = brand.get("/console/brands/b1")
    assert 'data-negative="yes"' in page.text and "not a fake" in page.text
    assert "at least 9000.00 yuan" in page.text
    # A bad entry is refused with the use case's reason; the form keeps what was sent.
    bad = brand.post("/console/brands/b1/bank", {"kind": "serial_pattern", "value": "(a+)+$"})
    assert bad.status_code == 422
    error = re.search(r'id="bank-error">(.*?)</p>', bad.text, re.S)[0]  # type: ignore[index]
    assert "serial_pattern" in error
    assert 'value="(a+)+$"' in bad.text
    assert (
        brand.post(
            "/console/brands/b1/bank", {"kind": "price_floor", "amount": "1.234"}
        ).status_code
        == 422
    )
    assert (
        brand.post("/console/brands/b1/bank", {"kind": "nonsense", "value": "x"}).status_code == 422
    )
    # Disable, then enable again, by the buttons.
    off = brand.post(f"/console/bank/{entry_id}/enabled", {"enabled": "0"})
    assert off.status_code == 303
    shown = brand.get(off.headers["location"])
    assert f'data-entry="{entry_id}" data-enabled="no"' in shown.text
    row = entry(store, entry_id)
    assert (row.enabled, row.changed_by) == (False, "user:chanel")
    assert brand.post(f"/console/bank/{entry_id}/enabled", {"enabled": "1"}).status_code == 303
    assert entry(store, entry_id).enabled


def test_a_brand_without_a_certified_trademark_cannot_edit_its_bank(store, world, sign_in) -> None:
    add(store, "newbrand", "brand", ["brand:b9"])
    brand = sign_in("newbrand")
    page = brand.get("/console/brands/b9")
    assert page.status_code == 200 and 'id="bank-locked"' in page.text
    assert 'id="bank-add"' not in page.text
    refused = brand.post("/console/brands/b9/bank", {"kind": "slang", "value": "A货"})
    assert refused.status_code == 403
    assert "certified rights holder" in refused.text


def test_a_merchant_declares_against_a_notice_and_the_timeline_shows_it(
    app, store, world, sign_in
) -> None:
    complaint_id = world["b1_complaint"]
    path = f"/console/complaints/{complaint_id}"
    add(store, "shop-m1", "merchant", ["merchant:m1"])
    merchant = sign_in("shop-m1")
    listed = merchant.get("/console/complaints")
    assert re.findall(r'data-complaint="(\d+)"', listed.text) == [str(complaint_id)]
    page = merchant.get(path)
    assert page.status_code == 200
    assert "listing taken down" in page.text and "试买为假货" in page.text
    assert "the merchant&#39;s answer window" in page.text and "due in 15 d" in page.text
    assert 'id="complaint-declare"' in page.text
    assert 'id="complaint-withdraw"' not in page.text and 'id="complaint-review"' not in page.text
    assert merchant.get(f"/console/complaints/{world['b2_complaint']}").status_code == 404
    assert merchant.get("/console/brands/b1").status_code == 404
    # Without its evidence the declaration is refused, saying why.
    refused = merchant.post(f"{path}/declaration", {**DECLARATION, "evidence_kind": ""})
    assert refused.status_code == 422 and "Choose the kind of your evidence." in refused.text
    app.state.clock.advance(timedelta(days=2))
    declared = merchant.post(f"{path}/declaration", DECLARATION)
    assert declared.status_code == 303, declared.text
    shown = merchant.get(declared.headers["location"])
    assert "the complaint is now non-infringement declared" in shown.text
    assert re.findall(r'<tr data-to="(\w+)">', shown.text) == [
        "filed",
        "measures_taken",
        "declared",
    ]
    declared_step = re.search(r'<tr data-to="declared">.*?</tr>', shown.text, re.S)[0]  # type: ignore[index]
    assert "user:shop-m1" in declared_step and "forwarded to the rights holder" in declared_step
    assert "正品，有品牌授权书" in shown.text and "授权书扫描件" in shown.text
    assert "the lift of the measures" in shown.text
    again = merchant.post(f"{path}/declaration", DECLARATION)
    assert again.status_code == 409 and "declared cannot declare" in again.text
    # The brand now may show its action, but too late once the lift timer has run out.
    add(store, "chanel", "brand", ["brand:b1"])
    brand = sign_in("chanel")
    assert 'id="complaint-proof-form"' in brand.get(path).text
    app.state.clock.advance(timedelta(days=15))
    late = brand.post(
        f"{path}/action-proof",
        {
            "kind": "lawsuit",
            "authority": "上海知识产权法院",
            "reference": "2026沪73民初1号",
            "filed_on": "2026-03-10",
        },
    )
    assert late.status_code == 409 and "closed" in late.text
    assert complaint_state(store, complaint_id) == "declared"  # type: ignore[arg-type]


def test_a_brand_shows_its_action_and_a_reviewer_finds_another_notice_malicious(
    app, store, world, sign_in
) -> None:
    path = f"/console/complaints/{world['b1_complaint']}"
    add(store, "shop-m1", "merchant", ["merchant:m1"])
    assert sign_in("shop-m1").post(f"{path}/declaration", DECLARATION).status_code == 303
    add(store, "chanel", "brand", ["brand:b1"])
    brand = sign_in("chanel")
    proof = {"kind": "complaint", "authority": "市场监管局", "reference": "A-1", "filed_on": "x"}
    bad = brand.post(f"{path}/action-proof", proof)
    assert bad.status_code == 422 and "YYYY-MM-DD" in bad.text
    shown = brand.post(f"{path}/action-proof", {**proof, "filed_on": "2026-03-02"})
    assert shown.status_code == 303
    page = brand.get(path)
    assert "referred to the authorities" in page.text and "市场监管局" in page.text
    assert "No timer is running." in page.text
    add(store, "li", "reviewer")
    reviewer = sign_in("li")
    other = f"/console/complaints/{world['b2_complaint']}"
    assert 'id="complaint-review"' in reviewer.get(other).text
    no_reason = reviewer.post(f"{other}/review", {"outcome": "malicious", "reason": " "})
    assert no_reason.status_code == 422 and "Say why." in no_reason.text
    done = reviewer.post(f"{other}/review", {"outcome": "malicious", "reason": "正品，恶意投诉"})
    assert done.status_code == 303
    assert complaint_state(store, world["b2_complaint"]) == "rejected"  # type: ignore[arg-type]
    assert "malicious" in reviewer.get(other).text
    with store.reading() as session:
        assert session.get(RightsHolderRow, "rh-b2").standing < 100  # type: ignore[union-attr]


def test_a_reviewer_certifies_a_holder_and_a_right_from_the_queue(store, world, sign_in) -> None:
    add(store, "li", "reviewer")
    reviewer = sign_in("li")
    queue = reviewer.get("/console/rights")
    assert queue.status_code == 200 and 'href="/console/rights"' in queue.text
    # Oldest application first; the licence shown with its link.
    assert re.findall(r'<article class="holder" data-holder="([\w-]+)"', queue.text) == [
        "rh-bare",
        "rh-new",
    ]
    assert "执照.pdf" in queue.text and "business licence" in queue.text
    assert f'data-right="{world["pending_right"]}"' in queue.text
    # The use case's refusal is shown: no licence, no certification.
    refused = reviewer.post("/console/rights-holders/rh-bare/decision", {"outcome": "certify"})
    assert refused.status_code == 409 and "no business_licence uploaded" in refused.text
    certified = reviewer.post("/console/rights-holders/rh-new/decision", {"outcome": "certify"})
    assert certified.status_code == 303
    assert "The rights holder is certified." in reviewer.get(certified.headers["location"]).text
    no_reason = reviewer.post("/console/rights-holders/rh-bare/decision", {"outcome": "reject"})
    assert no_reason.status_code == 422 and "reason is empty" in no_reason.text
    assert (
        reviewer.post(
            "/console/rights-holders/rh-bare/decision",
            {"outcome": "reject", "reason": "缺少营业执照"},
        ).status_code
        == 303
    )
    right = reviewer.post(
        f"/console/rights/{world['pending_right']}/decision", {"outcome": "certify"}
    )
    assert right.status_code == 303
    queue = reviewer.get("/console/rights")
    assert "No application is waiting." in queue.text and "No right is waiting." in queue.text
    with store.reading() as session:
        assert session.get(RightsHolderRow, "rh-new").reviewed_by == "user:li"  # type: ignore[union-attr]
        assert session.get(RightRow, world["pending_right"]).state == "certified"  # type: ignore[union-attr]
    # Staff see any brand from the brand picker; the brand's page shows the new states.
    brands = reviewer.get("/console/brand")
    assert re.findall(r'data-brand="(\w+)"', brands.text) == ["b1", "b2"]
    page = reviewer.get("/console/brands/b1")
    assert 'data-holder="rh-new" data-state="certified"' in page.text
    assert (
        'data-holder="rh-bare" data-state="rejected"' in page.text and "缺少营业执照" in page.text
    )
    assert reviewer.get("/console/rights-holders/nope/decision").status_code == 405
    assert (
        reviewer.post("/console/rights-holders/nope/decision", {"outcome": "certify"}).status_code
        == 404
    )


def test_the_queue_and_brand_pages_are_closed_to_roles_without_the_permission(
    store, world, sign_in
) -> None:
    add(store, "chanel", "brand", ["brand:b1"])
    brand = sign_in("chanel")
    assert brand.get("/console/rights").status_code == 403
    assert (
        brand.post("/console/rights-holders/rh-new/decision", {"outcome": "certify"}).status_code
        == 403
    )
    add(store, "cs", "customer_service")
    assert sign_in("cs").get("/console/complaints").status_code == 403
