"""Each kind of bad line is rejected with a reason that says what and where."""

from __future__ import annotations

import json

import pytest

from tests.factories import event, order_paid
from trustfair.events.envelope import ENVELOPE_TYPES, event_json_schema
from trustfair.events.validation import MAX_LINE_BYTES, Rejection, parse_line


def line(obj: object) -> bytes:
    return json.dumps(obj, ensure_ascii=False).encode()


def reason_of(raw: bytes) -> str:
    result = parse_line(raw, 7)
    assert isinstance(result, Rejection), f"expected a rejection, got {result!r}"
    assert result.line == 7
    return result.reason


def test_a_valid_event_is_parsed_with_its_typed_payload() -> None:
    parsed = parse_line(line(order_paid("e1", "o1", 1234)), 1)
    assert not isinstance(parsed, Rejection)
    assert parsed.type == "order.paid"
    assert parsed.payload.amount_fen == 1234
    assert parsed.subject() == ("order", "o1")
    assert parsed.occurred_at_utc().utcoffset().total_seconds() == 0


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b'{"event_id": "e1", ', "invalid JSON"),
        (b"[1, 2]", "must be a JSON object"),
        (line(event("e1", "listing.teleported", {})), "unknown event type 'listing.teleported'"),
        (line({k: v for k, v in order_paid("e1", "o1").items() if k != "type"}), "type: missing"),
        (
            line({**order_paid("e1", "o1"), "occurred_at": "2026-03-01T20:00:00"}),
            "occurred_at: timestamp has no time zone",
        ),
        (line({**order_paid("e1", "o1"), "extra": 1}), "extra: unknown field"),
        (b"\xe5\xbe\xae\xff\xfe", "invalid UTF-8 at byte 3"),
    ],
)
def test_bad_lines_say_what_is_wrong(raw: bytes, expected: str) -> None:
    assert expected in reason_of(raw)


def test_wrong_and_missing_payload_fields_are_named() -> None:
    bad = order_paid("e1", "o1")
    bad["payload"]["amount_fen"] = 12.5  # money is integer fen, never a float
    del bad["payload"]["buyer_id"]
    reason = reason_of(line(bad))
    assert "payload.amount_fen: Input should be a valid integer" in reason
    assert "payload.buyer_id: missing" in reason


def test_numbers_sent_as_strings_are_refused_not_guessed() -> None:
    bad = order_paid("e1", "o1")
    bad["payload"]["amount_fen"] = "9900"
    assert "payload.amount_fen" in reason_of(line(bad))


def test_negative_money_is_refused() -> None:
    bad = order_paid("e1", "o1", amount_fen=-1)
    assert "payload.amount_fen" in reason_of(line(bad))


def test_oversized_text_is_refused() -> None:
    chat = event(
        "e1",
        "live.chat",
        {"session_id": "s1", "message_id": "m1", "user_id": "u1", "text": "好" * 5000},
    )
    assert "payload.text: oversized text" in reason_of(line(chat))


def test_oversized_line_is_refused_before_parsing() -> None:
    raw = b"x" * (MAX_LINE_BYTES + 1)
    assert "oversized line" in reason_of(raw)


def test_nul_and_lone_surrogates_are_refused() -> None:
    chat = event(
        "e1",
        "live.chat",
        {"session_id": "s", "message_id": "m", "user_id": "u", "text": "a\u0000b"},
    )
    assert "NUL" in reason_of(line(chat))
    surrogate = json.dumps(chat).replace("a\\u0000b", "\\ud800").encode()
    assert "invalid JSON" in reason_of(surrogate)


@pytest.mark.parametrize(
    ("occurred_at", "expected"),
    [
        ("1714557600", "RFC 3339"),
        ("2026-03-01", "RFC 3339"),
        ("2026-03-01T20:00:00", "no time zone"),
        ("2026-02-30T20:00:00Z", "not a real date"),
        ("0001-01-01T00:00:00+01:00", "out of range"),
        ("9999-12-31T23:59:59-01:00", "out of range"),
    ],
)
def test_timestamps_must_be_rfc3339_with_a_zone_and_plausible(
    occurred_at: str, expected: str
) -> None:
    assert expected in reason_of(line({**order_paid("e1", "o1"), "occurred_at": occurred_at}))


def test_nanoseconds_are_accepted_and_kept_to_the_microsecond() -> None:
    parsed = parse_line(
        line({**order_paid("e1", "o1"), "occurred_at": "2026-03-01T12:00:00.123456789Z"}), 1
    )
    assert not isinstance(parsed, Rejection)
    assert parsed.occurred_at.microsecond == 123456


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b'{"event_id": "a", "event_id": "b"}', "duplicate key 'event_id'"),
        (b'{"event_id": NaN}', "NaN is not a JSON number"),
        (b"[" * 5000 + b"]" * 5000, "invalid JSON"),
    ],
)
def test_ambiguous_json_is_refused(raw: bytes, expected: str) -> None:
    assert expected in reason_of(raw)


def test_huge_counts_are_refused() -> None:
    ended = event("e1", "live.ended", {"session_id": "s", "streamer_id": "t", "viewers": 2**70})
    assert "payload.viewers" in reason_of(line(ended))


def test_rejection_keeps_the_raw_line_visible_even_when_not_utf8() -> None:
    result = parse_line(b'{"a": "\xff"}', 3)
    assert isinstance(result, Rejection)
    assert result.to_record() == {"line": 3, "reason": result.reason, "raw": '{"a": "\\xff"}'}


def test_every_required_event_type_has_a_model() -> None:
    required = {
        "merchant.registered",
        "merchant.updated",
        "streamer.registered",
        "streamer.updated",
        "brand.registered",
        "brand.updated",
        "listing.published",
        "listing.updated",
        "listing.removed",
        "listing.price_changed",
        "live.started",
        "live.segment",
        "live.chat",
        "live.ended",
        "order.paid",
        "order.shipped",
        "order.delivered",
        "order.returned",
        "order.refunded",
        "order.confirmed",
        "order.refund_refused",
        "report.filed",
        "complaint.filed",
        "ticket.opened",
        "ticket.closed",
        "survey.answered",
        "feedback.negative",
    }
    assert required <= set(ENVELOPE_TYPES)


def test_json_schema_has_one_variant_per_type() -> None:
    schema = event_json_schema()
    variants = schema["oneOf"]
    assert len(variants) == len(ENVELOPE_TYPES)
    assert set(schema["discriminator"]["mapping"]) == set(ENVELOPE_TYPES)
