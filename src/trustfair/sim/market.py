"""The marketplace, day by day: registrations, prices, live sessions, orders and what
buyers say afterwards.

Every decision draws from one ``random.Random`` in a fixed order, so a seed fixes the
whole run. Times are integer seconds since ``writer.START``.
"""

from __future__ import annotations

from dataclasses import dataclass
from random import Random
from typing import Any

from trustfair.sim import copy, protection, violations, voice
from trustfair.sim.violations import Context
from trustfair.sim.vocab import (
    BRANDS,
    CARRIER_NAMES,
    CARRIERS,
    CATEGORIES,
    CATEGORY_BY_CODE,
    MEDICAL_CATEGORIES,
)
from trustfair.sim.world import (
    Brand,
    Listing,
    Merchant,
    Streamer,
    assign_natures,
    identity,
    nickname,
    shop_name,
)
from trustfair.sim.writer import DAY, EventSink, Truth, iso
from trustfair.voice.problems import Experience

HOUR = 3_600
MINUTE = 60
REPORT_BURST_MIN = 5
REPORT_BURST_WINDOW = 10 * MINUTE


@dataclass(frozen=True, slots=True)
class Scale:
    days: int
    merchants: int
    buyers: int
    live_chance: float
    """Chance that a streamer goes live on a given day."""
    offline_order_chance: float
    """Chance per listing per day of an order placed outside a live session."""


SCALES = {
    "small": Scale(
        days=14, merchants=60, buyers=3_000, live_chance=0.35, offline_order_chance=0.12
    ),
    "medium": Scale(
        days=30, merchants=330, buyers=30_000, live_chance=0.35, offline_order_chance=0.12
    ),
    "large": Scale(
        days=60, merchants=860, buyers=120_000, live_chance=0.35, offline_order_chance=0.12
    ),
}


