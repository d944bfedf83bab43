"""Enforcement effects (points, sanctions, live shutdown), registered with
``register_effect``."""

from trustfair.enforce import live_risk

__all__ = ["live_risk"]
