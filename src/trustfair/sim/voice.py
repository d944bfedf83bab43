"""The voice of users in the simulated marketplace: refunds merchants refuse, service
that is rude or silent, carriers that lose parcels, tickets closed unresolved, survey
comments routed to customer service, confirmations of receipt; and the bad
experiences that make a user hurt, recorded as they happen.

Every choice here draws from the market's voice stream (``Market.vrng``, seeded apart),
never from ``Market.rng``, and the events made here are numbered apart (``evv…``,
tickets ``tkv…``): every event the simulator made before is drawn from the same numbers
in the same order and keeps its id. (The texts of the tickets and survey comments the
main stream opens are rewritten from this stream too; the main stream's own draws for
them are still made and thrown away.)
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from trustfair.sim import copy, voice_text
from trustfair.sim.voice_text import Facts
from trustfair.sim.world import Listing
from trustfair.sim.writer import DAY, START
from trustfair.voice.problems import Experience, Problem

if TYPE_CHECKING:
    from trustfair.sim.market import Market

HOUR = 3_600

ISSUE_PROBLEM = {
    "late": Problem.LATE_SHIPMENT,
    "quality": Problem.QUALITY,
    "price": Problem.PRICE,
    "counterfeit": Problem.COUNTERFEIT,
    "refund": Problem.REFUND_REFUSED,
    "other": Problem.OTHER,
}
"""The main stream's ticket issues, as problems."""

REFUSE = {"honest": 0.08, "occasional": 0.45, "repeat": 0.7}
"""Chance a merchant of each nature refuses a buyer's refund or return request."""
RUDE = {"honest": 0.0015, "occasional": 0.01, "repeat": 0.03}
"""Chance per delivered order that the merchant's service is rude to or ignores the buyer."""
CHASE_RUDE = {"honest": 0.03, "occasional": 0.12, "repeat": 0.22}
"""… when the buyer chases a late or never-shipped order."""
UNRESOLVED = {"honest": 0.12, "occasional": 0.3, "repeat": 0.45}
"""Chance that a ticket the voice stream opens is closed unresolved, by the merchant."""
REFUSAL_REASONS = (
    ("used", "商品已使用，不支持退货"),
    ("no_reason_not_supported", "该商品不支持七天无理由"),
    ("past_deadline", "已超过售后期限"),
    ("damaged_by_buyer", "人为损坏，不予退款"),
    ("opened", "已拆封影响二次销售"),
    ("promotion_item", "活动商品不退不换"),
    ("custom_item", "定制商品不支持退换"),
    ("no_reason", ""),
)


