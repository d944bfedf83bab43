"""Raw request bodies (an uploaded picture or document) read with a cap."""

from __future__ import annotations

from fastapi import HTTPException, Request


async def read_capped(request: Request, limit: int, what: str) -> bytes:
    """The request body, refused with 413 as soon as it is over ``limit`` (whatever
    Content-Length claimed), so an endless upload is never held whole. ``what`` names
    it in the error ("the picture", "the document")."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise HTTPException(413, f"{what} has {int(declared):,} bytes; at most {limit:,}")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HTTPException(413, f"{what} is over {limit:,} bytes")
        chunks.append(chunk)
    return b"".join(chunks)
