"""The problem types a user's voice is sorted into, and the process each belongs to.

One taxonomy for tickets, survey comments and reviews, for the simulator's truth and
for the report: a new type is added here and nowhere else.
"""

from __future__ import annotations

from enum import StrEnum


class Problem(StrEnum):
    LATE_SHIPMENT = "late_shipment"
    """Not shipped, or shipped after the promised time (未发货, 发货慢, 催发货)."""
    DELIVERY = "delivery"
    """The carrier's part: lost, stuck, damaged in transit, wrong address (物流, 快递)."""
    QUALITY = "quality"
    """Broken, poor, or not as described (质量, 破损, 与描述不符)."""
    COUNTERFEIT = "counterfeit"
    """A fake or suspected fake (假货, 高仿, 防伪码查不到)."""
    REFUND_REFUSED = "refund_refused"
    """A return or refund refused, stalled or short-paid (拒绝退款, 退款不到账)."""
    PRICE = "price"
    """Price disputes: false original price, price dropped after buying, overcharged."""
    RUDE_SERVICE = "rude_service"
    """The merchant's or the platform's service was rude, ignored or hung up on the user."""
    OTHER = "other"
    """Questions and everything else (invoices, addresses, coupons, ads in a stream)."""


class Process(StrEnum):
    """Where in the buyer's journey a problem arises: who should fix it."""

    PRE_SALE = "pre_sale"
    FULFILMENT = "fulfilment"
    PRODUCT = "product"
    AFTER_SALE = "after_sale"
    SERVICE = "service"
    OTHER = "other"


PROCESS_OF: dict[Problem, Process] = {
    Problem.LATE_SHIPMENT: Process.FULFILMENT,
    Problem.DELIVERY: Process.FULFILMENT,
    Problem.QUALITY: Process.PRODUCT,
    Problem.COUNTERFEIT: Process.PRODUCT,
    Problem.REFUND_REFUSED: Process.AFTER_SALE,
    Problem.PRICE: Process.PRE_SALE,
    Problem.RUDE_SERVICE: Process.SERVICE,
    Problem.OTHER: Process.OTHER,
}


class Experience(StrEnum):
    """The bad experiences that, several within a window, make a user hurt."""

    LATE_SHIPMENT = "late_shipment"
    REFUND_REFUSED = "refund_refused"
    COUNTERFEIT = "counterfeit"
    RUDE_SERVICE = "rude_service"
    UNRESOLVED_TICKET = "unresolved_ticket"
