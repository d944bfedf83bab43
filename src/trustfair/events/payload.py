"""The base of every event payload and the table of event types.

A new event type is one class decorated with ``@event_type("noun.verb")``; the
envelope, the JSON Schema, ingestion and the simulator all read the table it fills.
"""

from __future__ import annotations

from typing import ClassVar, NamedTuple

from pydantic import BaseModel, ConfigDict


class EntityRef(NamedTuple):
    """The entity an event is about: its partition key and timeline owner."""

    type: str
    id: str


class Payload(BaseModel):
    """Base of all payloads: strict types, unknown fields refused, values frozen."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    event_type: ClassVar[str]
    subject_type: ClassVar[str]
    subject_field: ClassVar[str]
    text_fields: ClassVar[tuple[str, ...]] = ()
    """Fields holding free text a person wrote: what the text detectors read."""

    def subject(self) -> EntityRef:
        return EntityRef(self.subject_type, str(getattr(self, self.subject_field)))

    def texts(self) -> list[tuple[str, str]]:
        """(field, text) for every non-empty free-text field of this payload."""
        found = []
        for name in self.text_fields:
            value = getattr(self, name, None)
            if value:
                found.append((name, value))
        return found


PAYLOAD_TYPES: dict[str, type[Payload]] = {}


def event_type(name: str, *, subject: tuple[str, str] | None, texts: tuple[str, ...] = ()):
    """Register a payload class as the payload of event type ``name``.

    ``subject`` is (entity type, payload field holding its id): the entity the event
    is about; None when the class overrides ``subject()`` itself. ``texts`` names the
    fields with free text.
    """

    def register(cls: type[Payload]) -> type[Payload]:
        if name in PAYLOAD_TYPES:
            raise ValueError(f"event type {name!r} is registered twice")
        if subject is None and cls.subject is Payload.subject:
            raise ValueError(f"{cls.__name__}: no subject for event type {name!r}")
        cls.event_type = name
        if subject is not None:
            cls.subject_type, cls.subject_field = subject
        cls.text_fields = texts
        fields = (subject[1],) if subject else ()
        missing = [f for f in (*fields, *texts) if f not in cls.model_fields]
        if missing:
            raise ValueError(f"{cls.__name__}: no field(s) {missing} for event type {name!r}")
        PAYLOAD_TYPES[name] = cls
        return cls

    return register
