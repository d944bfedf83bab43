"""Ticket SLAs per channel and escalation levels: data (``voice/data/sla.yaml``),
checked when loaded.

A ticket is due ``hours`` after it opened; level 1 is reached at the due time and
level 2 at twice the SLA (``escalation_due``). On replayed history every time is the
events' time, so a ticket closed late breached, whenever the replay ran.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from trustfair.yaml_files import load_yaml_model

DEFAULT_PATH = Path(__file__).parent / "data" / "sla.yaml"
CHANNELS = ("in_app", "hotline", "review", "social", "survey_comment")
Channel = Literal["in_app", "hotline", "review", "social", "survey_comment"]
LEVELS = (1, 2)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ChannelSla(_Strict):
    hours: Annotated[int, Field(ge=1, le=720)]


class Priorities(_Strict):
    """The priority (1 most urgent) of the case an escalation opens, per level."""

    level_1: Annotated[int, Field(ge=1, le=9)]
    level_2: Annotated[int, Field(ge=1, le=9)]

    def of(self, level: int) -> int:
        return self.level_1 if level == 1 else self.level_2


class SlaTerms(_Strict):
    version: Annotated[str, Field(min_length=1, max_length=40)]
    channels: dict[Channel, ChannelSla]
    queue: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9_]+$")]
    case_sla_hours: Annotated[int, Field(ge=1, le=720)]
    priority: Priorities

    @model_validator(mode="after")
    def _complete(self) -> SlaTerms:
        missing = [c for c in CHANNELS if c not in self.channels]
        if missing:
            raise ValueError(f"channels without an SLA: {', '.join(missing)}")
        return self

    def sla(self, channel: str) -> timedelta:
        try:
            return timedelta(hours=self.channels[channel].hours)  # type: ignore[index]
        except KeyError:
            raise LookupError(f"no SLA for channel {channel!r}; known: {CHANNELS}") from None

    def due_at(self, channel: str, opened_at: datetime) -> datetime:
        return opened_at + self.sla(channel)

    def escalation_due(self, channel: str, opened_at: datetime, level: int) -> datetime:
        """When a ticket still open reaches ``level``: the SLA times the level."""
        return opened_at + self.sla(channel) * level


def load_sla(path: Path = DEFAULT_PATH) -> SlaTerms:
    """The SLAs in ``path``; ``yaml_files.FileError`` (file, line, what) if wrong."""
    return load_yaml_model(path, SlaTerms)


@cache
def default_sla() -> SlaTerms:
    return load_sla()
