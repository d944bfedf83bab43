"""Disease prevention, treatment and cure claims for products that are not medicines.

A claim is a set phrase (降血压, 抗癌) or a disease and a treatment verb close
together (治疗…糖尿病). Medicines and medical devices may say so; news about
hospitals may too. Health food must carry 本品不能代替药物 on its listing.
"""

from __future__ import annotations

import re
from typing import ClassVar

from trustfair.text.detectors.base import (
    KIND_FACTOR,
    PLAIN_SCORE,
    Finding,
    LexiconDetector,
    inside,
    quoted_claims,
)
from trustfair.text.document import Document, Hit
from trustfair.text.normalize import NormalizedText

DISCLAIMERS = ("本品不能代替药物", "不能代替药物治疗疾病")
"""The warning health food must carry, in the guideline's two wordings."""
WARNING_REACH = 12
PAIR_RULE = "medical_claim.disease_treatment"
SENTENCE_END = re.compile(r"[。！!？?；;\n]")


class MedicalClaimDetector(LexiconDetector):
    # Medical claims have their own negations, tied to the treatment verb.
    deniable: ClassVar[bool] = False
    trigger_groups: ClassVar[tuple[str, ...]] = ("term", "diseases")
    param_types: ClassVar[dict[str, type]] = {
        "window": int,
        "disclaimer_min_chars": int,
        "exempt_categories": list,
    }

    def runs_untriggered(self, text: NormalizedText, category: str | None) -> bool:
        # Health food without its warning has nothing to find: the absence is the finding
        # (on a listing long enough to carry it, see extra_findings).
        return category == "health_food" and len(text.compact) >= int(
            self.params.get("disclaimer_min_chars", 30)  # type: ignore[arg-type]
        )

    def find(self, doc: Document) -> list[Finding]:
        exempt = self.params.get("exempt_categories", [])
        if doc.category and isinstance(exempt, list) and doc.category in exempt:
            return []
        if doc.hits_of(self.label, "medicine_cues"):
            return []  # a medicine's own label (适应症, 国药准字) may name diseases
        findings = super().find(doc)
        if findings and self._reads_as_medical_news(doc):
            # News may name diseases and cures; what it quotes a seller as claiming
            # (宣称“三天去根”) is still a claim.
            quoted = quoted_claims(doc)
            findings = [f for f in findings if inside(f, quoted)]
        if (
            findings
            and (doc.category == "health_food" or "保健食品" in doc.text.compact)
            and any(disclaimer in doc.text.compact for disclaimer in DISCLAIMERS)
        ):
            # Health food that carries its warning names the disease its approved
            # function concerns (辅助降血脂 … 本品不能代替药物): a disease beside a verb is
            # no claim there; a claim in words of its own (根治, 药到病除) still is.
            findings = [f for f in findings if f.rule != PAIR_RULE]
        return findings

    def accept(self, hit: Hit, doc: Document) -> bool:
        if not super().accept(hit, doc):
            return False
        if hit.entry.group == "term" and self._negated(hit, doc.hits_of(self.label, "negations")):
            return False
        # 警惕…宣称包治百病的产品: a warning about such claims is not one.
        return not any(
            0 <= hit.cstart - w.cend <= WARNING_REACH for w in doc.hits_of(self.label, "warnings")
        )

    @staticmethod
    def _negated(verb: Hit, negations: list[Hit]) -> bool:
        # 治不了, 不能治, 尚无法根治: a denial names the disease too.
        return any(
            0 <= verb.cstart - n.cend <= 3 or n.cstart <= verb.cstart < n.cend for n in negations
        )

    def _reads_as_medical_news(self, doc: Document) -> bool:
        # 医院成功治疗… is news; it stops being news when it sells (下单, 购买, 链接).
        return bool(doc.hits_of(self.label, "news_cues")) and not doc.hits_of(
            self.label, "selling_cues"
        )

    def extra_findings(self, doc: Document) -> list[Finding]:
        window = int(self.params.get("window", 8))  # type: ignore[arg-type]
        found = []
        treatments = [h for h in doc.hits_of(self.label, "treatments") if self.accept(h, doc)]
        negations = doc.hits_of(self.label, "negations")
        diseases = [h for h in doc.hits_of(self.label, "diseases") if self.accept(h, doc)]
        for disease in diseases:
            for verb in treatments:
                gap = max(verb.cstart - disease.cend, disease.cstart - verb.cend)
                if gap > window or self._negated(verb, negations):
                    continue
                first, second = sorted((disease, verb), key=lambda hit: hit.cstart)
                if SENTENCE_END.search(doc.original, first.end, second.start):
                    continue  # …治疗功能。孕妇及过敏体质者…: two sentences, no claim
                start, end = min(disease.start, verb.start), max(disease.end, verb.end)
                factor = KIND_FACTOR[disease.entry.kind] * KIND_FACTOR[verb.entry.kind]
                found.append(
                    Finding(
                        self.label,
                        PAIR_RULE,
                        "block",
                        round(PLAIN_SCORE["block"] * factor, 3),
                        start,
                        end,
                        "plain" if factor == 1 else "homophone",
                    )
                )
        if (
            doc.category == "health_food"
            and doc.context in (None, "listing")
            and len(doc.text.compact) >= int(self.params.get("disclaimer_min_chars", 30))  # type: ignore[arg-type]
            and not any(disclaimer in doc.text.compact for disclaimer in DISCLAIMERS)
        ):
            found.append(
                Finding(
                    self.label,
                    "medical_claim.health_food_without_disclaimer",
                    "review",
                    PLAIN_SCORE["review"],
                    0,
                    len(doc.original),
                )
            )
        return found
