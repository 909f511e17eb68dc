"""Export a checkpoint to ONNX (opset 17, dynamic height and width) and check it against PyTorch.

  cd native-models && /usr/bin/python3 -m pconv.export [--checkpoint C] [--out pconv-unet.onnx] [--no-int8] [--plain]

Also writes the int8 variant beside it (pconv-unet.int8.onnx, see quantize.py: static QDQ, calibrated on
training photos) unless --no-int8; it is offered by the engine (--precision int8) only once the eval
shows it costs at most 0.3 dB PSNR in every hole-ratio bin (int8_check.py; the model card says how to run it).

The graph's contract, which the engine relies on:
  inputs  image  float32 [N,3,H,W], RGB in [0,1]
          mask   float32 [N,1,H,W], 1 = known pixel, 0 = hole (binary)
  output  output float32 [N,3,H,W], the prediction in [0,1] (the engine composites it in the hole)
H and W should be multiples of 256 (the 8 stride-2 levels then line up exactly); they must be even.
Weights are stored as fp16 and cast to fp32 when the session is created, to keep the file small.
The output is the mean of the network's prediction and that of the mirrored crop, mirrored back (one run on a
batch of 2N; pconv/unet.py MIRROR_AVERAGE; --no-mirror for one run), blurred where the hole is deep
(pconv/unet.py DEEP_SMOOTHING; --no-deep-smoothing leaves it as it is), and moved to the known pixels' interpolation
where they are flat (pconv/unet.py FLAT_DAMPING; --no-flat-damping leaves it as it is).
The graph is not PyTorch's layer by layer but the same function arranged for onnxruntime's CPU kernels
(fused.py FusedPConvUNet; --plain exports PyTorch's modules as they are)."""
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

from .fused import FusedPConvUNet
from .paths import NATIVE, REPO, TOOLS
from .unet import CONTEXTS, DEEP_SMOOTHING, FLAT_DAMPING, MIRROR_AVERAGE, PConvUNet, engine_prediction, load_model


class Exported(torch.nn.Module):
    def __init__(self, net: PConvUNet, mirror: bool = MIRROR_AVERAGE, deep: bool = DEEP_SMOOTHING,
                 flat: bool = FLAT_DAMPING):
        super().__init__()
        self.net, self.mirror, self.deep, self.flat = net, mirror, deep, flat

    def forward(self, image, mask):
        return engine_prediction(self.net, image, mask, self.mirror, self.deep, self.flat)


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
           fused: bool = True, layout: str = "poly", mirror: bool = MIRROR_AVERAGE, deep: bool = DEEP_SMOOTHING,
           flat: bool = FLAT_DAMPING) -> str:
    """fused: the graph of FusedPConvUNet, whose weight folding is left in the graph (onnxruntime folds
    it when it loads the model, in fp32 from the stored fp16 weights: folding first and rounding the
    folded weights to fp16 would cost parity). fused=False: PyTorch's modules as they are."""
    model.eval()
    wrapped = (FusedPConvUNet(model, layout, mirror, deep, flat) if fused else Exported(model, mirror, deep, flat)).eval()
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
    graph_meta = {"holefill_graph": {"fused": fused, "layout": layout if fused else "pytorch", "mirror_average": mirror,
                                    "deep_smoothing": deep, "flat_damping": flat}}
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
    p.add_argument("--checkpoint", default=os.path.join(NATIVE, "checkpoint", "pconv-unet.fp16.pt"))
    p.add_argument("--random-width", type=float, default=0.0, help="export an untrained net of this width")
    p.add_argument("--random-context", default="none", help="the untrained net's input parametrisation")
    p.add_argument("--out", default=os.path.join(NATIVE, "pconv-unet.onnx"))
    p.add_argument("--plain", action="store_true", help="export PyTorch's modules as they are (slower graph)")
    p.add_argument("--layout", choices=("poly", "up"), default="poly",
                   help="decoder upsampling: per-phase at half resolution (default) or upsample first")
    p.add_argument("--no-mirror", action="store_true",
                   help="one run of the network, not averaged with the mirrored crop's (unet.py MIRROR_AVERAGE)")
    p.add_argument("--no-deep-smoothing", action="store_true",
                   help="the prediction as it is deep inside large holes (unet.py DEEP_SMOOTHING): to measure it")
    p.add_argument("--no-flat-damping", action="store_true",
                   help="the prediction as it is where the known pixels are flat (unet.py FLAT_DAMPING): to measure it")
    p.add_argument("--context", default="", choices=("", *CONTEXTS),
                   help="export with this input parametrisation (unet.py CONTEXTS), not the checkpoint's own: to "
                   "measure one on the same weights")
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
        if args.context:
            model.context = args.context
        meta = {"width": ckpt["width"], "context": model.context, "context_level": model.context_level,
                **{k: v for k, v in ckpt.get("meta", {}).items() if k != "sessions"}}
    mirror, deep, flat = not args.no_mirror, not args.no_deep_smoothing, not args.no_flat_damping
    export(model, args.out, meta={"holefill": meta}, fused=not args.plain, layout=args.layout, mirror=mirror, deep=deep,
           flat=flat)
    print(f"exported {args.out} ({os.path.getsize(args.out) / 1e6:.1f} MB)")
    diff = parity(fp16_rounded(model), args.out, mirror=mirror, deep=deep, flat=flat)
    print(f"max abs difference vs PyTorch: {diff:.2e}")
    if diff > 1e-4:
        print("parity check FAILED (more than 1e-4)", file=sys.stderr)
        return 1
    if not args.no_int8:
        # The int8 twin, from this very file (quantize.py): written beside it, offered by the engine only
        # with --precision int8, and to be shipped only once the eval says it costs <= 0.3 dB PSNR per bin.
        from . import quantize
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
        subprocess.run(["node", os.path.join(TOOLS, "ort_run.mjs"), path, src, dst], check=True, cwd=REPO)
        with open(dst) as f:
            out = json.load(f)
    return {k: np.frombuffer(base64.b64decode(v["data"]), "<f4").reshape(v["shape"]) for k, v in out.items()}


def parity(model: PConvUNet, path: str, sizes=((256, 256), (256, 512)), mirror: bool = MIRROR_AVERAGE,
           batch: int = 1, deep: bool = DEEP_SMOOTHING, flat: bool = FLAT_DAMPING) -> float:
    """Max abs difference between PyTorch and onnxruntime-node on random inputs, with a large hole in them (where the
    deep smoothing and the flat damping act) and a flat known part."""
    model.eval()
    g = torch.Generator().manual_seed(0)
    worst = 0.0
    for h, w in sizes:
        image = torch.rand(batch, 3, h, w, generator=g)
        mask = (torch.rand(batch, 1, h, w, generator=g) > 0.4).float()
        mask[..., h // 4:3 * h // 4, w // 4:w // 2] = 0.0
        image[..., :, w // 2:] = image[..., :, w // 2:] * 0.02 + 0.4
        with torch.no_grad():
            expected = engine_prediction(model, image, mask, mirror, deep, flat).numpy()
        got = run_onnxruntime_node(path, {"image": image.numpy(), "mask": mask.numpy()})["output"]
        worst = max(worst, float(np.abs(got - expected).max()))
    return worst


if __name__ == "__main__":
    sys.exit(main())
