"""Rights holders and rights through their states; only a certified right of a
certified holder, valid at the time, is enforceable. On SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from tests.brand.conftest import CREDIT_CODE, PDF, REVIEWER, T0, brand
from trustfair.brand.documents import DocumentKind, upload_document
from trustfair.brand.holders import (
    Application,
    RightClaim,
    apply_holder,
    certify_holder,
    certify_right,
    claim_right,
    holder_for,
    reject_holder,
    reject_right,
    revoke_right,
    suspend_holder,
)
from trustfair.brand.rights import (
    HOLDER_MOVES,
    RIGHT_MOVES,
    HolderState,
    NotEnforceable,
    RightKind,
    RightsConflict,
    RightsRefused,
    RightState,
    enforceable_right,
)
from trustfair.store.database import Store
from trustfair.store.models import RightRow, RightsHolderRow

B1 = brand("b1")
YEAR = timedelta(days=365)


def _doc(session: Session, holder: RightsHolderRow, kind: DocumentKind) -> str:
    return upload_document(session, holder, kind, PDF, None, T0, B1.actor).id


def _trademark(number: str = "12345678", **changes) -> RightClaim:  # type: ignore[no-untyped-def]
    fields = {
        "kind": RightKind.TRADEMARK,
        "number": number,
        "territory": "CN",
        "valid_from": T0 - YEAR,
        "valid_until": T0 + 5 * YEAR,
        "nice_class": 25,
        **changes,
    }
    return RightClaim(**fields)


def _certified_holder(session: Session, agent: str | None = None) -> RightsHolderRow:
    holder = apply_holder(session, B1, Application("b1", "Acme", CREDIT_CODE, agent_name=agent), T0)
    _doc(session, holder, DocumentKind.BUSINESS_LICENCE)
    if agent:
        _doc(session, holder, DocumentKind.AGENT_LETTER)
    return certify_holder(session, holder.id, T0, REVIEWER)


def _certified_right(session: Session, holder: RightsHolderRow, **changes) -> RightRow:  # type: ignore[no-untyped-def]
    certificate = _doc(session, holder, DocumentKind.TRADEMARK_CERTIFICATE)
    right = claim_right(
        session, B1, holder.id, _trademark(document_ids=[certificate], **changes), T0
    )
    return certify_right(session, right.id, T0, REVIEWER)


# -- the tables --------------------------------------------------------------------------


def test_the_tables_are_the_moves_the_brief_names() -> None:
    H, R = HolderState, RightState
    assert {(s, step, t) for (s, step), t in HOLDER_MOVES.items()} == {
        (H.APPLIED, "certify", H.CERTIFIED),
        (H.APPLIED, "reject", H.REJECTED),
        (H.CERTIFIED, "suspend", H.SUSPENDED),
        (H.SUSPENDED, "certify", H.CERTIFIED),
    }
    assert {(s, step, t) for (s, step), t in RIGHT_MOVES.items()} == {
        (R.PENDING, "certify", R.CERTIFIED),
        (R.PENDING, "reject", R.REJECTED),
        (R.CERTIFIED, "revoke", R.REVOKED),
    }


# -- holders -----------------------------------------------------------------------------


def test_a_holder_is_certified_once_its_licence_is_there(store: Store) -> None:
    with store.transaction() as session:
        holder = apply_holder(session, B1, Application("b1", " Acme ", CREDIT_CODE.lower()), T0)
        assert (holder.state, holder.company_name) == ("applied", "Acme")
        assert holder.registration_number == CREDIT_CODE  # typed in lower case, kept upper
        with pytest.raises(RightsConflict, match="cannot be certified: no business_licence"):
            certify_holder(session, holder.id, T0, REVIEWER)
        _doc(session, holder, DocumentKind.BUSINESS_LICENCE)
        certify_holder(session, holder.id, T0, REVIEWER, "papers in order")
        assert (holder.state, holder.reviewed_by, holder.reason) == (
            "certified",
            REVIEWER,
            "papers in order",
        )


def test_an_agent_needs_its_letter(store: Store) -> None:
    with store.transaction() as session:
        app = Application("b1", "Acme", CREDIT_CODE, agent_name="IP Agents Co")
        holder = apply_holder(session, B1, app, T0)
        with pytest.raises(
            RightsConflict, match="no business_licence uploaded and no agent_letter"
        ):
            certify_holder(session, holder.id, T0, REVIEWER)
        _doc(session, holder, DocumentKind.BUSINESS_LICENCE)
        with pytest.raises(
            RightsConflict, match="no agent_letter authorising agent 'IP Agents Co'"
        ):
            certify_holder(session, holder.id, T0, REVIEWER)
        _doc(session, holder, DocumentKind.AGENT_LETTER)
        assert certify_holder(session, holder.id, T0, REVIEWER).state == "certified"


def test_every_refused_holder_move_says_the_state(store: Store) -> None:
    with store.transaction() as session:
        holder = _certified_holder(session)
        with pytest.raises(RightsConflict, match="is certified: it cannot certify"):
            certify_holder(session, holder.id, T0, REVIEWER)
        with pytest.raises(RightsConflict, match="is certified: it cannot reject"):
            reject_holder(session, holder.id, "no", T0, REVIEWER)
        suspend_holder(session, holder.id, "malicious notices", T0, REVIEWER)
        with pytest.raises(RightsConflict, match="is suspended: it cannot suspend"):
            suspend_holder(session, holder.id, "again", T0, REVIEWER)
        with pytest.raises(RightsConflict, match="is suspended: it cannot reject"):
            reject_holder(session, holder.id, "no", T0, REVIEWER)
        assert certify_holder(session, holder.id, T0, REVIEWER).state == "certified"  # reinstated

        other = apply_holder(session, B1, Application("b1", "Acme DE", "HRB 1", "DE"), T0)
        with pytest.raises(RightsConflict, match="is applied: it cannot suspend"):
            suspend_holder(session, other.id, "why", T0, REVIEWER)
        with pytest.raises(RightsRefused, match="reason is empty"):
            reject_holder(session, other.id, "  ", T0, REVIEWER)
        reject_holder(session, other.id, "not the owner", T0, REVIEWER)
        for step in (
            lambda: certify_holder(session, other.id, T0, REVIEWER),
            lambda: suspend_holder(session, other.id, "x", T0, REVIEWER),
            lambda: reject_holder(session, other.id, "x", T0, REVIEWER),
        ):
            with pytest.raises(RightsConflict, match="is rejected: it cannot"):
                step()
        with pytest.raises(LookupError, match="no rights holder rh-nope"):
            certify_holder(session, "rh-nope", T0, REVIEWER)


def test_an_application_is_checked(store: Store) -> None:
    with store.transaction() as session:
        with pytest.raises(RightsRefused, match="registration_number: the check character"):
            apply_holder(session, B1, Application("b1", "Acme", CREDIT_CODE[:-1] + "4"), T0)
        with pytest.raises(RightsRefused, match="company_name: 1 to 256 characters"):
            apply_holder(session, B1, Application("b1", " ", CREDIT_CODE), T0)
        first = apply_holder(session, B1, Application("b1", "Acme", CREDIT_CODE), T0)
        with pytest.raises(RightsConflict, match=f"already has rights holder '{first.id}'"):
            apply_holder(session, B1, Application("b1", "Acme again", CREDIT_CODE), T0)
        reject_holder(session, first.id, "blurred licence", T0, REVIEWER)
        apply_holder(session, B1, Application("b1", "Acme", CREDIT_CODE), T0)  # anew


# -- rights ------------------------------------------------------------------------------


def test_a_right_is_certified_only_for_a_certified_holder_with_its_certificate(
    store: Store,
) -> None:
    with store.transaction() as session:
        holder = apply_holder(session, B1, Application("b1", "Acme", CREDIT_CODE), T0)
        evidence = _doc(session, holder, DocumentKind.EVIDENCE)
        right = claim_right(session, B1, holder.id, _trademark(document_ids=[evidence]), T0)
        assert (right.state, right.brand_id, right.document_ids) == ("pending", "b1", [evidence])
        with pytest.raises(
            RightsConflict, match=r"its rights holder '\S+' is applied, not certified"
        ):
            certify_right(session, right.id, T0, REVIEWER)
        _doc(session, holder, DocumentKind.BUSINESS_LICENCE)
        certify_holder(session, holder.id, T0, REVIEWER)
        with pytest.raises(RightsConflict, match="no trademark_certificate among its documents"):
            certify_right(session, right.id, T0, REVIEWER)
        reject_right(session, right.id, "send the certificate", T0, REVIEWER)
        certified = _certified_right(session, holder)  # the number is free again
        assert certified.state == "certified"
        with pytest.raises(
            RightsConflict, match=f"right {certified.id} is certified: it cannot certify"
        ):
            certify_right(session, certified.id, T0, REVIEWER)
        with pytest.raises(RightsConflict, match="is certified: it cannot reject"):
            reject_right(session, certified.id, "no", T0, REVIEWER)
        revoke_right(session, certified.id, "cancelled by CNIPA", T0, REVIEWER)
        with pytest.raises(RightsConflict, match="is revoked: it cannot revoke"):
            revoke_right(session, certified.id, "again", T0, REVIEWER)
        with pytest.raises(RightsConflict, match="is rejected: it cannot certify"):
            certify_right(session, right.id, T0, REVIEWER)
        with pytest.raises(LookupError, match="no right 999999"):
            certify_right(session, 999_999, T0, REVIEWER)


def test_an_expired_right_is_not_certified(store: Store) -> None:
    with store.transaction() as session:
        holder = _certified_holder(session)
        certificate = _doc(session, holder, DocumentKind.TRADEMARK_CERTIFICATE)
        claim = _trademark(document_ids=[certificate], valid_until=T0 + YEAR)
        right = claim_right(session, B1, holder.id, claim, T0)
        with pytest.raises(RightsConflict, match="expired on 2027-06-01"):
            certify_right(session, right.id, T0 + YEAR, REVIEWER)


def test_the_same_right_is_claimed_once(store: Store) -> None:
    with store.transaction() as session:
        holder = _certified_holder(session)
        claim_right(session, B1, holder.id, _trademark("TM-1"), T0)
        b2 = brand("b2")
        other = apply_holder(session, b2, Application("b2", "Squat", CREDIT_CODE), T0)
        with pytest.raises(RightsConflict) as refused:
            claim_right(session, b2, other.id, _trademark("TM-1"), T0)
        assert str(refused.value) == "the trademark TM-1 in CN is already claimed"  # not by whom
        claim_right(session, b2, other.id, _trademark("TM-1", territory="EU"), T0)  # elsewhere
        claim_right(
            session, b2, other.id, _trademark("TM-1", kind=RightKind.COPYRIGHT, nice_class=None), T0
        )


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"nice_class": None}, "nice_class: a trademark is registered in a Nice class, 1..45"),
        ({"nice_class": 46}, "nice_class: a trademark"),
        ({"kind": RightKind.PATENT}, "nice_class: only a trademark has one, not a patent"),
        ({"valid_until": None}, "valid_until: a trademark lapses"),
        ({"valid_until": T0 - 2 * YEAR}, "valid_until: must be after valid_from"),
        ({"territory": "china"}, "territory 'china'"),
        ({"number": " "}, "number: 1 to 64 characters"),
        ({"valid_from": T0.replace(tzinfo=None)}, "valid_from: give a time zone"),
        ({"document_ids": ["doc-nope"]}, "'doc-nope' is not one of rights holder"),
    ],
)
def test_a_claim_is_checked_saying_what_and_where(store: Store, changes, says) -> None:  # type: ignore[no-untyped-def]
    with store.transaction() as session:
        holder = _certified_holder(session)
        with pytest.raises(RightsRefused, match=re.escape(says)):
            claim_right(session, B1, holder.id, _trademark(**changes), T0)


def test_documents_must_be_the_holders_own_and_fitting(store: Store) -> None:
    with store.transaction() as session:
        holder = _certified_holder(session)
        licence = _doc(session, holder, DocumentKind.BUSINESS_LICENCE)
        patent = _doc(session, holder, DocumentKind.PATENT_CERTIFICATE)
        for wrong in (licence, patent):
            with pytest.raises(
                RightsRefused, match="a trademark takes evidence or trademark_certificate"
            ):
                claim_right(session, B1, holder.id, _trademark(document_ids=[wrong]), T0)
        b2 = brand("b2")
        other = apply_holder(session, b2, Application("b2", "Other", CREDIT_CODE), T0)
        theirs = upload_document(
            session, other, DocumentKind.TRADEMARK_CERTIFICATE, PDF, None, T0, b2.actor
        ).id
        with pytest.raises(RightsRefused, match=f"'{theirs}' is not one of rights holder"):
            claim_right(session, B1, holder.id, _trademark(document_ids=[theirs]), T0)
        copyright_claim = RightClaim(RightKind.COPYRIGHT, "2024-A-1", "CN", T0 - YEAR)
        assert claim_right(session, B1, holder.id, copyright_claim, T0).valid_until is None


def test_a_rejected_holders_pending_rights_go_with_it(store: Store) -> None:
    with store.transaction() as session:
        holder = apply_holder(session, B1, Application("b1", "Acme", CREDIT_CODE), T0)
        right = claim_right(session, B1, holder.id, _trademark(), T0)
        reject_holder(session, holder.id, "forged licence", T0, REVIEWER)
        assert (right.state, right.reason) == (
            "rejected",
            "the rights holder was rejected: forged licence",
        )
        with pytest.raises(RightsConflict, match="is rejected: it cannot claim"):
            claim_right(session, B1, holder.id, _trademark("other"), T0)


# -- ownership ---------------------------------------------------------------------------


def test_a_brand_acts_only_for_its_own(store: Store) -> None:
    with store.transaction() as session:
        holder = _certified_holder(session)
        b2 = brand("b2")
        with pytest.raises(LookupError, match="no brand b1"):
            apply_holder(session, b2, Application("b1", "Not mine", CREDIT_CODE), T0)
        with pytest.raises(LookupError, match=f"no rights holder {holder.id}"):
            holder_for(session, b2, holder.id)
        with pytest.raises(LookupError, match=f"no rights holder {holder.id}"):
            claim_right(session, b2, holder.id, _trademark(), T0)
        assert holder_for(session, brand("b2", "b1"), holder.id) is holder


# -- what is enforceable -----------------------------------------------------------------


def test_only_a_certified_right_of_a_certified_holder_valid_now_is_enforceable(
    store: Store,
) -> None:
    with store.transaction() as session:
        holder = _certified_holder(session)
        right = _certified_right(session, holder, valid_from=T0, valid_until=T0 + YEAR)
        pending = claim_right(session, B1, holder.id, _trademark("TM-pending"), T0)
        ids = (holder.id, right.id, pending.id)
    h, r, p = ids

    def check(holder_id: str, right_id: int, at) -> RightRow | NotEnforceable:  # type: ignore[no-untyped-def]
        with store.reading() as session:
            return enforceable_right(session, holder_id, right_id, at)

    assert isinstance(check(h, r, T0 + timedelta(days=1)), RightRow)
    assert check(h, r, T0 - timedelta(seconds=1)).reason.endswith("valid only from 2026-06-01")  # type: ignore[union-attr]
    assert check(h, r, T0 + YEAR).reason.endswith("expired on 2027-06-01")  # type: ignore[union-attr]
    assert "is pending, not certified" in check(h, p, T0).reason  # type: ignore[union-attr]
    assert "rights holder 'rh-other' is not known" in check("rh-other", r, T0).reason  # type: ignore[union-attr]

    with store.transaction() as session:
        suspend_holder(session, h, "notices found malicious", T0, REVIEWER)
    assert "is suspended, not certified" in check(h, r, T0 + timedelta(days=1)).reason  # type: ignore[union-attr]
    with store.transaction() as session:
        certify_holder(session, h, T0, REVIEWER)
        revoke_right(session, r, "invalidated", T0, REVIEWER)
    assert "is revoked, not certified" in check(h, r, T0 + timedelta(days=1)).reason  # type: ignore[union-attr]
