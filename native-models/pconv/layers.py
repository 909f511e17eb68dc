"""Partial convolution with a single-channel mask per input group.

A partial convolution sees only valid pixels and rescales by how many it saw:
    x' = W^T (X * M) * sum(1) / sum(M) + b   where sum(M) > 0, else 0
    m' = 1 where any input in the window was valid, else 0.
The mask is shared across the channels of one tensor, so its convolution is a cheap 1-output
box filter instead of a full C_in x C_out one. A decoder layer concatenates two tensors with
different masks (upsampled features and the encoder skip); each is a "group" whose mask
counts once per channel, exactly as a per-channel mask would.
"""
from __future__ import annotations

import torch
from torch import nn
import torch.nn.functional as F


class PartialConv2d(nn.Module):
    def __init__(self, group_channels: list[int], out_channels: int, kernel_size: int, stride: int = 1):
        super().__init__()
        self.group_channels = list(group_channels)
        self.stride = stride
        self.padding = kernel_size // 2
        self.conv = nn.Conv2d(sum(group_channels), out_channels, kernel_size, stride, self.padding, bias=False)
        self.bias = nn.Parameter(torch.zeros(out_channels))
        # Box filter that counts valid inputs: a pixel of group g is worth C_g channels.
        counts = torch.tensor(group_channels, dtype=torch.float32).view(1, -1, 1, 1)
        self.register_buffer("mask_kernel", counts.expand(1, len(group_channels), kernel_size, kernel_size).clone(),
                             persistent=False)
        self.window_size = float(sum(group_channels) * kernel_size * kernel_size)  # sum(1)

    def _conv(self, x: torch.Tensor) -> torch.Tensor:
        # oneDNN's bf16 weight gradient of a strided conv over a 1x1 input (the 8th level of a 128 crop) comes back
        # NaN in about 4 runs of 10 (torch 1.13): that one runs in fp32.
        if self.stride > 1 and min(x.shape[-2:]) < 2 and torch.is_autocast_cpu_enabled():
            with torch.autocast("cpu", enabled=False):
                return self.conv(x.float())
        return self.conv(x)

    def forward(self, xs: list[torch.Tensor], masks: list[torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
        x = torch.cat([x * m for x, m in zip(xs, masks)], 1) if len(xs) > 1 else xs[0] * masks[0]
        m = torch.cat(masks, 1) if len(masks) > 1 else masks[0]
        # The mask arithmetic stays fp32 under autocast: window counts reach thousands, past bf16's 8-bit mantissa.
        with torch.no_grad(), torch.autocast("cpu", enabled=False):
            m = m.float()
            # Zero padding of the mask: the border counts as hole, as in the paper.
            valid_count = F.conv2d(m, self.mask_kernel, stride=self.stride, padding=self.padding)
            # Masks are binary, so a window with any valid input counts at least 1.
            new_mask = torch.clamp(valid_count, 0.0, 1.0)
            scale = self.window_size / torch.clamp(valid_count, min=1.0) * new_mask
        out = self._conv(x) * scale + self.bias.view(1, -1, 1, 1) * new_mask
        return out, new_mask
