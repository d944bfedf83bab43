"""Rights holders, their documents and rights, as the API, the CLI and exports read them.

Documents are described, never included: their bytes leave the store only through the
download a holder's owner or staff ask for.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import Session, defer

from trustfair.access.roles import Principal, shown_actor
from trustfair.brand.rights import HolderState, RightState
from trustfair.store.models import BrandDocumentRow, RightRow, RightsHolderRow


def visible_holders(principal: Principal) -> Select[tuple[RightsHolderRow]]:
    """The holders ``principal`` may see: every one for staff, a brand its own brands'
    (a merchant, owning no brand, none)."""
    query = select(RightsHolderRow)
    if not principal.sees_everything:
        own = sorted(p.id for p in principal.owns if p.type == "brand")
        query = query.where(RightsHolderRow.brand_id.in_(own))
    return query


def waiting_for_review(query: Select[tuple[RightsHolderRow]]) -> Select[tuple[RightsHolderRow]]:
    """Holders a reviewer has something to decide on: an application, or a pending right."""
    pending_right = exists().where(
        RightRow.holder_id == RightsHolderRow.id, RightRow.state == RightState.PENDING
    )
    return query.where(or_(RightsHolderRow.state == HolderState.APPLIED, pending_right))


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def document_record(row: BrandDocumentRow, principal: Principal) -> dict[str, Any]:
    """A document's metadata (not its body)."""
    return {
        "id": row.id,
        "holder_id": row.holder_id,
        "kind": row.kind,
        "filename": row.filename,
        "content_type": row.content_type,
        "size": row.size,
        "sha256": row.sha256,
        "uploaded_by": shown_actor(row.uploaded_by, principal),
        "uploaded_at": _time(row.uploaded_at),
    }


def right_record(row: RightRow, principal: Principal) -> dict[str, Any]:
    return {
        "id": row.id,
        "holder_id": row.holder_id,
        "brand_id": row.brand_id,
        "kind": row.kind,
        "number": row.number,
        "nice_class": row.nice_class,
        "territory": row.territory,
        "valid_from": _time(row.valid_from),
        "valid_until": _time(row.valid_until),
        "document_ids": list(row.document_ids or []),
        "state": row.state,
        "applied_at": _time(row.applied_at),
        "reviewed_by": shown_actor(row.reviewed_by, principal),
        "reviewed_at": _time(row.reviewed_at),
        "reason": row.reason,
    }


def holder_summary(session: Session, row: RightsHolderRow, principal: Principal) -> dict[str, Any]:
    """A holder without its documents and rights, with how many rights wait for review."""
    pending = session.scalar(
        select(func.count())
        .select_from(RightRow)
        .where(RightRow.holder_id == row.id, RightRow.state == RightState.PENDING)
    )
    return {
        "id": row.id,
        "brand_id": row.brand_id,
        "company_name": row.company_name,
        "registration_number": row.registration_number,
        "country": row.country,
        "agent_name": row.agent_name,
        "state": row.state,
        "standing": row.standing,
        "applied_by": shown_actor(row.applied_by, principal),
        "applied_at": _time(row.applied_at),
        "reviewed_by": shown_actor(row.reviewed_by, principal),
        "reviewed_at": _time(row.reviewed_at),
        "reason": row.reason,
        "pending_rights": int(pending or 0),
    }


def holder_record(session: Session, row: RightsHolderRow, principal: Principal) -> dict[str, Any]:
    """A holder with its documents (metadata) and rights, oldest first."""
    documents = session.scalars(
        select(BrandDocumentRow)
        .options(defer(BrandDocumentRow.body))  # up to 10 MB each, and not shown here
        .where(BrandDocumentRow.holder_id == row.id)
        .order_by(BrandDocumentRow.uploaded_at, BrandDocumentRow.id)
    )
    rights = session.scalars(
        select(RightRow).where(RightRow.holder_id == row.id).order_by(RightRow.id)
    )
    return {
        **holder_summary(session, row, principal),
        "documents": [document_record(d, principal) for d in documents],
        "rights": [right_record(r, principal) for r in rights],
    }
