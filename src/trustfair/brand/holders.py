"""Rights holders and their rights, from application to certification.

A brand applies for itself (a brand principal acts only for the ``brand:ID`` parties it
owns; another brand's holder is "not found", exactly like one that does not exist),
uploads its documents and claims its rights; a reviewer certifies or rejects each, and
may suspend a certified holder. Every move goes through the tables in ``brand.rights``;
each refusal says why, so the applicant knows what to send.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from trustfair.access.roles import Principal
from trustfair.brand.documents import DocumentKind
from trustfair.brand.registration import registration_problem
from trustfair.brand.rights import (
    HolderState,
    RightKind,
    RightsConflict,
    RightsRefused,
    RightState,
    holder_move,
    right_move,
)
from trustfair.events.payload import EntityRef
from trustfair.store.models import BrandDocumentRow, RightRow, RightsHolderRow

STANDING_HOLDER = (HolderState.APPLIED, HolderState.CERTIFIED, HolderState.SUSPENDED)
TERRITORY = re.compile(r"^[A-Z]{2,8}$")
"""An ISO 3166 country (CN) or a regional office (EU, OAPI)."""

CERTIFICATE_OF: dict[RightKind, DocumentKind] = {
    RightKind.TRADEMARK: DocumentKind.TRADEMARK_CERTIFICATE,
    RightKind.PATENT: DocumentKind.PATENT_CERTIFICATE,
    RightKind.COPYRIGHT: DocumentKind.COPYRIGHT_CERTIFICATE,
}
"""The document that proves a right; evidence may be attached to any right as well."""


@dataclass(frozen=True)
class Application:
    brand_id: str
    company_name: str
    registration_number: str
    country: str = "CN"
    agent_name: str | None = None
    """An agent filing for the company: certification then needs its agent_letter."""


@dataclass(frozen=True)
class RightClaim:
    kind: RightKind
    number: str
    territory: str
    valid_from: datetime
    valid_until: datetime | None = None
    """Required for a trademark or a patent (both lapse); a copyright may give none."""
    nice_class: int | None = None
    """A trademark's Nice class, 1..45; nothing for the others."""
    document_ids: list[str] = field(default_factory=list)


def holder_for(session: Session, principal: Principal, holder_id: str) -> RightsHolderRow:
    """The holder, if ``principal`` may see it; LookupError alike for another brand's
    holder and one that does not exist."""
    row = session.get(RightsHolderRow, holder_id)
    if row is None or not principal.may_see(EntityRef("brand", row.brand_id)):
        raise LookupError(f"no rights holder {holder_id}")
    return row


def apply_holder(
    session: Session, principal: Principal, application: Application, at: datetime
) -> RightsHolderRow:
    """Apply as a rights holder of ``application.brand_id``; the holder is ``applied``
    until a reviewer certifies it."""
    brand_id = application.brand_id
    if not principal.may_see(EntityRef("brand", brand_id)):
        raise LookupError(f"no brand {brand_id}")
    company = application.company_name.strip()
    if not 1 <= len(company) <= 256:
        raise RightsRefused("company_name: 1 to 256 characters")
    country = application.country.strip().upper()
    number = application.registration_number.strip()
    if country == "CN":
        number = number.upper()  # credit codes are printed upper-case; a typed one may not be
    problem = registration_problem(country, number)
    if problem:
        raise RightsRefused(f"registration_number: {problem}")
    agent = (application.agent_name or "").strip() or None
    if agent is not None and len(agent) > 256:
        raise RightsRefused("agent_name: at most 256 characters")
    earlier = session.scalars(
        select(RightsHolderRow).where(
            RightsHolderRow.brand_id == brand_id,
            RightsHolderRow.country == country,
            RightsHolderRow.registration_number == number,
            RightsHolderRow.state.in_(STANDING_HOLDER),
        )
    ).first()
    if earlier is not None:
        raise RightsConflict(
            f"brand {brand_id!r} already has rights holder {earlier.id!r} for registration "
            f"{number} ({earlier.state})"
        )
    row = RightsHolderRow(
        id=f"rh-{uuid.uuid4().hex[:20]}",
        brand_id=brand_id,
        company_name=company,
        registration_number=number,
        country=country,
        agent_name=agent,
        state=HolderState.APPLIED.value,
        standing=100,
        applied_by=principal.actor,
        applied_at=at,
        reason="",
    )
    session.add(row)
    session.flush()
    return row


