"""Tables the enforcement effects read, kept up to date from events."""

from __future__ import annotations

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
class IdentityKeys:
    """The identity keys of every merchant and streamer account, as they register or
    change them; an account keeps the keys it ever had, so changing a phone number
    does not unlink it."""

    name: str = "identity_keys"
    event_types: frozenset[str] = REGISTRATIONS

    def project(self, event: StoredEvent, session: Session) -> None:
        keys = identity_keys(getattr(event.envelope.payload, "identity", None))
        record_identity(session, event.subject, keys, event.occurred_at)


@register_projector("identity_keys")
def make_projector(_: Settings) -> IdentityKeys:
    return IdentityKeys()
