"""The early-settlement section agrees with the advances, the judged scores and the
ledger, on both backends."""

from __future__ import annotations

from tests.factories import ingest
from tests.merchant.builders import confirmed, history, refunded
from tests.protect.builders import at, balance_of, paid, registered, shipped
from tests.report.test_figures import breakdowns, figures
from trustfair.report.figures import build_report


def test_settlement_figures_agree_with_the_advances_and_the_ledger(store, registry) -> None:
    ingest(
        store,
        registry,
        registered("m1", deposit_fen=1_000),
        *history("m1", 25),
        *history("m2", 25, late=5),
        *history("m3", 4),
    )
    ingest(
        store,
        registry,
        *[paid(f"pay-x{n}", f"x{n}", 10_000, at(days=30)) for n in range(3)],
        *[shipped(f"ship-x{n}", f"x{n}", at(days=30, hours=2)) for n in range(3)],
        confirmed("conf-x0", "x0", at(days=33)),
        refunded("ref-x1", "x1", at(days=32)),
    )
    values = figures(build_report(store))
    rows = breakdowns(build_report(store))

    # m1's orders 19-24 (paid once 20 orders were in the window) and x0-x2 were advanced.
    advanced = 6 + 3
    assert values["orders_advanced"] == advanced
    assert values["fen_advanced"] == 6 * 5_000 + 3 * 10_000
    assert (values["orders_settled"], values["fen_settled"]) == (1, 10_000)
    assert (values["orders_reversed"], values["fen_reversed"]) == (1, 10_000)
    # The refund took the 1,000 fen deposit; the next advance… there was none after it.
    assert values["fen_given_back"] == 1_000
    assert values["fen_owed_back"] == balance_of(store, "advance_owed:m1") == 9_000
    assert values["fen_outstanding"] == balance_of(store, "advance:m1") == 6 * 5_000 + 10_000
    assert values["merchants_scored"] == 2  # m3 has too few orders
    assert values["merchants_over_bar"] == 1
    assert values["shipments_judged"] == 25 + 25 + 4 + 3
    distribution = rows["score_distribution"]
    assert distribution["90-100"] == 1 and distribution["no score"] == 1
    assert sum(distribution.values()) == 3
    assert rows["shipments_by_outcome"]["paid on shipment"] == advanced