def _document_kinds(session: Session, holder_id: str) -> set[str]:
    return set(
        session.scalars(
            select(BrandDocumentRow.kind).where(BrandDocumentRow.holder_id == holder_id)
        )
    )


def _reviewed(row: RightsHolderRow | RightRow, at: datetime, actor: str, reason: str) -> None:
    row.reviewed_by = actor
    row.reviewed_at = at
    row.reason = reason


def _reason(reason: str) -> str:
    if not reason.strip():
        raise RightsRefused("reason is empty: say why, the holder is shown it")
    return reason.strip()


def _known_holder(session: Session, holder_id: str) -> RightsHolderRow:
    row = session.get(RightsHolderRow, holder_id)
    if row is None:
        raise LookupError(f"no rights holder {holder_id}")
    return row


def certify_holder(
    session: Session, holder_id: str, at: datetime, actor: str, note: str = ""
) -> RightsHolderRow:
    """Certify an applied holder, or reinstate a suspended one: refused, saying which,
    while its business licence or (for an agent) the letter authorising it is missing."""
    holder = _known_holder(session, holder_id)
    target = holder_move(holder, "certify")
    kinds = _document_kinds(session, holder.id)
    missing = []
    if DocumentKind.BUSINESS_LICENCE not in kinds:
        missing.append("no business_licence uploaded")
    if holder.agent_name and DocumentKind.AGENT_LETTER not in kinds:
        missing.append(f"no agent_letter authorising agent {holder.agent_name!r}")
    if missing:
        raise RightsConflict(
            f"rights holder {holder.id!r} cannot be certified: {' and '.join(missing)}"
        )
    holder.state = target.value
    _reviewed(holder, at, actor, note.strip())
    return holder


def reject_holder(
    session: Session, holder_id: str, reason: str, at: datetime, actor: str
) -> RightsHolderRow:
    """Reject an application; its pending rights are rejected with it (which frees their
    numbers for a claim that stands)."""
    holder = _known_holder(session, holder_id)
    target = holder_move(holder, "reject")
    reason = _reason(reason)
    holder.state = target.value
    _reviewed(holder, at, actor, reason)
    pending = session.scalars(
        select(RightRow).where(
            RightRow.holder_id == holder.id, RightRow.state == RightState.PENDING
        )
    )
    for right in pending:
        right.state = right_move(right, "reject").value
        _reviewed(right, at, actor, f"the rights holder was rejected: {reason}")
    return holder


def suspend_holder(
    session: Session, holder_id: str, reason: str, at: datetime, actor: str
) -> RightsHolderRow:
    """Suspend a certified holder: none of its rights is enforceable until it is
    certified again; the rights keep their own states."""
    holder = _known_holder(session, holder_id)
    target = holder_move(holder, "suspend")
    holder.state = target.value
    _reviewed(holder, at, actor, _reason(reason))
    return holder


def _checked_claim(claim: RightClaim) -> tuple[str, str]:
    """(number, territory) of a claim, once its fields fit its kind."""
    number = claim.number.strip()
    if not number or len(number) > 64:
        raise RightsRefused("number: 1 to 64 characters")
    territory = claim.territory.strip()
    if not TERRITORY.match(territory):
        raise RightsRefused(f"territory {claim.territory!r}: a country code such as CN (or EU)")
    if claim.kind == RightKind.TRADEMARK:
        if claim.nice_class is None or not 1 <= claim.nice_class <= 45:
            raise RightsRefused("nice_class: a trademark is registered in a Nice class, 1..45")
    elif claim.nice_class is not None:
        raise RightsRefused(f"nice_class: only a trademark has one, not a {claim.kind}")
    for name, value in (("valid_from", claim.valid_from), ("valid_until", claim.valid_until)):
        if value is not None and value.tzinfo is None:
            raise RightsRefused(f"{name}: give a time zone (+08:00, Z)")
    if claim.valid_until is None and claim.kind != RightKind.COPYRIGHT:
        raise RightsRefused(f"valid_until: a {claim.kind} lapses; give its expiry date")
    if claim.valid_until is not None and claim.valid_until <= claim.valid_from:
        raise RightsRefused("valid_until: must be after valid_from")
    return number, territory


