"""Detectors: one module per family, each registered with ``register_detector``."""

from trustfair.detect import (
    brand,
    early_settlement,
    ip_complaints,
    late_shipment,
    live_reports,
    negative_feedback,
    price_history,
    protection,
    text,
)

__all__ = [
    "brand",
    "early_settlement",
    "ip_complaints",
    "late_shipment",
    "live_reports",
    "negative_feedback",
    "price_history",
    "protection",
    "text",
]
