"""Uploaded documents: the type from the bytes, the size limit, the hash kept."""

from __future__ import annotations

import hashlib

import pytest

from tests.brand.conftest import CREDIT_CODE, JPEG, PDF, PNG, T0, brand
from trustfair.brand.documents import (
    MAX_DOCUMENT_BYTES,
    DocumentKind,
    DocumentTooLarge,
    UnsupportedDocument,
    clean_filename,
    sniff,
    upload_document,
)
from trustfair.brand.holders import Application, apply_holder, reject_holder
from trustfair.brand.rights import RightsConflict, RightsRefused
from trustfair.store.database import Store
from trustfair.store.models import BrandDocumentRow


@pytest.mark.parametrize(
    ("body", "content_type"),
    [(PDF, "application/pdf"), (PNG, "image/png"), (JPEG, "image/jpeg")],
)
def test_the_type_comes_from_the_bytes(body: bytes, content_type: str) -> None:
    assert sniff(body)[0] == content_type


@pytest.mark.parametrize(
    "body",
    [
        b"<html><script>alert(1)</script></html>",
        b"GIF89a" + bytes(10),
        b"PK\x03\x04 a zip (or docx)",
        b" %PDF-1.7 not at the start",
        b"\x89PNG but cut short",
    ],
)
def test_anything_else_is_refused_whatever_it_is_called(body: bytes) -> None:
    with pytest.raises(UnsupportedDocument, match="not a PDF, PNG or JPEG"):
        sniff(body)


def test_a_filename_is_cut_to_its_last_part_and_cleaned() -> None:
    assert clean_filename("../../etc/passwd", "evidence", ".pdf") == "passwd"
    assert clean_filename("C:\\scans\\licence.pdf", "evidence", ".pdf") == "licence.pdf"
    assert clean_filename("a\r\nb.pdf", "evidence", ".pdf") == "ab.pdf"
    assert clean_filename(None, "business_licence", ".png") == "business_licence.png"
    assert clean_filename("x" * 300, "evidence", ".pdf") == "x" * 256


def _holder(session):  # type: ignore[no-untyped-def]
    return apply_holder(session, brand("b1"), Application("b1", "Acme Ltd", CREDIT_CODE), T0)


def test_an_upload_is_kept_with_its_sniffed_type_size_and_hash(store: Store) -> None:
    with store.transaction() as session:
        holder = _holder(session)
        row = upload_document(
            session, holder, DocumentKind.BUSINESS_LICENCE, PDF, "licence.png", T0, "key:b1"
        )
        document_id = row.id
    with store.reading() as session:
        kept = session.get(BrandDocumentRow, document_id)
        assert kept is not None
        assert kept.content_type == "application/pdf"  # not what the name says
        assert (kept.size, kept.sha256) == (len(PDF), hashlib.sha256(PDF).hexdigest())
        assert kept.body == PDF and kept.filename == "licence.png"


def test_too_large_or_empty_uploads_are_refused(store: Store) -> None:
    with store.transaction() as session:
        holder = _holder(session)
        big = PDF + bytes(MAX_DOCUMENT_BYTES + 1 - len(PDF))
        with pytest.raises(DocumentTooLarge, match="at most 10,485,760"):
            upload_document(session, holder, DocumentKind.EVIDENCE, big, None, T0, "key:b1")
        exactly = PDF + bytes(MAX_DOCUMENT_BYTES - len(PDF))
        upload_document(session, holder, DocumentKind.EVIDENCE, exactly, None, T0, "key:b1")
        with pytest.raises(RightsRefused, match="empty"):
            upload_document(session, holder, DocumentKind.EVIDENCE, b"", None, T0, "key:b1")


def test_a_rejected_holder_sends_no_more_documents(store: Store) -> None:
    with store.transaction() as session:
        holder = _holder(session)
        reject_holder(session, holder.id, "not the brand's owner", T0, "user:rita")
        with pytest.raises(RightsConflict, match="rejected: apply again"):
            upload_document(session, holder, DocumentKind.EVIDENCE, PDF, None, T0, "key:b1")
