"""A small marketplace for the API tests, enforced by the real pipeline.

Two merchants, m1 and m2, each suspended for two marked medical claims (6 + 6 serious
points reach the 12-point node) and each with a listing in the content review queue;
a streamer, st1, whose live segment is at risk and under review. Events happen in
the last hours of the wall clock, because the API works on the server's clock: an
appeal filed now must be inside the sanction's appeal period.

The marker detector of the enforcement tests turns ``[[label]]`` into a block signal
and ``[[label:review]]`` into a review one.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.enforce.conftest import (
    identity,
    listing_published,
    live_segment,
    marker_registry,
    merchant_registered,
    write_policy,
)
from tests.factories import bearer, ingest
from trustfair.access.accounts import add_key
from trustfair.access.roles import PERMISSIONS, Principal, Role
from trustfair.api.app import create_app
from trustfair.brand.complaints import Notice, file_notice
from trustfair.brand.documents import DocumentKind, upload_document
from trustfair.brand.holders import Application, RightClaim, apply_holder, claim_right
from trustfair.brand.rights import RightKind
from trustfair.events.payload import EntityRef
from trustfair.pipeline.registry import Registry
from trustfair.policy.files import load_policy
from trustfair.store.database import Store
from trustfair.store.models import (
    BankEntryRow,
    CaseRow,
    DecisionRow,
    EventRow,
    RightRow,
    RightsHolderRow,
    SanctionRow,
)

API_POLICY = """\
version: api-1
violations:
  medical_claim: {class: serious, points: 6, basis: Advertising Law Art. 17}
  diversion: {class: general, points: 4}
nodes:
  general: [{points: 8, sanctions: [{kind: warning}]}]
  serious: [{points: 12, sanctions: [{kind: live_suspension, days: 7}]}]
appeals: {within_days: 7, how: appeal in the console}
rules:
  - id: marked.block
    description: a marked violation
    when: {signal: {detector: marker, severity: block}}
    verdict: block
    actions: [{kind: points}]
  - id: marked.review
    description: a mark a person should look at
    when: {signal: {detector: marker, severity: review}}
    verdict: review
    actions:
      - kind: open_case
        params: {kind: content_review, queue: content, priority: 3, sla_minutes: 60}
  - id: marked.live_risk
    when: {events: [live.segment], signal: {detector: marker}}
    verdict: review
    actions: [{kind: raise_live_risk, params: {amount: 40}}]
  - id: marked.shadow
    description: a stricter rule being tried out
    shadow: true
    when: {signal: {detector: marker}}
    verdict: block
"""

OWNS: dict[Role, list[str] | None] = {
    Role.MERCHANT: ["merchant:m1"],
    Role.BRAND: ["brand:b1"],
}
"""What the party roles' keys act for; staff keys own nothing (they see everything)."""


def hours_ago(hours: float) -> datetime:
    return datetime.now(UTC).replace(microsecond=0) - timedelta(hours=hours)


@dataclass(frozen=True)
class World:
    m1_sanction: int
    m2_sanction: int
    m1_decision: int
    """The decision on m1's first marked claim (it awarded 6 points)."""
    m2_decision: int
    m1_case: int
    """m1's listing in the content queue."""
    m1_spare_case: int
    """Another of m1's: for steps a test may take without disturbing the first."""
    m2_case: int
    st1_case: int
    b1_holder: str
    """Brand b1's rights holder: applied, with its business licence."""
    b1_spare_holder: str
    """Another application of b1's, for steps that would end the first (a rejection)."""
    b1_document: str
    b1_right: int
    """A pending trademark of b1_holder's, with its certificate."""
    b1_spare_right: int
    b1_certified_right: int
    """A trademark of b1's, certified, of a second holder of b1's that is certified: what
    a brand needs to edit its bank, whatever the steps above do to the first."""
    b1_entry: int
    """An entry of brand b1's bank (a price floor)."""
    b1_notice_right: int
    """Brand b1's certified trademark of a third certified holder, h-b1, that files notices."""
    b1_complaint: int
    """b1's notice against m1's listing l1: measures taken, waiting for m1's answer."""
    m1_attempt: int
    """Merchant m1's open exam attempt at the medical-claims course."""
    m1_urge: int = 0
    """An urge to m1 about an order at risk."""
    m1_urge_token: str = ""
    """Its acknowledgement link's token."""


def api_registry(directory: Path) -> Registry:
    return marker_registry(load_policy(write_policy(directory, API_POLICY)))


