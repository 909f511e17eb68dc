#!/usr/bin/env python3
"""Export a checkpoint to ONNX (opset 17, dynamic height and width) and check it against PyTorch.

  /usr/bin/python3 native-models/export.py [--checkpoint C] [--out native-models/pconv-unet.onnx]
                                           [--no-int8] [--plain]

Also writes the int8 variant beside it (pconv-unet.int8.onnx, see quantize.py: static QDQ, calibrated on
training photos) unless --no-int8; it is offered by the engine (--precision int8) only once the eval
shows it costs at most 0.3 dB PSNR in every hole-ratio bin (tools/README.md says how to check).

The graph's contract, which the engine relies on:
  inputs  image  float32 [N,3,H,W], RGB in [0,1]
          mask   float32 [N,1,H,W], 1 = known pixel, 0 = hole (binary)
  output  output float32 [N,3,H,W], the prediction in [0,1] (the engine composites it in the hole)
H and W should be multiples of 256 (the 8 stride-2 levels then line up exactly); they must be even.
Weights are stored as fp16 and cast to fp32 when the session is created, to keep the file small.
The graph is not PyTorch's layer by layer but the same function arranged for onnxruntime's CPU kernels
(FusedPConvUNet below; --plain exports PyTorch's modules as they are)."""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
import warnings

import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pconv.layers import PartialConv2d  # noqa: E402
from pconv.unet import PConvUNet, context_shift, load_model  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


class Exported(torch.nn.Module):
    def __init__(self, net: PConvUNet):
        super().__init__()
        self.net = net

    def forward(self, image, mask):
        return self.net(image, mask).clamp(0.0, 1.0)


# --------------------------------------------------------------------------------------------
# The graph that ships: the same function as PConvUNet, arranged for onnxruntime's CPU kernels.
# --------------------------------------------------------------------------------------------
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

    def __init__(self, net: PConvUNet, layout: str = "poly"):
        """layout: 'poly' (default) computes each upsampling decoder layer at half resolution per output
        phase (FusedUpPConv: 4/9 of the multiply-adds on the upsampled input; sides must be multiples of
        256); 'up' upsamples first, as PyTorch does (any even sides)."""
        super().__init__()
        if layout not in ("poly", "up"):
            raise ValueError(f"layout must be 'poly' or 'up', not {layout!r}")
        self.net, self.layout = net, layout
        self.enc = torch.nn.ModuleList(
            FusedPConv(conv, bn, "relu", input_group=0 if i == 0 else None)
            for i, (conv, bn) in enumerate(zip(net.encoder, net.encoder_bn)))
        n = len(net.decoder)
        decoder_layer = FusedUpPConv if layout == "poly" else FusedPConv
        self.dec = torch.nn.ModuleList(
            decoder_layer(conv, bn, "leaky") for conv, bn in zip(list(net.decoder)[:-1], list(net.decoder_bn)[:-1]))
        self.last = FusedLastLayer(net.decoder[n - 1], net.decoder_bn[n - 1], "none", input_group=1, out_scale=0.5)

    def forward(self, image, mask):
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


def store_weights_fp16(model: onnx.ModelProto, min_size: int = 1024) -> onnx.ModelProto:
    """Replace large float32 initializers by fp16 ones followed by a Cast back to float32.
    onnxruntime folds the casts when it loads the model, so inference stays fp32."""
    graph = model.graph
    casts, keep = [], []
    for init in graph.initializer:
        arr = numpy_helper.to_array(init)
        if init.data_type == TensorProto.FLOAT and arr.size >= min_size:
            half = numpy_helper.from_array(arr.astype(np.float16), init.name + "_fp16")
            keep.append(half)
            casts.append(helper.make_node("Cast", [half.name], [init.name], to=TensorProto.FLOAT,
                                          name=init.name + "_cast"))
        else:
            keep.append(init)
    del graph.initializer[:]
    graph.initializer.extend(keep)
    nodes = casts + list(graph.node)
    del graph.node[:]
    graph.node.extend(nodes)
    return model


def export(model: PConvUNet, out: str, meta: dict | None = None, fp16_weights: bool = True,
           fused: bool = True, layout: str = "poly") -> str:
    """fused: the graph of FusedPConvUNet, whose weight folding is left in the graph (onnxruntime folds
    it when it loads the model, in fp32 from the stored fp16 weights: folding first and rounding the
    folded weights to fp16 would cost parity). fused=False: PyTorch's modules as they are."""
    model.eval()
    wrapped = (FusedPConvUNet(model, layout) if fused else Exported(model)).eval()
    image, mask = torch.rand(1, 3, 256, 256), (torch.rand(1, 1, 256, 256) > 0.3).float()
    tmp = out + ".tmp"
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the tracer's notes on shapes and the custom ops' symbolics
        torch.onnx.export(wrapped, (image, mask), tmp, opset_version=17, input_names=["image", "mask"],
                          output_names=["output"], do_constant_folding=not fused,
                          dynamic_axes={"image": {0: "n", 2: "h", 3: "w"}, "mask": {0: "n", 2: "h", 3: "w"},
                                        "output": {0: "n", 2: "h", 3: "w"}})
    proto = onnx.load(tmp)
    if fp16_weights:
        proto = store_weights_fp16(proto)
    graph_meta = {"holefill_graph": {"fused": fused, "layout": layout if fused else "pytorch"}}
    for k, v in {**(meta or {}), **graph_meta}.items():
        entry = proto.metadata_props.add()
        entry.key, entry.value = k, json.dumps(v) if not isinstance(v, str) else v
    onnx.checker.check_model(proto)
    onnx.save(proto, tmp)
    os.replace(tmp, out)
    return out


