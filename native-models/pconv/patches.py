"""The patches texture: the network's smooth fill given the photo's texture in coherent patches, copied from around
the hole (`holefill --texture patches`; the default grain step is pconv/texture.py).

The grain step adds only the finest detail (a 2 px band, at most 0.35 of it), because any texture that is not the
truth's costs PSNR and SSIM: on large holes in sand, wood or water the fill still reads as a soft patch in the shape of
the removed object. This step replaces the fill's whole detail band (above a Gaussian of PATCH_SIGMA px) with the
photo's, the way exemplar-based inpainting does:

1. The photo's known pixels and the composite are each split into a low-pass (normalised: only known pixels weigh)
   and the detail above it.
2. For each block of PATCH_BLOCK px, among patch_offsets() (rings of 8 to 256 px), the cost of an offset is how far
   the source's low-pass lies from the fill's over a window of PATCH_WINDOW blocks, plus PATCH_RIM_WEIGHT times how
   far the source's detail lies from the known pixels' own in that window (at half resolution): near the rim a block
   copies what continues the rim's grain, planks and cracks, as exemplar-based inpainting matches its template's known
   part; deep inside, where the window holds no known pixel, only the low-pass counts. A source block must lie
   PATCH_BLOCK px or more from any unknown pixel.
3. Coherence: PATCH_ITERATIONS rounds in which each block's cost, relative to its best, is lowered by
   PATCH_COHERENCE for each of its 8 neighbours that chose the same offset, so that neighbouring blocks copy one
   region whole (the grain step's 4 px cells copied a mosaic when the band was wider).
4. Each pixel's detail is the blend of its four nearest blocks' copies (bilinear), ramped in over the hole's first
   PATCH_RAMP px; a block with no safe source keeps the network's own detail.
5. A hole deeper than the offsets reach (a person on a 24 MP photo: one pass left a flat disc at its core) is filled
   in passes from the rim inwards, up to PATCH_PASSES: each takes the last one's wholly copied pixels as the photo's
   and fills the pixels still pending (patches_fill; the engine's texture.ts withTexture).

Measured on 300 validation pairs (model card, Validation, sessions 21-22): with the rim's term it costs 0.26 to 0.6 dB
and 0.001 to 0.05 SSIM per bin against the grain step (without it 0.3 to 1.0 dB and 0.002 to 0.054), SSIM below the
better classical fill in 11 of 12 bins: a texture that is not the truth's is further from it than a smooth fill (the
perception-distortion trade-off). Hence an option, not the default. Nothing under the hole is read."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from .texture import gaussian, ring_offsets, separable_max

PATCH_SIGMA = 4.0  # px: the detail above this Gaussian is copied
PATCH_BLOCK = 8  # px: one offset per block; the boxes' origins and sides are multiples of it
PATCH_WINDOW = 5  # blocks: the matched region is 40 px wide
PATCH_COHERENCE = 0.5
PATCH_ITERATIONS = 4
PATCH_RAMP = 3  # px
PATCH_RINGS = (8, 16, 32, 64, 128, 192, 256)  # px
PATCH_ANGLES = 16
# What a pixel's result depends on, in px. The fill's: blend (a block) + coherence (a block a round) + window (half) +
# a block + the low-pass (4 sigma, at half resolution, and its 2x2 mean) < PATCH_MARGIN, so that a hole cut into parts
# fills as in one run. The photo's: the longest offset + a block + window (half) + a block of safety + a block + the
# low-pass < PATCH_REACH.
PATCH_MARGIN = 88
PATCH_REACH = 320
# A hole deeper than the offsets reach (a person on a 24 MP photo) is filled in passes from its rim inwards, each
# taking what the last one copied as the photo's own (main/engine/fill/texture.ts does the same).
PATCH_PASSES = 4
# The rim's detail against the low-pass in an offset's cost (chosen on 300 validation pairs, model card, Validation,
# session 22: 0, 4, 16, 64, 256 each better than the last on every bin's PSNR and SSIM).
PATCH_RIM_WEIGHT = 256.0
SCALE = 1e5  # costs in steps of 1e-5 (as texture.py): near-equal costs tie in onnxruntime as in PyTorch
UNSAFE = 1e4  # a cost no match comes near (the rim's term at its weight stays under a tenth of it)


def patch_offsets() -> list[tuple[int, int]]:
    """(dy, dx) in blocks, distinct, ring by ring."""
    return ring_offsets(PATCH_RINGS, PATCH_ANGLES, PATCH_BLOCK)


def low_pass(x: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    """x's Gaussian low-pass (PATCH_SIGMA) over the pixels where weight is 1, at half resolution (a 2x2 mean first)."""
    blurred = gaussian(F.avg_pool2d(torch.cat([x * weight, weight], 1), 2), PATCH_SIGMA / 2, 4)
    return blurred[:, :3] / blurred[:, 3:].clamp(min=1e-4)


