"""The identity keys behind every merchant and streamer account, for linked accounts.

Written as accounts register or change their identity; an account keeps every key it
ever had, so changing a phone number does not unlink it. Each key carries the event
that first showed it, so links are judged as of each event, however the input was
cut into batches.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from trustfair.enforce.linked import identity_keys, record_identity
from trustfair.pipeline.interfaces import StoredEvent
from trustfair.pipeline.registry import register_projector
from trustfair.settings import Settings

REGISTRATIONS = frozenset(
    {"merchant.registered", "merchant.updated", "streamer.registered", "streamer.updated"}
)


@dataclass(frozen=True)
class IdentityKeyProjector:
    name: str = "identity_keys"
    event_types: frozenset[str] = REGISTRATIONS

    def project(self, events: Sequence[StoredEvent], session: Session) -> None:
        for event in events:
            keys = identity_keys(getattr(event.envelope.payload, "identity", None))
            record_identity(session, event.subject, keys, event.occurred_at, event.seq)


@register_projector("identity_keys")
def make_projector(_: Settings) -> IdentityKeyProjector:
    return IdentityKeyProjector()
