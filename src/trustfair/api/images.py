"""Pictures over HTTP: upload one to be described by its local hashes, read what is
known of it.

A picture is sent as the raw body (``Content-Type: image/…``) under an id the caller
chooses (a listing's picture, a bank's reference photo, a complaint's evidence), and
kept as its hashes only (``brand.images``). Sending the same bytes under the same id
again is answered 200 with what was stored; other bytes under a stored id are a 409,
since bank entries and brand checks refer to pictures by id.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool

from trustfair.access.roles import Permission, Principal, shown_actor
from trustfair.api.auth import require
from trustfair.api.schemas import errors
from trustfair.api.uploads import read_capped
from trustfair.brand.images import (
    MAX_BYTES,
    ImageConflict,
    ImageError,
    ImageTooLarge,
    bank_refusal,
    features_of,
    features_of_row,
    save_image,
)
from trustfair.store.database import Store
from trustfair.store.models import ImageRow

router = APIRouter(prefix="/v1", tags=["brand protection"])

ImageId = Annotated[
    str,
    Path(
        min_length=1,
        max_length=128,
        pattern=r"^[A-Za-z0-9_.:-]+$",
        description="The caller's id for the picture (letters, digits, _ . : -).",
    ),
]


class Image(BaseModel):
    id: str
    width: int = Field(description="The uploaded picture's size in pixels.")
    height: int
    quality: int = Field(description="0..100: how much there is to match on.")
    feature_count: int = Field(description="Local hashes kept (at most 1,000).")
    sha256: str = Field(description="Of the uploaded bytes.")
    fit_for_bank: bool = Field(
        description="Whether the picture may serve as a bank's reference picture."
    )
    bank_refusal: str | None = Field(description="Why not, when it may not.")
    uploaded_by: str
    created_at: datetime


def _image(row: ImageRow, principal: Principal) -> Image:
    refusal = bank_refusal(features_of_row(row))
    return Image(
        id=row.id,
        width=row.width,
        height=row.height,
        quality=row.quality,
        feature_count=row.feature_count,
        sha256=row.sha256,
        fit_for_bank=refusal is None,
        bank_refusal=refusal,
        uploaded_by=shown_actor(row.uploaded_by, principal) or "",
        created_at=row.created_at,
    )


@router.put(
    "/images/{image_id}",
    response_model=Image,
    status_code=201,
    summary="Upload a picture to be described by its local hashes",
    description=(
        "The body is the picture itself (PNG, JPEG, WebP, GIF or BMP) with an image/… "
        "Content-Type. 201 when stored, 200 when the same bytes were stored under this "
        "id before; 409 when other bytes were; 413 over 20 MB or 50 megapixels; 415 "
        "for another Content-Type; 422 when the body is not a picture. Only the hashes "
        "are kept, never the picture."
    ),
    responses={
        200: {"model": Image, "description": "Stored before with the same bytes."},
        **errors(401, 403, 409, 422),
        413: {"description": "Over the byte or pixel limit."},
        415: {"description": "The Content-Type is not image/…."},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"image/*": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
async def put_image(
    request: Request,
    principal: Annotated[Principal, Depends(require(Permission.IMAGES_WRITE))],
    image_id: ImageId,
) -> JSONResponse:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if not kind.startswith("image/"):
        raise HTTPException(415, f"send the picture with an image/… Content-Type, not {kind!r}")
    data = await read_capped(request, MAX_BYTES, "the picture")
    store: Store = request.app.state.store

    def work() -> tuple[Image, bool]:
        features = features_of(data)  # decoding refuses bad bytes before any write
        for attempt in (1, 2):
            try:
                with store.transaction() as session:
                    row, created = save_image(
                        session, image_id, data, principal.actor, datetime.now(UTC), features
                    )
                    return _image(row, principal), created
            except IntegrityError:
                # Two uploads of one id at once: the second finds the first's row now.
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    try:
        image, created = await run_in_threadpool(work)
    except ImageConflict as exc:
        raise HTTPException(409, str(exc)) from None
    except ImageTooLarge as exc:
        raise HTTPException(413, str(exc)) from None
    except ImageError as exc:
        raise HTTPException(422, str(exc)) from None
    return JSONResponse(image.model_dump(mode="json"), 201 if created else 200)


@router.get(
    "/images/{image_id}",
    response_model=Image,
    summary="What is known of an uploaded picture",
    description="A brand sees the pictures it uploaded; staff see all.",
    responses=errors(401, 403, 404),
)
def get_image(
    request: Request,
    principal: Annotated[Principal, Depends(require(Permission.BRAND_READ))],
    image_id: ImageId,
) -> Image:
    store: Store = request.app.state.store
    with store.reading() as session:
        row = session.get(ImageRow, image_id)
        # Not a party's own upload looks like no upload: ids must not be probed.
        if row is None or not (principal.sees_everything or row.uploaded_by == principal.actor):
            raise HTTPException(404, f"no image {image_id}")
        return _image(row, principal)
