"""Rights holders and their rights: who may enforce what.

A holder applies with its company's registration (and, for an agent, a letter of
authorisation); each right (trademark, patent, copyright) is claimed with its documents
and validity. A reviewer certifies both. Only a certified right of a certified holder,
valid at the time, can be enforced: ``enforceable_right`` is the one check every
enforcement path (notices, banks) makes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

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
