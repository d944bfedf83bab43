"""Live-stream sessions: start, transcript segments, chat, end."""

from __future__ import annotations

from pydantic import Field

from trustfair.events.fields import Fen, Id, LongText, Name, ShortText
from trustfair.events.payload import Payload, event_type


@event_type("live.started", subject=("live_session", "session_id"), texts=("title",))
class LiveStarted(Payload):
    session_id: Id
    streamer_id: Id
    merchant_id: Id | None = None
    title: Name


@event_type("live.segment", subject=("live_session", "session_id"), texts=("text",))
class LiveSegment(Payload):
    """A piece of the stream's speech-to-text transcript."""

    session_id: Id
    streamer_id: Id
    seq: int = Field(ge=0, le=10**12)
    offset_ms: int = Field(ge=0, le=10**12)
    """Milliseconds since the session started."""
    text: LongText
    listing_id: Id | None = None
    """The product on screen while this was said, if known."""
    spoken_price_fen: Fen | None = None
    """A price the streamer said aloud, when the transcript service extracted one."""


@event_type("live.chat", subject=("live_session", "session_id"), texts=("text",))
class LiveChat(Payload):
    session_id: Id
    message_id: Id
    user_id: Id
    text: ShortText


@event_type("live.ended", subject=("live_session", "session_id"))
class LiveEnded(Payload):
    session_id: Id
    streamer_id: Id
    viewers: int = Field(default=0, ge=0, le=10**12)
    peak_viewers: int = Field(default=0, ge=0, le=10**12)


@event_type("prereview.decided", subject=("streamer", "streamer_id"))
class PrereviewDecided(Payload):
    """A reviewer's answer on whether a streamer under pre-review may sell a product."""

    streamer_id: Id
    listing_id: Id
    approved: bool
    reviewer_id: Id
    note: ShortText = ""
