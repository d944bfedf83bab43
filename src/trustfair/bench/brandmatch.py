"""Listing checks against a bank of a million picture hashes: trustfair's index (faiss
IVF + RANSAC) beside a brute-force numpy Hamming scan of the same bank, same queries,
same verification, same judgement, in the same run.

The bank: the 18 real brand photos (``bench.photos.PHOTOS``), each a ``genuine_image``
entry of its own brand, among procedurally generated product-like pictures
(``bench.textures``: gradients, repeated textures, shapes, printed words), all
described by the same ``features_of_pixels`` as an upload, until the bank holds
``BANK_HASHES`` hashes. Listings have 1–3 pictures; about a third are brand photos
changed as a fake seller would (``bench.photos.FAMILIES``), the rest unrelated: new
generated pictures, upscaled faces, and real photos the bank does not hold. Features
are computed at upload time, before any clock starts, as in production. Timed: each
listing's check, i.e. for each of its pictures the neighbour search and the RANSAC
verification of the candidates, then the matcher's judgement of the listing (its words
against the brands' names and the trade words of fakes, its seller, its price against
the floor, its pictures' hits) into counterfeit or look-alike findings.

The brute-force scan (XOR + ``np.bitwise_count`` over the bank as 64-bit words, the
two nearest within ``MAX_DISTANCE``) is exact and slow, so it checks only the first
``baseline_listings`` listings; the index checks those too, and its agreement with
the scan is measured on them: the share of the scan's verified hits the index also
finds. A sweep of the IVF's probes on the same listings shows why ``IVF_PROBES``.
"""

from __future__ import annotations

import os
import platform
import resource
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from trustfair.bench.photos import FAMILIES, PHOTOS, POOR_PHOTOS, encoded, faces, photo
from trustfair.bench.textures import textured_gray
from trustfair.brand import image_index
from trustfair.brand.image_index import MAX_DISTANCE, NEIGHBOURS, BankPicture, ImageIndex
from trustfair.brand.images import ImageFeatures, features_of, features_of_pixels
from trustfair.brand.matching import (
    BrandBank,
    Floor,
    ListingFacts,
    Matcher,
    PictureHit,
    TextMatcher,
    TextTerm,
)
from trustfair.brand.snapshot import trade_words

BANK_HASHES = 1_000_000
DEFAULT_LISTINGS = 200
BASELINE_LISTINGS = 6
BRAND_SHARE = 1 / 3
FILLER_SEED = 1_000_000
"""Filler pictures of the bank use seeds from here; unrelated listing pictures below."""
PROBES = (4, 8, 16, 24, 32)


@dataclass(frozen=True, slots=True)
class ListingPicture:
    features: ImageFeatures
    truth: str | None
    """The brand photo it is a copy of, if any."""
    origin: str


def _filler(seed: int) -> ImageFeatures:
    return features_of_pixels(textured_gray(seed))


def build_bank(target: int = BANK_HASHES) -> tuple[list[BankPicture], dict[str, ImageFeatures]]:
    """The brand photos and enough generated pictures for ``target`` hashes."""
    pictures = [
        BankPicture(i + 1, f"brand-{name.split('.')[0]}", "genuine_image", False, name)
        for i, name in enumerate(PHOTOS)
    ]
    features = {name: features_of(encoded(photo(name))) for name in PHOTOS}
    total = sum(f.count for f in features.values())
    seed = FILLER_SEED
    with ProcessPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as pool:
        while total < target:
            batch = range(seed, seed + 64)
            seed += 64
            for picture_seed, found in zip(batch, pool.map(_filler, batch), strict=True):
                if total >= target or found.count == 0:
                    continue
                keep = min(found.count, target - total)
                image_id = f"filler-{picture_seed}"
                features[image_id] = ImageFeatures(
                    found.points[:keep], found.hashes[:keep], found.width, found.height, 0
                )
                kind = ("genuine_image", "logo", "fake_image")[picture_seed % 3]
                pictures.append(
                    BankPicture(
                        len(pictures) + 1, f"filler-{picture_seed % 500}", kind, False, image_id
                    )
                )
                total += keep
    return pictures, features


