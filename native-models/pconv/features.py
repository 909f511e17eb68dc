"""Frozen ImageNet-derived feature network for the PConv perceptual/style losses.

VGG16 weights are not available offline, so we reuse the Keras MobileNetV2 that the
`nsfwjs` npm package ships (ImageNet backbone fine-tuned into a 5-class classifier,
weights 8-bit quantized). `native-models/tools/dump_nsfwjs.cjs` dumps its topology and
dequantized float32 weights; this module interprets that Keras layer list in PyTorch.
"""

import functools
import json
import math
import struct
import subprocess
from collections import Counter
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DUMP = REPO_ROOT / "native-models" / "runs" / "features" / "mobilenet_v2.bin"
DUMP_SCRIPT = REPO_ROOT / "native-models" / "tools" / "dump_nsfwjs.cjs"
CLASSES = ("Drawing", "Hentai", "Neutral", "Porn", "Sexy")  # nsfwjs NSFW_CLASSES order
INPUT_SIZE = 224  # nsfwjs resizes anything else to this before classifying

_ACT = {
    "linear": lambda x: x,
    "relu": F.relu,
    "relu6": lambda x: torch.clamp(x, 0.0, 6.0),  # F.relu6 has no bf16 backward on CPU in torch 1.13
    "sigmoid": torch.sigmoid,
    "softmax": lambda x: F.softmax(x, dim=-1),  # Keras softmax: last axis (Dense output)
}


def read_dump(path):
    """-> (header dict, {weight name: float32 ndarray}) from a dump_nsfwjs.cjs file."""
    data = Path(path).read_bytes()
    (hlen,) = struct.unpack_from("<I", data, 0)
    header = json.loads(data[4:4 + hlen])
    blob = np.frombuffer(data, dtype="<f4", offset=4 + hlen)
    weights = {}
    for w in header["weights"]:
        n = math.prod(w["shape"])
        weights[w["name"]] = blob[w["offset"]:w["offset"] + n].reshape(w["shape"])
    return header, weights


