"""The simulator: deterministic, schema-valid, and honest about its own truth."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path

import pytest

from trustfair.events.validation import Rejection, parse_line
from trustfair.sim import simulate
from trustfair.sim.violations import TEXT_LABELS

SEED = 20260301


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("sim")
    summary = simulate(SEED, "small", out)
    events = [json.loads(line) for line in (out / "events.jsonl").open(encoding="utf-8")]
    truth = [json.loads(line) for line in (out / "truth.jsonl").open(encoding="utf-8")]
    return summary, out, events, truth


def _violations(truth):
    return [t for t in truth if t["kind"] == "violation"]


def test_same_seed_same_bytes_different_seed_different(tmp_path: Path, run) -> None:
    _, out, _, _ = run
    again = tmp_path / "again"
    simulate(SEED, "small", again)
    for name in ("events.jsonl", "truth.jsonl"):
        assert (again / name).read_bytes() == (out / name).read_bytes(), name
    other = tmp_path / "other"
    simulate(SEED + 1, "small", other)
    assert (other / "events.jsonl").read_bytes() != (out / "events.jsonl").read_bytes()
    assert (other / "truth.jsonl").read_bytes() != (out / "truth.jsonl").read_bytes()


def test_every_line_validates(run) -> None:
    summary, out, _, _ = run
    ids = set()
    with (out / "events.jsonl").open("rb") as fh:
        for n, raw in enumerate(fh, 1):
            parsed = parse_line(raw.rstrip(b"\n"), n)
            assert not isinstance(parsed, Rejection), parsed
            assert parsed.occurred_at.tzinfo is not None
            assert parsed.event_id not in ids
            ids.add(parsed.event_id)
    assert len(ids) == summary.events
    assert 10_000 <= summary.events <= 40_000
    assert sum(summary.events_by_type.values()) == summary.events


def test_times_carry_a_zone_and_run_forward(run) -> None:
    _, _, events, _ = run
    times = [datetime.fromisoformat(e["occurred_at"]) for e in events]
    assert all(e["occurred_at"].endswith("+08:00") for e in events)
    assert times == sorted(times)


def test_truth_covers_every_entity_with_sensible_natures(run) -> None:
    _, _, events, truth = run
    registered = {
        ("merchant", e["payload"]["merchant_id"])
        for e in events
        if e["type"] == "merchant.registered"
    }
    registered |= {
        ("streamer", e["payload"]["streamer_id"])
        for e in events
        if e["type"] == "streamer.registered"
    }
    entities = {(t["entity_type"], t["entity_id"]): t for t in truth if t["kind"] == "entity"}
    assert set(entities) == registered
    for kind in ("merchant", "streamer"):
        natures = Counter(t["nature"] for (k, _), t in entities.items() if k == kind)
        total = sum(natures.values())
        assert 0.75 <= natures["honest"] / total <= 0.92, (kind, natures)
        assert natures["occasional"] >= 3, (kind, natures)
        assert 2 <= natures["repeat"] <= max(4, total * 0.1), (kind, natures)
    linked = [t for t in entities.values() if t.get("linked_to")]
    assert linked, "some repeat offender re-registers"
    for t in linked:
        for old in t["linked_to"]:
            assert entities[(t["entity_type"], old)]["nature"] == t["nature"]
    assert any(t["nature"] == "repeat" for t in linked if t["entity_type"] == "merchant")


def test_linked_accounts_share_identity(run) -> None:
    _, _, events, truth = run
    identity = {
        e["payload"]["merchant_id"]: e["payload"]["identity"]
        for e in events
        if e["type"] == "merchant.registered"
    }
    for t in truth:
        if t["kind"] == "entity" and t["entity_type"] == "merchant" and t.get("linked_to"):
            new, old = identity[t["entity_id"]], identity[t["linked_to"][0]]
            assert new["id_number"] == old["id_number"] and new["phone"] == old["phone"]


def test_violations_point_at_events_and_cover_every_label(run) -> None:
    summary, _, events, truth = run
    by_id = {e["event_id"]: e for e in events}
    violations = _violations(truth)
    labels: Counter[str] = Counter()
    text_labels: Counter[str] = Counter()
    disguises: Counter[str] = Counter()
    for v in violations:
        assert v["event_id"] in by_id
        assert by_id[v["event_id"]]["type"] == v["event_type"]
        assert set(v["text_labels"]) <= set(v["labels"])
        labels.update(v["labels"])
        text_labels.update(v["text_labels"])
        disguises.update(v["disguises"])
    for label in TEXT_LABELS:
        assert text_labels[label] > 0, label
    for label in ("price_fraud", "late_shipment", "counterfeit", "report_burst"):
        assert labels[label] > 0, label
    for technique in (
        "traditional",
        "fullwidth",
        "separator",
        "homophone",
        "pinyin",
        "chinese_numeral",
        "circled_numeral",
        "emoji",
    ):
        assert disguises[technique] > 0, technique
    assert dict(sorted(labels.items())) == summary.violations_by_label


def _author(event) -> tuple[str, str] | None:
    p = event["payload"]
    if event["type"] in ("listing.published", "listing.updated", "merchant.registered"):
        return ("merchant", p["merchant_id"])
    if event["type"] in ("live.segment", "live.started", "streamer.registered"):
        return ("streamer", p["streamer_id"])
    return None


def test_honest_entities_text_has_no_violation(run) -> None:
    _, _, events, truth = run
    nature = {
        (t["entity_type"], t["entity_id"]): t["nature"] for t in truth if t["kind"] == "entity"
    }
    text_violation = {v["event_id"] for v in _violations(truth) if v["text_labels"]}
    honest_text = 0
    for e in events:
        author = _author(e)
        if author is not None and nature[author] == "honest":
            honest_text += 1
            assert e["event_id"] not in text_violation, e
    assert honest_text > 1_000
    # ... and their promotions are lawful and their listings genuine.
    honest_merchants = {k[1] for k, n in nature.items() if k[0] == "merchant" and n == "honest"}
    by_id = {e["event_id"]: e for e in events}
    for v in _violations(truth):
        if {"counterfeit", "price_fraud"} & set(v["labels"]):
            p = by_id[v["event_id"]]["payload"]
            if "merchant_id" in p:
                assert p["merchant_id"] not in honest_merchants, v


def test_orders_reference_earlier_listings_and_ship_after_pay(run) -> None:
    _, _, events, truth = run
    merchants, listings, paid = set(), {}, {}
    shipped_late = {v["event_id"] for v in _violations(truth) if "late_shipment" in v["labels"]}
    for e in events:
        p, t = e["payload"], datetime.fromisoformat(e["occurred_at"])
        if e["type"] == "merchant.registered":
            merchants.add(p["merchant_id"])
        elif e["type"] == "listing.published":
            assert p["merchant_id"] in merchants
            listings[p["listing_id"]] = p["merchant_id"]
        elif e["type"] == "order.paid":
            assert listings[p["listing_id"]] == p["merchant_id"]
            paid[p["order_id"]] = (t, datetime.fromisoformat(p["ship_by"]))
        elif e["type"] == "order.shipped":
            paid_at, ship_by = paid[p["order_id"]]
            assert t >= paid_at
            assert (t > ship_by) == (e["event_id"] in shipped_late)
        elif e["type"] in ("order.delivered", "order.returned", "order.refunded"):
            assert t >= paid[p["order_id"]][0]
    assert len(paid) > 1_000 and shipped_late


def _bursts(events) -> dict[str, int]:
    """Session id → the largest number of reports it got within any 10 minutes."""
    times = defaultdict(list)
    for e in events:
        if e["type"] == "report.filed" and e["payload"]["target"]["type"] == "live_session":
            times[e["payload"]["target"]["id"]].append(datetime.fromisoformat(e["occurred_at"]))
    best = {}
    for session, ts in times.items():
        ts.sort()
        best[session] = max(
            sum(1 for u in ts[i:] if (u - t).total_seconds() <= 600) for i, t in enumerate(ts)
        )
    return best


def test_report_bursts_only_against_offending_sessions(run) -> None:
    _, _, events, truth = run
    offending = {v["session_id"] for v in _violations(truth) if v["event_type"] == "live.segment"}
    truth_bursts = {v["session_id"] for v in _violations(truth) if "report_burst" in v["labels"]}
    bursts = {s for s, n in _bursts(events).items() if n >= 5}
    assert bursts, "some offending sessions draw a burst"
    assert bursts <= offending
    assert bursts == truth_bursts
    streamer_of = {
        e["payload"]["session_id"]: e["payload"]["streamer_id"]
        for e in events
        if e["type"] == "live.started"
    }
    nature = {t["entity_id"]: t["nature"] for t in truth if t["kind"] == "entity"}
    assert all(nature[streamer_of[s]] != "honest" for s in bursts)


def test_merchants_offer_guarantees_pay_deposits_and_buyers_claim(run) -> None:
    _, _, events, _ = run
    opt_ins = [e["payload"] for e in events if e["type"] == "guarantee.opted_in"]
    assert any("listing_id" not in p for p in opt_ins), "shop-wide guarantees"
    assert any("listing_id" in p for p in opt_ins), "a listing's own guarantee"
    assert any(p["guarantee"] == "fake_one_pay_n" and p["n"] >= 2 for p in opt_ins)
    assert any(
        e["payload"]["deposit_fen"] > 0 for e in events if e["type"] == "merchant.registered"
    )
    claims = [e["payload"] for e in events if e["type"] == "claim.filed"]
    assert {c["kind"] for c in claims} == {
        "counterfeit",
        "not_as_described",
        "not_delivered",
        "merchant_unreachable",
    }
    # Each claim is on an order its buyer paid.
    payers = {
        e["payload"]["order_id"]: e["payload"]["buyer_id"]
        for e in events
        if e["type"] == "order.paid"
    }
    assert all(payers[c["order_id"]] == c["buyer_id"] for c in claims)
    returns = [e["payload"] for e in events if e["type"] == "order.returned"]
    assert any(r.get("tracking_no") and r["shipping_fee_fen"] > 0 for r in returns)