def plan_listings(count: int, seed: int = 7) -> list[list[ListingPicture]]:
    """``count`` listings of 1–3 pictures, about a third of them brand photos' copies."""
    rng = np.random.default_rng(seed)
    originals = {name: photo(name) for name in PHOTOS}
    unrelated_photos = [photo(name) for name in POOR_PHOTOS]
    face_pictures = faces(200)
    families = list(FAMILIES.items())
    listings: list[list[ListingPicture]] = []
    next_seed = 0
    for _ in range(count):
        listing = []
        for _ in range(int(rng.integers(1, 4))):
            if rng.random() < BRAND_SHARE:
                name = str(rng.choice(PHOTOS))
                family, variant = families[int(rng.integers(len(families)))]
                data = encoded(variant(originals[name], rng))
                listing.append(ListingPicture(features_of(data), name, f"brand photo, {family}"))
                continue
            kind = rng.random()
            if kind < 0.6:
                next_seed += 1
                picture = ListingPicture(
                    features_of_pixels(textured_gray(next_seed)), None, "generated"
                )
            elif kind < 0.9:
                face = face_pictures[int(rng.integers(len(face_pictures)))]
                picture = ListingPicture(features_of(encoded(face)), None, "face")
            else:
                source = unrelated_photos[int(rng.integers(len(unrelated_photos)))]
                variant = families[int(rng.integers(len(families)))][1]
                picture = ListingPicture(
                    features_of(encoded(variant(source, rng))), None, "unrelated photo"
                )
            listing.append(picture)
        listings.append(listing)
    return listings


class BruteForce:
    """The exact scan: every query hash against every bank hash."""

    def __init__(self, index: ImageIndex) -> None:
        self.index = index
        # One contiguous column per 64-bit word: each XOR streams 8 MB, not 32 strided.
        self.words = np.ascontiguousarray(index.hashes.view(np.uint64).T)

    def neighbours(self, features: ImageFeatures) -> tuple[np.ndarray, np.ndarray]:
        query_ids: list[np.ndarray] = []
        bank_ids: list[np.ndarray] = []
        distance = np.empty(self.words.shape[1], np.uint16)
        for i, row in enumerate(features.hashes.view(np.uint64)):
            np.bitwise_count(self.words[0] ^ row[0], out=distance, casting="unsafe")
            for word in range(1, self.words.shape[0]):
                distance += np.bitwise_count(self.words[word] ^ row[word])
            close = np.flatnonzero(distance <= MAX_DISTANCE)
            if close.size:
                nearest = close[np.argsort(distance[close], kind="stable")[:NEIGHBOURS]]
                bank_ids.append(nearest)
                query_ids.append(np.full(nearest.size, i))
        if not bank_ids:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        return np.concatenate(query_ids), np.concatenate(bank_ids)

    def search(self, features: ImageFeatures) -> list[image_index.ImageHit]:
        return self.index.verify(features, *self.neighbours(features))


TITLES = ("女士单肩包 新款", "纯棉短袖T恤", "保湿面霜 50ml", "无线蓝牙耳机", "儿童米粉 原味")


def brand_name(photo_name: str) -> str:
    return f"{photo_name.split('.')[0]}牌"


def listing_matcher() -> Matcher:
    """The banks of the bench's brands (one per brand photo: its name, a price floor,
    an authorised seller) and the general trade words of fakes, ready to match, as a
    snapshot of the banks is (built before the clock, like the index)."""
    banks: dict[str, BrandBank] = {}
    terms = [TextTerm(None, None, "fake_trade_word", word) for word in trade_words()]
    for n, name in enumerate(PHOTOS, 1):
        brand_id = f"brand-{name.split('.')[0]}"
        bank = banks[brand_id] = BrandBank(brand_id, brand_name(name))
        bank.floors.append(Floor(n, 50_000, None))
        bank.sellers["m-authorised"] = 1000 + n
        terms.append(TextTerm(None, brand_id, "name", bank.name))
    return Matcher(banks, TextMatcher(terms))


