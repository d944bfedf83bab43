"""Rights holders' notices, from the log:

- ``complaint.filed`` by a rights holder against a listing (the marketplace's own IP
  portal sending the notice as an event) → ``ip_notice``, which the policy files for
  notice and takedown (the ``file_notice`` effect), exactly as ``POST /v1/complaints``;
- ``ip_complaint.upheld`` (a notice the merchant did not contest within the answer
  window) → ``ip_infringement``: infringement read from the outcome of notice and
  takedown rather than guessed from words.

The policy decides what that costs (``ip_infringement`` points in the default policy);
repeats within its escalation window count double, so a repeat infringer reaches the
point nodes. The matter is the listing (``enforce.authors.SAME_OFFENCE``): one listing
is punished once, whether a notice, the brand detector or the text engine found it,
however often its event is replayed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from trustfair.pipeline.interfaces import Context, Signal, StoredEvent
from trustfair.pipeline.registry import register_detector
from trustfair.settings import Settings

LABEL = "ip_infringement"
NOTICE = "ip_notice"


@dataclass(frozen=True)
class IpComplaintDetector:
    name: str = "ip_complaints"
    version: str = "1"
    event_types: frozenset[str] = frozenset({"ip_complaint.upheld", "complaint.filed"})

    def detect(self, event: StoredEvent, context: Context) -> list[Signal]:
        payload: Any = event.envelope.payload
        if event.type == "complaint.filed":
            return self._notice(payload)
        evidence = {
            "rule": "brand.notice_upheld",
            "complaint_id": payload.complaint_id,
            "notice_ref": payload.notice_ref,
            "listing_id": payload.listing_id,
            "brand_id": payload.brand_id,
            "right_id": payload.right_id,
            "jurisdiction": payload.jurisdiction,
        }
        return [Signal(self.name, self.version, LABEL, 1.0, evidence)]

    def _notice(self, payload: Any) -> list[Signal]:
        if payload.complainant_type != "rights_holder" or payload.target.type != "listing":
            return []
        facts = {
            "notice_ref": payload.complaint_id,
            "holder_id": payload.complainant_id,
            "kind": payload.kind,
            "listing_id": payload.target.id,
            "text": payload.text,
            "evidence_ids": list(payload.evidence_ids),
        }
        return [Signal(self.name, self.version, NOTICE, 1.0, facts)]


@register_detector("ip_complaints")
def make_detector(_: Settings) -> IpComplaintDetector:
    return IpComplaintDetector()
