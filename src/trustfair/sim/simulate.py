"""The simulator's entry point: ``simulate(seed, scale, out_dir)``."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from random import Random
from typing import Any, Literal

from trustfair.sim import copy, protection, violations
from trustfair.sim.live import live_session
from trustfair.sim.market import HOUR, MINUTE, SCALES, Market
from trustfair.sim.violations import Context
from trustfair.sim.world import Merchant
from trustfair.sim.writer import DAY, EventSink, Truth

ScaleName = Literal["small", "medium", "large"]


@dataclass(frozen=True)
class SimulationSummary:
    seed: int
    scale: str
    days: int
    events_path: Path
    truth_path: Path
    events: int
    events_by_type: dict[str, int] = field(default_factory=dict)
    entities_by_nature: dict[str, dict[str, int]] = field(default_factory=dict)
    violations_by_label: dict[str, int] = field(default_factory=dict)
    tickets_by_problem: dict[str, int] = field(default_factory=dict)
    experiences_by_kind: dict[str, int] = field(default_factory=dict)
    """Every bad experience the truth recorded, of hurt users or not."""
    hurt_users: int = 0


def simulate(
    seed: int, scale: ScaleName, out_dir: Path, *, voice_seed: int | None = None
) -> SimulationSummary:
    """Write ``events.jsonl`` and ``truth.jsonl`` of a simulated marketplace to ``out_dir``.

    The same seed and scale give byte-identical files. ``voice_seed`` seeds the voice of
    users apart (by default ``seed``): whatever it is, the main stream's events are the
    same (the tests check it).
    """
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}: choose one of {', '.join(SCALES)}")
    config = SCALES[scale]
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    events_path = out_dir / "events.jsonl"
    truth_path = out_dir / "truth.jsonl"
    rng = Random(seed)
    truth = Truth()
    with events_path.open("w", encoding="utf-8", newline="\n", buffering=1 << 20) as out:
        sink = EventSink(out)
        # Consumer protection draws from a stream of its own: the rest of the market
        # draws exactly what it drew before guarantees and claims were simulated.
        market = Market(
            rng,
            config,
            sink,
            truth,
            prng=Random(f"protection:{seed}"),
            brand_rng=Random(f"brands:{seed}"),
            vrng=Random(f"voice:{seed if voice_seed is None else voice_seed}"),
        )
        market.setup()
        for day in range(config.days):
            _run_day(market, day)
            sink.flush(until=(day + 1) * DAY)
        sink.flush()

    for brand in market.brands:
        truth.others.append(
            {
                "kind": "brand",
                "brand_id": brand.brand_id,
                "price_floor_fen": brand.floor_fen,
                "authorised_merchants": brand.authorised,
            }
        )
    _write_brand_banks(market, out_dir / "brand_banks.json")
    _write_brand_rights(market, out_dir)
    for bot in market.spam_bots:
        truth.others.append({"kind": "user", "user_id": bot, "role": "spam_bot"})
    with truth_path.open("w", encoding="utf-8", newline="\n") as out:
        truth.write(out)

    natures: dict[str, Counter[str]] = {"merchant": Counter(), "streamer": Counter()}
    for record in truth.entities:
        natures[record["entity_type"]][record["nature"]] += 1
    labels: Counter[str] = Counter()
    for record in truth.violations.values():
        labels.update(record["labels"])
    problems = Counter(record["problem"] for record in truth.tickets)
    experiences = Counter(r["kind"] for met in truth.experiences.values() for _, r in met)
    return SimulationSummary(
        seed=seed,
        scale=scale,
        days=config.days,
        events_path=events_path,
        truth_path=truth_path,
        events=sum(sink.counts.values()),
        events_by_type=dict(sorted(sink.counts.items())),
        entities_by_nature={k: dict(sorted(v.items())) for k, v in natures.items()},
        violations_by_label=dict(sorted(labels.items())),
        tickets_by_problem=dict(sorted(problems.items())),
        experiences_by_kind=dict(sorted(experiences.items())),
        hurt_users=len(truth.hurt_users()),
    )


def _run_day(mk: Market, day: int) -> None:
    rng = mk.rng
    t0 = day * DAY
    if day > 0:
        mk.morning_prices(day, t0)
    # Banned repeat offenders come back with a new shop and the same identity.
    for old in mk.relinks.get(day, []):
        _reregister(mk, old, t0 + rng.randint(1 * HOUR, 4 * HOUR))
    # New listings and withdrawn ones, in the morning.
    for m in mk.merchants:
        if not m.active:
            continue
        if day > 0 and rng.random() < 0.03:
            mk.publish_listing(t0 + rng.randint(6 * HOUR, 7 * HOUR), m)
        if day > 0 and rng.random() < 0.02:
            _update_listing(mk, t0 + rng.randint(6 * HOUR, 7 * HOUR), m)
        if day > 0 and rng.random() < 0.01:
            live = [x for x in m.listings if x.active and x.promo_ends is None]
            if len(live) > 2:
                listing = rng.choice(live)
                listing.active = False
                mk.sink.emit(
                    t0 + rng.randint(6 * HOUR, 7 * HOUR),
                    "listing.removed",
                    "product-service",
                    {
                        "listing_id": listing.listing_id,
                        "merchant_id": m.merchant_id,
                        "reason": "merchant_withdrew",
                    },
                )
    for s in mk.streamers:
        if s.active and s.merchant.active and rng.random() < mk.scale.live_chance:
            live_session(mk, t0 + rng.randint(9 * HOUR, 22 * HOUR), s)
    for m in mk.merchants:
        if not m.active:
            continue
        protection.daily(mk, t0, m)
        for listing in m.listings:
            if listing.active and rng.random() < mk.scale.offline_order_chance:
                mk.order(t0 + rng.randint(8 * HOUR, 24 * HOUR - 10 * MINUTE), listing)


def _reregister(mk: Market, old: Merchant, t: int) -> None:
    rng = mk.rng
    old.active = False
    for s in old.streamers:
        s.active = False
    ident = dict(old.identity)
    if rng.random() < 0.5:
        ident["bank_account"] = "622" + "".join(rng.choice("0123456789") for _ in range(16))
    ident["device_ids"] = [old.identity["device_ids"][0], f"dev-{rng.getrandbits(48):012x}"]
    new = mk.register_merchant(t, old.nature, ident=ident, linked=old)
    for _ in range(rng.randint(3, 5)):
        mk.publish_listing(t + rng.randint(HOUR, 2 * HOUR), new)


def _update_listing(mk: Market, t: int, m: Merchant) -> None:
    """A restock, and now and then copy rewritten after the listing passed review."""
    rng = mk.rng
    live = [x for x in m.listings if x.active]
    if not live:
        return
    listing = rng.choice(live)
    listing.stock += rng.choice((50, 100, 200, 500))
    payload: dict[str, Any] = {"listing_id": listing.listing_id, "merchant_id": m.merchant_id}
    snippet = None
    if rng.random() < m.behaviour.listing_violation * 0.5:
        ctx = Context(
            listing.product,
            listing.price_fen // 100,
            m.identity["phone"],
            listing.brand_name,
            listing.category.code,
        )
        label = mk.pick_label(listing.category.code, listing.counterfeit, speech=False)
        snippet = violations.make(rng, label, ctx, m.behaviour.hide)
        sentences = copy.listing_description(rng, listing.category, listing.product)
        sentences.insert(rng.randint(0, len(sentences)), snippet.text + "。")
        payload["description"] = "".join(sentences)
    payload["stock"] = listing.stock
    event_id = mk.sink.emit(t, "listing.updated", "product-service", payload)
    if snippet is not None:
        mk.truth.violation(
            event_id,
            "listing.updated",
            ("merchant", m.merchant_id),
            snippet.labels,
            snippet.labels,
            snippet.disguises,
        )


def _write_brand_banks(market: Market, path: Path) -> None:
    """What the simulated brands send the counterfeit feature library (``trustfair bank
    import``): the price each never sells under and the sellers it authorised. What they
    know, not the truth of which listings are fakes."""
    banks = [
        {
            "brand_id": brand.brand_id,
            "entries": [
                {"kind": "price_floor", "amount_fen": brand.floor_fen},
                *({"kind": "authorised_seller", "value": m} for m in brand.authorised),
            ],
        }
        for brand in market.brands
    ]
    path.write_text(
        json.dumps({"banks": banks}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )


NICE_CLASS = {
    "luxury_bags": 18,
    "cosmetics": 3,
    "electronics": 9,
    "baby": 29,
    "health_food": 5,
    "food": 30,
}
"""The Nice class a brand's trademark is registered in, by the category it sells."""


