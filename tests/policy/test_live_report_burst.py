"""End to end through the spine: N reports on a live session within M minutes open one case."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.factories import T0, event, ingest, report_on_live
from trustfair.pipeline.registry import build_registry
from trustfair.policy.files import DEFAULT_POLICY_PATH, load_policy
from trustfair.settings import Settings
from trustfair.store.database import Store
from trustfair.store.export import export_records
from trustfair.store.models import CaseEventRow, CaseRow, DecisionRow


def reports(session: str, minutes: list[float], prefix: str = "") -> list[dict]:
    return [
        report_on_live(f"{prefix}{session}-{i}", session, T0 + timedelta(minutes=m))
        for i, m in enumerate(minutes)
    ]


def cases(store: Store) -> list[CaseRow]:
    with store.reading() as session:
        return list(session.scalars(select(CaseRow).order_by(CaseRow.id)))


def test_four_reports_open_nothing_and_the_fifth_opens_a_case(store, registry) -> None:
    ingest(store, registry, *reports("s1", [0, 1, 2, 3]))
    assert cases(store) == []
    ingest(store, registry, *reports("s1", [4], prefix="late-"))
    [case] = cases(store)
    assert (case.kind, case.state, case.subject_type, case.subject_id) == (
        "live_report_burst",
        "open",
        "live_session",
        "s1",
    )
    assert case.queue == "live"
    assert case.opened_at == T0 + timedelta(minutes=4)
    assert case.sla_due_at == case.opened_at + timedelta(hours=1)


def test_the_opening_decision_says_why(store, registry) -> None:
    ingest(store, registry, *reports("s1", [0, 1, 2, 3, 4]))
    [case] = cases(store)
    with store.reading() as session:
        decision = session.get(DecisionRow, case.opening_decision_id)
    assert decision.verdict == "review"
    assert decision.policy_version == load_policy(DEFAULT_POLICY_PATH).version
    # Each report also raises the session's live risk (a rule of its own).
    assert [r["rule"] for r in decision.reasons] == ["live.report_burst", "live.risk.report"]
    reason = decision.reasons[0]
    assert reason["explanation"] == "5 user reports within 10 minutes (at least 5)"
    assert reason["signals"][0]["evidence"]["reports"] == 5
    assert decision.actions[0]["kind"] == "open_case"


def test_reports_spread_wider_than_the_window_open_nothing(store, registry) -> None:
    ingest(store, registry, *reports("s1", [0, 11, 22, 33, 44, 55]))
    assert cases(store) == []


def test_reports_on_other_sessions_and_listings_do_not_count(store, registry) -> None:
    mixed = (
        reports("s1", [0, 1])
        + reports("s2", [2, 3])
        + [
            event(
                f"l{i}",
                "report.filed",
                {
                    "report_id": f"rl{i}",
                    "reporter_id": "u",
                    "target": {"type": "listing", "id": "s1"},
                    "reason": "fake",
                },
                T0 + timedelta(minutes=i),
            )
            for i in range(5)
        ]
    )
    ingest(store, registry, *mixed)
    assert cases(store) == []


def test_a_longer_burst_is_one_case_with_its_evidence_in_the_timeline(store, registry) -> None:
    ingest(store, registry, *reports("s1", [0, 1, 2, 3, 4, 5, 6, 7]))
    [case] = cases(store)
    with store.reading() as session:
        steps = list(session.scalars(select(CaseEventRow).order_by(CaseEventRow.id)))
    assert [s.action for s in steps] == [
        "opened",
        "evidence_added",
        "evidence_added",
        "evidence_added",
    ]
    assert all(s.case_id == case.id for s in steps)


def test_two_sessions_with_bursts_get_a_case_each(store, registry) -> None:
    ingest(store, registry, *reports("s1", [0, 1, 2, 3, 4]), *reports("s2", [0, 2, 4, 6, 8]))
    assert sorted(c.subject_id for c in cases(store)) == ["s1", "s2"]


def test_out_of_order_reports_still_open_the_case(store, registry) -> None:
    ingest(store, registry, *reports("s1", [9, 7, 5, 3, 0]))
    assert len(cases(store)) == 1


def test_the_outcome_does_not_depend_on_how_the_input_is_batched(store, registry, tmp_path) -> None:
    feed = (
        reports("s1", [0, 2, 4, 6, 8, 15, 18])
        + reports("s2", [0, 5, 10, 15, 20])
        + reports("s3", [0, 1, 2, 3, 4])
    )
    ingest(store, registry, *feed, batch_size=1)
    whole = Store.open(f"sqlite:///{tmp_path / 'whole.db'}")
    ingest(whole, registry, *feed, batch_size=10_000)

    def shape(s: Store) -> list:
        return [
            (d["event_seq"], d["verdict"], d["reasons"]) for d in export_records(s, "decisions")
        ] + [(c["subject_id"], c["opened_at"]) for c in export_records(s, "cases")]

    assert shape(store) == shape(whole)
    assert sorted(c.subject_id for c in cases(store)) == ["s1", "s3"]


def test_one_user_reporting_again_and_again_is_one_voice(store, registry) -> None:
    same_user = [
        report_on_live(f"r{i}", "s1", T0 + timedelta(minutes=i), reporter="angry-user")
        for i in range(8)
    ]
    ingest(store, registry, *same_user, *reports("s1", [8, 9, 9.5]))
    assert cases(store) == []  # 4 distinct reporters in the window
    ingest(store, registry, *reports("s1", [9.8], prefix="fifth-"))
    assert [c.subject_id for c in cases(store)] == ["s1"]


def test_the_window_comes_from_settings_and_the_threshold_from_the_policy(store, tmp_path) -> None:
    policy = DEFAULT_POLICY_PATH.read_text(encoding="utf-8").replace(
        "evidence_at_least: {reports: 5}", "evidence_at_least: {reports: 3}"
    )
    (tmp_path / "strict.yaml").write_text(policy, encoding="utf-8")
    strict = build_registry(
        Settings(live_report_window=timedelta(minutes=2)),
        policy=load_policy(tmp_path / "strict.yaml"),
    )
    ingest(store, strict, *reports("s1", [0, 1, 2]), *reports("s2", [0, 2, 4]))
    assert [c.subject_id for c in cases(store)] == ["s1"]
