"""Procedurally generated product-like pictures, to fill a bank to a million hashes.

Uniform random bits would make a bank too easy: real descriptors cluster (edges,
corners, text strokes and repeated patterns look alike from one picture to the next),
and that clustering is what makes an approximate index miss and what makes false
matches possible. So the filler is pictures: gradients and noise under shapes,
stripes, checks and dots (repetitive textures), strokes and printed words (labels,
logos), each described by the same ``features_of_pixels`` as any upload.
"""

from __future__ import annotations

import cv2
import numpy as np

FONTS = (
    cv2.FONT_HERSHEY_SIMPLEX,
    cv2.FONT_HERSHEY_DUPLEX,
    cv2.FONT_HERSHEY_COMPLEX,
    cv2.FONT_HERSHEY_TRIPLEX,
    cv2.FONT_HERSHEY_SCRIPT_SIMPLEX,
)
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789&%"


def _colour(rng: np.random.Generator) -> tuple[int, int, int]:
    return tuple(int(c) for c in rng.integers(0, 256, 3))  # type: ignore[return-value]


def _background(rng: np.random.Generator, height: int, width: int) -> np.ndarray:
    """A smooth gradient with low-frequency blotches and fine noise (made small and
    scaled up: generating a million hashes' worth of pictures must take seconds)."""
    y, x = np.mgrid[0:16, 0:16].astype(np.float32) / 16
    angle = rng.uniform(0, np.pi)
    ramp = np.cos(angle) * x + np.sin(angle) * y
    small = rng.uniform(40, 200) + rng.uniform(-60, 60) * ramp
    small += rng.normal(0, rng.uniform(5, 40), (16, 16))
    gray = cv2.resize(small.astype(np.float32), (width, height), interpolation=cv2.INTER_CUBIC)
    noise = np.empty((height, width), np.float32)
    cv2.randn(noise, 0.0, float(rng.uniform(1, 8)))
    gray = np.clip(gray + noise, 0, 255).astype(np.uint8)
    tint = rng.uniform(0.6, 1.0, 3)
    return cv2.merge([cv2.convertScaleAbs(gray, alpha=float(t)) for t in tint])


def _pattern(picture: np.ndarray, rng: np.random.Generator) -> None:
    """A repeated texture in a random rectangle: stripes, checks or dots."""
    height, width = picture.shape[:2]
    x0, y0 = int(rng.integers(0, width // 2)), int(rng.integers(0, height // 2))
    x1, y1 = int(rng.integers(x0 + 40, width + 1)), int(rng.integers(y0 + 40, height + 1))
    step = int(rng.integers(10, 30))
    colour = _colour(rng)
    kind = rng.integers(0, 3)
    if kind == 0:
        for x in range(x0, x1, step):
            cv2.line(picture, (x, y0), (x + (y1 - y0) // 3, y1), colour, max(1, step // 3))
    elif kind == 1:
        for y in range(y0, y1, step):
            for x in range(x0 + (y // step % 2) * step, x1, 2 * step):
                cv2.rectangle(picture, (x, y), (x + step - 1, y + step - 1), colour, -1)
    else:
        for y in range(y0, y1, step):
            for x in range(x0, x1, step):
                cv2.circle(picture, (x, y), max(1, step // 4), colour, -1)


def _shapes(picture: np.ndarray, rng: np.random.Generator) -> None:
    height, width = picture.shape[:2]
    for _ in range(int(rng.integers(6, 20))):
        colour = _colour(rng)
        thickness = int(rng.choice([-1, 1, 2, 4]))
        centre = (int(rng.integers(0, width)), int(rng.integers(0, height)))
        kind = rng.integers(0, 4)
        if kind == 0:
            other = (int(rng.integers(0, width)), int(rng.integers(0, height)))
            cv2.rectangle(picture, centre, other, colour, thickness)
        elif kind == 1:
            cv2.circle(picture, centre, int(rng.integers(5, width // 4)), colour, thickness)
        elif kind == 2:
            axes = (int(rng.integers(5, width // 3)), int(rng.integers(5, height // 3)))
            cv2.ellipse(picture, centre, axes, rng.uniform(0, 180), 0, 360, colour, thickness)
        else:
            points = rng.integers(0, [width, height], (int(rng.integers(3, 7)), 2))
            cv2.polylines(picture, [points.astype(np.int32)], True, colour, max(1, thickness))


def _words(picture: np.ndarray, rng: np.random.Generator) -> None:
    height, width = picture.shape[:2]
    for _ in range(int(rng.integers(1, 5))):
        word = "".join(rng.choice(list(LETTERS), int(rng.integers(3, 10))))
        origin = (int(rng.integers(0, width // 2)), int(rng.integers(20, height)))
        scale = rng.uniform(0.6, 2.5)
        cv2.putText(
            picture,
            word,
            origin,
            int(rng.choice(FONTS)),
            scale,
            _colour(rng),
            int(rng.integers(1, 4)),
            cv2.LINE_AA,
        )


def textured_picture(seed: int) -> np.ndarray:
    """A product-like RGB picture, the same for the same seed."""
    rng = np.random.default_rng(seed)
    cv2.setRNGSeed(seed)  # cv2.randn's noise: the same picture for the same seed
    width = int(rng.choice([512, 480, 640]))
    height = int(rng.choice([512, 384, 480]))
    picture = _background(rng, height, width)
    for _ in range(int(rng.integers(1, 3))):
        _pattern(picture, rng)
    _shapes(picture, rng)
    _words(picture, rng)
    if rng.random() < 0.5:
        picture = cv2.GaussianBlur(picture, (0, 0), rng.uniform(0.5, 1.5))
    return picture


def textured_gray(seed: int) -> np.ndarray:
    return cv2.cvtColor(textured_picture(seed), cv2.COLOR_RGB2GRAY)
