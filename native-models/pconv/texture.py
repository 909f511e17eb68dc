"""The texture step: grain for the network's smooth fill, copied from the photo around the hole.

The network fills a large hole in a textured surface (weathered wood, rock, a desk's grain) with its smooth mean:
the colours are the rim's, but at 100 % the hole reads as a flat patch in the shape of the removed object (the
removal sheet's lizard and coffee cup). This step adds back the fine texture the network cannot synthesise, the way
exemplar-based inpainting does, on the photo's full resolution (main/engine/fill/texture.ts runs it as an ONNX
graph; pconv/evaluate.py scores it):

1. Split the photo's known pixels into a Gaussian low-pass (TEXTURE_SIGMA; normalised: only known pixels weigh) and
   the residual, its grain.
2. For each hole pixel choose, among texture_offsets() (TEXTURE_RINGS of 8 to 256 px), the offset whose source region's
   low-pass best matches the fill's own low-pass over a window (TEXTURE_WINDOW cells of 4x4 px: the choice is made
   at a quarter of the resolution, so neighbouring pixels share an offset and the copied grain stays coherent).
   Near the rim, where the window holds known pixels, the cost also holds how far the source's grain lies from
   theirs (TEXTURE_RIM_WEIGHT, at half resolution): the grain there continues the rim's own. A source must lie wholly
   in known pixels TEXTURE_SIGMA * 4 px or more from any hole.
3. Add that source's residual, times the strength (TEXTURE_STRENGTHS), to the fill, ramped in over the hole's first
   TEXTURE_RAMP px.

The grain does not match the truth pixel for pixel, so it costs PSNR and SSIM (the strengths were chosen on both
validation sets: native-models/README.md, Architecture, Texture step); it is what makes the fill look like the surface around it. Nothing under the hole
is read: every use of the photo's pixels is weighed by `known`."""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from .unet import smoothing_kernel

TEXTURE = True
TEXTURE_SIGMA = 2.0
# The grain's strength by the share of the network's tile the hole fills: (up to this share, strength). Grain that
# is not the truth's costs SSIM, the more the larger the hole (at 0.25, the 50-60 % bin of BSDS500's val photos lost
# 0.0092 of the 0.0053 it had over the better classical fill). Chosen on both validation sets so that every bin keeps
# SSIM above the better classical fill with room (native-models/README.md, Texture).
TEXTURE_STRENGTHS = ((0.2, 0.35), (0.5, 0.25), (1.0, 0.1))
TEXTURE_STRENGTH = TEXTURE_STRENGTHS[0][1]  # the most any hole gets
TEXTURE_WINDOW = 7  # cells of 4x4 px: the matched region is 28 px wide
TEXTURE_RAMP = 3  # px from the rim: 0, 1/3, 2/3, then the full strength
TEXTURE_RINGS = (8, 16, 32, 64, 128, 256)  # px
TEXTURE_ANGLES = 16
SAFE_MARGIN = 4 * int(TEXTURE_SIGMA)  # px: a source this far from any unknown pixel has a sound low-pass
CELL = 4  # px: the offsets are chosen on cells of CELL x CELL px; the boxes' sides are multiples of it
# The photo is read TEXTURE_REACH px around the box searched (the fill's box): as far as the longest offset, the
# window's half and a cell reach, and the low-pass's support. The fill's box reaches TEXTURE_MARGIN px past its holes,
# so that every hole cell's window and low-pass lie inside it.
TEXTURE_REACH = 272
TEXTURE_MARGIN = 32
# The rim's own grain against the low-pass in an offset's cost: where a cell's window holds known pixels, the source
# must continue what they show, compared at half resolution on the channels' mean (as pconv/patches.py's rim term).
# Chosen on 300 validation pairs and the removal sheet (model card, Validation, session 23): 0, 1024 and 16384 each as
# good or better than the last in every bin of both sets, but at 16384 a cup's hole in a desk took short light
# streaks along its rim, copied from scratches that matched the rim's grain best; at 1024 it looks as without the term.
TEXTURE_RIM_WEIGHT = 1024.0
UNSAFE = 1e7  # a cost no match comes near: a window with one unsafe cell costs 2e5, the rim's term stays far below


def texture_strength(share: float) -> float:
    """The strength for a hole that fills `share` of the network's tile."""
    return next(strength for upto, strength in TEXTURE_STRENGTHS if share <= upto)


def ring_offsets(rings: tuple[int, ...], angles: int, unit: int) -> list[tuple[int, int]]:
    """(dy, dx) in units of `unit` px, distinct, ring by ring (radii in px), `angles` to a ring."""
    out: list[tuple[int, int]] = []
    for r in rings:
        for k in range(angles):
            a = 2 * math.pi * k / angles
            o = (round(r / unit * math.sin(a)), round(r / unit * math.cos(a)))
            if o not in out:
                out.append(o)
    return out


def texture_offsets() -> list[tuple[int, int]]:
    """(dy, dx) in cells, distinct, ring by ring."""
    return ring_offsets(TEXTURE_RINGS, TEXTURE_ANGLES, CELL)


