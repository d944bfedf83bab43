"""trustfair: the trust and governance platform of a live-stream e-commerce marketplace.

The package reads as the spine of DESIGN.md, top to bottom:
events → store → pipeline (detectors → policy → effects) → cases → report.
"""

__version__ = "0.1.0"