def _checked_documents(
    session: Session, holder: RightsHolderRow, kind: RightKind, document_ids: Iterable[str]
) -> list[str]:
    fitting = {CERTIFICATE_OF[kind], DocumentKind.EVIDENCE}
    ids = list(dict.fromkeys(document_ids))  # once each, in the order sent
    # Kinds only: a document's body (up to 10 MB) is not loaded to be checked.
    kinds = {
        document_id: document_kind
        for document_id, document_kind in session.execute(
            select(BrandDocumentRow.id, BrandDocumentRow.kind).where(
                BrandDocumentRow.id.in_(ids), BrandDocumentRow.holder_id == holder.id
            )
        )
    }
    for document_id in ids:
        if document_id not in kinds:
            raise RightsRefused(
                f"document_ids: {document_id!r} is not one of rights holder {holder.id!r}'s "
                "documents"
            )
        if kinds[document_id] not in fitting:
            raise RightsRefused(
                f"document_ids: {document_id!r} is a {kinds[document_id]}; a {kind} takes "
                f"{' or '.join(sorted(fitting))}"
            )
    return ids


def claim_right(
    session: Session, principal: Principal, holder_id: str, claim: RightClaim, at: datetime
) -> RightRow:
    """Claim a right for a holder the principal acts for; ``pending`` until certified.
    The same right (kind, number, territory) stands for one holder only."""
    holder = holder_for(session, principal, holder_id)
    if holder.state in (HolderState.REJECTED, HolderState.SUSPENDED):
        raise RightsConflict(f"rights holder {holder.id!r} is {holder.state}: it cannot claim")
    number, territory = _checked_claim(claim)
    document_ids = _checked_documents(session, holder, claim.kind, claim.document_ids)
    taken = RightsConflict(f"the {claim.kind} {number} in {territory} is already claimed")
    standing = session.scalars(
        select(RightRow.id).where(
            RightRow.kind == claim.kind,
            RightRow.number == number,
            RightRow.territory == territory,
            RightRow.state.in_((RightState.PENDING, RightState.CERTIFIED)),
        )
    ).first()
    if standing is not None:
        raise taken
    row = RightRow(
        holder_id=holder.id,
        brand_id=holder.brand_id,
        kind=claim.kind.value,
        number=number,
        nice_class=claim.nice_class,
        territory=territory,
        valid_from=claim.valid_from,
        valid_until=claim.valid_until,
        document_ids=document_ids,
        state=RightState.PENDING.value,
        applied_at=at,
        reason="",
    )
    try:
        with session.begin_nested():  # two claims at once: the unique index decides
            session.add(row)
            session.flush()
    except IntegrityError:
        raise taken from None
    return row


def _known_right(session: Session, right_id: int) -> RightRow:
    row = session.get(RightRow, right_id)
    if row is None:
        raise LookupError(f"no right {right_id}")
    return row


def certify_right(
    session: Session, right_id: int, at: datetime, actor: str, note: str = ""
) -> RightRow:
    """Certify a pending right: refused while its holder is not certified, without its
    certificate among its documents, or once it has expired."""
    right = _known_right(session, right_id)
    target = right_move(right, "certify")
    holder = _known_holder(session, right.holder_id)
    if holder.state != HolderState.CERTIFIED:
        raise RightsConflict(
            f"right {right.id} cannot be certified: its rights holder {holder.id!r} is "
            f"{holder.state}, not certified"
        )
    certificate = CERTIFICATE_OF[RightKind(right.kind)]
    kinds = set(
        session.scalars(
            select(BrandDocumentRow.kind).where(BrandDocumentRow.id.in_(right.document_ids or []))
        )
    )
    if certificate not in kinds:
        raise RightsConflict(
            f"right {right.id} cannot be certified: no {certificate} among its documents"
        )
    if right.valid_until is not None and right.valid_until <= at:
        raise RightsConflict(
            f"right {right.id} cannot be certified: it expired on {right.valid_until:%Y-%m-%d}"
        )
    right.state = target.value
    _reviewed(right, at, actor, note.strip())
    return right


def reject_right(
    session: Session, right_id: int, reason: str, at: datetime, actor: str
) -> RightRow:
    """Reject a pending right, saying why; its number is free to be claimed again."""
    right = _known_right(session, right_id)
    target = right_move(right, "reject")
    right.state = target.value
    _reviewed(right, at, actor, _reason(reason))
    return right


def revoke_right(
    session: Session, right_id: int, reason: str, at: datetime, actor: str
) -> RightRow:
    """Revoke a certified right (found invalid, transferred, cancelled): it is no longer
    enforceable, and its number is free to be claimed again."""
    right = _known_right(session, right_id)
    target = right_move(right, "revoke")
    right.state = target.value
    _reviewed(right, at, actor, _reason(reason))
    return right
