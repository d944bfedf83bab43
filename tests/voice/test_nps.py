"""NPS and its intervals against a direct computation over the answers the test wrote."""

from __future__ import annotations

import math

from tests.factories import ingest
from tests.voice.builders import day, listing, live_started, paid, survey
from trustfair.store.export import export_records
from trustfair.voice.classify import classify
from trustfair.voice.nps import nps_report

# (buyer, order, score, comment, live?) — b1 orders twice, so its second order is
# a returning buyer's.
ANSWERS = [
    ("b1", "o1", 10, "", True),
    ("b1", "o2", 3, "客服态度不好，挂我电话", False),
    ("b2", "o3", 9, "发货快", True),
    ("b3", "o4", 6, "发货太慢", False),
    ("b4", "o5", 8, "", False),
    ("b5", "o6", 0, "买到假货，防伪码查不到", True),
    ("b6", "o7", 7, "", False),
]


def world() -> list[dict]:
    events = [listing("l1", "m1", "apparel"), listing("l2", "m2", "cosmetics")]
    events.append(live_started("s1", "st1", "m1", day(0)))
    for i, (buyer, order, _, _, live) in enumerate(ANSWERS):
        kw = {"session": "s1", "streamer": "st1"} if live else {}
        events.append(
            paid(
                order,
                buyer,
                "m1" if i % 2 == 0 else "m2",
                "l1" if i % 2 == 0 else "l2",
                day(i),
                **kw,
            )
        )
    for i, (buyer, order, score, comment, _) in enumerate(ANSWERS):
        # Weeks apart: 0–2 in one ISO week of March 2026, the rest later.
        events.append(survey(buyer, score, day(3 + 3 * i), comment, order_id=order))
    return events


def direct(scores: list[int]) -> tuple[float, float, float]:
    n = len(scores)
    p = sum(s >= 9 for s in scores) / n
    d = sum(s <= 6 for s in scores) / n
    var = (p + d - (p - d) ** 2) / n
    half = 1.959964 * 100 * math.sqrt(var)
    nps = 100 * (p - d)
    return round(nps, 1), round(max(-100, nps - half), 1), round(min(100, nps + half), 1)


def test_overall_and_segments_match_a_direct_computation(store, registry) -> None:
    ingest(store, registry, *world())
    with store.reading() as session:
        overall = nps_report(session, "overall", min_n=1)
        channel = nps_report(session, "channel", min_n=1)
        buyer = nps_report(session, "buyer", min_n=1)
        category = nps_report(session, "category", min_n=1)
    scores = [a[2] for a in ANSWERS]
    (group,) = overall["groups"]
    assert (group["nps"], group["ci_low"], group["ci_high"]) == direct(scores)
    assert (group["promoters"], group["passives"], group["detractors"]) == (2, 2, 3)
    live = {g["key"]: g for g in channel["groups"]}
    assert live["live"]["nps"] == direct([10, 9, 0])[0]
    assert (live["shelf"]["nps"], live["shelf"]["ci_low"]) == direct([3, 6, 8, 7])[:2]
    kinds = {g["key"]: g["n"] for g in buyer["groups"]}
    assert kinds == {"new": 6, "returning": 1}
    cats = {g["key"]: g["nps"] for g in category["groups"]}
    assert cats == {"apparel": direct([10, 9, 8, 7])[0], "cosmetics": direct([3, 6, 0])[0]}
    exported = list(export_records(store, "nps"))
    assert [r["score"] for r in exported] == scores
    assert [r["channel"] for r in exported] == ["live" if a[4] else "shelf" for a in ANSWERS]


def test_small_groups_show_n_without_a_score(store, registry) -> None:
    ingest(store, registry, *world())
    with store.reading() as session:
        report = nps_report(session, "week", min_n=3)
    groups = report["groups"]
    assert sum(g["n"] for g in groups) == len(ANSWERS)
    for g in groups:
        assert (g["nps"] is None) == (g["n"] < 3) == g["suppressed"]
        assert (g["ci_low"] is None) == (g["n"] < 3)


def test_detractor_comments_are_counted_by_problem(store, registry) -> None:
    ingest(store, registry, *world())
    with store.reading() as session:
        problems = nps_report(session, "overall")["detractor_problems"]
    expected: dict[str, int] = {}
    for _, _, score, comment, _ in ANSWERS:
        if score <= 6 and comment:
            key = classify(comment).problem.value
            expected[key] = expected.get(key, 0) + 1
    assert {p["problem"]: p["count"] for p in problems["problems"]} == expected
    assert problems["without_comment"] == 0
    examples = [e for p in problems["problems"] for e in p["examples"]]
    assert sorted(examples) == sorted(a[3] for a in ANSWERS if a[2] <= 6)
