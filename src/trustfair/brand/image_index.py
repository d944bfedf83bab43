"""An index over the bank pictures of every brand, and the search a listing's picture
goes through: nearest hashes, votes per bank picture, then geometric verification.

1. Each of the query's hashes is looked up among all bank hashes (a faiss binary
   index: exact ``IndexBinaryFlat`` while small, ``IndexBinaryIVF`` over
   ``IVF_FROM`` hashes); neighbours within ``MAX_DISTANCE`` bits count as matches.
   No ratio test: on repetitive textures (brick, fabric, a monogram) the second
   neighbour is as close as the first, and the test would drop the true match.
2. Matches vote for the bank picture that owns the hash; a picture with fewer than
   ``MIN_INLIERS`` votes cannot pass step 3 and is not looked at further.
3. The votes of each candidate are verified: RANSAC fits one similarity transform
   (``estimateAffinePartial2D``) from the query's points to the bank picture's, and a
   hit needs ``MIN_INLIERS`` matches that agree on it, with a plausible scale and
   rotation, spread over ``MIN_SPREAD`` of the bank picture. Chance agreement between
   unrelated photos stays below (9 inliers at most, measured on the accuracy test's
   photos with the threshold lowered to 5); a copy of the same photo is far above (33
   inliers at the least there).

The index knows what bank state it was built from (``BankState``); ``IndexHolder``
rebuilds it when the bank changed, so a disabled entry stops matching within
``every_seconds`` of being disabled.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import cv2
import faiss
import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from trustfair.brand.images import HASH_BYTES, ImageFeatures, features_of_row
from trustfair.brand.library import BankState
from trustfair.brand.library import bank_state as library_bank_state
from trustfair.store.models import BankEntryRow, ImageRow

IMAGE_KINDS = ("genuine_image", "logo", "fake_image")
"""Bank entries that hold a picture."""
MAX_DISTANCE = 64
"""Of 256 bits: ORB descriptors of the same corner after JPEG and resizing differ by
20–50; unrelated ones by about 100–128."""
NEIGHBOURS = 4
"""Hashes looked up per query hash. More than one: the same photo may sit in two banks
(a genuine photo and a fake seller's copy of it), and in a bank of a million hashes a
filler hash is often nearer than the true one. Measured on 1M hashes (bench
brandmatch, 83 copies of brand photos): the weakest true match had 13 inliers with 1
neighbour, 14 with 2, 25 with 4, at the same cost; on the accuracy test the strongest
false agreement went from 8 to 9 inliers (threshold 12)."""
MIN_INLIERS = 12
SCALE_RANGE = (0.7, 1.4)
"""Both pictures are normalised to a 512-px long side, so a crop of ≤ 10% per axis
scales by 0.9..1.1 whatever size it was uploaded at; the margin covers padding."""
MAX_ROTATION = 20.0
"""Degrees: product photos are upright; a large rotation is a chance alignment."""
RANSAC_THRESHOLD = 5.0
MIN_SPREAD = 0.05
"""The inliers' convex hull must cover this share of the hull of the bank picture's
keypoints. A listing copying a bank picture shows most of it (≤ 10% cropped, some of
it under text): the true matches of the bench covered 15% of the picture at the least.
Chance agreements crowd into one small patch: two generated pictures sharing parallel
stripes and a glyph in one font agreed on 13–23 inliers within 1% of the picture,
past ``MIN_INLIERS`` but not past this."""
IVF_FROM = 200_000
"""From this many hashes on, an IVF index (see ``ivf_lists``); below it, exact search
costs less than 10 ms per picture."""
IVF_PROBES = 8
"""Lists looked at per query hash (of ``ivf_lists``); chosen by measurement in
``trustfair bench brandmatch`` (its ``probe_sweep``): the verified hits of the
exact brute-force scan all found, at a fraction of its time."""
TRAINING_PER_LIST = 40
"""k-means sample per IVF list: what faiss asks for at least, and training 1M hashes'
1,024 lists on it takes a second or two instead of a minute on all of them."""


# Listing checks already run in parallel (one per request thread); faiss's OpenMP
# threads inside each search only oversubscribe the cores: on 2 shared cores a search
# took 3–6 times longer with them than without.
faiss.omp_set_num_threads(1)


@dataclass(frozen=True, slots=True)
class BankPicture:
    """A bank entry holding a picture, as the index reports it."""

    entry_id: int
    brand_id: str
    kind: str
    negative: bool
    image_id: str


@dataclass(frozen=True, slots=True)
class ImageHit:
    """A bank picture the query picture shows: which entry, and how sure."""

    entry_id: int
    brand_id: str
    kind: str
    negative: bool
    """A negative entry's picture says "not a fake"; the caller decides what that means."""
    image_id: str
    inliers: int
    """Matches agreeing on one transform: the strength of the evidence."""
    matches: int
    """Hashes of the query matched to this picture before verification."""
    scale: float
    rotation: float
    """Degrees."""


def bank_state(session: Session) -> BankState:
    """The picture entries' state now (``library.bank_state`` of the picture kinds)."""
    return library_bank_state(session, IMAGE_KINDS)


def ivf_lists(count: int) -> int:
    """IVF lists for ``count`` hashes: about √n, a power of two (1M hashes: 1,024 lists
    of ~1,000), so a query hash costs ~√n distances to the centroids plus ~√n per list
    probed."""
    return max(64, 1 << round(math.log2(math.sqrt(max(count, 1)))))


def binary_index(hashes: np.ndarray, ivf: bool | None = None) -> faiss.IndexBinary:
    """A faiss index of ``hashes`` (uint8, N × 32), exact or IVF as its size asks."""
    count = int(hashes.shape[0])
    if ivf is None:
        ivf = count >= IVF_FROM
    bits = HASH_BYTES * 8
    if not ivf:
        index = faiss.IndexBinaryFlat(bits)
    else:
        lists = ivf_lists(count)
        quantizer = faiss.IndexBinaryFlat(bits)
        index = faiss.IndexBinaryIVF(quantizer, bits, lists)
        index.own_fields = True
        quantizer.this.disown()
        sample = np.random.default_rng(0).choice(
            count, min(count, TRAINING_PER_LIST * lists), replace=False
        )
        index.train(hashes[np.sort(sample)])
        index.nprobe = IVF_PROBES
    if count:
        index.add(hashes)
    return index


class ImageIndex:
    """Bank pictures' hashes in one faiss index, each hash's owner and position."""

    def __init__(
        self,
        pictures: Sequence[BankPicture],
        hashes: np.ndarray,
        points: np.ndarray,
        owners: np.ndarray,
        built_from: BankState | None = None,
        ivf: bool | None = None,
    ) -> None:
        """``owners[i]``: the slot of the picture hash ``i`` is from. Slots number the
        distinct image ids of ``pictures`` in their order of first appearance, so that
        entries of one picture (in several banks) share its hashes and its votes."""
        self.pictures = list(pictures)
        self.hashes = np.ascontiguousarray(hashes, np.uint8).reshape(-1, HASH_BYTES)
        self.points = np.ascontiguousarray(points, np.float32).reshape(-1, 2)
        self.owners = np.ascontiguousarray(owners, np.int32)
        if not len(self.hashes) == len(self.points) == len(self.owners):
            raise ValueError("hashes, points and owners must be as long as each other")
        self.built_from = built_from
        self.built_at = datetime.now(UTC)
        started = time.perf_counter()
        self.index = binary_index(self.hashes, ivf)
        self.build_seconds = time.perf_counter() - started
        # The entries showing each owner slot (one image can sit in several banks).
        self._entries: dict[int, list[BankPicture]] = {}
        slot_of: dict[str, int] = {}
        for picture in self.pictures:
            slot = slot_of.setdefault(picture.image_id, len(slot_of))
            self._entries.setdefault(slot, []).append(picture)
        self.areas = detail_areas(self.points, self.owners, len(slot_of))

    @classmethod
    def from_session(cls, session: Session, ivf: bool | None = None) -> ImageIndex:
        """The index of every enabled picture entry of every bank, as stored now."""
        state = bank_state(session)
        rows = session.execute(
            select(BankEntryRow, ImageRow)
            .join(ImageRow, ImageRow.id == BankEntryRow.image_id)
            .where(BankEntryRow.kind.in_(IMAGE_KINDS), BankEntryRow.enabled.is_(True))
            .order_by(BankEntryRow.id)
        ).all()
        pictures: list[BankPicture] = []
        features: dict[str, ImageFeatures] = {}
        for entry, image in rows:
            pictures.append(
                BankPicture(entry.id, entry.brand_id, entry.kind, entry.negative, image.id)
            )
            if image.id not in features:
                features[image.id] = features_of_row(image)
        return cls.from_features(pictures, features, state, ivf)

    @classmethod
    def from_features(
        cls,
        pictures: Sequence[BankPicture],
        features: dict[str, ImageFeatures],
        built_from: BankState | None = None,
        ivf: bool | None = None,
    ) -> ImageIndex:
        """The index of ``pictures``, whose features are given by image id."""
        order: list[str] = []
        for picture in pictures:
            if picture.image_id not in order:
                order.append(picture.image_id)
        empty_hashes = np.zeros((0, HASH_BYTES), np.uint8)
        hashes = np.concatenate([features[i].hashes for i in order] or [empty_hashes])
        points = np.concatenate(
            [features[i].points for i in order] or [np.zeros((0, 2), np.float32)]
        )
        owners = np.concatenate(
            [np.full(features[i].count, slot, np.int32) for slot, i in enumerate(order)]
            or [np.zeros(0, np.int32)]
        )
        return cls(pictures, hashes, points, owners, built_from, ivf)

    @property
    def size(self) -> int:
        """Hashes in the index."""
        return int(self.hashes.shape[0])

    def memory_bytes(self) -> int:
        """What the index holds: the faiss codes (its own copy; an IVF also keeps an
        int64 id per hash) and the arrays beside."""
        ids = 8 * self.size if isinstance(self.index, faiss.IndexBinaryIVF) else 0
        return 2 * self.hashes.nbytes + ids + self.points.nbytes + self.owners.nbytes

    def is_stale(self, session: Session) -> bool:
        """Whether the bank changed since the index was built (always, for an index
        built from arrays: it reflects no bank)."""
        return self.built_from is None or bank_state(session) != self.built_from

    def neighbours(self, features: ImageFeatures) -> tuple[np.ndarray, np.ndarray]:
        """(query hash, bank hash) index pairs within ``MAX_DISTANCE``."""
        if features.count == 0 or self.size == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        k = min(NEIGHBOURS, self.size)
        distances, labels = self.index.search(np.ascontiguousarray(features.hashes), k)
        keep = (labels >= 0) & (distances <= MAX_DISTANCE)
        query = np.repeat(np.arange(features.count), k).reshape(-1, k)
        return query[keep], labels[keep]

    def search(self, features: ImageFeatures) -> list[ImageHit]:
        """The bank pictures ``features`` shows, strongest first."""
        query, bank = self.neighbours(features)
        return self.verify(features, query, bank)

    def verify(
        self, features: ImageFeatures, query: np.ndarray, bank: np.ndarray
    ) -> list[ImageHit]:
        """Votes per bank picture from matched (query, bank) hash pairs, then RANSAC."""
        return verify_matches(
            features.points, query, bank, self.points, self.owners, self.areas, self._entries
        )


def detail_areas(points: np.ndarray, owners: np.ndarray, slots: int) -> np.ndarray:
    """Per bank picture, the area of the convex hull of its keypoints: the part of the
    picture that has detail to match."""
    areas = np.zeros(slots, np.float64)
    if not len(owners):
        return areas
    order = np.argsort(owners, kind="stable")
    bounds = np.searchsorted(owners[order], np.arange(slots + 1))
    for slot in range(slots):
        members = points[order[bounds[slot] : bounds[slot + 1]]]
        if len(members) >= 3:
            areas[slot] = cv2.contourArea(cv2.convexHull(members))
    return areas


def verify_matches(
    query_points: np.ndarray,
    query: np.ndarray,
    bank: np.ndarray,
    bank_points: np.ndarray,
    owners: np.ndarray,
    areas: np.ndarray,
    entries: dict[int, list[BankPicture]],
) -> list[ImageHit]:
    """The hits among matched pairs (shared by the index and the brute-force baseline
    of the bench, so they differ only in how the pairs were found)."""
    if len(query) < MIN_INLIERS:
        return []
    slots = owners[bank]
    counts = np.bincount(slots)
    hits: list[ImageHit] = []
    for slot in np.flatnonzero(counts >= MIN_INLIERS):
        mask = slots == slot
        fitted = fit(query_points[query[mask]], bank_points[bank[mask]], float(areas[slot]))
        if fitted is None:
            continue
        inliers, scale, rotation = fitted
        for picture in entries.get(int(slot), ()):
            hits.append(
                ImageHit(
                    picture.entry_id,
                    picture.brand_id,
                    picture.kind,
                    picture.negative,
                    picture.image_id,
                    inliers,
                    int(counts[slot]),
                    round(scale, 3),
                    round(rotation, 1),
                )
            )
    hits.sort(key=lambda hit: (-hit.inliers, hit.entry_id))
    return hits


def fit(
    source: np.ndarray, target: np.ndarray, detail_area: float = 0.0
) -> tuple[int, float, float] | None:
    """(inliers, scale, rotation°) of the similarity transform RANSAC fits from
    ``source`` to ``target`` points, if it is plausible, has ``MIN_INLIERS`` and its
    inliers spread over ``MIN_SPREAD`` of the bank picture's ``detail_area``."""
    matrix, mask = cv2.estimateAffinePartial2D(
        source.reshape(-1, 1, 2),
        target.reshape(-1, 1, 2),
        method=cv2.RANSAC,
        ransacReprojThreshold=RANSAC_THRESHOLD,
    )
    if matrix is None or mask is None:
        return None
    inlying = mask.ravel().astype(bool)
    # ORB finds a corner at several pyramid levels: one place matched many times is one
    # piece of evidence, so inliers count distinct places on both sides.
    inliers = min(
        len(np.unique(np.round(source[inlying]), axis=0)),
        len(np.unique(np.round(target[inlying]), axis=0)),
    )
    if inliers < MIN_INLIERS:
        return None
    spread = cv2.contourArea(cv2.convexHull(target[inlying]))
    if spread < MIN_SPREAD * detail_area:
        return None
    a, b = float(matrix[0, 0]), float(matrix[1, 0])
    scale = math.hypot(a, b)
    rotation = math.degrees(math.atan2(b, a))
    if not SCALE_RANGE[0] <= scale <= SCALE_RANGE[1] or abs(rotation) > MAX_ROTATION:
        return None
    return inliers, scale, rotation


class IndexHolder:
    """The current index, rebuilt when the bank changed; looked at most every
    ``every_seconds``, so a busy listing check costs one aggregate query a few times a
    minute, and a disabled entry stops matching within that time (plus a rebuild:
    seconds for a million hashes). While one thread rebuilds, the others go on with
    the index they have rather than wait; only the first build is waited for."""

    def __init__(
        self,
        every_seconds: float = 10.0,
        monotonic: Callable[[], float] = time.monotonic,
        ivf: bool | None = None,
    ) -> None:
        self.every_seconds = every_seconds
        self._monotonic = monotonic
        self._ivf = ivf
        self._index: ImageIndex | None = None
        self._checked = -math.inf
        self._building = threading.Lock()
        self.rebuilds = 0

    def _rebuild(self, session: Session) -> ImageIndex:
        self._index = ImageIndex.from_session(session, self._ivf)
        self.rebuilds += 1
        return self._index

    def current(self, session: Session) -> ImageIndex:
        """The index, rebuilt first if it is time to look and the bank changed."""
        index = self._index
        now = self._monotonic()
        if index is not None and now - self._checked < self.every_seconds:
            return index
        if index is None:
            with self._building:
                self._checked = now
                return self._index or self._rebuild(session)
        if not self._building.acquire(blocking=False):
            return index  # another thread is looking; this one goes on meanwhile
        try:
            self._checked = now
            return self._rebuild(session) if index.is_stale(session) else index
        finally:
            self._building.release()

    def search(self, session: Session, features: ImageFeatures) -> list[ImageHit]:
        return self.current(session).search(features)
