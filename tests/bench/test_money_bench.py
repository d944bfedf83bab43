"""The money bench, run tiny: its result has the shape and the sense it claims — no
errors, replays sent and answered from their keys, the ledger checked and whole.

Nothing here looks at how fast anything was."""

from __future__ import annotations

import json

import pytest

from tests.conftest import postgres_url
from trustfair.bench.money import plan, run
from trustfair.store.database import Store


def test_a_replay_repeats_a_request_its_client_already_sent() -> None:
    the_plan = plan(300, 4, 0.3, "t")
    requests = the_plan.requests()
    assert len(requests) == 300 and sum(r.replay for r in requests) == 90
    firsts = [r for r in requests if not r.replay]
    assert len({r.key for r in firsts}) == len(firsts)
    for client in the_plan.clients:
        seen: dict[str, bytes] = {}
        for request in client:
            if request.replay:
                assert seen[request.key] == request.body
            else:
                seen[request.key] = request.body
    claims = [r for r in firsts if r.kind == "claim"]
    assert len(the_plan.orders) == len(claims) > 0
    assert {r.kind for r in firsts} == {"claim", "deposit", "settlement"}


def test_a_tiny_run_moves_money_without_errors_and_leaves_the_ledger_whole() -> None:
    result = run(events=120, clients=4, repeats=1)
    assert result["bench"] == "money"
    assert result["errors"] == 0 and result["ledger_ok"] is True
    [ours] = result["trustfair_runs"]
    [bare] = result["baseline_runs"]
    for side in (ours, bare):
        assert side["requests"] == 120 and side["errors"] == 0
        assert side["errors_by_status"] == {}
        assert side["replays_sent"] == 36 == result["replays_sent"]
        assert side["first_time_requests"] == 84
        assert side["requests_per_s"] > 0
        assert 0 < side["first_time_p50_ms"] <= side["first_time_p99_ms"]
        assert 0 < side["replay_p50_ms"] <= side["replay_p99_ms"]
    assert ours["replays_answered_from_key"] == 36
    assert ours["first_time_answered_from_key"] == 0
    assert ours["replays_same_answer"] is True
    assert set(ours["claims_by_state"]) == {"paid"}
    ledger = ours["ledger_check"]
    assert ledger["ok"] is True and ledger["exit_code"] == 0 and ledger["breaches"] == []
    assert ledger["postings"] > 0 and result["ledger_postings"] == [ledger["postings"]]
    assert ours["ledger_payouts_match_paid_claims"] is True
    assert result["trustfair"]["replay_p99_ms"] == ours["replay_p99_ms"]
    assert result["baseline_echo"]["first_time_p50_ms"] == bare["first_time_p50_ms"]
    for key in ("python", "cpus", "load_average_at_end", "what_trustfair_does"):
        assert key in result
    json.dumps(result)  # printable as it is


@pytest.mark.postgres
def test_a_tiny_run_on_postgresql_leaves_the_ledger_whole(postgres_store: Store) -> None:
    """The fixture skips (or fails, if PostgreSQL is required) where there is none; the
    bench makes and drops a schema of its own per run."""
    result = run(events=120, clients=4, repeats=1, store="postgresql", database_url=postgres_url())
    assert result["store"].startswith("postgresql")
    assert result["errors"] == 0 and result["ledger_ok"] is True
    [ours] = result["trustfair_runs"]
    assert ours["replays_answered_from_key"] == result["replays_sent"] == 36
    assert ours["ledger_payouts_match_paid_claims"] is True