def listing_facts(number: int, listing: list[ListingPicture]) -> ListingFacts:
    """A listing's words, seller and price: half of those showing a brand photo's copy
    also name the brand and a fake's grade, most sell under the floor; a fifth are the
    authorised seller's."""
    copy = next((p.truth for p in listing if p.truth), None)
    title = TITLES[number % len(TITLES)]
    if copy is not None and number % 2:
        title = f"{brand_name(copy)} {title} 高仿"
    return ListingFacts(
        listing_id=f"l{number}",
        merchant_id="m-authorised" if number % 5 == 0 else f"m{number}",
        title=title,
        description="",
        category=None,
        price_fen=20_000 if copy is not None else 80_000,
        brand_id=None,
        image_ids=tuple(f"l{number}-p{i}" for i in range(len(listing))),
    )


def _check(
    searcher: Any, listings: list[list[ListingPicture]], matcher: Matcher
) -> tuple[float, list[list[Any]], Counter[str]]:
    """Seconds to check every listing (its pictures' evidence, then the matcher's
    judgement with its words, seller and price), the hits per picture and the findings."""
    hits: list[list[Any]] = []
    findings: Counter[str] = Counter()
    facts = [listing_facts(number, listing) for number, listing in enumerate(listings)]
    started = time.perf_counter()
    for listing, listed in zip(listings, facts, strict=True):
        shown = []
        for image_id, picture in zip(listed.image_ids, listing, strict=True):
            found = searcher.search(picture.features)
            hits.append(found)
            shown.extend(
                PictureHit(image_id, h.entry_id, h.brand_id, h.kind, h.negative, h.inliers)
                for h in found
            )
        findings.update(f.kind for f in matcher.check(listed, shown))
    return time.perf_counter() - started, hits, findings


def _found(pictures: list[ListingPicture], hits: list[list[Any]]) -> dict[str, int]:
    """True and false matches among ``hits`` (brand photos' entries are the true ones)."""
    true = sum(
        any(hit.image_id == picture.truth for hit in found)
        for picture, found in zip(pictures, hits, strict=True)
        if picture.truth
    )
    false = sum(
        hit.image_id != picture.truth
        for picture, found in zip(pictures, hits, strict=True)
        for hit in found
    )
    return {
        "brand_copies": sum(p.truth is not None for p in pictures),
        "found": true,
        "false": false,
    }


def _agreement(index_hits: list[list[Any]], exact_hits: list[list[Any]]) -> float | None:
    """The share of the exact scan's verified hits the index found too."""
    exact = {(i, hit.entry_id) for i, found in enumerate(exact_hits) for hit in found}
    ours = {(i, hit.entry_id) for i, found in enumerate(index_hits) for hit in found}
    return round(len(exact & ours) / len(exact), 4) if exact else None


def _inlier_ratio(index_hits: list[list[Any]], exact_hits: list[list[Any]]) -> float | None:
    """Inliers the index's hits keep, as a share of the exact scan's, for hits of both:
    an approximate search that misses neighbours weakens evidence before it loses it."""
    exact = {(i, hit.entry_id): hit.inliers for i, found in enumerate(exact_hits) for hit in found}
    ours = {(i, hit.entry_id): hit.inliers for i, found in enumerate(index_hits) for hit in found}
    common = exact.keys() & ours.keys()
    if not common:
        return None
    return round(sum(ours[key] for key in common) / sum(exact[key] for key in common), 3)


