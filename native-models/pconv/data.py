"""Training data held in memory: photos decoded once, masks from NVIDIA's set and a generator.

JPEG decoding on every step would eat the two cores, so photos are decoded and resized once
(short side CACHE_SIDE) and crops are cut from RAM."""
from __future__ import annotations

import glob
import math
import os
import random

import cv2
import numpy as np

CACHE_SIDE = 448          # short side of the cached photos
MASK_CACHE = 256          # NVIDIA masks are cached at half their 512 px
HOLE_BINS = [(0.01, 0.1), (0.1, 0.2), (0.2, 0.3), (0.3, 0.4), (0.4, 0.5), (0.5, 0.6)]
SMALL_HOLE = 0.2          # the top of the two smallest bins
IMAGE_EXTS = (".jpg", ".jpeg", ".png", ".bmp", ".webp")


def default_data_root() -> str:
    return os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "data"))


def list_photos(root: str, split: str = "train") -> list[str]:
    """Training photos. BSDS500's `val-*` photos are kept aside for the training-time validation."""
    files = sorted(f for f in glob.glob(os.path.join(root, "train", "*", "*")) if f.lower().endswith(IMAGE_EXTS))
    is_val = [os.path.basename(f).startswith("val-") and "bsds500" in f for f in files]
    return [f for f, v in zip(files, is_val) if v == (split == "val")]


def load_photo(path: str, short_side: int = CACHE_SIDE) -> np.ndarray:
    img = cv2.imread(path, cv2.IMREAD_COLOR)
    if img is None:
        raise ValueError(f"cannot decode {path}")
    img = cv2.cvtColor(img, cv2.COLOR_BGR2RGB)
    h, w = img.shape[:2]
    s = short_side / min(h, w)
    return cv2.resize(img, (max(1, round(w * s)), max(1, round(h * s))),
                      interpolation=cv2.INTER_AREA if s < 1 else cv2.INTER_CUBIC)


def is_held_out_mask(path: str) -> bool:
    """The data README holds out every mask whose number is a multiple of 10."""
    return int(os.path.splitext(os.path.basename(path))[0]) % 10 == 0


def mask_bin(path: str) -> int:
    return int(os.path.splitext(os.path.basename(path))[0]) // 2000


