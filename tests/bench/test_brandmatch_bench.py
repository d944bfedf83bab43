"""The brandmatch bench, run tiny: a small bank, a few listings. Its result has the
shape and the sense it claims: copies of brand photos are found by both searches, the
index agrees with the exact scan, nothing unrelated matches.

Nothing here looks at how fast anything was."""

from __future__ import annotations

import json

from trustfair.bench.brandmatch import run


def test_a_tiny_run_finds_the_brand_photos_and_agrees_with_the_exact_scan() -> None:
    result = run(events=12, baseline_listings=1, bank_hashes=30_000)
    json.dumps(result)
    assert result["bench"] == "brandmatch" and result["bank"]["hashes"] == 30_000
    assert result["index"]["kind"] == "IndexBinaryIVF" and result["features_timed"] is False
    ours, exact = result["trustfair"]["matches"], result["baseline"]["matches"]
    assert ours["brand_copies"] > 0 and ours["found"] >= 0.9 * ours["brand_copies"]
    assert ours["false"] == 0 and exact["false"] == 0
    assert exact["brand_copies"] > 0 and exact["found"] == exact["brand_copies"]
    assert result["agreement_with_brute_force"] == 1.0
    assert [row["nprobe"] for row in result["probe_sweep"]] == [4, 8, 16, 24, 32]
    # Each listing is judged too: a brand photo's copy is a counterfeit when the listing
    # names the brand (the mark twice over) and a look-alike at least otherwise.
    findings = result["trustfair"]["findings"]
    assert sum(findings.values()) >= ours["found"] // 3
    assert set(findings) <= {"counterfeit", "lookalike"}
