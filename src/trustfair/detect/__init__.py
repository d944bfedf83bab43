"""Detectors: one module per family, each registered with ``register_detector``."""

from trustfair.detect import live_reports, price_history, text

__all__ = ["live_reports", "price_history", "text"]