def fp16_rounded(model: PConvUNet) -> PConvUNet:
    """The same network with the weights rounded as the ONNX file stores them."""
    with torch.no_grad():
        for p in list(model.parameters()) + list(model.buffers()):
            if p.is_floating_point() and p.numel() >= 1024:
                p.copy_(p.half().float())
    return model


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--checkpoint", default=os.path.join(HERE, "checkpoint", "pconv-unet.fp16.pt"))
    p.add_argument("--random-width", type=float, default=0.0, help="export an untrained net of this width")
    p.add_argument("--random-context", default="none", help="the untrained net's input parametrisation")
    p.add_argument("--out", default=os.path.join(HERE, "pconv-unet.onnx"))
    p.add_argument("--plain", action="store_true", help="export PyTorch's modules as they are (slower graph)")
    p.add_argument("--layout", choices=("poly", "up"), default="poly",
                   help="decoder upsampling: per-phase at half resolution (default) or upsample first")
    p.add_argument("--no-int8", action="store_true", help="do not write the int8 model (quantize.py) beside it")
    p.add_argument("--calibration-count", type=int, default=50, help="training crops for the int8 calibration")
    args = p.parse_args(argv)
    torch.set_num_threads(2)
    if args.random_width:
        torch.manual_seed(0)
        model = PConvUNet(args.random_width, context=args.random_context).eval()
        meta = {"width": args.random_width, "images_seen": 0}
    else:
        ckpt = torch.load(args.checkpoint, map_location="cpu")
        model = load_model(args.checkpoint)
        meta = {"width": ckpt["width"], "context": model.context, "context_level": model.context_level,
                **{k: v for k, v in ckpt.get("meta", {}).items() if k != "sessions"}}
    export(model, args.out, meta={"holefill": meta}, fused=not args.plain, layout=args.layout)
    print(f"exported {args.out} ({os.path.getsize(args.out) / 1e6:.1f} MB)")
    diff = parity(fp16_rounded(model), args.out)
    print(f"max abs difference vs PyTorch: {diff:.2e}")
    if diff > 1e-4:
        print("parity check FAILED (more than 1e-4)", file=sys.stderr)
        return 1
    if not args.no_int8:
        # The int8 twin, from this very file (quantize.py): written beside it, offered by the engine only
        # with --precision int8, and to be shipped only once the eval says it costs <= 0.3 dB PSNR per bin.
        import quantize
        out8 = re.sub(r"\.onnx$", "", args.out) + ".int8.onnx"
        quantize.quantize(args.out, out8, quantize.default_data_root(), count=args.calibration_count)
    return 0


def run_onnxruntime_node(path: str, feeds: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Run the graph with onnxruntime-node, the runtime the app itself uses (Debian has no
    onnxruntime for Python)."""
    import base64
    import subprocess
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = os.path.join(tmp, "in.json"), os.path.join(tmp, "out.json")
        with open(src, "w") as f:
            json.dump({k: {"shape": list(v.shape), "data": base64.b64encode(v.astype("<f4").tobytes()).decode()}
                       for k, v in feeds.items()}, f)
        subprocess.run(["node", os.path.join(HERE, "tools", "ort_run.mjs"), path, src, dst], check=True,
                       cwd=os.path.dirname(HERE))
        with open(dst) as f:
            out = json.load(f)
    return {k: np.frombuffer(base64.b64decode(v["data"]), "<f4").reshape(v["shape"]) for k, v in out.items()}


def parity(model: PConvUNet, path: str, sizes=((256, 256), (256, 512))) -> float:
    """Max abs difference between PyTorch and onnxruntime-node on random inputs."""
    model.eval()
    g = torch.Generator().manual_seed(0)
    worst = 0.0
    for h, w in sizes:
        image = torch.rand(1, 3, h, w, generator=g)
        mask = (torch.rand(1, 1, h, w, generator=g) > 0.4).float()
        with torch.no_grad():
            expected = model(image, mask).clamp(0, 1).numpy()
        got = run_onnxruntime_node(path, {"image": image.numpy(), "mask": mask.numpy()})["output"]
        worst = max(worst, float(np.abs(got - expected).max()))
    return worst


if __name__ == "__main__":
    sys.exit(main())
