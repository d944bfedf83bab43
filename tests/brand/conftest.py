"""Principals and documents for the brand-protection tests."""

from __future__ import annotations

from datetime import UTC, datetime

from trustfair.access.roles import PERMISSIONS, Principal, Role
from trustfair.events.payload import EntityRef

T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
CREDIT_CODE = "91350100M000100Y43"
"""A 统一社会信用代码 of the real format with a valid check character."""

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(17)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(8) + b"\xff\xd9"


def brand(*brand_ids: str) -> Principal:
    return Principal(
        "key",
        f"brand-{'-'.join(brand_ids)}",
        Role.BRAND,
        PERMISSIONS[Role.BRAND],
        owns=frozenset(EntityRef("brand", b) for b in brand_ids),
    )


REVIEWER = "user:rita"