def gaussian(x: torch.Tensor, sigma: float, c: int) -> torch.Tensor:
    """Separable Gaussian of x's c channels (a constant for the exported graph's kernels), zeros beyond the edge
    (callers normalise by the blurred weights)."""
    taps = torch.tensor(smoothing_kernel(sigma), dtype=x.dtype)
    r = (len(taps) - 1) // 2
    x = F.conv2d(x, taps.view(1, 1, 1, -1).repeat(c, 1, 1, 1), padding=(0, r), groups=c)
    return F.conv2d(x, taps.view(1, 1, -1, 1).repeat(c, 1, 1, 1), padding=(r, 0), groups=c)


def low_passes(pairs: list[tuple[torch.Tensor, torch.Tensor]]) -> list[torch.Tensor]:
    """Each (x, weight): x's Gaussian low-pass over the pixels where weight is 1 only, at half the resolution (the
    Gaussian of TEXTURE_SIGMA / 2 there, after a 2x2 mean: about TEXTURE_SIGMA at full resolution, a quarter of the
    work). All pairs in one pass."""
    stacked = torch.cat([t for x, w in pairs for t in (x * w, w)], 1)
    blurred = gaussian(F.avg_pool2d(stacked, 2), TEXTURE_SIGMA / 2, 4 * len(pairs))
    return [blurred[:, 4 * i:4 * i + 3] / blurred[:, 4 * i + 3:4 * i + 4].clamp(min=1e-4) for i in range(len(pairs))]


