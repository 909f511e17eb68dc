"""The paper's loss: L_valid + 6 L_hole + 0.05 L_perceptual + 120 (L_style_out + L_style_comp) + 0.1 L_tv.

VGG16 does not exist on this machine; the perceptual and style terms use three early stages of an
ImageNet-trained MobileNetV2 (see features.py), standing in for VGG16's pool1-pool3."""
from __future__ import annotations

import torch
from torch import nn
import torch.nn.functional as F

WEIGHTS = {"valid": 1.0, "hole": 6.0, "perceptual": 0.05, "style": 120.0, "tv": 0.1, "colour": 0.0}
COLOUR_CELL = 16  # pixels: the low-frequency term compares the hole's mean colour over cells this wide


def gram(f: torch.Tensor) -> torch.Tensor:
    n, c, h, w = f.shape
    f = f.float().reshape(n, c, h * w)  # sums over h*w terms: fp32 even when the features are bf16
    return torch.bmm(f, f.transpose(1, 2)) / (c * h * w)


def total_variation(comp: torch.Tensor, hole: torch.Tensor) -> torch.Tensor:
    """TV on the 1-pixel dilation of the hole region, as the paper defines P."""
    region = F.max_pool2d(hole, 3, stride=1, padding=1)
    dx = (comp[:, :, :, 1:] - comp[:, :, :, :-1]).abs() * region[:, :, :, 1:] * region[:, :, :, :-1]
    dy = (comp[:, :, 1:, :] - comp[:, :, :-1, :]).abs() * region[:, :, 1:, :] * region[:, :, :-1, :]
    return dx.mean() + dy.mean()


def hole_colour(pred: torch.Tensor, target: torch.Tensor, hole: torch.Tensor, cell: int = COLOUR_CELL) -> torch.Tensor:
    """L1 between the prediction's and the truth's mean colours inside the hole, cell by cell. The per-pixel L1
    favours a median and lets random texture errors dominate its gradient; this term sees only the low-frequency
    error, the faint disc or stain of a fill a shade off its surroundings."""
    area = F.avg_pool2d(hole, cell, ceil_mode=True)
    diff = F.avg_pool2d(hole * (pred - target), cell, ceil_mode=True) / area.clamp(min=1e-6)
    return (area * diff.abs()).mean()


class InpaintingLoss(nn.Module):
    def __init__(self, features: nn.Module | None = None, weights: dict[str, float] | None = None):
        super().__init__()
        self.features = features  # None: pixel terms only (a cheap warm-up)
        self.weights = {**WEIGHTS, **(weights or {})}

    def forward(self, pred: torch.Tensor, target: torch.Tensor, mask: torch.Tensor,
                feature_scale: float = 1.0) -> dict[str, torch.Tensor]:
        """feature_scale: the perceptual and style terms' weight multiplier; 0 skips the feature network (train.py
        --feature-every N computes them on one step in N, N times as heavy: the same loss in expectation)."""
        hole = 1.0 - mask
        comp = mask * target + hole * pred
        terms = {
            "valid": (mask * (pred - target)).abs().mean(),
            "hole": (hole * (pred - target)).abs().mean(),
            "tv": total_variation(comp, hole),
        }
        if self.weights["colour"]:
            terms["colour"] = hole_colour(pred, target, hole)
        if self.features is not None and feature_scale > 0:
            # The MobileNetV2 stages are Keras's ImageNet weights, which were trained on [-1, 1] inputs.
            f_pred, f_comp = self.features(pred * 2 - 1), self.features(comp * 2 - 1)
            with torch.no_grad():
                f_gt = self.features(target * 2 - 1)
            terms["perceptual"] = sum(F.l1_loss(a, g) + F.l1_loss(b, g) for a, b, g in zip(f_pred, f_comp, f_gt))
            terms["style"] = sum(F.l1_loss(gram(a), gram(g)) + F.l1_loss(gram(b), gram(g))
                                 for a, b, g in zip(f_pred, f_comp, f_gt))
        terms["total"] = sum(self.weights[k] * v * (feature_scale if k in ("perceptual", "style") else 1.0)
                             for k, v in terms.items())
        return terms