def _write_brand_rights(market: Market, out_dir: Path) -> None:
    """What each simulated brand's rights holder applies with (``brand_rights.json``):
    its company, registration number and trademark, and its documents as files under
    ``brand_documents/`` (stand-in PDFs: the demo certifies from them)."""
    from trustfair.brand.registration import cn_check_character

    docs = out_dir / "brand_documents"
    docs.mkdir(exist_ok=True)
    holders = []
    for n, brand in enumerate(market.brands, 1):
        first17 = f"9131000{n:010d}"
        files = {}
        for kind in ("business_licence", "trademark_certificate"):
            name = f"{brand.brand_id}_{kind}.pdf"
            body = f"%PDF-1.4\n% simulated {kind} of {brand.spec.owner}\n%%EOF\n"
            (docs / name).write_text(body, encoding="utf-8")
            files[kind] = f"brand_documents/{name}"
        holders.append(
            {
                "brand_id": brand.brand_id,
                "company_name": brand.spec.owner,
                "registration_number": first17 + cn_check_character(first17),
                "trademark": {
                    "number": f"TM{20_000_000 + n * 7919}",
                    "nice_class": NICE_CLASS.get(brand.spec.category, 35),
                    "valid_years": 10,
                },
                "documents": files,
            }
        )
    path = out_dir / "brand_rights.json"
    path.write_text(
        json.dumps({"holders": holders}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
