"""The bench's Python side (`npm run bench`'s model section, bench/model.ts, runs it): the references that need
PyTorch or numpy.

  cd native-models && /usr/bin/python3 -m pconv.bench_reference --model pconv-unet.onnx [--size 512] [--runs 7]
                                                               [--sgemm 2048,4096] [--threads 2] [--serve]

Prints one JSON object:
  eager_ms     the shipped model's weights run eagerly in PyTorch (PConvUNet, no_grad, `threads` threads),
               one 512x512 inference per entry (after one warm-up run)
  sgemm        {"torch-N": [GFLOP/s, ...], "numpy-N": [...]}: single-precision N x N matrix products with
               the same threads, one per eager run (the practical ceiling of this CPU for dense fp32 arithmetic)
  flops        the model's FLOP count at size x size (2 x multiply-adds of its convolutions, masks excluded)
  graph_flops  the FLOPs the exported graph executes when it skips the decoder's upsampled pixels
               (fused.py's 'poly' layout: 16 instead of 36 multiply-adds per half-resolution pixel on the
               upsampled input), else equal to flops
  weights      where the eager model's weights came from
Eager runs and matrix products are interleaved so that a busy machine slows both alike; with --serve,
bench/model.ts asks for each measurement in turn and interleaves them with its onnxruntime runs."""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

from .paths import NATIVE


def load_weights(net, model_path: str) -> str:
    """The ONNX file's weights into the PyTorch model: export.py keeps PyTorch's parameter names
    (net.<name>, fp16 ones as net.<name>_fp16)."""
    import onnx
    import torch
    from onnx import numpy_helper
    proto = onnx.load(model_path)
    state = net.state_dict()
    loaded = 0
    with torch.no_grad():
        for init in proto.graph.initializer:
            name = init.name[4:] if init.name.startswith("net.") else init.name
            name = name[:-5] if name.endswith("_fp16") else name
            if name in state and tuple(state[name].shape) == tuple(init.dims):
                state[name].copy_(torch.from_numpy(numpy_helper.to_array(init).astype("float32")))
                loaded += 1
    wanted = sum(1 for k in state if not k.endswith("num_batches_tracked"))
    return f"{loaded} of {wanted} tensors from {os.path.basename(model_path)}" + ("" if loaded == wanted else " (the rest as initialised; timing depends only on the shapes)")


def model_flops(net, size: int) -> tuple[float, float]:
    """2 x multiply-adds of every nn.Conv2d (the feature convolutions; the masks' box sums are F.conv2d),
    and of those the ones on the decoder's upsampled input group (its first group)."""
    import torch
    total = [0.0, 0.0]
    decoder = {id(layer.conv): layer.group_channels[0] for layer in net.decoder}

    def hook(mod, inp, out):
        k = mod.kernel_size[0] * mod.kernel_size[1] * mod.in_channels // mod.groups
        total[0] += 2.0 * k * out.numel()
        if id(mod) in decoder:
            total[1] += 2.0 * mod.kernel_size[0] * mod.kernel_size[1] * decoder[id(mod)] * out.numel()

    handles = [m.register_forward_hook(hook) for m in net.modules() if isinstance(m, torch.nn.Conv2d)]
    with torch.no_grad():
        net(torch.rand(1, 3, size, size), torch.ones(1, 1, size, size))
    for h in handles:
        h.remove()
    return total[0], total[1]


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--model", default=os.path.join(NATIVE, "pconv-unet.onnx"))
    p.add_argument("--size", type=int, default=512)
    p.add_argument("--runs", type=int, default=7)
    p.add_argument("--sgemm", default="2048,4096")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--serve", action="store_true",
                   help="after warming up, print the model's figures as one JSON line, then answer one measurement "
                        "per line read: 'eager' -> {\"ms\"}, 'torch N' / 'numpy N' -> {\"gflops\"}; 'quit' ends")
    args = p.parse_args()

    import numpy as np
    import torch
    from .unet import PConvUNet, engine_prediction
    torch.set_num_threads(args.threads)
    width, layout, context, level, mirror = 0.5, "pytorch", "none", None, False
    try:
        import onnx
        meta = {m.key: m.value for m in onnx.load(args.model, load_external_data=False).metadata_props}
        holefill = json.loads(meta.get("holefill", "{}"))
        width = float(holefill.get("width", width))
        context, level = holefill.get("context", context), holefill.get("context_level", level)
        graph = json.loads(meta.get("holefill_graph", "{}"))
        layout, mirror = graph.get("layout", layout), bool(graph.get("mirror_average", mirror))
    except Exception:  # noqa: BLE001 - the width stays the shipped one
        pass
    # The graph computes the checkpoint's context (its smooth base) too: the eager run does the same work.
    net = PConvUNet(width, context=context, **({"context_level": level} if level else {})).eval()
    weights = load_weights(net, args.model)
    flops, upsampled = model_flops(net, args.size)
    graph_flops = flops - upsampled * (1 - 16 / 36) if layout == "poly" else flops
    if mirror:  # the graph runs the network on the crop and its mirror (pconv/unet.py MIRROR_AVERAGE): so does eager
        flops, graph_flops = 2 * flops, 2 * graph_flops

    g = torch.Generator().manual_seed(0)
    image = torch.rand(1, 3, args.size, args.size, generator=g)
    mask = (torch.rand(1, 1, args.size, args.size, generator=g) > 0.1).float()
    sizes = [int(s) for s in args.sgemm.split(",") if s]
    mats = {n: (torch.rand(n, n, generator=g), torch.rand(n, n, generator=g)) for n in sizes}
    npmats = {n: (a.numpy(), b.numpy()) for n, (a, b) in mats.items()}

    info = {"flops": flops, "graph_flops": graph_flops, "layout": layout, "mirror": mirror, "weights": weights, "width": width,
            "threads": args.threads, "torch": torch.__version__, "numpy": np.__version__}

    def eager_ms() -> float:
        t = time.perf_counter()
        engine_prediction(net, image, mask, mirror)
        return (time.perf_counter() - t) * 1000

    def sgemm_gflops(kind: str, n: int) -> float:
        a, b = mats[n] if kind == "torch" else npmats[n]
        t = time.perf_counter()
        a @ b
        return 2 * n ** 3 / (time.perf_counter() - t) / 1e9

    with torch.no_grad():
        net(image, mask)  # warm-up
        for n in sizes:
            sgemm_gflops("torch", n)
            sgemm_gflops("numpy", n)
        if args.serve:
            # One measurement per request, so that bench/model.ts interleaves them with its own: a load that comes
            # and goes (a training job) then weighs on a figure and on its reference alike.
            print(json.dumps({"ready": True, **info}), flush=True)
            for line in sys.stdin:
                cmd = line.split()
                if not cmd or cmd[0] == "quit":
                    break
                if cmd[0] == "eager":
                    print(json.dumps({"ms": eager_ms()}), flush=True)
                else:
                    print(json.dumps({"gflops": sgemm_gflops(cmd[0], int(cmd[1]))}), flush=True)
            return 0
        eager, sgemm = [], {}
        for _ in range(args.runs):
            eager.append(eager_ms())
            for n in sizes:
                for kind in ("torch", "numpy"):
                    sgemm.setdefault(f"{kind}-{n}", []).append(sgemm_gflops(kind, n))
    print(json.dumps({"eager_ms": eager, "sgemm": sgemm, **info}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
