"""Built-in rules: one module each, registered with ``register_rule``."""

from trustfair.policy.rules import live_report_burst, live_risk, text_moderation

__all__ = ["live_report_burst", "live_risk", "text_moderation"]
