"""One detector per label. A new label is one module here and one lexicon file."""

from __future__ import annotations

from trustfair.text.detectors.base import LexiconDetector
from trustfair.text.detectors.counterfeit_hint import CounterfeitHintDetector
from trustfair.text.detectors.diversion import DiversionDetector
from trustfair.text.detectors.medical_claim import MedicalClaimDetector
from trustfair.text.detectors.price_fraud import PriceFraudDetector
from trustfair.text.detectors.spam_porn import SpamPornDetector
from trustfair.text.detectors.staged_drama import StagedDramaDetector

DETECTOR_TYPES: dict[str, type[LexiconDetector]] = {
    "spam_porn": SpamPornDetector,
    "extreme_claim": LexiconDetector,
    "medical_claim": MedicalClaimDetector,
    "exaggeration": LexiconDetector,
    "price_fraud": PriceFraudDetector,
    "diversion": DiversionDetector,
    "staged_drama": StagedDramaDetector,
    "counterfeit_hint": CounterfeitHintDetector,
}