def run(
    events: int | None = None,
    baseline_listings: int = BASELINE_LISTINGS,
    bank_hashes: int = BANK_HASHES,
) -> dict[str, Any]:
    """``events``: listing checks to time with the index (default 200)."""
    count = events or DEFAULT_LISTINGS
    started = time.perf_counter()
    pictures, features = build_bank(bank_hashes)
    generated = time.perf_counter() - started
    index = ImageIndex.from_features(pictures, features, ivf=True)
    listings = plan_listings(count)
    all_pictures = [picture for listing in listings for picture in listing]

    matcher = listing_matcher()
    seconds, hits, findings = _check(index, listings, matcher)
    # The scan's listings: the first that hold a brand photo's copy (with whatever else
    # they hold), so that agreement is measured on true matches, not only on silence.
    subset = [listing for listing in listings if any(p.truth for p in listing)]
    subset = subset[:baseline_listings]
    sub_pictures = [picture for listing in subset for picture in listing]
    brute = BruteForce(index)
    brute_seconds, brute_hits, _ = _check(brute, subset, matcher)
    index_sub_seconds, index_sub_hits, _ = _check(index, subset, matcher)

    # The probes: on every brand photo's copy of the run (how many are found, and how
    # strongly) and on the scan's listings (agreement with the exact search).
    copies = [picture for picture in all_pictures if picture.truth]
    sweep = []
    ivf = index.index
    for probes in PROBES:
        ivf.nprobe = probes
        probe_started = time.perf_counter()
        strengths = [
            max(
                (hit.inliers for hit in index.search(p.features) if hit.image_id == p.truth),
                default=0,
            )
            for p in copies
        ]
        probe_seconds = time.perf_counter() - probe_started
        _, probe_hits, _ = _check(index, subset, matcher)
        sweep.append(
            {
                "nprobe": probes,
                "ms_per_picture": round(1000 * probe_seconds / len(copies), 1),
                "copies_found": sum(strength > 0 for strength in strengths),
                "copies": len(copies),
                "weakest_found_inliers": min((s for s in strengths if s), default=0),
                "mean_inliers": round(sum(strengths) / max(1, len(strengths)), 1),
                "agreement_with_brute_force": _agreement(probe_hits, brute_hits),
            }
        )
    ivf.nprobe = image_index.IVF_PROBES

    checks_per_second = count / seconds
    brute_per_second = len(subset) / brute_seconds
    return {
        "bench": "brandmatch",
        "bank": {
            "hashes": index.size,
            "pictures": len(pictures),
            "brand_photos": len(PHOTOS),
            "what": (
                "ORB hashes (4x4-grid spread, <=1000 per picture) of scikit-image's 18 real "
                "photos plus procedurally generated product-like pictures (gradients, "
                "stripes/checks/dots, shapes, printed words), not random bits"
            ),
            "generation_seconds": round(generated, 1),
        },
        "index": {
            "kind": type(index.index).__name__,
            "lists": int(ivf.nlist),
            "nprobe": image_index.IVF_PROBES,
            "build_seconds": round(index.build_seconds, 2),
            "memory_mb": round(index.memory_bytes() / 2**20, 1),
            "memory_note": "faiss codes and ids, plus the hashes, points and owners beside",
        },
        "listings": count,
        "pictures": len(all_pictures),
        "features_timed": False,
        "features_note": "computed at upload time, before the clock, as in production",
        "trustfair": {
            "checks_per_second": round(checks_per_second, 2),
            "ms_per_picture": round(1000 * seconds / len(all_pictures), 2),
            "matches": _found(all_pictures, hits),
            "findings": dict(sorted(findings.items())),
        },
        "baseline": {
            "what": "numpy brute-force Hamming scan (XOR + bitwise_count) of the same bank, "
            "same verification",
            "listings": len(subset),
            "pictures": len(sub_pictures),
            "checks_per_second": round(brute_per_second, 3),
            "ms_per_picture": round(1000 * brute_seconds / len(sub_pictures), 1),
            "matches": _found(sub_pictures, brute_hits),
        },
        "same_listings_with_the_index": {
            "checks_per_second": round(len(subset) / index_sub_seconds, 2),
            "matches": _found(sub_pictures, index_sub_hits),
        },
        "speedup": round(checks_per_second / brute_per_second, 1),
        "agreement_with_brute_force": _agreement(index_sub_hits, brute_hits),
        "inliers_kept_vs_brute_force": _inlier_ratio(index_sub_hits, brute_hits),
        "probe_sweep": sweep,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "total_seconds": round(time.perf_counter() - started, 1),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
    }
