"""The paper's PConv U-Net: 8 stride-2 partial-conv encoder layers, a nearest-upsampling decoder
with skip connections (features and masks concatenated), and a last layer that sees the input."""
from __future__ import annotations

import torch
from torch import nn
import torch.nn.functional as F

from .layers import PartialConv2d

ENCODER_CHANNELS = (64, 128, 256, 512, 512, 512, 512, 512)
ENCODER_KERNELS = (7, 5, 5, 3, 3, 3, 3, 3)
STRIDE = 2 ** len(ENCODER_CHANNELS)  # sides that are multiples of this keep every level aligned


class PConvUNet(nn.Module):
    def __init__(self, width: float = 0.5):
        super().__init__()
        self.width = width
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
        x = image * 2.0 - 1.0
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
        return h * 0.5 + 0.5

    def freeze_encoder_bn(self) -> None:
        """Stage 2 of the paper: the encoder's batch-norm statistics stop moving (holes bias them)."""
        for bn in self.encoder_bn:
            if isinstance(bn, nn.BatchNorm2d):
                bn.eval()
                for p in bn.parameters():
                    p.requires_grad_(False)


def load_model(path: str, map_location: str = "cpu") -> PConvUNet:
    ckpt = torch.load(path, map_location=map_location)
    model = PConvUNet(width=ckpt["width"])
    model.load_state_dict({k: v.float() for k, v in ckpt["model"].items()})
    model.eval()
    return model
