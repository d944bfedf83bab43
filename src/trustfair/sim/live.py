"""One live session: the streamer's speech, the viewers' chat, the orders placed while
it runs, and the reports it draws."""

from __future__ import annotations

from typing import Any

from trustfair.sim import copy, violations
from trustfair.sim.market import MINUTE, REPORT_BURST_MIN, REPORT_BURST_WINDOW, Market
from trustfair.sim.violations import Context, Snippet
from trustfair.sim.vocab import CARRIERS
from trustfair.sim.world import Listing, Streamer

REPORT_REASONS = {
    "extreme_claim": "false_advertising",
    "medical_claim": "false_advertising",
    "exaggeration": "false_advertising",
    "price_fraud": "price_fraud",
    "diversion": "off_platform_trade",
    "staged_drama": "staged_content",
    "counterfeit_hint": "counterfeit",
    "spam_porn": "pornography",
}
REPORT_TEXTS = (
    "主播虚假宣传",
    "让人加微信私下交易",
    "主播在卖惨",
    "说的价格和下单价格不一样",
    "疑似卖假货",
    "",
    "",
)


def live_session(mk: Market, t0: int, s: Streamer) -> None:
    rng = mk.rng
    sink = mk.sink
    m = s.merchant
    b = s.behaviour
    stock = [x for x in m.listings if x.active]
    if not stock:
        return
    pitched = rng.sample(stock, k=min(len(stock), rng.randint(2, 4)))
    session_id = mk.new_id("ls", 7)
    author = ("streamer", s.streamer_id)
    first = pitched[0]
    title = copy.live_title(rng, first.category, first.product, s.nickname)
    offending = rng.random() < b.session_violation
    title_snippet: Snippet | None = None
    if offending and rng.random() < 0.15:
        title_snippet = violations.extreme_claim(rng, _ctx(first), b.hide)
        title = f"{title} {title_snippet.text}"[:200]
    payload: dict[str, Any] = {
        "session_id": session_id,
        "streamer_id": s.streamer_id,
        "merchant_id": m.merchant_id,
        "title": title,
    }
    started_id = sink.emit(t0, "live.started", "live-service", payload)
    if title_snippet is not None:
        mk.truth.violation(
            started_id,
            "live.started",
            author,
            title_snippet.labels,
            title_snippet.labels,
            title_snippet.disguises,
            session_id=session_id,
        )

    # The script: (text, listing, spoken price, violation) in speaking order.
    script: list[tuple[str, Listing | None, int | None, Snippet | None]] = []
    for _ in range(rng.randint(1, 2)):
        script.append((rng.choice(copy.GREETINGS), None, None, None))
    carrier = rng.choice(CARRIERS)
    for listing in pitched:
        cat, product = listing.category, listing.product
        script.append((copy.pitch_intro(rng, cat, product), listing, None, None))
        for _ in range(rng.randint(1, 2)):
            script.append((copy.pitch_detail(rng, cat, product), listing, None, None))
        price_yuan = listing.price_fen // 100
        script.append(
            (
                copy.pitch_price(rng, product, price_yuan, (listing.ref_fen or 0) // 100),
                listing,
                price_yuan * 100,
                None,
            )
        )
        script.append((copy.pitch_urge(rng), listing, None, None))
        if rng.random() < 0.6:
            script.append((copy.answer(rng, cat, product, carrier), listing, None, None))
    script.append((rng.choice(copy.CLOSINGS), None, None, None))

    if offending:
        low, high = b.violations_per_session
        for _ in range(rng.randint(low, high)):
            listing = rng.choice(pitched)
            if rng.random() < 0.25:
                # The spoken price is not the checkout price: "今天只要99", pay 129.
                spoken = max(100, listing.price_fen * rng.randint(50, 85) // 100 // 100 * 100)
                text = rng.choice(
                    (
                        f"{listing.product}今天只要{spoken // 100}，家人们冲",
                        f"直播间专属价{spoken // 100}元，拍下就是这个价",
                        f"今天{listing.product}给大家{spoken // 100}，别犹豫",
                    )
                )
                snippet = Snippet(text, ["price_fraud"], [])
                pos = rng.randint(1, len(script) - 1)
                script.insert(pos, (text, listing, spoken, snippet))
                continue
            label = mk.pick_label(listing.category.code, listing.counterfeit, speech=True)
            snippet = violations.make(rng, label, _ctx(listing), b.hide)
            pos = rng.randint(1, len(script) - 1)
            script.insert(pos, (snippet.text, listing, None, snippet))

    offset = 0
    first_violation_at: int | None = None
    session_labels: list[str] = []
    price_seen: dict[str, int] = {}
    for seq, (text, listing, spoken, snippet) in enumerate(script):
        offset += rng.randint(15, 90) * 1000
        seg: dict[str, Any] = {
            "session_id": session_id,
            "streamer_id": s.streamer_id,
            "seq": seq,
            "offset_ms": offset,
            "text": text,
        }
        if listing is not None:
            seg["listing_id"] = listing.listing_id
        if spoken is not None:
            seg["spoken_price_fen"] = spoken
        t = t0 + offset // 1000
        event_id = sink.emit(t, "live.segment", "asr-service", seg)
        if listing is not None and spoken is None and listing.listing_id not in price_seen:
            price_seen[listing.listing_id] = t
        if snippet is not None:
            text_labels = snippet.labels if spoken is None else []
            extra: dict[str, Any] = {"session_id": session_id}
            if spoken is not None and listing is not None:
                extra["spoken_price_fen"] = spoken
                extra["checkout_price_fen"] = listing.price_fen
                extra["basis"] = "spoken_price_differs"
            mk.truth.violation(
                event_id,
                "live.segment",
                author,
                snippet.labels,
                text_labels,
                snippet.disguises,
                **extra,
            )
            session_labels += snippet.labels
            if first_violation_at is None:
                first_violation_at = t
    end = t0 + offset // 1000 + rng.randint(30, 120)

    # Chat: viewers, and now and then a spam bot.
    for _ in range(rng.randint(8, 24)):
        t = rng.randint(t0 + 5, end - 1)
        listing = rng.choice(pitched)
        _chat(mk, t, session_id, mk.buyer(), copy.chat(rng, listing.product), None)
    if rng.random() < 0.07:
        bot = rng.choice(mk.spam_bots)
        for _ in range(rng.randint(1, 3)):
            label = "spam_porn" if rng.random() < 0.5 else "diversion"
            ctx = Context("福利", 0, "1" + str(rng.randint(3_000_000_000, 9_999_999_999)))
            snippet = violations.make(rng, label, ctx, 0.6)
            _chat(mk, rng.randint(t0 + 5, end - 1), session_id, bot, snippet.text, snippet)

    # Orders placed from the session, after the product was presented.
    for listing in pitched:
        start = price_seen.get(listing.listing_id, t0)
        for _ in range(rng.choice((0, 1, 1, 2, 2, 3, 4))):
            mk.order(rng.randint(start, end), listing, session_id, s.streamer_id)

    # Reports: a burst against some offending sessions, a stray one against others.
    reports: list[str] = []
    if first_violation_at is not None and rng.random() < b.report_burst:
        span = rng.randint(3 * MINUTE, REPORT_BURST_WINDOW - MINUTE)
        reporters = rng.sample(range(1, mk.scale.buyers + 1), rng.randint(REPORT_BURST_MIN, 12))
        for r in reporters:
            t = first_violation_at + rng.randint(10, span)
            reason = REPORT_REASONS[rng.choice(session_labels)]
            reports.append(_report(mk, t, f"u{r:07d}", session_id, reason))
        mk.truth.violation(
            started_id,
            "live.started",
            author,
            ["report_burst"],
            session_id=session_id,
            report_event_ids=reports,
        )
    elif first_violation_at is not None and rng.random() < 0.5:
        for _ in range(rng.randint(1, 2)):
            t = rng.randint(first_violation_at, end)
            _report(mk, t, mk.buyer(), session_id, REPORT_REASONS[rng.choice(session_labels)])
    elif rng.random() < 0.05:
        # Noise: an isolated report against a session that did nothing wrong.
        _report(mk, rng.randint(t0, end), mk.buyer(), session_id, "other")

    for _ in range(rng.randint(0, 4 if offending else 1)):
        sink.emit(
            rng.randint(t0, end),
            "feedback.negative",
            "voice-service",
            {
                "feedback_id": mk.new_id("fb", 8),
                "user_id": mk.buyer(),
                "kind": rng.choice(("not_interested", "dislike")),
                "target": {"type": "live_session", "id": session_id},
            },
        )
    viewers = rng.randint(50, 5_000) + s.followers // 50
    sink.emit(
        end,
        "live.ended",
        "live-service",
        {
            "session_id": session_id,
            "streamer_id": s.streamer_id,
            "viewers": viewers,
            "peak_viewers": viewers // rng.randint(3, 8) + 1,
        },
    )
    if rng.random() < 0.1:
        s.followers += rng.randint(10, 2_000)
        sink.emit(
            end + 60,
            "streamer.updated",
            "live-service",
            {"streamer_id": s.streamer_id, "followers": s.followers},
        )


def _ctx(listing: Listing) -> Context:
    return Context(
        listing.product,
        listing.price_fen // 100,
        listing.merchant.identity["phone"],
        listing.brand_name,
        listing.category.code,
    )


def _chat(
    mk: Market, t: int, session_id: str, user: str, text: str, snippet: Snippet | None
) -> None:
    message_id = mk.new_id("msg", 9)
    event_id = mk.sink.emit(
        t,
        "live.chat",
        "live-service",
        {"session_id": session_id, "message_id": message_id, "user_id": user, "text": text},
    )
    if snippet is not None:
        mk.truth.violation(
            event_id,
            "live.chat",
            ("user", user),
            snippet.labels,
            snippet.labels,
            snippet.disguises,
            session_id=session_id,
        )


def _report(mk: Market, t: int, user: str, session_id: str, reason: str) -> str:
    rng = mk.rng
    return mk.sink.emit(
        t,
        "report.filed",
        "report-service",
        {
            "report_id": mk.new_id("rp", 8),
            "reporter_id": user,
            "target": {"type": "live_session", "id": session_id},
            "reason": reason,
            "text": rng.choice(REPORT_TEXTS),
        },
    )
