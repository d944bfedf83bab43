"""One pydantic model per event type, grouped by the pillar that mostly uses them.

Importing this package registers every type in ``PAYLOAD_TYPES``.
"""

from trustfair.events.types import brand, listings, live, orders, parties, protection, voice

__all__ = ["brand", "listings", "live", "orders", "parties", "protection", "voice"]
