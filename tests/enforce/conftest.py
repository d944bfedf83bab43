"""A policy small enough to read in a test, and a detector that says what it is told.

The marker detector turns ``[[label]]`` or ``[[label:review]]`` in an event's text into
a signal of that label (block severity unless told): the enforcement tests are about
what the policy and its effects do with signals, not about finding them.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.factories import T0, event
from trustfair.pipeline.interfaces import Context, Signal, StoredEvent
from trustfair.pipeline.registry import Registry, build_registry
from trustfair.policy.files import FilePolicy, load_policy
from trustfair.settings import Settings

MARK = re.compile(r"\[\[([a-z_]+)(?::(block|review))?\]\]")

POLICY = """\
version: test-1
violations:
  extreme_claim: {class: general, points: 4, basis: Advertising Law Art. 9(3)}
  diversion: {class: general, points: 4}
  unapproved_product: {class: general, points: 4}
  medical_claim: {class: serious, points: 6, basis: Advertising Law Art. 17}
  spam_porn: {class: serious, points: 12}
  evading_sanction: {class: serious, points: 36, basis: 规避处罚}
nodes:
  general:
    - {points: 8, sanctions: [{kind: warning}]}
    - {points: 12, sanctions: [{kind: live_suspension, days: 7}]}
    - {points: 20, sanctions: [{kind: ban}]}
  serious:
    - points: 12
      sanctions: [{kind: live_suspension, days: 7}, {kind: settlement_freeze, days: 30}]
    - {points: 24, sanctions: [{kind: ban}]}
escalation: {window_days: 30, factor: 2}
linked_accounts:
  keys: [id_number, phone, bank_account, address, device]
  share: [live_suspension, ban]
appeals: {within_days: 7, how: appeal in the console}
rules:
  - id: live.refuse_restricted
    priority: 100
    when:
      events: [live.started]
      author: {restricted_by: [live_suspension, ban]}
    verdict: block
    actions: [{kind: send_command, params: {topic: live.refuse, once_per: subject}}]
  - id: marked.block
    when: {signal: {detector: marker, severity: block}}
    verdict: block
    actions: [{kind: points}]
  - id: marked.review
    when: {signal: {detector: marker, severity: review}}
    verdict: review
  - id: live.unapproved_product
    when:
      events: [live.segment]
      author: {points_at_least: 8}
      listing_approved: false
    verdict: review
    actions: [{kind: points, params: {violations: [unapproved_product]}}]
  - id: accounts.evasion
    when:
      events: [merchant.registered, streamer.registered]
      linked: {restricted_by: [live_suspension, ban], keys: [id_number, phone]}
    verdict: block
    actions: [{kind: sanction, params: {kind: ban, violation: evading_sanction}}]
  - id: accounts.linked
    when: {events: [merchant.registered, streamer.registered]}
    actions: [{kind: share_sanctions}]
"""


@dataclass(frozen=True)
class MarkerDetector:
    name: str = "marker"
    version: str = "1"
    event_types: frozenset[str] = frozenset(
        {"listing.published", "listing.updated", "live.segment", "live.started", "live.chat"}
    )

    def detect(self, event: StoredEvent, context: Context) -> list[Signal]:
        return [
            Signal(
                self.name,
                self.version,
                match[1],
                0.95,
                {
                    "field": field,
                    "severity": match[2] or "block",
                    "rule": f"{match[1]}.marked",
                    "spans": [{"start": match.start(), "end": match.end(), "text": match[0]}],
                },
            )
            for field, text in event.envelope.payload.texts()
            for match in MARK.finditer(text)
        ]


def write_policy(directory: Path, text: str = POLICY, name: str = "policy.yaml") -> Path:
    path = directory / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def marker_registry(policy: FilePolicy) -> Registry:
    registry = build_registry(Settings(), policy=policy)
    registry.detectors = [MarkerDetector()]
    registry._by_type.clear()
    return registry


@pytest.fixture
def policy(tmp_path: Path) -> FilePolicy:
    return load_policy(write_policy(tmp_path))


@pytest.fixture
def registry(policy: FilePolicy) -> Registry:
    return marker_registry(policy)


def at(days: float = 0, minutes: float = 0) -> datetime:
    return T0 + timedelta(days=days, minutes=minutes)


def identity(n: int, **overrides: object) -> dict[str, object]:
    ident: dict[str, object] = {
        "id_number": f"11010119900101{n:04d}",
        "phone": f"1380000{n:04d}",
        "bank_account": f"6222{n:012d}",
        "address": f"北京市朝阳区某路{n}号",
        "device_ids": [f"dev-{n}"],
    }
    ident.update(overrides)
    return ident


def merchant_registered(
    eid: str, merchant_id: str, ident: dict[str, object], when: datetime = T0
) -> dict[str, object]:
    return event(
        eid,
        "merchant.registered",
        {
            "merchant_id": merchant_id,
            "shop_id": f"s-{merchant_id}",
            "shop_name": f"店铺{merchant_id}",
            "identity": ident,
        },
        when,
    )


def streamer_registered(
    eid: str, streamer_id: str, ident: dict[str, object], when: datetime = T0
) -> dict[str, object]:
    return event(
        eid,
        "streamer.registered",
        {"streamer_id": streamer_id, "nickname": f"主播{streamer_id}", "identity": ident},
        when,
    )


def listing_published(
    eid: str, listing_id: str, merchant_id: str, text: str, when: datetime = T0
) -> dict[str, object]:
    return event(
        eid,
        "listing.published",
        {
            "listing_id": listing_id,
            "merchant_id": merchant_id,
            "title": f"商品{listing_id}",
            "description": text,
            "category": "food",
            "price_fen": 9900,
        },
        when,
    )


def live_started(eid: str, session_id: str, streamer_id: str, when: datetime = T0) -> dict:
    return event(
        eid,
        "live.started",
        {"session_id": session_id, "streamer_id": streamer_id, "title": "今晚直播"},
        when,
    )


def live_segment(
    eid: str,
    session_id: str,
    streamer_id: str,
    text: str,
    when: datetime = T0,
    listing_id: str | None = None,
) -> dict:
    payload: dict[str, object] = {
        "session_id": session_id,
        "streamer_id": streamer_id,
        "seq": 1,
        "offset_ms": 1000,
        "text": text,
    }
    if listing_id:
        payload["listing_id"] = listing_id
    return event(eid, "live.segment", payload, when)
