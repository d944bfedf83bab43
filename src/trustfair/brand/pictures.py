"""Listing pictures matched against the banks' pictures, for the brand detector.

The picture index (``brand.image_index``) is built from the enabled bank pictures and
rebuilt when they change; a batch of listings asks whether it is stale once (one
aggregate query) and rebuilds it first if so, so a picture disabled before the batch no
longer matches in it. While another thread of the same process is rebuilding, a batch
goes on with the index it has (``IndexHolder.current``) and the change counts from the
next batch.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from sqlalchemy.orm import Session

from trustfair.brand.image_index import ImageIndex, IndexHolder
from trustfair.brand.images import load_features
from trustfair.brand.matching import PictureHit

_holders: dict[str, IndexHolder] = {}
_lock = threading.Lock()


def current_index(session: Session) -> ImageIndex:
    """The picture index of the session's store, rebuilt first if the bank changed."""
    url = session.get_bind().engine.url.render_as_string(hide_password=True)
    with _lock:
        holder = _holders.setdefault(url, IndexHolder(every_seconds=0.0))
    return holder.current(session)


def picture_hits(index: ImageIndex, session: Session, image_ids: Sequence[str]) -> list[PictureHit]:
    """The bank pictures that the uploaded pictures ``image_ids`` show. A picture never
    uploaded (only its id was sent) matches nothing."""
    if index.size == 0 or not image_ids:
        return []
    hits = []
    for image_id, features in load_features(session, image_ids).items():
        for hit in index.search(features):
            hits.append(
                PictureHit(
                    image_id, hit.entry_id, hit.brand_id, hit.kind, hit.negative, hit.inliers
                )
            )
    return hits
