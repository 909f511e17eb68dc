"""The paper's PConv U-Net: 8 stride-2 partial-conv encoder layers, a nearest-upsampling decoder
with skip connections (features and masks concatenated), and a last layer that sees the input."""
from __future__ import annotations

import math

import torch
from torch import nn
import torch.nn.functional as F

from .layers import PartialConv2d

ENCODER_CHANNELS = (64, 128, 256, 512, 512, 512, 512, 512)
ENCODER_KERNELS = (7, 5, 5, 3, 3, 3, 3, 3)
STRIDE = 2 ** len(ENCODER_CHANNELS)  # sides that are multiples of this keep every level aligned


# How the network sees its input (the checkpoint's "context"):
#  "none":   the image as it is, the prediction as it comes;
#  "mean":   the known pixels' per-channel mean is moved to 0.5 before the network and the prediction moved back;
#  "smooth": the same with a smooth interpolation of the known pixels (a normalised-convolution pyramid,
#            `context_base`) in place of one mean: with no information the network returns the surrounding colours,
#            not an average colour of its training photos;
#  "harmonic": the same pyramid relaxed at each level into a membrane (Laplace) interpolation, as a multigrid solver
#            does: a hole's inside is the smooth continuation of its whole rim, not the mean of a coarse cell that
#            reaches far past the hole. On val/photos' flattest patches (`pconv.objects --kinds flat`: 75 compact
#            holes through the engine at fp32, session 14's weights exported with each base, no retraining) the
#            fill went from 39.1 to 40.6 dB, holes more than 3 dB below the better classical fill from 12.0 to 6.7 %.
CONTEXTS = ("none", "mean", "smooth", "harmonic")
RELAX_ITERATIONS = 16  # Jacobi sweeps per pyramid level (of 3x3 cells): enough to reach across a hole of 16 cells
# The smooth base is the known pixels' mean over cells of 2**CONTEXT_LEVEL network pixels, holes filled from coarser
# cells, bilinear between cells. Chosen on the validation photos (native-models/README.md). A checkpoint carries its
# own level (`context_level`): this is the default for new models; session 14's weights were fine-tuned at 5.
CONTEXT_LEVEL = 6
PYRAMID_LEVELS = 8  # as deep as the encoder: sides that are multiples of 256 halve exactly


