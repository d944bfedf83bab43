"""Brand protection: what a notice and takedown ends in, written to the log by
trustfair itself (``brand.complaints``) so that enforcement follows the one spine."""

from __future__ import annotations

from pydantic import Field

from trustfair.events.fields import Id
from trustfair.events.payload import Payload, event_type


@event_type("ip_complaint.upheld", subject=("merchant", "merchant_id"))
class IpComplaintUpheld(Payload):
    """A rights holder's notice against a merchant's listing stood: the merchant did not
    declare non-infringement within the answer window, and the measures stay. The
    pipeline counts it as an infringement (penalty points; repeat infringers reach the
    point nodes)."""

    complaint_id: int = Field(ge=1)
    notice_ref: Id
    merchant_id: Id
    listing_id: Id
    brand_id: Id
    right_id: int = Field(ge=1)
    jurisdiction: Id
