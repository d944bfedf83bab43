"""A live session's decaying risk score, and the one shutdown when it crosses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.factories import T0, event, ingest, report_on_live
from trustfair.enforce.live_risk import add_risk, decayed
from trustfair.pipeline.registry import Registry, build_registry
from trustfair.settings import Settings
from trustfair.store.database import Store
from trustfair.store.models import CaseRow, LiveRiskRow, OutboxRow

DIVERSION = "加我微信 tf8899123 私下转账更便宜，平台上不要拍"
PORN = "加V看福利视频 约炮 一夜情 懂的来"
HONEST = "这款保温杯是三百毫升的，双层不锈钢，放包里不占地方"


def segment(event_id: str, session: str, text: str, at: datetime) -> dict:
    return event(
        event_id,
        "live.segment",
        {
            "session_id": session,
            "streamer_id": f"st-{session}",
            "seq": 0,
            "offset_ms": 0,
            "text": text,
        },
        at,
    )


@pytest.fixture
def registry() -> Registry:
    """The default registry: the real text detector and the bundled policy's live.risk
    rules (this folder's conftest otherwise gives a marker detector)."""
    return build_registry(Settings())


def risk(store: Store, session: str) -> LiveRiskRow | None:
    with store.reading() as db:
        return db.get(LiveRiskRow, session)


def outbox(store: Store) -> list[OutboxRow]:
    """The shutdown commands (the bundled policy also sends content.block and others)."""
    with store.reading() as db:
        return list(
            db.scalars(
                select(OutboxRow).where(OutboxRow.topic == "live.shutdown").order_by(OutboxRow.id)
            )
        )


def shutdown_cases(store: Store) -> list[CaseRow]:
    with store.reading() as db:
        return list(db.scalars(select(CaseRow).where(CaseRow.kind == "live_shutdown")))


# -- the arithmetic ------------------------------------------------------------------


def test_a_score_halves_every_half_life_of_event_time() -> None:
    assert decayed(80.0, T0, T0 + timedelta(seconds=120), 120) == pytest.approx(40.0)
    assert decayed(80.0, T0, T0 + timedelta(seconds=360), 120) == pytest.approx(10.0)
    assert decayed(80.0, T0, T0, 120) == 80.0
    # An earlier time never makes a score grow.
    assert decayed(80.0, T0, T0 - timedelta(seconds=60), 120) == 80.0


def test_adding_risk_does_not_depend_on_the_order_events_arrive_in() -> None:
    raises = [(60.0, T0), (10.0, T0 + timedelta(seconds=90)), (25.0, T0 + timedelta(seconds=30))]
    expected = sum(a * 2 ** (-(90 - (t - T0).total_seconds()) / 120) for a, t in raises)
    for order in (raises, raises[::-1], [raises[1], raises[0], raises[2]]):
        score, at = 0.0, order[0][1]
        for amount, when in order:
            score, at = add_risk(score, at, amount, when, 120)
        assert at == T0 + timedelta(seconds=90)
        assert score == pytest.approx(expected)


# -- through the pipeline ------------------------------------------------------------


def test_honest_talk_raises_nothing(store, registry) -> None:
    ingest(
        store,
        registry,
        *(segment(f"h{i}", "s1", HONEST, T0 + timedelta(seconds=i)) for i in range(20)),
    )
    assert risk(store, "s1") is None
    assert outbox(store) == []


def test_one_high_risk_line_is_not_enough_but_a_second_one_shuts_the_stream(
    store, registry
) -> None:
    ingest(store, registry, segment("e1", "s1", DIVERSION, T0))
    row = risk(store, "s1")
    assert row is not None and row.score == pytest.approx(70.0) and row.shutdown_at is None
    assert outbox(store) == []

    ingest(store, registry, segment("e2", "s1", PORN, T0 + timedelta(seconds=30)))
    row = risk(store, "s1")
    assert row.shutdown_at == T0 + timedelta(seconds=30)
    assert row.streamer_id == "st-s1"
    assert row.score == pytest.approx(70 * 2 ** (-30 / 120) + 70)
    [command] = outbox(store)
    assert (command.topic, command.dedupe_key) == ("live.shutdown", "live.shutdown:s1")
    assert command.delivered_at is None and command.attempts == 0
    payload = command.payload
    assert payload["command"] == "shutdown_live"
    assert (payload["session_id"], payload["streamer_id"]) == ("s1", "st-s1")
    assert payload["threshold"] == 100.0 and payload["score"] >= 100
    assert payload["event_id"] == "e2" and payload["decision_id"] == command.decision_id
    assert payload["decided_at"] == "2026-03-01T12:00:30Z"
    rules = {reason["rule"] for reason in payload["reasons"]}
    assert "live.risk.speech" in rules
    [live_risk] = [r for r in payload["reasons"] if r["rule"] == "live.risk.speech"]
    assert {s["label"] for s in live_risk["signals"]} & {"spam_porn", "diversion"}
    [case] = shutdown_cases(store)
    assert (case.queue, case.priority, case.subject_type, case.subject_id) == (
        "live",
        0,
        "live_session",
        "s1",
    )
    assert case.opening_decision_id == command.decision_id


def test_risk_that_keeps_coming_sends_one_command_and_opens_one_case(store, registry) -> None:
    lines = [
        segment(f"e{i}", "s1", (DIVERSION, PORN)[i % 2], T0 + timedelta(seconds=5 * i))
        for i in range(12)
    ]
    # Across several batches too: the second command is refused by state, not luck.
    ingest(store, registry, *lines[:5])
    ingest(store, registry, *lines[5:], batch_size=3)
    assert len(outbox(store)) == 1
    assert len(shutdown_cases(store)) == 1
    row = risk(store, "s1")
    assert row.shutdown_at == T0 + timedelta(seconds=5)  # the second line crossed
    assert row.score > 300  # the record keeps rising: it shows how bad it got


def test_risk_decays_between_lines_far_apart(store, registry) -> None:
    # Two high-risk lines ten minutes apart: the first has decayed to 70/32 by then.
    ingest(
        store,
        registry,
        segment("e1", "s1", DIVERSION, T0),
        segment("e2", "s1", DIVERSION, T0 + timedelta(minutes=10)),
    )
    assert risk(store, "s1").score == pytest.approx(70 / 32 + 70)
    assert outbox(store) == []


def test_sessions_are_scored_apart(store, registry) -> None:
    ingest(store, registry, segment("e1", "s1", DIVERSION, T0), segment("e2", "s2", PORN, T0))
    assert risk(store, "s1").score == pytest.approx(70)
    assert risk(store, "s2").score == pytest.approx(70)
    assert outbox(store) == []


def test_a_burst_of_distinct_reporters_crosses_but_one_user_reporting_again_does_not(
    store, registry
) -> None:
    again = [
        report_on_live(f"same{i}", "s1", T0 + timedelta(seconds=i), reporter="u1")
        for i in range(20)
    ]
    ingest(store, registry, *again)
    assert risk(store, "s1").score == pytest.approx(10)
    burst = [report_on_live(f"r{i}", "s2", T0 + timedelta(seconds=i)) for i in range(12)]
    ingest(store, registry, *burst)
    assert risk(store, "s2").shutdown_at is not None
    [command] = outbox(store)
    assert command.payload["session_id"] == "s2"
    assert command.payload["streamer_id"] is None  # reports do not name the streamer


def test_a_high_risk_line_and_a_few_reports_cross_together(store, registry) -> None:
    ingest(
        store,
        registry,
        segment("e1", "s1", DIVERSION, T0),
        *(report_on_live(f"r{i}", "s1", T0 + timedelta(seconds=10 + i)) for i in range(4)),
    )
    [command] = outbox(store)
    assert command.payload["streamer_id"] == "st-s1"


def test_the_threshold_and_half_life_come_from_the_settings(store) -> None:
    registry = build_registry(Settings(live_risk_threshold=50, live_risk_half_life_seconds=60))
    ingest(store, registry, segment("e1", "s1", DIVERSION, T0))
    [command] = outbox(store)
    assert command.payload["threshold"] == 50.0


def test_a_replay_gives_the_same_scores_and_commands(store, sqlite_store: Store, registry) -> None:
    rng_lines = [
        segment(
            f"e{i}", f"s{i % 4}", (DIVERSION, HONEST, PORN)[i % 3], T0 + timedelta(seconds=7 * i)
        )
        for i in range(40)
    ] + [report_on_live(f"r{i}", f"s{i % 4}", T0 + timedelta(seconds=3 * i)) for i in range(30)]
    ingest(store, registry, *rng_lines, batch_size=7)
    ingest(sqlite_store, registry, *rng_lines, batch_size=1_000)

    def state(s: Store) -> tuple[list, list]:
        with s.reading() as db:
            rows = [
                (r.session_id, r.streamer_id, round(r.score, 9), r.updated_at, r.shutdown_at)
                for r in db.scalars(select(LiveRiskRow).order_by(LiveRiskRow.session_id))
            ]
            commands = [
                (c.dedupe_key, {k: v for k, v in c.payload.items() if k != "decision_id"})
                for c in db.scalars(
                    select(OutboxRow)
                    .where(OutboxRow.topic == "live.shutdown")
                    .order_by(OutboxRow.dedupe_key)
                )
            ]
        return rows, commands

    assert state(store) == state(sqlite_store)
    rows, commands = state(store)
    assert len(commands) == 4 and all(shutdown for *_, shutdown in rows)


def test_created_at_of_a_command_is_the_wall_clock(store, registry) -> None:
    before = datetime.now(UTC)
    ingest(store, registry, segment("e1", "s1", DIVERSION, T0), segment("e2", "s1", PORN, T0))
    [command] = outbox(store)
    assert command.created_at >= before and command.next_attempt_at == command.created_at
