"""Effects that touch cases, registered with ``register_effect``."""

from trustfair.cases.effects import open_case

__all__ = ["open_case"]