def downscale_hole(hole: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Shrink a 0/1 hole map so that a pixel is a hole if any part of it was: the network must
    never take a hole pixel for a known one. The engine shrinks user masks the same way."""
    area = cv2.resize(hole.astype(np.float32), size, interpolation=cv2.INTER_AREA)
    return (area > 1e-3).astype(np.uint8)


def load_nvidia_masks(root: str, held_out: bool = False, limit: int | None = None) -> list[np.ndarray]:
    files = sorted(glob.glob(os.path.join(root, "masks", "nvidia-irregular", "*.png")))
    files = [f for f in files if is_held_out_mask(f) == held_out]
    if limit:
        files = files[:: max(1, len(files) // limit)][:limit]
    out = []
    for f in files:
        m = cv2.imread(f, cv2.IMREAD_GRAYSCALE)
        out.append(downscale_hole(m > 127, (MASK_CACHE, MASK_CACHE)))
    return out


def random_hole(size: int, rng: random.Random, bins: int = len(HOLE_BINS)) -> np.ndarray:
    """The project's own masks: strokes, ellipses and blobs, aiming at a random hole ratio bin
    (one of the first `bins`)."""
    lo, hi = HOLE_BINS[rng.randrange(bins)]
    target = rng.uniform(lo, hi)
    hole = np.zeros((size, size), np.uint8)
    for _ in range(60):
        if hole.mean() >= target:
            break
        kind = rng.random()
        if kind < 0.5:  # a brush stroke: a random walk of thick line segments
            x, y = rng.uniform(0, size), rng.uniform(0, size)
            width = max(1, int(rng.uniform(0.01, 0.08) * size))
            angle = rng.uniform(0, 2 * math.pi)
            for _ in range(rng.randint(2, 8)):
                angle += rng.uniform(-1.2, 1.2)
                length = rng.uniform(0.05, 0.3) * size
                nx, ny = x + length * math.cos(angle), y + length * math.sin(angle)
                cv2.line(hole, (int(x), int(y)), (int(nx), int(ny)), 1, width)
                x, y = nx, ny
        elif kind < 0.75:
            center = (rng.randrange(size), rng.randrange(size))
            axes = (int(rng.uniform(0.03, 0.25) * size), int(rng.uniform(0.03, 0.25) * size))
            cv2.ellipse(hole, center, axes, rng.uniform(0, 180), 0, 360, 1, -1)
        else:  # a blob: a random polygon, smoothed
            cx, cy, r = rng.uniform(0, size), rng.uniform(0, size), rng.uniform(0.05, 0.2) * size
            pts = [(cx + r * rng.uniform(0.5, 1.5) * math.cos(a), cy + r * rng.uniform(0.5, 1.5) * math.sin(a))
                   for a in np.linspace(0, 2 * math.pi, rng.randint(5, 12), endpoint=False)]
            blob = np.zeros_like(hole)
            cv2.fillPoly(blob, [np.array(pts, np.int32)], 1)
            blob = cv2.GaussianBlur(blob.astype(np.float32), (0, 0), r / 4 + 1) > 0.5
            hole |= blob.astype(np.uint8)
    return hole


def recolour(patch: np.ndarray, rng: random.Random) -> np.ndarray:
    """Hue rotated, saturation, brightness, contrast and gamma changed: the training photos' colours are not the
    only ones a hole sits in (a purple or orange sky must come back purple or orange, not beige)."""
    x = patch.astype(np.float32) / 255.0
    if rng.random() < 0.6:
        hsv = cv2.cvtColor(x, cv2.COLOR_RGB2HSV)  # H in [0, 360)
        hsv[..., 0] = (hsv[..., 0] + rng.uniform(0, 360)) % 360
        hsv[..., 1] = np.clip(hsv[..., 1] * rng.uniform(0.5, 1.5), 0, 1)
        x = cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)
    x = np.clip(x, 0, 1) ** rng.uniform(0.6, 1.6)
    mean = x.mean()
    x = (x - mean) * rng.uniform(0.6, 1.3) + mean + rng.uniform(-0.2, 0.2)
    return (np.clip(x, 0, 1) * 255.0 + 0.5).astype(np.uint8)


def defocus(patch: np.ndarray, rng: random.Random) -> np.ndarray:
    """A whole crop out of focus, as the bokeh behind a close-up: smooth gradients the fill must continue."""
    return cv2.GaussianBlur(patch, (0, 0), rng.uniform(1.5, 6.0), borderType=cv2.BORDER_REFLECT_101)


class InpaintingData:
    """Endless random (photo crop, hole) pairs.

    `scale_range` is the short side, in pixels, that a photo is shown at before the crop: with
    crops of 128 and photos at 224-448, the network learns the content scale it meets when the
    engine runs a photo's crop at 256-512 px."""

    def __init__(self, photos: list[np.ndarray], masks: list[np.ndarray], crop: int = 128,
                 scale_range: tuple[int, int] = (224, 448), own_mask_share: float = 0.3,
                 small_hole_share: float = 0.0, colour_share: float = 0.0, blur_share: float = 0.0,
                 seed: int = 0):
        self.photos, self.masks, self.crop = photos, masks, crop
        self.scale_range, self.own_mask_share = scale_range, own_mask_share
        self.small_hole_share = small_hole_share
        self.colour_share, self.blur_share = colour_share, blur_share
        self.rng = random.Random(seed)

    def photo_crop(self) -> np.ndarray:
        rng, c = self.rng, self.crop
        img = self.photos[rng.randrange(len(self.photos))]
        h, w = img.shape[:2]
        short = rng.uniform(*self.scale_range)
        region = max(c, 1) * min(h, w) / short  # the crop's side in cached pixels
        region = int(min(region, h, w))
        y, x = rng.randint(0, h - region), rng.randint(0, w - region)
        patch = img[y:y + region, x:x + region]
        patch = cv2.resize(patch, (c, c), interpolation=cv2.INTER_AREA if region > c else cv2.INTER_CUBIC)
        if rng.random() < 0.5:
            patch = patch[:, ::-1]
        if self.blur_share and rng.random() < self.blur_share:
            patch = defocus(patch, rng)
        if self.colour_share and rng.random() < self.colour_share:
            patch = recolour(patch, rng)
        return np.ascontiguousarray(patch)

    def hole(self) -> np.ndarray:
        """A hole map (1 = hole). A `small_hole_share` of them cover at most SMALL_HOLE of the crop:
        the paper's hole loss is a mean over all pixels, so a 5 % hole pulls on the weights a tenth
        as hard as a 50 % one, and small holes are where a smooth classical fill is hardest to beat."""
        small = bool(self.small_hole_share) and self.rng.random() < self.small_hole_share
        for _ in range(20):
            m = self.any_hole(bins=2 if small else len(HOLE_BINS))
            # A crop of an NVIDIA mask can miss its strokes: a sample without a hole teaches nothing.
            if m.any() and (not small or m.mean() <= SMALL_HOLE):
                break
        return m

    def any_hole(self, bins: int = len(HOLE_BINS)) -> np.ndarray:
        rng, c = self.rng, self.crop
        if not self.masks or rng.random() < self.own_mask_share:
            return random_hole(c, rng, bins)
        m = self.masks[rng.randrange(len(self.masks))]
        # A crop of 1/2 to all of the cached mask, rotated and flipped, so that stroke widths at
        # the crop's scale match the held-out masks seen at 256-512 px.
        region = rng.randint(MASK_CACHE // 2, MASK_CACHE)
        y, x = rng.randint(0, MASK_CACHE - region), rng.randint(0, MASK_CACHE - region)
        m = np.rot90(m[y:y + region, x:x + region], rng.randrange(4))
        if rng.random() < 0.5:
            m = m[:, ::-1]
        m = downscale_hole(np.ascontiguousarray(m), (c, c))
        if rng.random() < 0.2:
            m = cv2.dilate(m, np.ones((3, 3), np.uint8), iterations=rng.randint(1, 2))
        if m.mean() > 0.7:  # almost no context left: take a generated one instead
            return random_hole(c, rng, bins)
        return m

    def batch(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """(images N3HW float32 in [0,1], masks N1HW float32 with 1 = known)."""
        imgs = np.stack([self.photo_crop() for _ in range(n)]).astype(np.float32) / 255.0
        holes = np.stack([self.hole() for _ in range(n)]).astype(np.float32)
        return imgs.transpose(0, 3, 1, 2).copy(), (1.0 - holes)[:, None]