def known_mean(image: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Per-image, per-channel mean of the known pixels (N3HW, N1HW -> N311)."""
    return (image * mask).sum((2, 3), keepdim=True) / mask.sum((2, 3), keepdim=True).clamp(min=1.0)


def context_base(image: torch.Tensor, mask: torch.Tensor, level: int = CONTEXT_LEVEL, relax: int = 0,
                 final_relax: int = 0) -> torch.Tensor:
    """A smooth interpolation of the known pixels (push-pull: Gortler et al. 1996): averages of the known pixels
    over ever coarser cells (only known pixels weigh, as in a partial convolution), each cell blended with its
    coarser parent by the share of it that is known, the cells of 2**level pixels spread bilinearly over the image.
    Cells with no known pixel at the coarsest level take the whole image's known mean. With `relax`, each level's
    cells are then relaxed that many times towards the mean of their 3x3 neighbours, as far as they are unknown:
    a multigrid membrane interpolation, coarse to fine; `final_relax` more at the finest level."""
    sums, weights = [image * mask], [mask]
    for _ in range(PYRAMID_LEVELS):
        sums.append(F.avg_pool2d(sums[-1], 2, ceil_mode=True))
        weights.append(F.avg_pool2d(weights[-1], 2, ceil_mode=True))
    fallback = known_mean(image, mask)
    value = torch.where(weights[-1] > 0, sums[-1] / weights[-1].clamp(min=1e-6), fallback)
    for k in range(PYRAMID_LEVELS - 1, level - 1, -1):
        coarse = F.interpolate(value, size=sums[k].shape[-2:], mode="bilinear", align_corners=False)
        w = weights[k]
        known = sums[k] / w.clamp(min=1e-6)
        value = w * known + (1 - w) * coarse
        for _ in range(relax + (final_relax if k == level else 0)):
            around = F.avg_pool2d(F.pad(value, (1, 1, 1, 1), mode="replicate"), 3, stride=1)
            value = w * known + (1 - w) * around
    return F.interpolate(value, size=image.shape[-2:], mode="bilinear", align_corners=False)


def context_shift(image: torch.Tensor, mask: torch.Tensor, context: str,
                  level: int = CONTEXT_LEVEL) -> torch.Tensor | float:
    """What is added to the image before the network and taken from its prediction after."""
    if context == "mean":
        return 0.5 - known_mean(image, mask)
    if context == "smooth":
        return 0.5 - context_base(image, mask, level)
    if context == "harmonic":
        return 0.5 - context_base(image, mask, level, RELAX_ITERATIONS)
    return 0.0


class PConvUNet(nn.Module):
    def __init__(self, width: float = 0.5, context: str = "none", context_level: int = CONTEXT_LEVEL):
        super().__init__()
        if context not in CONTEXTS:
            raise ValueError(f"context must be one of {CONTEXTS}, not {context!r}")
        self.width = width
        self.context, self.context_level = context, context_level
        ch = [max(8, int(round(c * width))) for c in ENCODER_CHANNELS]
        self.encoder = nn.ModuleList()
        self.encoder_bn = nn.ModuleList()
        prev = 3
        for i, (c, k) in enumerate(zip(ch, ENCODER_KERNELS)):
            self.encoder.append(PartialConv2d([prev], c, k, stride=2))
            self.encoder_bn.append(nn.Identity() if i == 0 else nn.BatchNorm2d(c))
            prev = c
        # Decoder layer j takes the upsampled deeper features and the skip of the level above;
        # the last one takes the input image as its skip and outputs RGB.
        skips = [3] + ch[:-1]
        self.decoder = nn.ModuleList()
        self.decoder_bn = nn.ModuleList()
        deep = ch[-1]
        for level in reversed(range(len(ch))):
            out = 3 if level == 0 else skips[level]
            self.decoder.append(PartialConv2d([deep, skips[level]], out, 3, stride=1))
            self.decoder_bn.append(nn.Identity() if level == 0 else nn.BatchNorm2d(out))
            deep = out

    def forward(self, image: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """image: N3HW in [0,1]; mask: N1HW, 1 = known pixel, 0 = hole. Returns the prediction in [0,1]
        units (not clamped: the loss sees the raw output)."""
        shift = context_shift(image, mask, self.context, self.context_level)
        x = (image + shift) * 2.0 - 1.0
        feats, masks = [x], [mask]
        h, m = x, mask
        for conv, bn in zip(self.encoder, self.encoder_bn):
            h, m = conv([h], [m])
            h = F.relu(bn(h))
            feats.append(h)
            masks.append(m)
        n = len(self.decoder)
        for j, (conv, bn) in enumerate(zip(self.decoder, self.decoder_bn)):
            skip, skip_mask = feats[n - 1 - j], masks[n - 1 - j]
            # Nearest x2 upsampling, written as "to the skip's size" so that sides which are not
            # multiples of 256 (the 8th layer of a 128 crop is 1x1, and stays 1x1) still line up.
            size = skip.shape[-2:]
            h = F.interpolate(h, size=size, mode="nearest")
            m = F.interpolate(m, size=size, mode="nearest")
            h, m = conv([h, skip], [m, skip_mask])
            if j < n - 1:
                h = F.leaky_relu(bn(h), 0.2)
        return h * 0.5 + 0.5 - shift

    def freeze_encoder_bn(self) -> None:
        """Stage 2 of the paper: the encoder's batch-norm statistics stop moving (holes bias them)."""
        for bn in self.encoder_bn:
            if isinstance(bn, nn.BatchNorm2d):
                bn.eval()
                for p in bn.parameters():
                    p.requires_grad_(False)


# The engine smooths the network's prediction with a Gaussian of this sigma (network pixels) as it enlarges it to
# the photo's pixels (main/engine/fill/enlarge-graph.ts, made by graphs/enlarge.py; evaluate.py does the same): a
# smoother reconstruction filter than bilinear alone, which removes the fine grid texture and noise the decoder
# leaves in fills. Chosen on BSDS500's val photos (kept out of training; never the eval sets), with
# tools/val_smoothing.py (a study since removed; the model card has its tables) on session 4's model: on 180 pairs
# at 512, sigma 0.5 / 0.75 / 1.0 raised SSIM by 0.0014-0.0036 / 0.0023-0.0061 / 0.0027-0.0073 and PSNR by
# 0.02-0.19 dB (sigma 1.0) in every hole bin;
# averaging a horizontally flipped second run of the network gained less than sigma 1.0, at twice the cost (on top
# of the smoothing it does gain on later models: MIRROR_AVERAGE below, since session 13).
# On session 5's model 1.25 / 1.5 added only 0.0002-0.0009 SSIM to 1.0. Training does not see it (the losses are
# the paper's).
OUTPUT_SMOOTHING_SIGMA = 1.0
# A crop the network sees magnified 2x ('auto' on small thin holes: evaluate.py model_fill at twice the size) is smoothed by
# the same in photo pixels: twice the sigma in network pixels. Chosen on the same val photos
# (`tools/val_smoothing.py --magnify --bins 0,1,2 --photos 60 --sigmas 1.0,1.5,2.0,2.5,3.0`, session 6's model):
# SSIM 1-10 % / 10-20 % / 20-30 % at sigma 1: 0.9707 / 0.9273 / 0.8718, 1.5: 0.9709 / 0.9277 / 0.8723,
# 2: 0.9709 / 0.9278 / 0.8724, 2.5: the same as 2, 3: 0.9707 / 0.9277 / 0.8722; PSNR within 0.01 dB.
MAGNIFIED_SMOOTHING_SIGMA = 2 * OUTPUT_SMOOTHING_SIGMA


# The engine's prediction is the mean of the network's on the crop and on its left-right mirror, mirrored back
# (in the exported graph: one run on a batch of both). Test-time mirror averaging: the network's errors that do not
# share the photo's symmetry (a darker patch on one side, a stroke continued a little off) partly cancel. Chosen on
# val/photos in session 13 (450 pairs at 'auto', session 12's weights, over the output smoothing): PSNR +0.03 to
# +0.09 dB and SSIM +0.0001 to +0.0014 in every bin, the worst pair -3.7 -> -2.4 dB below the better classical
# fill, pairs more than 3 dB below 0.2 -> 0 %. It doubles the network's work (npm run bench). Training does not
# see it.
MIRROR_AVERAGE = True


def mirror_averaged(run, image: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """run(image, mask) averaged with its run on the left-right mirror, mirrored back; one batch of 2N."""
    n = image.shape[0]
    both = run(torch.cat([image, torch.flip(image, [3])], 0), torch.cat([mask, torch.flip(mask, [3])], 0))
    return (both[:n] + torch.flip(both[n:], [3])) * 0.5


# Deep inside a large hole the decoder's nearest-neighbour upsampling leaves soft blocks and seams on the coarse
# cells' edges (the removal sheet's reflection in a sunset, row 5). There, more than about DEEP_SMOOTHING_DEPTH
# network pixels from any known one, the prediction is blended into a Gaussian blur of itself of
# DEEP_SMOOTHING_SIGMA; near the rim, where the fill continues the photo's detail, it is left as it is. The depth
# is the share of known pixels under a Gaussian of that sigma (smooth, no distance transform in the graph); both
# blurs run at a quarter of the resolution, so the cost is small beside the network's (npm run bench). Chosen on
# val/photos in session 16 (450 pairs at 'auto', session 15's weights; PyTorch, exact distance, blend from 8 to
# 24 px deep, blur sigma 6): PSNR +0.001 to +0.020 dB and SSIM +0.0000 to +0.0006 in every bin, 295 pairs better,
# 116 worse (the most -0.19 dB); blur 12 from 12 px or blur 6 from 16 px gained less. As exported (this smooth
# depth), through the engine: every bin up by 0.01-0.03 dB, worst pair -1.60 -> -1.47 dB, 324 of 450 pairs better
# (native-models/README.md, Architecture). Training does not see it.
DEEP_SMOOTHING = True
DEEP_SMOOTHING_SIGMA = 6.0
DEEP_SMOOTHING_DEPTH = 8.0
DEEP_SMOOTHING_KNOWN_SHARE = 0.16  # Gaussian-weighted share of known pixels at the blend's start: at one sigma from a straight rim


def quarter_blur(x: torch.Tensor, sigma: float, channels: int) -> torch.Tensor:
    """A Gaussian blur of about `sigma` pixels, computed at a quarter of the resolution and enlarged bilinearly
    (`channels`: x's, a constant for the exported graph's kernels)."""
    h, w = x.shape[-2:]
    small = F.avg_pool2d(x, 4, ceil_mode=True)
    taps = torch.tensor(smoothing_kernel(sigma / 4), dtype=x.dtype)
    r = (len(taps) - 1) // 2
    c = channels
    small = F.conv2d(F.pad(small, (r, r, 0, 0), mode="replicate"), taps.view(1, 1, 1, -1).repeat(c, 1, 1, 1), groups=c)
    small = F.conv2d(F.pad(small, (0, 0, r, r), mode="replicate"), taps.view(1, 1, -1, 1).repeat(c, 1, 1, 1), groups=c)
    return F.interpolate(small, size=(h, w), mode="bilinear", align_corners=False)


def deep_inside(mask: torch.Tensor) -> torch.Tensor:
    """0 near any known pixel, rising to 1 from about DEEP_SMOOTHING_DEPTH network pixels inside a hole."""
    known_near = quarter_blur(mask, DEEP_SMOOTHING_DEPTH, 1)
    return (1.0 - known_near / DEEP_SMOOTHING_KNOWN_SHARE).clamp(0.0, 1.0)


def deep_smoothed(pred: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """The prediction, blurred where the hole is deep (DEEP_SMOOTHING_*); mask: 1 where known."""
    return pred + deep_inside(mask) * (quarter_blur(pred, DEEP_SMOOTHING_SIGMA, 3) - pred)


# Where the known pixels around a hole are flat (a clear sky, a wall, a calm sea), the prediction is moved to the
# membrane interpolation of them (`context_base`, relaxed, at cells of 2**FLAT_DAMPING_LEVEL network pixels): with
# nothing to continue, the hole takes the colours around it, not a faint disc of the network's own (the removal
# sheet's clear sky, `pconv.objects --kinds flat`). How flat: the known pixels' spread as the same interpolation
# carries it into the hole (the interpolated mean of the squares less the square of the interpolated mean, over the
# channels: texture around, and a surround that differs from side to side, where the membrane is a blend and the
# network knows better). The prediction is kept in proportion spread / (spread + FLAT_DAMPING_NOISE**2), and only
# as deep inside as the deep smoothing reaches (the rim continues the photo's detail). Chosen on val/photos'
# flattest patches in session 17 (`pconv.objects --kinds flat`, through the engine, session 16's weights): 41.23 ->
# 41.56 dB, holes more than 1 / 3 dB below the better classical fill 6.7 / 1.3 -> 2.7 / 0 %; cells of 4-32 px and
# 4-8 levels measured (native-models/README.md, Architecture). On the 900 validation pairs every bin within 0.02 dB.
# Session 18: only the rim weighs (the known pixels within FLAT_DAMPING_BAND of the hole), and the interpolation is
# relaxed until it settles (FLAT_DAMPING_RELAX). With 16 sweeps per level, the deep middle of a wide hole still
# carried the coarse cells' averages, which reach far past the rim: the clouds beside the removal sheet's clear-sky
# hole read as spread there (7.8 levels at its centre, 4.1 once settled), so the network's faint disc was kept.
# Flat patches 41.56 -> 41.68 dB (32 holes better, 2 worse, at most -0.08 dB), the clear-sky hole 41.6 -> 44.5 dB;
# settled alone gives the same there, the band alone 44.0, and the band keeps clouds further off out of a 256 px
# hole that 256 sweeps do not settle (tests/test_pconv.py). Its cost at 512x512 (`npm run bench`): about 8 ms
# settled without the band; the shipped graph's was lost in the runs' spread (native-models/README.md).
# Not taken: the spread less what a linear gradient across the hole explains (a sky's slope is no texture, but an
# edge across the hole then counts as flat too: flat patches 41.45 dB); 3 or 6 levels (41.66, 41.61 dB).
FLAT_DAMPING = True
FLAT_DAMPING_NOISE = 4.0 / 255.0  # a spread (standard deviation, per channel) of 4 levels keeps half the prediction
FLAT_DAMPING_LEVEL = 3
FLAT_DAMPING_RELAX = 96  # sweeps per level, and more at the finest: near the membrane's fixed point (see above)
FLAT_DAMPING_FINAL_RELAX = 160
FLAT_DAMPING_BAND = 16  # only the known pixels this close to the hole (network pixels, a square) weigh


def flat_damped(pred: torch.Tensor, image: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """The prediction moved towards the membrane interpolation of the known pixels as far as they are flat
    (FLAT_DAMPING_*) and the hole is deep; mask: 1 where known. Only the known pixels of the hole's rim weigh."""
    b = FLAT_DAMPING_BAND
    near_hole = F.max_pool2d(F.max_pool2d(1.0 - mask, (1, 2 * b + 1), 1, (0, b)), (2 * b + 1, 1), 1, (b, 0))
    both = context_base(torch.cat([image, image * image], 1), mask * near_hole, FLAT_DAMPING_LEVEL,
                        FLAT_DAMPING_RELAX, FLAT_DAMPING_FINAL_RELAX)
    base, square = both[:, :3], both[:, 3:]
    spread = (square - base * base).clamp(min=0.0).mean(1, keepdim=True)
    keep = spread / (spread + FLAT_DAMPING_NOISE ** 2)
    return pred - (1.0 - keep) * deep_inside(mask) * (pred - base)


def engine_prediction(net: PConvUNet, image: torch.Tensor, mask: torch.Tensor, mirror: bool = MIRROR_AVERAGE,
                      deep: bool = DEEP_SMOOTHING, flat: bool = FLAT_DAMPING):
    """What the exported graph (pconv/export.py) computes: the clamped prediction, mirror-averaged, smoothed deep
    inside the hole, moved to the known pixels' interpolation where they are flat."""
    run = lambda x, m: net(x, m).clamp(0.0, 1.0)  # noqa: E731
    pred = mirror_averaged(run, image, mask) if mirror else run(image, mask)
    pred = deep_smoothed(pred, mask) if deep else pred
    return flat_damped(pred, image, mask) if flat else pred


def smoothing_kernel(sigma: float = OUTPUT_SMOOTHING_SIGMA) -> list[float]:
    """The normalized 1-D Gaussian, radius 4 sigma: OpenCV's getGaussianKernel(8 sigma + 1, sigma)."""
    radius = max(1, int(round(4 * sigma)))
    taps = [math.exp(-(x * x) / (2 * sigma * sigma)) for x in range(-radius, radius + 1)]
    return [t / sum(taps) for t in taps]


def load_model(path: str, map_location: str = "cpu") -> PConvUNet:
    ckpt = torch.load(path, map_location=map_location)
    model = PConvUNet(width=ckpt["width"], context=ckpt.get("context", "none"),
                      context_level=ckpt.get("context_level", CONTEXT_LEVEL))
    model.load_state_dict({k: v.float() for k, v in ckpt["model"].items()})
    model.eval()
    return model