def facts(listing: Listing, order_id: str, amount: int, paid_at: int, carrier: str) -> Facts:
    return Facts(
        product=listing.product,
        category=listing.category.code,
        amount_yuan=max(1, amount // 100),
        paid_at=START + timedelta(seconds=paid_at),
        order_id=order_id,
        carrier=carrier,
        brand=listing.brand_name,
        shop=listing.merchant.shop_name,
    )


def _channel(mk: Market) -> str:
    return mk.vrng.choice(("in_app", "in_app", "in_app", "hotline", "hotline", "review", "social"))


def main_ticket_text(
    mk: Market,
    ticket_id: str,
    user: str,
    issue: str,
    channel: str,
    fx: Facts,
    t: int,
    t_del: int | None,
    returned: bool,
) -> str:
    """The text of a ticket the main stream opens, and its truth: a refund ticket on an
    order not sent back is about a refusal (made in chat if no event said so)."""
    problem = ISSUE_PROBLEM[issue]
    refused = True
    if problem == Problem.REFUND_REFUSED:
        refused = not returned
        if refused and fx.order_id is not None:
            at = t - mk.vrng.randint(HOUR, 12 * HOUR)
            mk.truth.experience(
                user, Experience.REFUND_REFUSED, max(at, t_del or at), order_id=fx.order_id
            )
    mk.truth.ticket(ticket_id, problem, channel, user)
    return voice_text.ticket_text(mk.vrng, problem, channel, fx, refused=refused)


def closed(mk: Market, ticket_id: str, user: str, resolution: str, t: int, depth: int) -> None:
    """A ticket closed at ``t``: unresolved is a bad experience, and now and then the
    user then complains of the platform's service itself."""
    if resolution != "unresolved":
        return
    mk.truth.experience(user, Experience.UNRESOLVED_TICKET, t, ticket_id=ticket_id)
    v = mk.vrng
    if depth == 0 and v.random() < 0.12:
        open_ticket(
            mk,
            t + v.randint(HOUR, 2 * DAY),
            user,
            Problem.RUDE_SERVICE,
            None,
            None,
            platform=True,
            depth=1,
        )


def open_ticket(
    mk: Market,
    t: int,
    user: str,
    problem: Problem,
    listing: Listing | None,
    fx: Facts | None,
    *,
    channel: str | None = None,
    text: str | None = None,
    refused: bool = True,
    platform: bool = False,
    depth: int = 0,
) -> str:
    """A ticket of the voice stream: opened, told, closed, and its truth."""
    v = mk.vrng
    ticket_id = mk.new_id("tkv", 7)
    channel = channel or _channel(mk)
    if fx is None:
        fx = Facts("", "", 0, START + timedelta(seconds=t))
    if text is None:
        text = voice_text.ticket_text(v, problem, channel, fx, refused=refused, platform=platform)
    payload: dict[str, Any] = {
        "ticket_id": ticket_id,
        "user_id": user,
        "channel": channel,
        "text": text,
    }
    if fx.order_id is not None:
        payload["order_id"] = fx.order_id
    if listing is not None and not platform:
        payload["merchant_id"] = listing.merchant.merchant_id
    mk.sink.emit(t, "ticket.opened", "cs-service", payload, side=True)
    mk.truth.ticket(ticket_id, problem, channel, user)
    if problem == Problem.RUDE_SERVICE:
        mk.truth.experience(user, Experience.RUDE_SERVICE, t, ticket_id=ticket_id)
    nature = listing.merchant.nature if listing is not None else "honest"
    if v.random() < UNRESOLVED[nature] * (1.5 if platform else 1.0):
        resolution = "unresolved"
    else:
        resolution = v.choice(("resolved", "resolved", "resolved", "resolved", "duplicate"))
        if v.random() < 0.05:
            resolution = "withdrawn"
    close: dict[str, Any] = {"ticket_id": ticket_id, "resolution": resolution}
    if resolution in ("resolved", "unresolved"):
        close["satisfaction"] = v.randint(3, 5) if resolution == "resolved" else v.randint(1, 3)
    close["note"] = copy.ticket_close_note(v, resolution)
    t_close = t + v.randint(2 * HOUR, 5 * DAY)
    mk.sink.emit(t_close, "ticket.closed", "cs-service", close, side=True)
    closed(mk, ticket_id, user, resolution, t_close, depth)
    return ticket_id


def chased(mk: Market, t: int, user: str, listing: Listing, fx: Facts) -> None:
    """A buyer chasing a late or never-shipped order; a bad merchant ignores or snubs
    them, and the buyer says so in a ticket."""
    v = mk.vrng
    if v.random() < 0.2:
        # Asking where the parcel is, on another channel than any ticket before.
        open_ticket(mk, t + v.randint(2 * HOUR, DAY), user, Problem.LATE_SHIPMENT, listing, fx)
    if v.random() < CHASE_RUDE[listing.merchant.nature]:
        open_ticket(mk, t + v.randint(HOUR, DAY), user, Problem.RUDE_SERVICE, listing, fx)


def after_delivery(
    mk: Market,
    *,
    user: str,
    listing: Listing,
    fx: Facts,
    t_ship: int,
    t_del: int,
    returned: bool,
    late: bool,
    unhappy: bool,
) -> Problem | None:
    """What follows a delivery in the voice stream: the fake received, refund requests
    refused, rudeness, carrier trouble, confirmation of receipt. Returns the problem a
    survey comment of the buyer would tell, if any."""
    v = mk.vrng
    m = listing.merchant
    order_id = fx.order_id
    problem: Problem | None = Problem.LATE_SHIPMENT if late else None
    if listing.counterfeit:
        mk.truth.experience(user, Experience.COUNTERFEIT, t_del, order_id=order_id)
        problem = Problem.COUNTERFEIT
    elif unhappy and problem is None:
        problem = Problem.QUALITY
    # Carrier trouble, whoever the merchant is; questions; a flaw told to service only.
    if v.random() < 0.006:
        t_ticket = t_ship + v.randint(DAY, max(DAY + 1, t_del - t_ship + DAY))
        open_ticket(mk, t_ticket, user, Problem.DELIVERY, listing, fx)
        problem = problem or Problem.DELIVERY
    if v.random() < 0.008:
        open_ticket(mk, t_ship + v.randint(HOUR, 5 * DAY), user, Problem.OTHER, listing, fx)
    if v.random() < (0.02 if unhappy else 0.003):
        open_ticket(mk, t_del + v.randint(HOUR, 3 * DAY), user, Problem.QUALITY, listing, fx)
        problem = problem or Problem.QUALITY
    refused_at = None
    if not returned:
        ask = 0.35 if listing.counterfeit else 0.18 if unhappy else 0.015
        if v.random() < ask and v.random() < REFUSE[m.nature]:
            refused_at = t_del + v.randint(DAY, 6 * DAY)
            refusal(mk, refused_at, user, listing, fx)
            problem = Problem.REFUND_REFUSED
    rude = RUDE[m.nature] * (4 if late else 1) * (4 if refused_at is not None else 1)
    if v.random() < rude:
        t_rude = (refused_at or t_del) + v.randint(2 * HOUR, 3 * DAY)
        open_ticket(mk, t_rude, user, Problem.RUDE_SERVICE, listing, fx)
    if not returned:
        confirm(mk, user, listing, fx, t_del, refused_at)
    return problem


def refusal(mk: Market, t: int, user: str, listing: Listing, fx: Facts) -> None:
    """The merchant refuses a refund or return: in the after-sales flow (an event), or
    only in chat; the buyer may say so in a ticket."""
    v = mk.vrng
    assert fx.order_id is not None
    mk.truth.experience(user, Experience.REFUND_REFUSED, t, order_id=fx.order_id)
    in_flow = v.random() < 0.55
    if in_flow:
        reason, note = REFUSAL_REASONS[v.randrange(len(REFUSAL_REASONS))]
        mk.sink.emit(
            t,
            "order.refund_refused",
            "order-service",
            {
                "order_id": fx.order_id,
                "buyer_id": user,
                "merchant_id": listing.merchant.merchant_id,
                "reason": reason,
                "note": note,
            },
            side=True,
        )
    if v.random() < (0.4 if in_flow else 0.75):
        open_ticket(mk, t + v.randint(HOUR, 2 * DAY), user, Problem.REFUND_REFUSED, listing, fx)


def confirm(
    mk: Market, user: str, listing: Listing, fx: Facts, t_del: int, refused_at: int | None
) -> None:
    """Receipt confirmed by the buyer, or by the marketplace 7–10 days after delivery."""
    v = mk.vrng
    auto = refused_at is not None or v.random() < 0.45
    if auto:
        t = t_del + 7 * DAY + v.randint(0, 3 * DAY)
        if refused_at is not None:
            t = max(t, refused_at + HOUR)
    else:
        t = t_del + v.randint(2 * HOUR, 6 * DAY)
    mk.sink.emit(
        t,
        "order.confirmed",
        "order-service",
        {
            "order_id": fx.order_id,
            "buyer_id": user,
            "merchant_id": listing.merchant.merchant_id,
            "auto": auto,
        },
        side=True,
    )


def survey(
    mk: Market,
    t: int,
    user: str,
    score: int,
    problem: Problem | None,
    listing: Listing,
    fx: Facts,
) -> str:
    """A survey comment told from the order's problem; a detractor's complaint is now and
    then routed to customer service as a ticket of its own."""
    v = mk.vrng
    comment, told = voice_text.survey_comment(v, score, problem, fx)
    if told and problem is not None and score <= 6 and v.random() < 0.4:
        open_ticket(
            mk,
            t + v.randint(HOUR, DAY),
            user,
            problem,
            listing,
            fx,
            channel="survey_comment",
            text=comment,
        )
    return comment
