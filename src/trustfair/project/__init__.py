"""Projectors: tables derived from the event log that detectors read, one module each,
registered with ``register_projector``. Each is rebuilt by replaying the log."""

from trustfair.project import identity_keys, listing_prices, order_shipping

__all__ = ["identity_keys", "listing_prices", "order_shipping"]
