"""Staged conflict and sob stories: a reviewer's call, never a block on its own."""

from __future__ import annotations

from typing import ClassVar

from trustfair.text.detectors.base import LexiconDetector


class StagedDramaDetector(LexiconDetector):
    review_only: ClassVar[bool] = True
