"""Real photographs and the ways a counterfeit listing changes them, for the image
matching test and the brandmatch bench.

The photos are scikit-image's bundled files (no download): real photographs of
varied content. A fake seller's copy of a brand photo is re-encoded as JPEG, resized,
cropped by up to 10% per axis, written over with text, or all of these at once.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

PHOTOS = (
    "astronaut.png",
    "camera.png",
    "chelsea.png",
    "coffee.png",
    "coins.png",
    "rocket.jpg",
    "hubble_deep_field.jpg",
    "retina.jpg",
    "page.png",
    "moon.png",
    "motorcycle_left.png",
    "brick.png",
    "grass.png",
    "gravel.png",
    "ihc.png",
    "text.png",
    "horse.png",
    "logo.png",
)
"""Real photos with enough detail to serve as brand photos (all pass the bank's quality
filter). motorcycle_right.png is left out: the same scene as motorcycle_left.png from
a stereo camera's other eye, so it is neither unrelated nor a listing's copy."""
POOR_PHOTOS = ("cell.png", "clock_motion.png")
"""Real photos the bank refuses (too few keypoints): still fine as unrelated listings."""
REFUSED = ("color.png", "microaneurysms.png")
"""A synthetic colour wheel (no keypoints) and a 102-px picture: refused for banks."""

LISTING_WORDS = (
    "SALE 50% OFF",
    "Genuine! Free shipping",
    "BEST PRICE",
    "New 2026",
    "Limited offer",
    "Hot item - order now",
)

Variant = Callable[[Image.Image, np.random.Generator], Image.Image]


def photo_path(name: str) -> Path:
    try:
        import skimage.data
    except ImportError:
        raise RuntimeError(
            "the real photographs come with scikit-image: pip install 'trustfair[bench]'"
        ) from None

    return Path(skimage.data.__file__).parent / name


def photo(name: str) -> Image.Image:
    """A bundled photo as an RGB picture."""
    with Image.open(photo_path(name)) as picture:
        return picture.convert("RGB")


def photo_bytes(name: str) -> bytes:
    return photo_path(name).read_bytes()


def faces(count: int, size: int = 200) -> list[Image.Image]:
    """Faces from skimage's Labeled Faces in the Wild subset (25 × 25 px), upscaled."""
    import skimage.data

    pictures = skimage.data.lfw_subset()[:count]
    upscale = Image.Resampling.BICUBIC
    return [
        Image.fromarray((face * 255).astype(np.uint8)).resize((size, size), upscale)
        for face in pictures
    ]


def encoded(picture: Image.Image, fmt: str = "PNG", quality: int = 90) -> bytes:
    out = io.BytesIO()
    if fmt == "JPEG":
        picture.save(out, fmt, quality=quality)
    else:  # fast: these bytes are only read back
        picture.save(out, fmt, compress_level=1)
    return out.getvalue()


def jpeg(picture: Image.Image, rng: np.random.Generator) -> Image.Image:
    """Re-encoded as a JPEG of quality 30..80."""
    data = encoded(picture, "JPEG", int(rng.integers(30, 81)))
    with Image.open(io.BytesIO(data)) as decoded:
        return decoded.convert("RGB")


def resize(picture: Image.Image, rng: np.random.Generator) -> Image.Image:
    """Resized by ×0.5, ×0.75 or ×1.25."""
    factor = float(rng.choice([0.5, 0.75, 1.25]))
    width, height = picture.size
    return picture.resize(
        (max(1, round(width * factor)), max(1, round(height * factor))),
        Image.Resampling.BILINEAR,
    )


def crop(picture: Image.Image, rng: np.random.Generator) -> Image.Image:
    """Up to 10% cut per axis, shared at random between the two sides."""
    width, height = picture.size
    cut_x = int(width * rng.uniform(0.02, 0.10))
    cut_y = int(height * rng.uniform(0.02, 0.10))
    left = int(rng.integers(0, cut_x + 1))
    top = int(rng.integers(0, cut_y + 1))
    return picture.crop((left, top, width - (cut_x - left), height - (cut_y - top)))


def text(picture: Image.Image, rng: np.random.Generator) -> Image.Image:
    """A line of a seller's text in a large font, somewhere over the picture."""
    picture = picture.copy()
    width, height = picture.size
    draw = ImageDraw.Draw(picture)
    font = ImageFont.load_default(size=max(14, int(min(width, height) * rng.uniform(0.07, 0.12))))
    words = str(rng.choice(LISTING_WORDS))
    box = draw.textbbox((0, 0), words, font=font)
    x = int(rng.integers(0, max(1, width - (box[2] - box[0]))))
    y = int(rng.integers(0, max(1, height - (box[3] - box[1]))))
    fill = tuple(int(c) for c in rng.integers(0, 256, 3))
    draw.text((x, y), words, font=font, fill=fill, stroke_width=2, stroke_fill=(255, 255, 255))
    return picture


def combined(picture: Image.Image, rng: np.random.Generator) -> Image.Image:
    """Cropped, resized, written over and re-encoded, in a fake seller's order."""
    return jpeg(text(resize(crop(picture, rng), rng), rng), rng)


FAMILIES: dict[str, Variant] = {
    "jpeg": jpeg,
    "resize": resize,
    "crop": crop,
    "text": text,
    "combined": combined,
}
