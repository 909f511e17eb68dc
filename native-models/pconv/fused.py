"""The graph that ships (export.py exports it): the same function as PConvUNet (unet.py), arranged for
onnxruntime's CPU kernels."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from .layers import PartialConv2d
from .unet import (DEEP_SMOOTHING, FLAT_DAMPING, MIRROR_AVERAGE, PConvUNet, context_shift, deep_smoothed, flat_damped,
                   mirror_averaged)

# PyTorch's PConvUNet is written for training; run as is it spends much of its time on
# per-pixel arithmetic around each convolution. The exported graph computes the same function
# (parity-checked), rearranged:
#  * Every feature map is stored already multiplied by its mask: each use of a feature map is
#    (x * m), and since masks are 0/1 and the layer's scale is 0 where the new mask is 0,
#    act(conv*scale + bias*new_mask) * new_mask = scale * act(conv + bias*count/window)
#    (ReLU and LeakyReLU are positively homogeneous: act(s*y) = s*act(y) for s >= 0).
#  * Batch norm is folded into the conv weights and bias (a = gamma/sqrt(var+eps) scales the
#    weights; the shift c = beta - a*mean is added to the masked bias b: B = a*b + c. The masked
#    bias term only exists where new_mask = 1, where B*count/window*scale = B, so both the bias
#    and the shift are masked exactly as in PyTorch, where h*new_mask is all that is ever used).
#  * bias*count/window is a convolution of the masks with a constant kernel (count is a box
#    sum of the masks): the 1-2 mask channels join the convolution (FusedPConv.layout: in one
#    conv with the features where the channel counts allow onnxruntime's blocked NCHWc kernels,
#    else as a small conv of the masks added to it).
#  * The mask update (count, new mask, scale window/count) is computed once per layer on the
#    single-channel masks with an average pool, not per feature channel.
#  * The input's 2x-1 is folded into the first layer's weights (conv((2I-1)m) = conv(Im, 2W) -
#    conv(m, sum_c W)), so the image is only multiplied by the mask once.
#  * The decoder's nearest x2 upsampling is never materialised: a 3x3 conv of an upsampled map
#    is, for each of the 4 output phases, a 2x2 conv of the half-resolution map (FusedUpPConv:
#    16 instead of 36 multiply-adds per half-resolution pixel and channel pair), interleaved by a
#    DepthToSpace: 26% of the model's multiply-adds (those on repeated pixels) are skipped.
#  * The last decoder layer (3 outputs at full resolution, the slowest layer as written) runs at
#    half resolution: a 3x3 conv of the deep map and a 4x4 stride-2 conv of [image*mask, mask]
#    each give the 4 output phases (FusedLastLayer), and a DepthToSpace puts them in place.
#  These need the sides to be multiples of 256 (the engine's contract), so every level is exactly
#  twice the next; FusedPConvUNet(layout="up") upsamples as PyTorch does, for any even sides.
# The weights are stored as in the checkpoint (fp16) and folded by onnxruntime when it loads
# the graph (constant folding), so the parity with PyTorch is that of fp32 arithmetic.

def _bn_affine(bn: torch.nn.Module, channels: int):
    """(a, c) such that bn(y) = a*y + c in eval mode; (None, None) for an identity."""
    if isinstance(bn, torch.nn.BatchNorm2d):
        a = bn.weight / torch.sqrt(bn.running_var + bn.eps)
        return a, bn.bias - a * bn.running_mean
    return None, None


class FusedPConv(torch.nn.Module):
    """One PartialConv2d (+ batch norm + activation) on masked feature maps; see above."""

    def __init__(self, pc: PartialConv2d, bn: torch.nn.Module, act: str, input_group: int | None = None,
                 out_scale: float = 1.0):
        super().__init__()
        self.pc, self.bn, self.act = pc, bn, act
        self.input_group, self.out_scale = input_group, out_scale
        self.k, self.stride, self.pad = pc.conv.kernel_size[0], pc.stride, pc.padding
        self.groups = list(pc.group_channels)

    def zero_block(self, W: torch.Tensor) -> torch.Tensor:
        """The zero weights of the mask block's padding channels: W[:, :n] * 0, which onnxruntime folds
        (it does not fold ConstantOfShape, and a weight that is not an initializer cannot use the NCHWc
        kernels; a zeros buffer would be stored in the file)."""
        return W[:, :16 - len(self.groups)] * 0.0

    def folded(self):
        """Weights on the masked features, and kernels on the masks: W' = a*W (*2 on the raw
        input group), K_g = B*C_g/window (- sum_c W' on the raw input group)."""
        W, b = self.pc.conv.weight, self.pc.bias
        a, c = _bn_affine(self.bn, W.shape[0])
        if a is not None:
            W = W * a.view(-1, 1, 1, 1)
            B = a * b + c
        else:
            B = b
        if self.out_scale != 1.0:
            W, B = W * self.out_scale, B * self.out_scale
        parts, kernels, start = [], [], 0
        ones = torch.ones(1, 1, self.k, self.k)
        for g, cg in enumerate(self.groups):
            Wg = W[:, start:start + cg]
            Kg = (B * (cg / self.pc.window_size)).view(-1, 1, 1, 1) * ones
            if g == self.input_group:  # this group is x = 2*image - 1, given as image*mask
                Kg = Kg - Wg.sum(1, keepdim=True)
                Wg = Wg * 2.0
            parts.append(Wg)
            kernels.append(Kg)
            start += cg
        return torch.cat(parts, 1), torch.cat(kernels, 1), B

    def scale(self, masks):
        """count = sum_g C_g * box(m_g); new mask = count > 0; scale = window/count there, else 0."""
        comb = masks[0] * float(self.groups[0])
        for m, cg in zip(masks[1:], self.groups[1:]):
            comb = comb + m * float(cg)
        count = F.avg_pool2d(comb, self.k, self.stride, self.pad, count_include_pad=True) * float(self.k * self.k)
        new_mask = torch.sign(count)
        return new_mask * self.pc.window_size / torch.clamp(count, min=1.0), new_mask

    def layout(self) -> str:
        """How the mask kernels K meet the features, for onnxruntime's NCHWc convolutions (which want
        input channels in blocks of 16, or fewer than 16):
          join:  fewer than 16 channels in all (the first layer): one conv of cat(features, masks);
          block: the decoder's wide layers: the masks padded with zeros to one 16-channel block and
                 concatenated to the features (which are concatenated anyway); one conv, its LeakyReLU
                 fused, at a few % more multiply-adds;
          sum:   elsewhere: conv(features, W) + conv(masks, K), which onnxruntime adds in NCHWc."""
        channels = sum(self.groups)
        if channels + len(self.groups) < 16:
            return "join"
        if len(self.groups) > 1 and channels >= 192 and channels % 16 == 0:
            return "block"
        return "sum"

    def forward(self, xs, masks, joined=None):
        """xs, masks: the groups' masked features and masks; joined: cat(xs + masks) if at hand."""
        W, K, _ = self.folded()
        s, new_mask = self.scale(masks)
        x = torch.cat(xs, 1) if len(xs) > 1 else xs[0]
        m = torch.cat(masks, 1) if len(masks) > 1 else masks[0]
        layout = self.layout()
        if layout == "join":
            joined = torch.cat([x, m], 1) if joined is None else joined
            y = F.conv2d(joined, torch.cat([W, K], 1), None, self.stride, self.pad)
        elif layout == "block":
            extra = 16 - m.shape[1]
            y = F.conv2d(torch.cat(list(xs) + [F.pad(m, (0, 0, 0, 0, 0, extra))], 1),
                         torch.cat([W, K, self.zero_block(W)], 1), None, self.stride, self.pad)
        else:
            y = F.conv2d(x, W, None, self.stride, self.pad) + F.conv2d(m, K, None, self.stride, self.pad)
        if self.act == "relu":
            y = F.relu(y)
        elif self.act == "leaky":
            y = F.leaky_relu(y, 0.2)
        return y * s, new_mask


def _phase_selector(strided: bool) -> torch.Tensor:
    """Where tap (ky, kx) of a full-resolution 3x3 kernel lands, for output phase ph = a*2+b
    (output pixel (2i+a, 2j+b)), in a kernel computed at half resolution:
      strided=False: a 3x3 kernel over the half-resolution map that is nearest-upsampled
                     (full-res row 2i+a+ky-1 is half-res row i + (a+ky-1)//2);
      strided=True:  a 4x4 stride-2 kernel (padding 1) over the full-resolution map
                     (full-res row 2i+a+ky-1 is kernel row a+ky).
    T[ky*3+kx, ph, u, v] = 1 there."""
    side = 4 if strided else 3
    T = torch.zeros(9, 4, side, side)
    for a in range(2):
        for b in range(2):
            for ky in range(3):
                for kx in range(3):
                    u, v = (a + ky, b + kx) if strided else ((a + ky - 1) // 2 + 1, (b + kx - 1) // 2 + 1)
                    T[ky * 3 + kx, a * 2 + b, u, v] += 1.0
    return T


def _phase_weights(W: torch.Tensor, T: torch.Tensor) -> torch.Tensor:
    """W [O, C, 3, 3] as the kernel [O*4, C, s, s] that outputs the 4 phases of each output channel
    in pixel_shuffle order (o*4 + a*2 + b); one matrix product with the constant selector T."""
    O, C = W.shape[:2]
    side = T.shape[-1]
    out = torch.matmul(W.reshape(O * C, 9), T.reshape(9, -1)).reshape(O, C, 4, side, side)
    return out.permute(0, 2, 1, 3, 4).reshape(O * 4, C, side, side)


class FusedLastLayer(FusedPConv):
    """The last decoder layer (3 outputs at full resolution, no activation, out*0.5+0.5) computed
    at half resolution: a 3x3 convolution of the deep map (which PyTorch upsamples first) and a
    4x4 stride-2 convolution of [image*mask, mask] each give the 4 output phases; a pixel shuffle
    puts them in place."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.register_buffer("t_up", _phase_selector(False), persistent=False)
        self.register_buffer("t_strided", _phase_selector(True), persistent=False)

    def forward(self, xs, masks):
        deep, image_and_mask = xs        # deep: half resolution, masked; [image*mask, mask]: full resolution
        deep_mask, mask = masks          # deep_mask: half resolution
        W, K, B = self.folded()          # W: [3, Cd + 3, 3, 3], K: [3, 2, 3, 3], 2x-1 and 0.5 folded in
        cd = self.groups[0]
        Wd = W[:, :cd]
        Wi = torch.cat([W[:, cd:], -(W[:, cd:] * 0.5).sum(1, keepdim=True)], 1)  # image*mask (2W), mask (-sum W)
        y = F.conv2d(deep, _phase_weights(Wd, self.t_up), None, 1, 1) + \
            F.conv2d(image_and_mask, _phase_weights(Wi, self.t_strided), None, 2, 1)
        y = F.pixel_shuffle(y, 2)
        up_mask = F.interpolate(deep_mask, size=mask.shape[-2:], mode="nearest")
        s, new_mask = self.scale([up_mask, mask])
        return y * s + B.view(1, -1, 1, 1) * new_mask


# Row (and column) taps of a 3x3 kernel applied to a nearest-upsampled map, for output phase a:
# output row 2i+a reads upsampled rows 2i+a-1..2i+a+1, i.e. half-resolution rows (i-1, i) for a = 0
# (kernel rows 0 | 1+2) and (i, i+1) for a = 1 (kernel rows 0+1 | 2).
_PHASE_ROWS = torch.tensor([[[1.0, 0.0, 0.0], [0.0, 1.0, 1.0]], [[1.0, 1.0, 0.0], [0.0, 0.0, 1.0]]])


class _PaddedConv(torch.autograd.Function):
    """conv2d with asymmetric zero padding (left, right, top, bottom), exported as one ONNX Conv with
    its pads attribute (F.pad + conv2d would export a Pad that copies the map)."""

    @staticmethod
    def forward(ctx, x, w, pads):
        return F.conv2d(F.pad(x, pads), w)

    @staticmethod
    def symbolic(g, x, w, pads):
        left, right, top, bottom = pads
        return g.op("Conv", x, w, pads_i=[top, left, bottom, right], strides_i=[1, 1])


class _DepthToSpaceDCR(torch.autograd.Function):
    """[N, 4C, h, w] with channel (a*2+b)*C + c -> [N, C, 2h, 2w], pixel (2i+a, 2j+b): ONNX DepthToSpace
    in its DCR mode (torch's pixel_shuffle exports the CRD order)."""

    @staticmethod
    def forward(ctx, x):
        n, c4, h, w = x.shape
        return x.reshape(n, 2, 2, c4 // 4, h, w).permute(0, 3, 4, 1, 5, 2).reshape(n, c4 // 4, 2 * h, 2 * w)

    @staticmethod
    def symbolic(g, x):
        return g.op("DepthToSpace", x, blocksize_i=2, mode_s="DCR")


class FusedUpPConv(FusedPConv):
    """A decoder layer whose first group is nearest-upsampled (x2) before the 3x3 conv, computed without
    the upsampling: each of the 4 output phases is a 2x2 conv of the half-resolution map (4 x 4 instead of
    4 x 9 multiply-adds per half-resolution pixel and channel pair), interleaved by a depth-to-space;
    the skip group (and the masks, padded to one 16-channel block) is a 3x3 conv at full resolution.
    Needs the full-resolution sides to be exactly twice the half-resolution ones (sides multiples of 256)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.register_buffer("rows", _PHASE_ROWS.clone(), persistent=False)

    def forward(self, xs, masks, joined=None):
        deep, skip = xs                      # deep: half resolution; skip: full resolution
        deep_mask, skip_mask = masks
        W, K, _ = self.folded()
        cd = self.groups[0]
        Wd, Ws = W[:, :cd], W[:, cd:]
        up_mask = F.interpolate(deep_mask, size=skip_mask.shape[-2:], mode="nearest")
        s, new_mask = self.scale([up_mask, skip_mask])
        phases = []
        for a in range(2):
            for b in range(2):
                k = torch.matmul(torch.matmul(self.rows[a], Wd), self.rows[b].t()).reshape(Wd.shape[0], cd, 2, 2)
                phases.append(_PaddedConv.apply(deep, k, (1 - b, b, 1 - a, a)))  # left, right, top, bottom
        y_deep = _DepthToSpaceDCR.apply(torch.cat(phases, 1))
        m = torch.cat([up_mask, skip_mask], 1)
        y_skip = F.conv2d(torch.cat([skip, F.pad(m, (0, 0, 0, 0, 0, 16 - m.shape[1]))], 1),
                          torch.cat([Ws, K, self.zero_block(W)], 1), None, 1, self.pad)
        y = F.leaky_relu(y_skip + y_deep, 0.2)
        return y * s, new_mask


class FusedPConvUNet(torch.nn.Module):
    """PConvUNet's function (image, mask) -> prediction clamped to [0,1], as exported."""

    def __init__(self, net: PConvUNet, layout: str = "poly", mirror: bool = MIRROR_AVERAGE, deep: bool = DEEP_SMOOTHING,
                 flat: bool = FLAT_DAMPING):
        """mirror: the prediction averaged with that of the mirrored crop (unet.py MIRROR_AVERAGE).
        deep: the prediction smoothed deep inside the hole (unet.py DEEP_SMOOTHING).
        flat: the prediction moved to the known pixels' interpolation where they are flat (unet.py FLAT_DAMPING).
        layout: 'poly' (default) computes each upsampling decoder layer at half resolution per output
        phase (FusedUpPConv: 4/9 of the multiply-adds on the upsampled input; sides must be multiples of
        256); 'up' upsamples first, as PyTorch does (any even sides)."""
        super().__init__()
        if layout not in ("poly", "up"):
            raise ValueError(f"layout must be 'poly' or 'up', not {layout!r}")
        self.net, self.layout, self.mirror, self.deep, self.flat = net, layout, mirror, deep, flat
        self.enc = torch.nn.ModuleList(
            FusedPConv(conv, bn, "relu", input_group=0 if i == 0 else None)
            for i, (conv, bn) in enumerate(zip(net.encoder, net.encoder_bn)))
        n = len(net.decoder)
        decoder_layer = FusedUpPConv if layout == "poly" else FusedPConv
        self.dec = torch.nn.ModuleList(
            decoder_layer(conv, bn, "leaky") for conv, bn in zip(list(net.decoder)[:-1], list(net.decoder_bn)[:-1]))
        self.last = FusedLastLayer(net.decoder[n - 1], net.decoder_bn[n - 1], "none", input_group=1, out_scale=0.5)

    def forward(self, image, mask):
        pred = mirror_averaged(self.predict, image, mask) if self.mirror else self.predict(image, mask)
        pred = deep_smoothed(pred, mask) if self.deep else pred
        return flat_damped(pred, image, mask) if self.flat else pred

    def predict(self, image, mask):
        # The checkpoint's input parametrisation (pconv/unet.py context_shift), computed in the graph: the engine
        # gives the crop as it is and gets the prediction back in the photo's colours.
        shift = context_shift(image, mask, self.net.context, self.net.context_level)
        x = (image + shift) * mask
        x_and_mask = torch.cat([x, mask], 1)   # the first and the last layer's input
        feats, masks = [x], [mask]
        h, m = x, mask
        for i, layer in enumerate(self.enc):
            h, m = layer([h], [m], joined=x_and_mask if i == 0 else None)
            feats.append(h)
            masks.append(m)
        n = len(self.dec) + 1
        for j, layer in enumerate(self.dec):
            skip, skip_mask = feats[n - 1 - j], masks[n - 1 - j]
            if self.layout == "up":
                h = F.interpolate(h, size=skip.shape[-2:], mode="nearest")
                m = F.interpolate(m, size=skip.shape[-2:], mode="nearest")
            h, m = layer([h, skip], [m, skip_mask])
        out = self.last([h, x_and_mask], [m, mask])
        return torch.clamp(out + 0.5 - shift, 0.0, 1.0)