def patched(photo: torch.Tensor, known: torch.Tensor, hole: torch.Tensor, fill: torch.Tensor,
            strength: torch.Tensor | float = 1.0) -> tuple[torch.Tensor, torch.Tensor]:
    """As texture.textured, with R = PATCH_REACH and H, W multiples of PATCH_BLOCK: the box composited, the photo's
    detail copied into its holes, in [0,1], as [H,W,3]; and [H,W,1], 1 where a hole pixel is still pending (not
    wholly copied: no source within the offsets' reach), for the next pass (patches_fill)."""
    r, b = PATCH_REACH, PATCH_BLOCK
    up = lambda x: F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False)  # noqa: E731
    low_photo = low_pass(photo, known)
    detail = (photo - up(low_photo)) * known
    known_in = known[:, :, r:-r, r:-r]
    comp = photo[:, :, r:-r, r:-r] * known_in + hole * fill
    low_fill = low_pass(comp, (known_in + hole).clamp(max=1.0))
    fill_detail = comp - up(low_fill)

    # The cost of each offset on blocks (channels last: the distance is a sum over a row of 3).
    fill_blocks = F.avg_pool2d(low_fill, b // 2)[0].permute(1, 2, 0)
    photo_blocks = F.avg_pool2d(low_photo, b // 2)[0].permute(1, 2, 0)
    unsafe = UNSAFE * separable_max(F.max_pool2d(1.0 - known, b), 3)  # a block from any unknown pixel
    offsets = patch_offsets()
    pad = r // b
    w = PATCH_WINDOW
    # The rim's own detail, at half resolution: where a block's window holds known pixels, the source must continue
    # what they show (a seam, a plank's edge), not only match the low-pass.
    known_half = (F.avg_pool2d(known, 2) > 0.999).to(known.dtype)
    detail_half = F.avg_pool2d(detail, 2) * known_half
    h2, q = r // 2, b // 2
    rim_known, rim_detail = known_half[:, :, h2:-h2, h2:-h2], detail_half[:, :, h2:-h2, h2:-h2]
    costs = []
    for dy, dx in offsets:
        ys, xs = slice(pad + dy, -(pad - dy)), slice(pad + dx, -(pad - dx))
        cost = ((fill_blocks - photo_blocks[ys, xs]) ** 2).sum(-1)[None, None]
        if PATCH_RIM_WEIGHT:
            hy, hx = slice(h2 + dy * q, -(h2 - dy * q)), slice(h2 + dx * q, -(h2 - dx * q))
            rim = (rim_known * known_half[:, :, hy, hx] * (rim_detail - detail_half[:, :, hy, hx]) ** 2).sum(1, keepdim=True)
            cost = cost + PATCH_RIM_WEIGHT * F.avg_pool2d(rim, q)
        cost = F.avg_pool2d(cost, w, 1, w // 2, count_include_pad=False) + unsafe[:, :, ys, xs]
        costs.append(torch.floor(cost * SCALE))
    cost = torch.cat(costs, 1)[0]  # [K, Hb, Wb]
    best = cost.min(0).values
    relative = cost / (best + 10.0)  # 10: a cost of 1e-4 counts as a perfect match's
    choice = cost.argmin(0)
    labels = torch.arange(len(offsets)).view(-1, 1, 1)
    for _ in range(PATCH_ITERATIONS):
        same = (choice.unsqueeze(0) == labels).to(cost.dtype).unsqueeze(0)
        agree = F.avg_pool2d(same, 3, 1, 1, count_include_pad=True)[0] * 9.0 - same[0]
        choice = (relative - PATCH_COHERENCE * agree).argmin(0)
    found = (cost.gather(0, choice.unsqueeze(0))[0] < UNSAFE * SCALE / 10).to(cost.dtype)

    # Back to pixels: each pixel blends its four nearest blocks' copies, read from the photo's detail in HWC.
    h, wd = hole.shape[-2:]
    hb, wb = h // b, wd // b
    big_w = wd + 2 * r
    rows = detail[0].permute(1, 2, 0).reshape(-1, 3)
    dys, dxs = (torch.tensor([o[i] for o in offsets], dtype=torch.long) for i in (0, 1))
    shift = (dys * b) * big_w + dxs * b
    yy = (torch.arange(h, dtype=cost.dtype) + 0.5) / b - 0.5
    xx = (torch.arange(wd, dtype=cost.dtype) + 0.5) / b - 0.5
    y0, x0 = torch.floor(yy), torch.floor(xx)
    fy, fx = (yy - y0).view(h, 1), (xx - x0).view(1, wd)
    y0, x0 = y0.long(), x0.long()
    at = (torch.arange(h).view(h, 1) + r) * big_w + torch.arange(wd).view(1, wd) + r
    flat_choice, flat_found = choice.reshape(-1), found.reshape(-1)
    copied = torch.zeros(h, wd, 3, dtype=cost.dtype)
    kept = torch.zeros(h, wd, 1, dtype=cost.dtype)
    for oy in (0, 1):
        for ox in (0, 1):
            block = (y0 + oy).clamp(0, hb - 1).view(h, 1) * wb + (x0 + ox).clamp(0, wb - 1).view(1, wd)
            weight = (fy if oy else 1.0 - fy) * (fx if ox else 1.0 - fx) * flat_found[block]
            source = at + shift[flat_choice[block]]
            copied = copied + rows.index_select(0, source.reshape(-1)).view(h, wd, 3) * weight.unsqueeze(-1)
            kept = kept + weight.unsqueeze(-1)
    rim = 1.0 - hole
    ramp = sum(1.0 - separable_max(rim, 2 * i + 1) for i in range(1, PATCH_RAMP + 1)) / PATCH_RAMP
    hwc = lambda x: x[0].permute(1, 2, 0)  # noqa: E731
    # Where blocks found a source, their detail replaces the fill's; elsewhere the fill keeps its own.
    change = copied - kept * hwc(fill_detail)
    out = (hwc(comp) + strength * hwc(hole) * hwc(ramp) * change).clamp(0.0, 1.0)
    # A hole pixel whose four blocks did not all find a source: deeper than the longest offset reaches.
    pending = hwc(hole) * (kept < 0.999).to(cost.dtype)
    return out, pending


class PatchesGraph(torch.nn.Module):
    """What main/engine/fill/texture.ts runs for --texture patches (pconv/graphs/patches.py exports it), with
    texture.TextureGraph's inputs and output, and a second output: the pending hole pixels (255) for the next pass."""

    def forward(self, photo, known, holes, fill, strength):
        as_image = lambda x: x.float().permute(2, 0, 1).unsqueeze(0) / 255.0  # noqa: E731
        as_mask = lambda x: (x > 0).float().unsqueeze(0).unsqueeze(0)  # noqa: E731
        out, pending = patched(as_image(photo), as_mask(known), as_mask(holes), as_image(fill), strength)
        return (out * 255.0 + 0.5).clamp(0.0, 255.0).to(torch.uint8), (pending[:, :, 0] * 255.0).to(torch.uint8)


def patches_fill(img, hole, fill, strength: float = 1.0):
    """numpy, as texture.texture_fill: the whole photo as the box. img, fill uint8 HxWx3 (fill: the composite), hole
    uint8 HxW (1 = hole). Returns uint8 HxWx3; the photo's own pixels unchanged. A hole deeper than the offsets reach
    is filled from its rim inwards: each pass takes the pixels the last one copied as known (up to PATCH_PASSES)."""
    import numpy as np
    h, w = hole.shape
    ph, pw = -h % PATCH_BLOCK, -w % PATCH_BLOCK
    r = PATCH_REACH
    around = ((r, r + ph), (r, r + pw))
    photo, holes = img, hole.astype(np.uint8)
    out = fill
    for _ in range(PATCH_PASSES):
        with torch.no_grad():
            rgb, pending = PatchesGraph()(torch.from_numpy(np.pad(photo, around + ((0, 0),))),
                                          torch.from_numpy(np.pad((holes == 0).astype(np.uint8), around)),
                                          torch.from_numpy(np.pad(holes, ((0, ph), (0, pw)))),
                                          torch.from_numpy(np.pad(out, ((0, ph), (0, pw), (0, 0)))), torch.tensor([strength]))
        out, left = rgb.numpy()[:h, :w], (pending.numpy()[:h, :w] > 0).astype(np.uint8)
        if not left.any() or np.array_equal(left, holes):
            break
        photo, holes = out, left
    return out


def main(argv=None) -> int:
    """The step on files, the whole photo as its box (tests/engine/texture.test.ts holds the engine's run to it)."""
    import argparse

    import numpy as np
    from PIL import Image
    p = argparse.ArgumentParser(description="pconv/patches.py's step on a photo, its hole and a fill of it")
    p.add_argument("--photo", required=True)
    p.add_argument("--hole", required=True, help="255 = hole")
    p.add_argument("--fill", required=True, help="the photo with the network's fill in the hole (texture off)")
    p.add_argument("--out", required=True)
    args = p.parse_args(argv)
    rgb = lambda f: np.asarray(Image.open(f).convert("RGB"))  # noqa: E731
    hole = (np.asarray(Image.open(args.hole).convert("L")) > 127).astype(np.uint8)
    Image.fromarray(patches_fill(rgb(args.photo), hole, rgb(args.fill))).save(args.out)
    return 0


if __name__ == "__main__":
    import sys
    sys.exit(main())