def build_world(store: Store, registry: Registry) -> World:
    ingest(
        store,
        registry,
        merchant_registered("r1", "m1", identity(1), hours_ago(6)),
        merchant_registered("r2", "m2", identity(2), hours_ago(6)),
        listing_published("m1-a", "l1", "m1", "包治百病 [[medical_claim]]", hours_ago(5)),
        listing_published("m1-b", "l2", "m1", "专治失眠 [[medical_claim]]", hours_ago(4)),
        listing_published("m2-a", "l3", "m2", "[[medical_claim]] 降血压", hours_ago(5)),
        listing_published("m2-b", "l4", "m2", "[[medical_claim]] 降血糖", hours_ago(4)),
        listing_published("m1-c", "l5", "m1", "加我微信 [[diversion:review]] 私聊", hours_ago(3)),
        listing_published("m1-d", "l6", "m1", "[[diversion:review]] 更便宜", hours_ago(3)),
        listing_published("m2-c", "l7", "m2", "[[diversion:review]] 找我", hours_ago(3)),
        live_segment("st1-a", "ls1", "st1", "家人们 [[diversion:review]]", hours_ago(0.01)),
    )
    b1_right, b1_complaint = _brand_b1_notice(store)
    with store.reading() as session:

        def sanction(merchant: str) -> int:
            return session.scalars(
                select(SanctionRow.id).where(
                    SanctionRow.entity_id == merchant, SanctionRow.kind == "live_suspension"
                )
            ).one()

        def decision(event_id: str) -> int:
            return session.scalars(
                select(DecisionRow.id)
                .join(EventRow, EventRow.seq == DecisionRow.event_seq)
                .where(EventRow.event_id == event_id)
            ).one()

        def case(event_id: str) -> int:
            return session.scalars(
                select(CaseRow.id).where(CaseRow.opening_decision_id == decision(event_id))
            ).one()

        brand_world = build_brand_world(store)
        return World(
            **brand_world,
            m1_sanction=sanction("m1"),
            m2_sanction=sanction("m2"),
            m1_decision=decision("m1-a"),
            m2_decision=decision("m2-a"),
            m1_case=case("m1-c"),
            m1_spare_case=case("m1-d"),
            m2_case=case("m2-c"),
            st1_case=case("st1-a"),
            **brand_b1(store),
            b1_notice_right=b1_right,
            b1_complaint=b1_complaint,
            m1_attempt=_m1_attempt(store),
            m1_urge=(m1_urge := _m1_urge(store)),
            m1_urge_token=_urge_token(store, registry, m1_urge),
        )


def _m1_attempt(store: Store) -> int:
    """An exam attempt merchant m1 started, through the use case."""
    from trustfair.merchant.exams import start_attempt

    with store.transaction() as session:
        attempt = start_attempt(
            session, EntityRef("merchant", "m1"), "medical-claims", "world", datetime.now(UTC)
        )
        return attempt.id


def _m1_urge(store: Store) -> int:
    """An urge to m1, as the fulfilment watcher leaves one."""
    from tests.merchant.urge_builders import urge_of

    return urge_of(store, "m1", "o-m1")


def _urge_token(store: Store, registry: Registry, urge_id: int) -> str:
    from trustfair.merchant.urges import Signer
    from trustfair.store.models import UrgeRow

    with store.reading() as session:
        row = session.get(UrgeRow, urge_id)
        assert row is not None
        return Signer(registry.settings.urge_secret).token(row)


def brand_b1(store: Store) -> dict[str, int]:
    """A second holder of brand b1's, certified with a trademark valid now, and a price
    floor in b1's bank: rows written as a reviewer's certification would leave them."""
    with store.transaction() as session:
        session.add(
            RightsHolderRow(
                id="rh-b1-certified",
                brand_id="b1",
                company_name="香奈尔时尚集团",
                registration_number="CERTIFIED-IN-THE-WORLD",
                country="HK",
                state="certified",
                applied_by="world",
                applied_at=hours_ago(48),
            )
        )
        session.flush()
        right = RightRow(
            holder_id="rh-b1-certified",
            brand_id="b1",
            kind="trademark",
            number="TM-b1-18",
            nice_class=18,
            territory="CN",
            valid_from=hours_ago(48),
            valid_until=None,
            state="certified",
            applied_at=hours_ago(48),
        )
        entry = BankEntryRow(
            brand_id="b1",
            kind="price_floor",
            amount_fen=900_000,
            added_by="world",
            added_at=hours_ago(48),
        )
        session.add_all([right, entry])
        session.flush()
        return {"b1_certified_right": right.id, "b1_entry": entry.id}