def _same_pads(x, k, s, d):
    """TF/Keras 'same' padding as (left, right, top, bottom): total =
    max((ceil(in/s)-1)*s + (k-1)*d + 1 - in, 0), odd extra pixel at bottom/right
    (so stride 2 on an even input pads asymmetrically, unlike torch's padding=k//2)."""
    pads = []
    for size, kk, ss, dd in zip(x.shape[-1:-3:-1], k[::-1], s[::-1], d[::-1]):
        total = max((math.ceil(size / ss) - 1) * ss + (kk - 1) * dd + 1 - size, 0)
        pads += [total // 2, total - total // 2]
    return pads


def _fold_batchnorm(layers, W):
    """Fold each inference BatchNorm into the linear conv that alone feeds it (bias-free
    convs + BN are most of this net): the BN becomes an Identity. Saves a full pass over
    every activation, forward and backward; changes results only by float rounding."""
    by_name = {l["name"]: l for l in layers}
    uses = Counter(n[0] for l in layers for node in l["inbound_nodes"] for n in node)
    for bn in layers:
        if bn["class_name"] != "BatchNormalization":
            continue
        (src,) = [by_name[n[0]] for node in bn["inbound_nodes"] for n in node]
        c = bn["config"]
        if (src["class_name"] not in ("Conv2D", "DepthwiseConv2D") or uses[src["name"]] != 1
                or src["config"]["activation"] != "linear" or not (c["scale"] and c["center"])):
            continue
        g, b, m, v = (W[f"{bn['name']}/{p}"].astype(np.float64)
                      for p in ("gamma", "beta", "moving_mean", "moving_variance"))
        scale = g / np.sqrt(v + c["epsilon"])
        key = f"{src['name']}/kernel" if src["class_name"] == "Conv2D" else f"{src['name']}/depthwise_kernel"
        k = W[key]  # output channel is the last axis (Conv2D) or in*mult of the last two
        W[key] = (k * scale.reshape(k.shape[2:] if src["class_name"] == "DepthwiseConv2D" else -1))
        bias = W[f"{src['name']}/bias"] if src["config"]["use_bias"] else 0.0
        W[f"{src['name']}/bias"] = (bias - m) * scale + b
        src["config"] = dict(src["config"], use_bias=True)
        bn["class_name"] = "Identity"


class MobileNetV2Features(nn.Module):
    """nsfwjs MobileNetV2, frozen, built from the Keras layer list of a dump.

    forward(x) returns three post-ReLU6 feature maps, the analogue of VGG16
    pool1/pool2/pool3 in Liu et al. 2018 (the last activation at each resolution,
    right before the next stride-2 depthwise conv; the same taps Keras/TF use for
    MobileNetV2 U-Net encoders):
        block_1_expand_relu  stride 2,  96 channels
        block_3_expand_relu  stride 4, 144 channels
        block_6_expand_relu  stride 8, 192 channels
    Only the layers these depend on are run (Conv1 .. block_6_expand), with BatchNorm
    folded into the convs and channels_last activations (much faster on CPU); the
    returned maps are ordinary contiguous NCHW tensors.

    classify(x) returns the model's 5 class probabilities (see CLASSES).

    Both take RGB in [0, 1], NCHW. nsfwjs feeds the network pixel/255, i.e. exactly
    that range (no mean/std, no [-1, 1]), so no further normalization is applied.
    Weights are non-persistent buffers: not trainable, not in parent state_dicts.
    """

    FEATURE_LAYERS = ("block_1_expand_relu", "block_3_expand_relu", "block_6_expand_relu")

    def __init__(self, path):
        super().__init__()
        header, weights = read_dump(path)
        _fold_batchnorm(header["layers"], weights)
        self._layers = {}  # name -> (callable(list of inputs) -> tensor, inbound names)
        self._order = []  # Keras config order is topological
        self._bufs = {}  # "layer/param" -> buffer attribute name
        for layer in header["layers"]:
            name, inbound = layer["name"], [n[0] for node in layer["inbound_nodes"] for n in node]
            fn = self._build(layer["class_name"], name, layer["config"], weights)
            self._layers[name] = (fn, inbound)
            self._order.append(name)
        self._output = self._order[-1]
        self._feature_plan = self._plan(self.FEATURE_LAYERS)
        self._classify_plan = self._plan([self._output])
        self.eval()

    def _buf(self, key, array, torch_layout=None):
        t = torch.from_numpy(np.array(array, dtype=np.float32))
        if torch_layout is not None:
            t = torch_layout(t).contiguous()
        if t.dim() == 4:  # channels_last convs are ~4x faster on CPU (oneDNN) than NCHW
            t = t.contiguous(memory_format=torch.channels_last)
        attr = "w_" + key.replace("/", "__")
        self.register_buffer(attr, t, persistent=False)
        self._bufs[key] = attr

    def _w(self, key):
        return getattr(self, self._bufs[key])

    def _build(self, cls, name, cfg, W):
        w = lambda p: self._w(f"{name}/{p}")  # noqa: E731
        act = _ACT[cfg.get("activation", "linear")]
        if cls == "InputLayer":
            return None
        if cls == "ZeroPadding2D":
            (t, b), (l, r) = cfg["padding"]
            return lambda xs: F.pad(xs[0], (l, r, t, b))
        if cls in ("Conv2D", "DepthwiseConv2D"):
            k, s, d = tuple(cfg["kernel_size"]), tuple(cfg["strides"]), tuple(cfg["dilation_rate"])
            pointwise = cls == "Conv2D" and k == (1, 1) and s == (1, 1)
            if cls == "Conv2D":  # Keras HWIO -> Linear (out, in) for 1x1, else torch OIHW
                layout = (lambda t: t[0, 0].t()) if pointwise else (lambda t: t.permute(3, 2, 0, 1))
                self._buf(f"{name}/kernel", W[f"{name}/kernel"], layout)
                kernel, groups = "kernel", 1
            else:  # Keras (kh, kw, in, mult) -> torch (in*mult, 1, kh, kw); out channel = c*mult+m
                dk = W[f"{name}/depthwise_kernel"]
                groups = dk.shape[2]
                self._buf(f"{name}/depthwise_kernel", dk,
                          lambda t: t.permute(2, 3, 0, 1).reshape(-1, 1, *t.shape[:2]))
                kernel = "depthwise_kernel"
            if cfg["use_bias"]:
                self._buf(f"{name}/bias", W[f"{name}/bias"])
            same = cfg["padding"] == "same"

            def conv(xs):
                x, pad = xs[0], 0
                if pointwise:  # a GEMM on the NHWC view: no im2col, no layout copies
                    y = F.linear(x.permute(0, 2, 3, 1), w("kernel"), w("bias") if cfg["use_bias"] else None)
                    return act(y.permute(0, 3, 1, 2))
                if same:
                    l, r, t, b = _same_pads(x, k, s, d)
                    if (l, t) == (r, b):
                        pad = (t, l)  # symmetric: let the conv pad (no extra copy)
                    else:
                        x = F.pad(x, (l, r, t, b))
                bias = w("bias") if cfg["use_bias"] else None
                return act(F.conv2d(x, w(kernel), bias, s, pad, d, groups))
            return conv
        if cls == "BatchNormalization":
            assert cfg["axis"] in (-1, 3), cfg["axis"]  # channels-last -> NCHW dim 1
            for p in ("moving_mean", "moving_variance") + ("gamma",) * cfg["scale"] + ("beta",) * cfg["center"]:
                self._buf(f"{name}/{p}", W[f"{name}/{p}"])
            eps = cfg["epsilon"]
            return lambda xs: F.batch_norm(
                xs[0], w("moving_mean"), w("moving_variance"),
                w("gamma") if cfg["scale"] else None, w("beta") if cfg["center"] else None,
                False, 0.0, eps)
        if cls == "ReLU":
            assert not cfg.get("negative_slope") and not cfg.get("threshold"), cfg
            mx = cfg.get("max_value")
            return (lambda xs: F.relu(xs[0])) if mx is None else (lambda xs: torch.clamp(xs[0], 0.0, mx))
        if cls == "Activation":
            return lambda xs: act(xs[0])
        if cls == "Add":
            return lambda xs: functools.reduce(torch.add, xs)
        if cls == "AveragePooling2D":
            assert cfg["padding"] == "valid", cfg
            return lambda xs: F.avg_pool2d(xs[0], cfg["pool_size"], cfg["strides"])
        if cls == "GlobalAveragePooling2D":
            return lambda xs: xs[0].mean((2, 3))
        if cls == "Flatten":  # Keras flattens channels-last
            return lambda xs: xs[0].permute(0, 2, 3, 1).flatten(1) if xs[0].dim() == 4 else xs[0].flatten(1)
        if cls == "Dense":
            self._buf(f"{name}/kernel", W[f"{name}/kernel"], lambda t: t.t())
            if cfg["use_bias"]:
                self._buf(f"{name}/bias", W[f"{name}/bias"])
            return lambda xs: act(F.linear(xs[0], w("kernel"), w("bias") if cfg["use_bias"] else None))
        if cls in ("Dropout", "Identity"):
            return lambda xs: xs[0]  # Dropout: inference only; Identity: folded BatchNorm
        raise NotImplementedError(f"Keras layer {cls} ({name})")

    def _plan(self, targets):
        """Layers (in topological order) needed to compute `targets`."""
        need, stack = set(), list(targets)
        while stack:
            n = stack.pop()
            if n not in need:
                need.add(n)
                stack += self._layers[n][1]
        return [n for n in self._order if n in need]

    def _run(self, x, plan, targets):
        x = x.contiguous(memory_format=torch.channels_last)
        out = {}
        for n in plan:
            fn, inbound = self._layers[n]
            out[n] = x if fn is None else fn([out[i] for i in inbound])
        return [out[t].contiguous() for t in targets]  # plain NCHW for callers (.view etc.)

    def train(self, mode=True):
        return super().train(False)  # frozen: BN always uses the stored statistics

    def forward(self, x):
        """RGB [0,1] NCHW -> [stride-2 (96ch), stride-4 (144ch), stride-8 (192ch)] maps."""
        return self._run(x, self._feature_plan, self.FEATURE_LAYERS)

    def classify(self, x):
        """RGB [0,1] NCHW -> (N, 5) probabilities, as nsfwjs's infer() computes them."""
        if x.shape[-2:] != (INPUT_SIZE, INPUT_SIZE):  # nsfwjs: resizeBilinear(alignCorners=true)
            x = F.interpolate(x, (INPUT_SIZE, INPUT_SIZE), mode="bilinear", align_corners=True)
        return self._run(x, self._classify_plan, [self._output])[0]


@functools.lru_cache(maxsize=None)
def _load(path):
    path = Path(path)
    if not path.exists():  # build the dump on demand from node_modules/nsfwjs
        subprocess.run(["node", str(DUMP_SCRIPT), str(path)], cwd=REPO_ROOT, check=True,
                       stdout=subprocess.DEVNULL)
    return MobileNetV2Features(path)


def load_features(path=None):
    """Shared frozen MobileNetV2Features, dumping the nsfwjs weights first if needed."""
    return _load(str(Path(path or DEFAULT_DUMP).resolve()))
