"""The trust report's listening section, against the records the test made."""

from __future__ import annotations

from tests.factories import ingest
from tests.voice.builders import day, survey
from tests.voice.test_callbacks import by_prefix, world
from trustfair.report.figures import build_report
from trustfair.voice.callbacks import log_call, refresh_callbacks, resolve


def section(store) -> dict:  # type: ignore[no-untyped-def]
    report = build_report(store)
    (found,) = [s for s in report["sections"] if s["key"] == "listening"]
    return found


def test_call_backs_and_nps_in_the_report(store, registry) -> None:
    scores = [10] * 20 + [8] * 5 + [3] * 10  # 35 answers: NPS (20 - 10) / 35
    ingest(
        store,
        registry,
        *world(),
        *(survey(f"s{i}", score, day(1)) for i, score in enumerate(scores)),
    )
    with store.transaction() as session:
        run = refresh_callbacks(session, day(60), classify=by_prefix)
        log_call(session, run.listed[0], "reached", "", "user:cs", day(61))
        log_call(session, run.listed[1], "no_answer", "", "user:cs", day(61))
        resolve(session, run.listed[0], "", "user:cs", day(61))
    listening = section(store)
    figures = {f["key"]: f for f in listening["figures"]}
    assert figures["users_listed_for_callback"]["value"] == 3
    assert figures["users_called_back"]["value"] == 1
    assert figures["users_resolved"]["value"] == 1
    assert figures["nps"]["value"] == round(100 * (20 - 10) / 35, 1)
    assert "n=35" in figures["nps"]["label"]
    breakdowns = {b["key"]: b["rows"] for b in listening["breakdowns"]}
    assert breakdowns["callback_calls_by_outcome"] == {"no_answer": 1, "reached": 1}
    # u1 late + unresolved, u4 counterfeit + rude, u6 two unresolved.
    assert breakdowns["callbacks_by_reason"] == {
        "counterfeit": 1,
        "late_shipment": 1,
        "rude_service": 1,
        "unresolved_ticket": 2,
    }


def test_a_small_group_has_no_score_in_the_report(store, registry) -> None:
    ingest(store, registry, survey("s1", 10, day(1)), survey("s2", 0, day(1)))
    figures = {f["key"]: f for f in section(store)["figures"]}
    assert figures["nps"]["value"] is None and "too few answers" in figures["nps"]["label"]