def separable_max(x: torch.Tensor, k: int) -> torch.Tensor:
    return F.max_pool2d(F.max_pool2d(x, (1, k), 1, (0, k // 2)), (k, 1), 1, (k // 2, 0))


def textured(photo: torch.Tensor, known: torch.Tensor, hole: torch.Tensor, fill: torch.Tensor,
             strength: float = TEXTURE_STRENGTH) -> torch.Tensor:
    """photo [1,3,H+2R,W+2R] in [0,1], known [1,1,H+2R,W+2R] in {0,1} (its usable pixels: not a hole, not beyond the
    photo): the photo around the fill's box, R = TEXTURE_REACH on each side. hole [1,1,H,W], fill [1,3,H,W]: the
    pixels to fill in the box and the network's fill of them. H and W multiples of CELL. Returns the box composited
    (the photo, the fill in the holes), the grain added there, in [0,1], as [H,W,3] (the graph's output layout)."""
    r = TEXTURE_REACH
    # Nothing under a hole is read: low_passes weighs by known, the residual and the box's photo are multiplied by it.
    low_photo, = low_passes([(photo, known)])  # half resolution
    residual = (photo - F.interpolate(low_photo, scale_factor=2, mode="bilinear", align_corners=False)) * known
    known_in = known[:, :, r:-r, r:-r]
    comp = photo[:, :, r:-r, r:-r] * known_in + hole * fill
    low_fill, = low_passes([(comp, (known_in + hole).clamp(max=1.0))])

    # The choice, on cells. A source cell must be safe throughout: its pixels SAFE_MARGIN px or more from any unknown
    # pixel, far enough for the low-pass. The margin is a whole number of cells and the boxes lie on the cell grid, so
    # a cell is safe when no cell within SAFE_MARGIN / CELL of it holds an unknown pixel (the same test as a dilation
    # of the pixels, at a 16th of the work).
    # Channels last: each offset's squared distance is a sum over a row of 3 (onnxruntime's fast reduction).
    fill_cells = F.avg_pool2d(low_fill, CELL // 2)[0].permute(1, 2, 0)
    photo_cells = F.avg_pool2d(low_photo, CELL // 2)[0].permute(1, 2, 0)
    unknown_cells = F.max_pool2d(1.0 - known, CELL)
    unsafe = UNSAFE * separable_max(unknown_cells, 2 * (SAFE_MARGIN // CELL) + 1)  # a cost no match can come near
    offsets = texture_offsets()
    pad = r // CELL  # the box's cells start this far into the photo's
    w = TEXTURE_WINDOW
    best = None
    choice = None
    # The rim's grain at half resolution, its known pixels only (a half-resolution pixel wholly known), as the mean of
    # the three channels: a third of the work, and the grain is mostly in the brightness. A found offset's sources are
    # all known pixels (the window wholly safe), so only the box's side needs masking.
    known_half = (F.avg_pool2d(known, 2) > 0.999).to(known.dtype)
    grain_half = F.avg_pool2d(residual.mean(1, keepdim=True), 2)
    rh, ch = r // 2, CELL // 2
    rim_known = known_half[:, :, rh:-rh, rh:-rh]
    rim_grain = grain_half[:, :, rh:-rh, rh:-rh] * rim_known
    for k, (dy, dx) in enumerate(offsets):
        # The cells at (y + dy, x + dx): a slice with constant ends (any size).
        ys = slice(pad + dy, -(pad - dy))
        xs = slice(pad + dx, -(pad - dx))
        cost = ((fill_cells - photo_cells[ys, xs]) ** 2).sum(-1)[None, None] + unsafe[:, :, ys, xs]
        if TEXTURE_RIM_WEIGHT:
            hy, hx = slice(rh + dy * ch, -(rh - dy * ch)), slice(rh + dx * ch, -(rh - dx * ch))
            rim = rim_known * (rim_grain - grain_half[:, :, hy, hx]) ** 2
            cost = cost + TEXTURE_RIM_WEIGHT * F.avg_pool2d(rim, ch)
        cost = F.avg_pool2d(F.avg_pool2d(cost, (1, w), 1, (0, w // 2), count_include_pad=False), (w, 1), 1,
                            (w // 2, 0), count_include_pad=False)
        # In steps of 1e-5: offsets that match about equally well are then equal, and the first ring wins, in
        # onnxruntime as in PyTorch (their sums differ in the last bits, which flipped 2 % of a hole's choices).
        cost = torch.floor(cost * 1e5)
        if best is None:
            best, choice = cost, torch.zeros_like(cost, dtype=torch.long)
        else:
            # The running minimum; on a tie the earlier offset (the nearer ring) stays.
            better = cost < best
            best = torch.minimum(best, cost)
            choice = torch.where(better, torch.full_like(choice, k), choice)
    found = (best < 1e5 * UNSAFE / 100).to(best.dtype)  # a source wholly safe under the whole window
    # Back to pixels, in the output's HWC layout: each cell copies the residual at its offset (whole cells, the boxes
    # on the cell grid), a row of CELL pixels at a time (one gather per row of a cell, no 4-D transposes).
    h, wd = hole.shape[-2:]
    wc, big_wc = wd // CELL, wd // CELL + 2 * pad
    rows = residual[0].permute(1, 2, 0).reshape(-1, CELL * 3)  # [(H + 2R) * big_wc, CELL * 3]
    dys, dxs = (torch.tensor([o[i] for o in offsets], dtype=torch.long) for i in (0, 1))
    table = dys * (CELL * big_wc) + dxs  # big_wc stays the graph's own (not the export's) size
    at = (torch.arange(h).view(h, 1) + r) * big_wc + torch.arange(wc).view(1, wc) + pad
    per_row = lambda x: x.view(-1, 1, wc).expand(-1, CELL, wc).reshape(h, wc)  # noqa: E731  cells to pixel rows
    index = at + table[per_row(choice)]
    grain = (rows.index_select(0, index.view(-1)) * per_row(found).view(-1, 1)).view(h, wd, 3)
    rim = 1.0 - hole
    ramp = sum(1.0 - separable_max(rim, 2 * i + 1) for i in range(1, TEXTURE_RAMP + 1)) / TEXTURE_RAMP
    hwc = lambda x: x[0].permute(1, 2, 0)  # noqa: E731
    return (hwc(comp) + strength * hwc(hole) * hwc(ramp) * grain).clamp(0.0, 1.0)


class TextureGraph(torch.nn.Module):
    """What main/engine/fill/texture.ts runs (pconv/graphs/texture.py exports it): 8-bit HWC in and out, as libvips
    hands the pixels over. photo uint8 [H+2R,W+2R,3], known uint8 [H+2R,W+2R] (non-zero: usable): the photo around
    the box; holes uint8 [H,W] (non-zero: to fill), fill uint8 [H,W,3]; strength float [1] -> rgb uint8 [H,W,3]: the
    box, the grained fill in its holes."""

    def forward(self, photo, known, holes, fill, strength):
        as_image = lambda x: x.float().permute(2, 0, 1).unsqueeze(0) / 255.0  # noqa: E731
        as_mask = lambda x: (x > 0).float().unsqueeze(0).unsqueeze(0)  # noqa: E731
        out = textured(as_image(photo), as_mask(known), as_mask(holes), as_image(fill), strength)
        return (out * 255.0 + 0.5).clamp(0.0, 255.0).to(torch.uint8)


def texture_fill(img, hole, fill, strength: float | None = None):
    """numpy, as pconv/evaluate.py scores it: the whole photo as the fill's box. img, fill uint8 HxWx3 (fill: the
    composite), hole uint8 HxW (1 = hole). Returns uint8 HxWx3; the photo's own pixels unchanged."""
    import numpy as np
    h, w = hole.shape
    ph, pw = -h % CELL, -w % CELL  # to whole cells: beyond the edge, neither known nor hole
    r = TEXTURE_REACH
    around = ((r, r + ph), (r, r + pw))
    known = np.pad((hole == 0).astype(np.uint8), around)
    with torch.no_grad():
        out = TextureGraph()(torch.from_numpy(np.pad(img, around + ((0, 0),))), torch.from_numpy(known),
                             torch.from_numpy(np.pad(hole.astype(np.uint8), ((0, ph), (0, pw)))),
                             torch.from_numpy(np.pad(fill, ((0, ph), (0, pw), (0, 0)))),
                             texture_strength(float(hole.mean())) if strength is None else strength)
    return out.numpy()[:h, :w]
