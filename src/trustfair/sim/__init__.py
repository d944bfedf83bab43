"""The marketplace simulator: a deterministic feed of events and the truth behind it.

``simulate(seed, scale, out_dir)`` writes ``events.jsonl`` (every line a valid event)
and ``truth.jsonl`` (entity natures, violating events with their labels and disguises,
brands' price floors and authorised sellers, spam-bot users).
"""

from trustfair.sim.simulate import SimulationSummary, simulate

__all__ = ["SimulationSummary", "simulate"]
