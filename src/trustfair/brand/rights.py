"""Rights holders and their rights: who may enforce what.

A holder applies with its company's registration (and, for an agent, a letter of
authorisation); each right (trademark, patent, copyright) is claimed with its documents
and validity. A reviewer certifies both. Only a certified right of a certified holder,
valid at the time, can be enforced: ``enforceable_right`` is the one check every
enforcement path (notices, banks) makes.

The moves between states are two tables (``HOLDER_MOVES``, ``RIGHT_MOVES``); any other
move is refused naming the state the record is in. A right's expiry is not a move: it
is its ``valid_until``, checked wherever the right is used.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from trustfair.store.models import RightRow, RightsHolderRow


class HolderState(StrEnum):
    APPLIED = "applied"
    CERTIFIED = "certified"
    REJECTED = "rejected"
    SUSPENDED = "suspended"


class RightState(StrEnum):
    PENDING = "pending"
    CERTIFIED = "certified"
    REJECTED = "rejected"
    REVOKED = "revoked"


class RightKind(StrEnum):
    TRADEMARK = "trademark"
    PATENT = "patent"
    COPYRIGHT = "copyright"


HOLDER_MOVES: dict[tuple[str, str], HolderState] = {
    (HolderState.APPLIED, "certify"): HolderState.CERTIFIED,
    (HolderState.APPLIED, "reject"): HolderState.REJECTED,
    (HolderState.CERTIFIED, "suspend"): HolderState.SUSPENDED,
    # Reinstatement is a certification again, with the same checks of the documents.
    (HolderState.SUSPENDED, "certify"): HolderState.CERTIFIED,
}

RIGHT_MOVES: dict[tuple[str, str], RightState] = {
    (RightState.PENDING, "certify"): RightState.CERTIFIED,
    (RightState.PENDING, "reject"): RightState.REJECTED,
    (RightState.CERTIFIED, "revoke"): RightState.REVOKED,
}


class RightsRefused(ValueError):
    """An application, upload or claim that is not valid as sent (the message says what
    and where); nothing was written."""


class RightsConflict(RightsRefused):
    """The step is not possible in the record's present state (already decided, a
    document missing, the right already claimed ...); nothing was written."""


def holder_move(holder: RightsHolderRow, step: str) -> HolderState:
    """Where ``step`` takes ``holder``, or a refusal naming the state it is in. Asked
    before a step's other checks, so a decided holder hears that first."""
    target = HOLDER_MOVES.get((holder.state, step))
    if target is None:
        raise RightsConflict(f"rights holder {holder.id!r} is {holder.state}: it cannot {step}")
    return target


def right_move(right: RightRow, step: str) -> RightState:
    """Where ``step`` takes ``right``, or a refusal naming the state it is in."""
    target = RIGHT_MOVES.get((right.state, step))
    if target is None:
        raise RightsConflict(f"right {right.id} is {right.state}: it cannot {step}")
    return target


@dataclass(frozen=True, slots=True)
class NotEnforceable:
    """Why a right cannot be enforced now, said so a rights holder can act on it."""

    reason: str


def enforceable_right(
    session: Session, holder_id: str, right_id: int, at: datetime
) -> RightRow | NotEnforceable:
    """The right, if ``holder_id`` is certified, holds ``right_id``, and the right is
    certified and valid at ``at``; otherwise why not."""
    holder = session.get(RightsHolderRow, holder_id)
    if holder is None:
        return NotEnforceable(f"rights holder {holder_id!r} is not known")
    if holder.state != HolderState.CERTIFIED:
        return NotEnforceable(f"rights holder {holder_id!r} is {holder.state}, not certified")
    right = session.get(RightRow, right_id)
    if right is None or right.holder_id != holder_id:
        return NotEnforceable(f"right {right_id} is not one of {holder_id!r}'s rights")
    if right.state != RightState.CERTIFIED:
        return NotEnforceable(f"right {right_id} is {right.state}, not certified")
    if at < right.valid_from:
        return NotEnforceable(f"right {right_id} is valid only from {right.valid_from:%Y-%m-%d}")
    if right.valid_until is not None and at >= right.valid_until:
        return NotEnforceable(f"right {right_id} expired on {right.valid_until:%Y-%m-%d}")
    return right


def certified_brands(session: Session, at: datetime, brand_id: str | None = None) -> set[str]:
    """Brands (``brand_id`` only, if given) with a certified holder whose certified
    trademark is valid at ``at``: whose mark may be enforced without a reviewer, and
    who may edit their own bank."""
    query = (
        select(RightRow.brand_id)
        .join(RightsHolderRow, RightsHolderRow.id == RightRow.holder_id)
        .where(
            RightRow.kind == RightKind.TRADEMARK,
            RightRow.state == RightState.CERTIFIED,
            RightRow.valid_from <= at,
            (RightRow.valid_until.is_(None)) | (RightRow.valid_until > at),
            RightsHolderRow.state == HolderState.CERTIFIED,
        )
    )
    if brand_id is not None:
        query = query.where(RightRow.brand_id == brand_id)
    return set(session.scalars(query))
