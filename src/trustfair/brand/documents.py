"""Documents a rights holder uploads: untrusted bytes, checked before they are kept.

What a document is comes from its first bytes, never from the name or the Content-Type
it was sent with: only PDF, PNG and JPEG are taken, and the sniffed type is the one it is
served back with (as an attachment, so a browser never renders it in our origin). Its
SHA-256 is kept beside it, so a reviewer can tell the same paper sent twice and an
export can prove what was looked at.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy.orm import Session

from trustfair.brand.rights import HolderState, RightsConflict, RightsRefused
from trustfair.store.models import BrandDocumentRow, RightsHolderRow

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
"""A scanned certificate fits in a few MB; anything larger is refused before it is read
whole."""
MAX_FILENAME = 256


class DocumentKind(StrEnum):
    BUSINESS_LICENCE = "business_licence"
    AGENT_LETTER = "agent_letter"
    TRADEMARK_CERTIFICATE = "trademark_certificate"
    PATENT_CERTIFICATE = "patent_certificate"
    COPYRIGHT_CERTIFICATE = "copyright_certificate"
    EVIDENCE = "evidence"


_SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
)


class DocumentTooLarge(RightsRefused):
    """The upload is over MAX_DOCUMENT_BYTES (HTTP 413)."""


class UnsupportedDocument(RightsRefused):
    """The bytes are not a PDF, PNG or JPEG, whatever they were called (HTTP 415)."""


def sniff(body: bytes) -> tuple[str, str]:
    """(content type, file extension) of ``body`` from its leading bytes."""
    for magic, content_type, extension in _SIGNATURES:
        if body.startswith(magic):
            return content_type, extension
    raise UnsupportedDocument(
        "the document is not a PDF, PNG or JPEG (judged from its bytes, not its name or "
        "Content-Type)"
    )


def clean_filename(name: str | None, kind: str, extension: str) -> str:
    """A name safe to show and to put in a Content-Disposition: the last path part,
    without control characters, at most MAX_FILENAME; ``KIND.ext`` when none is left."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = "".join(c for c in base if c.isprintable()).strip()[:MAX_FILENAME]
    return base or f"{kind}{extension}"


def upload_document(
    session: Session,
    holder: RightsHolderRow,
    kind: DocumentKind,
    body: bytes,
    filename: str | None,
    at: datetime,
    actor: str,
) -> BrandDocumentRow:
    """Keep ``body`` as one of ``holder``'s documents, once its size and type are checked.

    ``holder`` is one the caller may act for (see ``holders.holder_for``)."""
    if holder.state == HolderState.REJECTED:
        raise RightsConflict(
            f"rights holder {holder.id!r} was rejected: apply again to send documents"
        )
    if len(body) > MAX_DOCUMENT_BYTES:
        raise DocumentTooLarge(
            f"the document has {len(body):,} bytes; at most {MAX_DOCUMENT_BYTES:,}"
        )
    if not body:
        raise RightsRefused("the document is empty: send its bytes as the request body")
    content_type, extension = sniff(body)
    row = BrandDocumentRow(
        id=f"doc-{uuid.uuid4().hex}",
        holder_id=holder.id,
        kind=kind.value,
        filename=clean_filename(filename, kind.value, extension),
        content_type=content_type,
        size=len(body),
        sha256=hashlib.sha256(body).hexdigest(),
        body=body,
        uploaded_by=actor,
        uploaded_at=at,
    )
    session.add(row)
    session.flush()
    return row