def build_brand_world(store: Store) -> dict[str, Any]:
    """Brand b1's rights holders, a document and rights, applied for through the use cases."""
    b1 = Principal(
        "key",
        "world-b1",
        Role.BRAND,
        PERMISSIONS[Role.BRAND],
        owns=frozenset({EntityRef("brand", "b1")}),
    )
    now = hours_ago(1)
    pdf = b"%PDF-1.7\n%%EOF\n"
    with store.transaction() as session:
        holder = apply_holder(session, b1, Application("b1", "B1 Ltd", "91350100M000100Y43"), now)
        spare = apply_holder(session, b1, Application("b1", "B1 GmbH", "HRB 1", "DE"), now)
        licence = upload_document(
            session, holder, DocumentKind.BUSINESS_LICENCE, pdf, None, now, b1.actor
        )
        certificate = upload_document(
            session, holder, DocumentKind.TRADEMARK_CERTIFICATE, pdf, None, now, b1.actor
        )

        def trademark(number: str) -> int:
            claim = RightClaim(
                RightKind.TRADEMARK,
                number,
                "CN",
                now - timedelta(days=365),
                now + timedelta(days=3650),
                nice_class=25,
                document_ids=[certificate.id],
            )
            return claim_right(session, b1, holder.id, claim, now).id

        return {
            "b1_holder": holder.id,
            "b1_spare_holder": spare.id,
            "b1_document": licence.id,
            "b1_right": trademark("B1-TM-1"),
            "b1_spare_right": trademark("B1-TM-2"),
        }


def _brand_b1_notice(store: Store) -> tuple[int, int]:
    """A certified holder and trademark of brand b1, and its notice on m1's listing l1."""
    now = datetime.now(UTC)
    with store.transaction() as session:
        session.add(
            RightsHolderRow(
                id="h-b1",
                brand_id="b1",
                company_name="b1 有限公司",
                registration_number="91310000000000000X",
                agent_name=None,
                state="certified",
                standing=100,
                applied_by="test",
                applied_at=now - timedelta(days=30),
            )
        )
        session.flush()  # the holder before its right (no ORM relationship orders them)
        right = RightRow(
            holder_id="h-b1",
            brand_id="b1",
            kind="trademark",
            number="TM-b1",
            nice_class=25,
            territory="CN",
            valid_from=now - timedelta(days=365),
            valid_until=None,
            document_ids=[],
            state="certified",
            applied_at=now - timedelta(days=30),
        )
        session.add(right)
        session.flush()
        notice = Notice("b1-notice", "b1", "h-b1", right.id, "l1", [{"kind": "test_purchase"}])
        complaint, _ = file_notice(session, notice, now, "test")
        return right.id, complaint.id


def key_named(
    store: Store,
    name: str,
    role: Role,
    owns: list[str] | None = None,
    scopes: list[str] | None = None,
) -> dict[str, str]:
    """An Authorization header for a new key: its name is the actor in case timelines."""
    with store.transaction() as session:
        key = add_key(session, name, role.value, datetime.now(UTC), scopes=scopes, owns=owns).key
    return {"Authorization": f"Bearer {key}"}


def keys_for_every_role(store: Store) -> dict[Role, dict[str, str]]:
    """An Authorization header for a new key of each role."""
    return {role: bearer(store, role.value, OWNS.get(role)) for role in Role}


@dataclass(frozen=True)
class Api:
    """A client of the app on a built world, and a key of each role."""

    client: TestClient
    world: World
    keys: dict[Role, dict[str, str]]
    store: Store

    def as_(self, role: Role) -> dict[str, str]:
        return self.keys[role]


def open_api(store: Store, registry: Registry) -> Api:
    world = build_world(store, registry)
    client = TestClient(create_app(store, registry))
    return Api(client, world, keys_for_every_role(store), store)


@pytest.fixture
def api(store: Store, tmp_path: Path) -> Api:
    """A fresh world on each backend (SQLite and PostgreSQL), for tests that change it."""
    return open_api(store, api_registry(tmp_path))


@pytest.fixture(scope="module")
def shared_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """One world on SQLite for a whole module: for the role × endpoint matrix and other
    tests that only read, or whose changes the others do not look at."""
    directory = tmp_path_factory.mktemp("api")
    store = Store.open(f"sqlite:///{directory / 'trustfair.db'}")
    try:
        yield open_api(store, api_registry(directory))
    finally:
        store.close()