class Market:
    def __init__(
        self,
        rng: Random,
        scale: Scale,
        sink: EventSink,
        truth: Truth,
        prng: Random | None = None,
        brand_rng: Random | None = None,
        vrng: Random | None = None,
    ) -> None:
        self.rng = rng
        self.prng = prng or Random("protection")
        """Consumer protection's own stream (``sim.protection``): drawing from it leaves
        every draw of ``rng`` where it was."""
        self.brand_rng = brand_rng or Random("brands")
        """The brands' own sweeps of the marketplace (their notices), a stream apart for
        the same reason."""
        self.vrng = vrng or Random("voice")
        """The voice of users (``sim.voice``): refusals, rudeness, carriers, confirmations,
        ticket texts; a stream apart again."""
        self.scale = scale
        self.sink = sink
        self.truth = truth
        self.counters: dict[str, int] = {}
        self.merchants: list[Merchant] = []
        self.streamers: list[Streamer] = []
        self.brands: list[Brand] = []
        self.relinks: dict[int, list[Merchant]] = {}
        self.streamer_natures: list[str] = []
        """A quota-drawn pool, so streamers too are ~85/12/3 whatever their shops are."""
        self.spam_bots = [f"u9{n:06d}" for n in range(1, 1 + max(5, scale.buyers // 500))]

    # -- identifiers -------------------------------------------------------------

    def new_id(self, prefix: str, width: int = 6) -> str:
        n = self.counters.get(prefix, 0) + 1
        self.counters[prefix] = n
        return f"{prefix}{n:0{width}d}"

    def buyer(self) -> str:
        return f"u{self.rng.randint(1, self.scale.buyers):07d}"

    # -- setup -------------------------------------------------------------------

    def setup(self) -> None:
        rng = self.rng
        t = 0
        for spec in BRANDS:
            brand = Brand(self.new_id("b", 3), spec)
            self.brands.append(brand)
            t += rng.randint(5, 60)
            self.sink.emit(
                t,
                "brand.registered",
                "brand-service",
                {
                    "brand_id": brand.brand_id,
                    "name": spec.name,
                    "aliases": list(spec.aliases),
                    "owner": spec.owner,
                },
            )
        natures = assign_natures(rng, self.scale.merchants)
        self.streamer_natures = assign_natures(rng, self.scale.merchants * 6 // 5 + 2)
        for nature in natures:
            t += rng.randint(10, 120)
            self.register_merchant(t, nature)
        # Authorised sellers: honest merchants, one or two per brand.
        honest = [m for m in self.merchants if m.nature == "honest"]
        for brand in self.brands:
            for m in rng.sample(honest, k=min(len(honest), rng.randint(1, 2))):
                brand.authorised.append(m.merchant_id)
                cat = CATEGORY_BY_CODE[brand.spec.category]
                if cat not in m.categories:
                    m.categories.append(cat)
        for m in self.merchants:
            for _ in range(rng.randint(3, 6)):
                t += rng.randint(5, 40)
                self.publish_listing(t, m)
        # Some repeat offenders come back under a new shop after being banned.
        for m in self.merchants:
            if m.nature == "repeat" and rng.random() < 0.6:
                day = rng.randint(max(1, self.scale.days // 3), max(1, 2 * self.scale.days // 3))
                self.relinks.setdefault(day, []).append(m)

    def register_merchant(
        self, t: int, nature: str, ident: dict | None = None, linked: Merchant | None = None
    ) -> Merchant:
        rng = self.rng
        cats = rng.sample(CATEGORIES[:5] + CATEGORIES[6:], k=rng.randint(1, 2))
        m = Merchant(
            self.new_id("m", 5),
            self.new_id("s", 5),
            shop_name(rng),
            nature,
            cats,
            ident or identity(rng),
        )
        snippet = None
        if nature == "repeat" and rng.random() < 0.3:
            # A hijacked or spam shop name: keyword stuffing in the name itself.
            snippet = violations.spam_porn(rng, Context("", 0, ""), m.behaviour.hide)
            m.shop_name = (snippet.text + "_" + m.shop_name)[:200]
        event_id = self.sink.emit(
            t,
            "merchant.registered",
            "merchant-service",
            {
                "merchant_id": m.merchant_id,
                "shop_id": m.shop_id,
                "shop_name": m.shop_name,
                "categories": [c.code for c in cats],
                "identity": m.identity,
                "deposit_fen": rng.choice((50_000, 100_000, 200_000, 500_000)),
            },
        )
        if snippet is not None:
            self.truth.violation(
                event_id,
                "merchant.registered",
                ("merchant", m.merchant_id),
                snippet.labels,
                snippet.labels,
                snippet.disguises,
            )
        self.merchants.append(m)
        self.truth.entity(
            "merchant", m.merchant_id, nature, [linked.merchant_id] if linked else None
        )
        protection.shop_opt_ins(self, t, m)
        # Streamers: most shops have one, some two; a bad shop hires bad streamers.
        old = linked.streamers if linked else []
        for i in range(1 if rng.random() < 0.8 else 2):
            if i < len(old):
                s_nature, s_ident, s_linked = old[i].nature, old[i].identity, old[i]
            else:
                s_nature = self.streamer_nature(nature)
                s_ident, s_linked = identity(rng), None
            t += rng.randint(5, 60)
            self.register_streamer(t, m, s_nature, s_ident, s_linked)
        return m

    def streamer_nature(self, shop_nature: str) -> str:
        # A bad shop tends to hire a streamer of its kind; the pool keeps the totals.
        pool = self.streamer_natures
        if not pool:
            return "honest"
        if self.rng.random() < 0.7 and shop_nature in pool:
            pool.remove(shop_nature)
            return shop_nature
        return pool.pop()

    def register_streamer(
        self, t: int, m: Merchant, nature: str, ident: dict, linked: Streamer | None
    ) -> None:
        rng = self.rng
        s = Streamer(
            self.new_id("st", 5), nickname(rng), nature, m, ident, rng.randint(200, 500_000)
        )
        self.sink.emit(
            t,
            "streamer.registered",
            "live-service",
            {
                "streamer_id": s.streamer_id,
                "nickname": s.nickname,
                "merchant_id": m.merchant_id,
                "identity": ident,
                "followers": s.followers,
            },
        )
        m.streamers.append(s)
        self.streamers.append(s)
        self.truth.entity(
            "streamer", s.streamer_id, nature, [linked.streamer_id] if linked else None
        )

    # -- listings and prices -----------------------------------------------------

    def publish_listing(self, t: int, m: Merchant) -> Listing:
        rng = self.rng
        b = m.behaviour
        brand: Brand | None = None
        counterfeit = False
        authorised = [x for x in self.brands if m.merchant_id in x.authorised]
        if authorised and rng.random() < 0.5:
            brand = rng.choice(authorised)
        elif rng.random() < b.counterfeit:
            brand = rng.choice(self.brands)
            counterfeit = True
        if brand is not None:
            cat = CATEGORY_BY_CODE[brand.spec.category]
            product = rng.choice(brand.spec.products)
            if counterfeit:
                price = brand.floor_fen * rng.randint(4, 30) // 100
            else:
                price = brand.floor_fen * rng.randint(100, 160) // 100
        else:
            cat = rng.choice(m.categories)
            prod = rng.choice(cat.products)
            product = prod.name
            price = rng.randint(prod.low_yuan, prod.high_yuan) * 100
        price = max(100, price // 100 * 100 - rng.choice((0, 0, 100)) + rng.choice((0, 90)))
        listing = Listing(
            self.new_id("l", 7),
            m,
            cat,
            product,
            price,
            price,
            brand.brand_id if brand else None,
            brand.spec.name if brand else "",
            counterfeit,
            rng.choice((50, 100, 200, 500, 1000, 3000)),
        )
        title = copy.listing_title(rng, cat, product, listing.brand_name)
        sentences = copy.listing_description(rng, cat, product)
        labels: list[str] = []
        text_labels: list[str] = []
        disguises: list[str] = []
        ref = None
        ctx = Context(product, price // 100, m.identity["phone"], listing.brand_name, cat.code)
        if counterfeit:
            labels.append("counterfeit")
            if rng.random() < 0.5:
                s = violations.counterfeit_hint(rng, ctx, b.hide)
                title = f"{title} {s.text}"[:200]
                text_labels += s.labels
                disguises += s.disguises
        if rng.random() < b.listing_violation:
            label = self.pick_label(cat.code, counterfeit, speech=False)
            s = violations.make(rng, label, ctx, b.hide)
            sentences.insert(rng.randint(0, len(sentences)), s.text + "。")
            text_labels += s.labels
            disguises += s.disguises
            if label == "price_fraud":
                # The fake 原价 is also shown as the struck-through reference price.
                ref = price * rng.randint(3, 8)
        elif m.nature == "honest" and rng.random() < 0.2:
            ref = None
        listing.ref_fen = ref
        payload: dict[str, Any] = {
            "listing_id": listing.listing_id,
            "merchant_id": m.merchant_id,
            "shop_id": m.shop_id,
            "title": title,
            "description": "".join(sentences),
            "category": cat.code,
            "price_fen": price,
        }
        if ref is not None:
            payload["reference_price_fen"] = ref
        if brand is not None:
            payload["brand_id"] = brand.brand_id
        payload["image_ids"] = [f"img-{rng.getrandbits(40):010x}" for _ in range(rng.randint(1, 5))]
        payload["stock"] = listing.stock
        event_id = self.sink.emit(t, "listing.published", "product-service", payload)
        listing.history.append((t, price))
        labels += text_labels
        if labels:
            extra = {}
            if counterfeit and brand is not None:
                extra = {"brand_id": brand.brand_id, "brand_floor_fen": brand.floor_fen}
            self.truth.violation(
                event_id,
                "listing.published",
                ("merchant", m.merchant_id),
                labels,
                text_labels,
                disguises,
                **extra,
            )
        m.listings.append(listing)
        self.after_publish(t, listing, bool(labels))
        protection.listing_opt_ins(self, t, listing)
        return listing

    def after_publish(self, t: int, listing: Listing, violating: bool) -> None:
        """Reports and rights-holder notices that a listing draws over the next days."""
        rng = self.rng
        if violating and rng.random() < 0.3:
            reasons = ("counterfeit",) if listing.counterfeit else ("false_advertising", "other")
            for _ in range(rng.randint(1, 2)):
                self.report_listing(t + rng.randint(HOUR, 6 * DAY), listing, rng.choice(reasons))
        elif rng.random() < 0.01:
            self.report_listing(t + rng.randint(HOUR, 6 * DAY), listing, "other")
        if listing.counterfeit and listing.brand_id and rng.random() < 0.3:
            self.complaint(
                t + rng.randint(DAY, 10 * DAY),
                listing.brand_id,  # the brand complains; its certified holder files
                "trademark",
                listing,
                None,
            )
        self.brand_sweep(t, listing)

    def brand_sweep(self, t: int, listing: Listing) -> None:
        """A brand's own sweep finds most fakes of it and sends a notice with its
        evidence (a test purchase, screenshots). From the brands' stream, so the rest
        draws as before. Merchants answer no notice here (no event says they did), so
        the sweep files none against genuine listings: they would stand unanswered."""
        brng = self.brand_rng
        if not listing.counterfeit or listing.brand_id is None or brng.random() >= 0.8:
            return
        payload: dict[str, Any] = {
            "complaint_id": self.new_id("ipn", 6),
            "complainant_type": "rights_holder",
            "complainant_id": listing.brand_id,
            "kind": "trademark",
            "target": {"type": "listing", "id": listing.listing_id},
            "text": brng.choice(
                ("经试买鉴定为假冒商品", "商品图片盗用品牌官方图片", "未经授权使用注册商标")
            ),
            "evidence_ids": [f"evd-{brng.getrandbits(40):010x}" for _ in range(brng.randint(1, 3))],
        }
        self.sink.emit(t + brng.randint(HOUR, 5 * DAY), "complaint.filed", "ip-portal", payload)

    def report_listing(self, t: int, listing: Listing, reason: str) -> None:
        self.sink.emit(
            t,
            "report.filed",
            "report-service",
            {
                "report_id": self.new_id("rp", 8),
                "reporter_id": self.buyer(),
                "target": {"type": "listing", "id": listing.listing_id},
                "reason": reason,
                "text": "",
            },
        )

    def pick_label(self, category: str, counterfeit: bool, speech: bool) -> str:
        rng = self.rng
        options = ["extreme_claim", "exaggeration", "price_fraud", "diversion"]
        if category in MEDICAL_CATEGORIES:
            options += ["medical_claim", "medical_claim"]
        if counterfeit or category in ("luxury_bags", "cosmetics", "electronics"):
            options.append("counterfeit_hint")
        if speech:
            options += ["staged_drama", "staged_drama"]
            if rng.random() < 0.03:
                options.append("spam_porn")
        return rng.choice(options)

    def change_price(
        self, t: int, listing: Listing, price: int, ref: int | None, promo: str | None
    ) -> str:
        payload: dict[str, Any] = {
            "listing_id": listing.listing_id,
            "merchant_id": listing.merchant.merchant_id,
            "price_fen": price,
        }
        if ref is not None:
            payload["reference_price_fen"] = ref
        if promo is not None:
            payload["promotion_id"] = promo
        listing.price_fen = price
        listing.ref_fen = ref
        listing.history.append((t, price))
        return self.sink.emit(t, "listing.price_changed", "pricing-service", payload)

    def morning_prices(self, day: int, t0: int) -> None:
        """Promotions start and end in the small hours, before anyone is live."""
        rng = self.rng
        for m in self.merchants:
            if not m.active:
                continue
            b = m.behaviour
            for listing in m.listings:
                if not listing.active:
                    continue
                t = t0 + rng.randint(1 * HOUR, 6 * HOUR)
                if listing.promo_ends is not None:
                    if day >= listing.promo_ends:
                        listing.promo_ends = None
                        self.change_price(t, listing, listing.regular_fen, None, None)
                    continue
                if listing.pending_promo is not None and listing.pending_promo[0] <= day:
                    _, price, ref = listing.pending_promo
                    listing.pending_promo = None
                    self.start_promo(t, day, listing, price, ref, fraud=True)
                    continue
                if listing.pending_promo is not None or rng.random() >= 0.04:
                    continue
                if rng.random() < b.price_fraud:
                    if rng.random() < 0.5:
                        # Raise the price now, "discount" back to about it in a few days.
                        raised = listing.regular_fen * rng.randint(130, 170) // 100
                        self.change_price(t, listing, raised, None, None)
                        listing.regular_fen = raised
                        promo_price = listing.price_fen * 100 // rng.randint(125, 160)
                        listing.pending_promo = (day + rng.randint(1, 3), promo_price, raised)
                    else:
                        # A reference price that was never charged.
                        promo_price = listing.price_fen * rng.randint(70, 95) // 100
                        ref = listing.price_fen * rng.randint(150, 300) // 100
                        self.start_promo(t, day, listing, promo_price, ref, fraud=True)
                else:
                    # Lawful: the reference is the lowest price of the previous 7 days.
                    ref = listing.lowest_since(t - 7 * DAY)
                    promo_price = listing.price_fen * rng.randint(70, 92) // 100
                    if promo_price < ref:
                        self.start_promo(t, day, listing, promo_price, ref, fraud=False)

    def start_promo(
        self, t: int, day: int, listing: Listing, price: int, ref: int, fraud: bool
    ) -> None:
        lowest = listing.lowest_since(t - 7 * DAY)
        promo = self.new_id("promo", 6)
        event_id = self.change_price(t, listing, price, ref, promo)
        listing.promo_ends = day + self.rng.randint(2, 5)
        if fraud or ref > lowest:
            self.truth.violation(
                event_id,
                "listing.price_changed",
                ("merchant", listing.merchant.merchant_id),
                ["price_fraud"],
                basis="reference_above_7day_low",
                lowest_7d_fen=lowest,
            )

    # -- orders ------------------------------------------------------------------

    def order(
        self, t: int, listing: Listing, session: str | None = None, streamer: str | None = None
    ) -> None:
        rng = self.rng
        m = listing.merchant
        b = m.behaviour
        buyer = self.buyer()
        order_id = self.new_id("o", 9)
        qty = 1 if rng.random() < 0.8 else rng.randint(2, 3)
        unit = listing.price_fen
        amount = max(0, unit * qty - rng.choice((0, 0, 0, 300, 500, 1000)))
        ship_by = t + 48 * HOUR
        payload: dict[str, Any] = {
            "order_id": order_id,
            "buyer_id": buyer,
            "merchant_id": m.merchant_id,
            "listing_id": listing.listing_id,
            "quantity": qty,
            "unit_price_fen": unit,
            "amount_fen": amount,
        }
        if session is not None:
            payload["session_id"] = session
            payload["streamer_id"] = streamer
        payload["ship_by"] = iso(ship_by)
        self.sink.emit(t, "order.paid", "order-service", payload)
        bad = listing.counterfeit or m.nature != "honest"
        if rng.random() < b.never_ships:
            t_ref = ship_by + rng.randint(1 * DAY, 3 * DAY)
            self.refund(t_ref, order_id, buyer, m.merchant_id, amount, "not_shipped")
            fx = voice.facts(listing, order_id, amount, t, "")
            self.truth.experience(buyer, Experience.LATE_SHIPMENT, ship_by, order_id=order_id)
            if rng.random() < 0.5:
                self.ticket(t_ref - HOUR, buyer, "late", listing, order_id, fx)
            voice.chased(self, ship_by, buyer, listing, fx)
            protection.order_claims(
                self,
                order_id=order_id,
                buyer=buyer,
                listing=listing,
                amount=amount,
                paid_at=t,
                delivered_at=None,
            )
            return
        late = rng.random() < b.late_shipment
        if late:
            t_ship = ship_by + rng.randint(1 * HOUR, 96 * HOUR)
        else:
            t_ship = t + rng.randint(2 * HOUR, 46 * HOUR)
        carrier = rng.choice(CARRIERS)
        ship_id = self.sink.emit(
            t_ship,
            "order.shipped",
            "logistics-service",
            {
                "order_id": order_id,
                "merchant_id": m.merchant_id,
                "carrier": carrier,
                "tracking_no": f"{carrier.upper()}{rng.randint(10**11, 10**12 - 1)}",
            },
        )
        fx = voice.facts(listing, order_id, amount, t, CARRIER_NAMES[carrier])
        if late:
            self.truth.violation(
                ship_id,
                "order.shipped",
                ("merchant", m.merchant_id),
                ["late_shipment"],
                order_id=order_id,
                late_by_s=t_ship - ship_by,
            )
            self.truth.experience(buyer, Experience.LATE_SHIPMENT, ship_by, order_id=order_id)
            if rng.random() < 0.25:
                self.ticket(
                    ship_by + rng.randint(HOUR, 20 * HOUR), buyer, "late", listing, order_id, fx
                )
            voice.chased(self, ship_by, buyer, listing, fx)
        t_del = t_ship + rng.randint(1 * DAY, 4 * DAY)
        self.sink.emit(
            t_del, "order.delivered", "logistics-service", {"order_id": order_id, "buyer_id": buyer}
        )
        unhappy = listing.counterfeit or late or (bad and rng.random() < 0.3)
        protection.order_claims(
            self,
            order_id=order_id,
            buyer=buyer,
            listing=listing,
            amount=amount,
            paid_at=t,
            delivered_at=t_del,
        )
        # Returns and refunds.
        returned = rng.random() < (0.25 if listing.counterfeit else 0.1 if bad else 0.04)
        if returned:
            reason = rng.choice(
                ("suspected_counterfeit", "not_as_described")
                if listing.counterfeit
                else ("size", "not_as_described", "quality", "no_reason_7day")
            )
            t_ret = t_del + rng.randint(1 * DAY, 6 * DAY)
            self.sink.emit(
                t_ret,
                "order.returned",
                "order-service",
                {
                    "order_id": order_id,
                    "buyer_id": buyer,
                    "merchant_id": m.merchant_id,
                    "reason": reason,
                    "shipping_fee_fen": rng.choice((800, 1000, 1200, 1500)),
                    "tracking_no": f"R{rng.randint(10**11, 10**12 - 1)}",
                    "note": copy.return_note(rng, reason),
                },
            )
            t_refund = t_ret + rng.randint(1 * DAY, 3 * DAY)
            self.refund(t_refund, order_id, buyer, m.merchant_id, amount, "returned")
        problem = voice.after_delivery(
            self,
            user=buyer,
            listing=listing,
            fx=fx,
            t_ship=t_ship,
            t_del=t_del,
            returned=returned,
            late=late,
            unhappy=unhappy,
        )
        # Reviews.
        if rng.random() < 0.3:
            rating = rng.choice((1, 1, 2, 2, 3)) if unhappy else rng.choice((5, 5, 5, 5, 4, 4, 3))
            review_id = self.new_id("r", 8)
            self.sink.emit(
                t_del + rng.randint(HOUR, 5 * DAY),
                "review.posted",
                "review-service",
                {
                    "review_id": review_id,
                    "order_id": order_id,
                    "buyer_id": buyer,
                    "merchant_id": m.merchant_id,
                    "listing_id": listing.listing_id,
                    "rating": rating,
                    "text": copy.review(rng, rating, listing.product),
                },
            )
            if rating <= 2 and rng.random() < 0.5:
                self.sink.emit(
                    t_del + 5 * DAY + rng.randint(HOUR, DAY),
                    "feedback.negative",
                    "voice-service",
                    {
                        "feedback_id": self.new_id("fb", 8),
                        "user_id": buyer,
                        "kind": "bad_review",
                        "target": {"type": "merchant", "id": m.merchant_id},
                    },
                )
        # Surveys: buyers of bad merchants recommend the platform less.
        if rng.random() < 0.08:
            if unhappy:
                score = rng.choice((0, 1, 2, 3, 4, 5, 6, 6, 7))
            else:
                score = rng.choice((6, 7, 8, 8, 9, 9, 10, 10, 10))
            t_survey = t_del + rng.randint(DAY, 7 * DAY)
            survey_id = self.new_id("sv", 8)
            copy.survey_comment(rng, score)  # the main stream's draw, kept in its place
            comment = voice.survey(self, t_survey, buyer, score, problem, listing, fx)
            self.sink.emit(
                t_survey,
                "survey.answered",
                "voice-service",
                {
                    "survey_id": survey_id,
                    "user_id": buyer,
                    "score": score,
                    "comment": comment,
                    "merchant_id": m.merchant_id,
                    "order_id": order_id,
                    "category": listing.category.code,
                },
            )
        # Tickets and complaints.
        if rng.random() < (0.08 if unhappy else 0.015):
            issue = (
                "counterfeit"
                if listing.counterfeit
                else rng.choice(("quality", "price", "refund", "other"))
            )
            t_ticket = t_del + rng.randint(HOUR, 4 * DAY)
            self.ticket(t_ticket, buyer, issue, listing, order_id, fx, t_del, returned)
        if listing.counterfeit and rng.random() < 0.1:
            self.complaint(
                t_del + rng.randint(DAY, 6 * DAY), buyer, "counterfeit", listing, order_id
            )
        elif bad and rng.random() < 0.02:
            self.complaint(
                t_del + rng.randint(DAY, 6 * DAY), buyer, "not_as_described", listing, order_id
            )

    def refund(
        self, t: int, order_id: str, buyer: str, merchant_id: str, amount: int, reason: str
    ) -> None:
        self.sink.emit(
            t,
            "order.refunded",
            "payment-service",
            {
                "order_id": order_id,
                "buyer_id": buyer,
                "merchant_id": merchant_id,
                "amount_fen": amount,
                "reason": reason,
            },
        )

    def ticket(
        self,
        t: int,
        user: str,
        issue: str,
        listing: Listing,
        order_id: str | None,
        fx: voice.Facts,
        t_del: int | None = None,
        returned: bool = False,
    ) -> None:
        """A ticket of the main stream; its text (and truth) come from the voice stream,
        while the main stream still makes its old draw for the text, thrown away."""
        rng = self.rng
        ticket_id = self.new_id("tk", 8)
        channel = rng.choice(("in_app", "in_app", "hotline", "review", "social"))
        copy.ticket(rng, issue, listing.product)
        payload: dict[str, Any] = {
            "ticket_id": ticket_id,
            "user_id": user,
            "channel": channel,
            "text": voice.main_ticket_text(
                self, ticket_id, user, issue, channel, fx, t, t_del, returned
            ),
        }
        if order_id is not None:
            payload["order_id"] = order_id
        payload["merchant_id"] = listing.merchant.merchant_id
        self.sink.emit(t, "ticket.opened", "cs-service", payload)
        resolution = rng.choice(("resolved", "resolved", "resolved", "unresolved", "duplicate"))
        if rng.random() < 0.05:
            resolution = "withdrawn"
        close: dict[str, Any] = {"ticket_id": ticket_id, "resolution": resolution}
        if resolution in ("resolved", "unresolved"):
            close["satisfaction"] = (
                rng.randint(3, 5) if resolution == "resolved" else rng.randint(1, 3)
            )
        close["note"] = copy.ticket_close_note(rng, resolution)
        t_close = t + rng.randint(2 * HOUR, 5 * DAY)
        self.sink.emit(t_close, "ticket.closed", "cs-service", close)
        voice.closed(self, ticket_id, user, resolution, t_close, depth=0)

    def complaint(
        self, t: int, complainant: str, kind: str, listing: Listing, order_id: str | None
    ) -> None:
        rng = self.rng
        payload: dict[str, Any] = {
            "complaint_id": self.new_id("cp", 7),
            "complainant_type": "rights_holder" if kind == "trademark" else "buyer",
            "complainant_id": complainant,
            "kind": kind,
            "target": {"type": "listing", "id": listing.listing_id},
        }
        if order_id is not None:
            payload["order_id"] = order_id
        payload["text"] = copy.complaint_text(rng, kind, listing.product)
        payload["evidence_ids"] = [
            f"evd-{rng.getrandbits(40):010x}" for _ in range(rng.randint(0, 3))
        ]
        self.sink.emit(t, "complaint.filed", "cs-service", payload)
