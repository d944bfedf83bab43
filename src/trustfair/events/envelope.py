"""The event envelope ``{event_id, type, occurred_at, source, payload}``.

One envelope model per event type is built from ``PAYLOAD_TYPES``; together they form
a union discriminated by ``type``, so one pass of pydantic's JSON parser validates a
line and picks its payload model.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, create_model

from trustfair.events import types as _types  # noqa: F401  (registers every event type)
from trustfair.events.fields import Id, Timestamp
from trustfair.events.payload import PAYLOAD_TYPES, EntityRef, Payload


class Envelope(BaseModel):
    """Fields common to every event. ``payload`` is typed per event type."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    event_id: Id
    """Unique per event, chosen by the sender; a repeated id is a duplicate."""
    type: str
    occurred_at: Timestamp
    """When it happened, with a time zone; stored in UTC."""
    source: Id
    """The service that sent it."""
    payload: Payload

    def subject(self) -> EntityRef:
        return self.payload.subject()

    def occurred_at_utc(self) -> datetime:
        return self.occurred_at.astimezone(UTC)

    def to_record(self) -> dict[str, Any]:
        """The envelope as the plain JSON object it was sent as (times in UTC)."""
        return {
            "event_id": self.event_id,
            "type": self.type,
            "occurred_at": self.occurred_at_utc().isoformat().replace("+00:00", "Z"),
            "source": self.source,
            "payload": self.payload.model_dump(mode="json", exclude_unset=True),
        }


def _envelope_for(name: str, payload_model: type[Payload]) -> type[Envelope]:
    class_name = "".join(part.title() for part in name.replace("_", ".").split(".")) + "Event"
    return create_model(
        class_name,
        __base__=Envelope,
        type=(Literal[name], ...),  # type: ignore[valid-type]
        payload=(payload_model, ...),
    )


ENVELOPE_TYPES: dict[str, type[Envelope]] = {
    name: _envelope_for(name, model) for name, model in sorted(PAYLOAD_TYPES.items())
}

AnyEvent = Annotated[
    Union[tuple(ENVELOPE_TYPES.values())],  # type: ignore[valid-type]  # noqa: UP007
    Field(discriminator="type"),
]


@cache
def event_adapter() -> TypeAdapter[Envelope]:
    return TypeAdapter(AnyEvent)


def event_json_schema() -> dict[str, Any]:
    """The JSON Schema of an event: one variant per event type."""
    schema = event_adapter().json_schema()
    schema["title"] = "trustfair event"
    schema["description"] = (
        "An event sent to trustfair: {event_id, type, occurred_at, source, payload}, "
        "with one payload schema per type. Money is integer fen; times carry a zone."
    )
    return schema
