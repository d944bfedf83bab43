"""The price-history detector against the simulator's truth, on a small marketplace.

The simulator marks price fraud by the same public rules (a reference above the 7-day
low, a price raised before a promotion, a spoken price below checkout), so every true
case must be found. Its lawful promotions compare with the lowest price *offered* in
the 7 days, while Art. 20 (and the detector) compare with the lowest price *paid*, or
the last one paid when nothing sold that week: where those differ the detector flags a
promotion the simulator calls lawful. On the medium scale that costs 10 of 62 flags
(precision 0.84, every one a ``last_transaction`` basis); the floor allows for it.
"""

from __future__ import annotations

from pathlib import Path

from trustfair.sim import simulate
from trustfair.sim.scoring import ingest_for_prices, score_price_fraud
from trustfair.store.database import Store

SEED = 20260301


def test_price_fraud_found_in_a_small_simulation(sqlite_store: Store, tmp_path: Path) -> None:
    simulate(SEED, "small", tmp_path)
    ingest_for_prices(sqlite_store, tmp_path / "events.jsonl")
    scores = score_price_fraud(sqlite_store, tmp_path / "truth.jsonl")

    changed, spoken = scores["listing.price_changed"], scores["live.segment"]
    assert changed.true_positive + changed.false_negative > 0
    assert spoken.true_positive + spoken.false_negative > 0
    assert changed.recall == 1.0, changed.missed
    assert spoken.recall == 1.0, spoken.missed
    assert spoken.precision == 1.0, spoken.wrongly_flagged
    assert changed.precision >= 0.75, changed.wrongly_flagged
