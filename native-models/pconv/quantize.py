"""Static int8 quantization of the exported model (QDQ), calibrated on TRAINING photos.

  cd native-models && /usr/bin/python3 -m pconv.quantize [--model pconv-unet.onnx] [--out pconv-unet.int8.onnx] [--count 50]

Debian has no onnxruntime for Python (so no onnxruntime.quantization); this does the same job:
 1. The fp32 graph is constant-folded by onnxruntime-node at its 'basic' level (tools/ort_optimize.mjs):
    every Conv then has a plain float32 weight.
 2. Each feature convolution (not the mask-only ones, which see 0/1 masks, nor the last layer's, which
    write the output pixels) gets QuantizeLinear/DequantizeLinear pairs: per-output-channel symmetric int8
    weights, and uint8 activations (input and output) with a per-tensor scale and zero point.
    onnxruntime's CPU provider fuses DequantizeLinear -> Conv -> QuantizeLinear into QLinearConv
    (u8 x s8, VNNI where the CPU has it).
 3. The activation ranges come from running the fp32 graph (onnxruntime-node, ort.py) on `--count`
    training crops (../shared/data/train, never eval/) with training masks (NVIDIA's non-held-out ones and
    the project's generated holes): for each tensor, the clipping range that minimises the quantization
    error over the values seen.
 4. `--check` (default on) compares the int8 model with the fp32 one on other training crops.

The int8 model is offered by the engine only after evaluate.py's protocol shows it costs at most 0.3 dB
PSNR in every hole-ratio bin (int8_check.py; the model card says how to run it).
On CPUs without AVX512-VNNI (or AVX-VNNI) onnxruntime's u8s8 kernels can saturate; --reduce-range
stores 7-bit weights, which avoids it at some cost in quality."""
from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from .data import InpaintingData, default_data_root, list_photos, load_nvidia_masks, load_photo
from .ort import OrtSession
from .paths import NATIVE, REPO, TOOLS


def fold(model_path: str, out_path: str) -> onnx.ModelProto:
    """The graph after onnxruntime's portable ('basic') optimizations: constants folded."""
    subprocess.run(["node", os.path.join(TOOLS, "ort_optimize.mjs"), os.path.abspath(model_path), out_path,
                    "basic"], check=True, cwd=REPO)
    return onnx.load(out_path)


# Kept in fp32 by default: the first layer (a 7x7 conv on 4 channels, which int8 does not speed up) and
# the 2x2 per-phase convolutions of the decoder's highest-resolution layer, which read the upsampled
# decoder features (quantizing them alone took the int8-vs-fp32 composite PSNR from ~45 dB to ~36 dB on
# training crops; they are a small share of the multiply-adds). "NAME" is all of a layer's convolutions,
# "NAME:KxK" those with a KxK kernel.
DEFAULT_FP32_LAYERS = ("enc.0", "dec.6:2x2")


def _kept(node: onnx.NodeProto, kernel: tuple[int, ...], fp32_layers) -> bool:
    for spec in fp32_layers:
        layer, _, size = spec.partition(":")
        if node.name == f"/{layer}" or node.name.startswith(f"/{layer}/"):
            if not size or size == "x".join(str(k) for k in kernel):
                return True
    return False


def quantizable_convs(model: onnx.ModelProto, fp32_layers=DEFAULT_FP32_LAYERS) -> list[onnx.NodeProto]:
    """The feature convolutions: a float weight initializer with at least 3 input channels (masks-only
    convolutions have 1-2), outside the last layer (its output is the picture; it stays fp32) and the
    layers named in fp32_layers (fused.py's module names: enc.0-7, dec.0-6)."""
    inits = {i.name: i for i in model.graph.initializer}
    convs = []
    for node in model.graph.node:
        if node.op_type != "Conv" or node.input[1] not in inits:
            continue
        w = inits[node.input[1]]
        if w.data_type != TensorProto.FLOAT or len(w.dims) != 4 or w.dims[1] < 3:
            continue
        if node.name.startswith("/last/") or _kept(node, tuple(w.dims[2:]), fp32_layers):
            continue
        if len(node.input) > 2 and node.input[2]:
            raise ValueError(f"{node.name}: a Conv with a bias is not expected in the exported graph")
        convs.append(node)
    return convs


def calibration_data(root: str, count: int, size: int, seed: int = 0):
    """`count` (image, mask) pairs from training photos and training masks, NCHW float32."""
    photos = list_photos(root, "train")
    rng = random.Random(seed)
    chosen = rng.sample(photos, min(len(photos), max(8, count)))
    data = InpaintingData([load_photo(p) for p in chosen], load_nvidia_masks(root, held_out=False, limit=200),
                          crop=size, scale_range=(size, 2 * size), own_mask_share=0.3, seed=seed)
    for _ in range(count):
        x, m = data.batch(1)
        yield x, m


def with_outputs(model: onnx.ModelProto, names: list[str]) -> onnx.ModelProto:
    m = onnx.ModelProto()
    m.CopyFrom(model)
    have = {o.name for o in m.graph.output}
    for n in names:
        if n not in have:
            m.graph.output.append(helper.make_tensor_value_info(n, TensorProto.FLOAT, None))
    return m


def collect(model_path: str, names: list[str], inputs, samples: int = 20000, log=print) -> dict:
    """Per tensor: overall min, max, and strided samples of its values over all inputs."""
    stats = {n: {"min": np.inf, "max": -np.inf, "samples": []} for n in names}
    with OrtSession(model_path, outputs=names) as session:
        for k, (x, m) in enumerate(inputs):
            out = session.run({"image": x, "mask": m}, stats=samples)
            for n in names:
                lo, hi = session.last_stats[n]
                s = stats[n]
                s["min"], s["max"] = min(s["min"], lo), max(s["max"], hi)
                s["samples"].append(out[n])
            if (k + 1) % 10 == 0:
                log(f"  calibration: {k + 1} crops")
    for s in stats.values():
        s["samples"] = np.concatenate(s["samples"])
    return stats


def quant_error(values: np.ndarray, lo: float, hi: float) -> float:
    scale = max(hi - lo, 1e-8) / 255.0
    zp = np.clip(np.round(-lo / scale), 0, 255)
    q = np.clip(np.round(values / scale) + zp, 0, 255)
    return float(np.mean(((q - zp) * scale - values) ** 2))


def choose_range(s: dict, method: str = "p99.99") -> tuple[float, float]:
    """The uint8 range [lo, hi] (always containing 0) of a tensor from its calibration statistics:
    'pN': the N-th percentile of the values seen (and the (100-N)-th for the low end); 'max': all of
    them; 'mse': the percentile clip with the least squared quantization error on the samples.
    The partial convolution's rescaling (window/count, up to 25-49x next to holes) gives the feature
    maps long tails: full ranges waste the 8 bits, and the MSE choice tends to keep the tail, which
    measured worse end to end than p99.99 (see tools/README.md)."""
    v = s["samples"].astype(np.float64)
    if method.startswith("p"):
        p = float(method[1:])
        hi = max(0.0, float(np.percentile(v, p)))
        lo = min(0.0, float(np.percentile(v, 100 - p)))
        return lo, max(hi, lo + 1e-6)
    if method == "max":
        return min(0.0, s["min"]), max(0.0, s["max"], 1e-6)
    lo_full, hi_full = min(0.0, s["min"]), max(0.0, s["max"])
    best = (quant_error(v, lo_full, hi_full), lo_full, hi_full)
    for p in (99.0, 99.5, 99.9, 99.95, 99.99, 99.999):
        hi = max(0.0, float(np.percentile(v, p))) if hi_full > 0 else 0.0
        lo = min(0.0, float(np.percentile(v, 100 - p))) if lo_full < 0 else 0.0
        if hi - lo <= 0:
            continue
        err = quant_error(v, lo, hi)
        if err < best[0]:
            best = (err, lo, hi)
    return best[1], best[2]


def quantize_weight(w: np.ndarray, reduce_range: bool) -> tuple[np.ndarray, np.ndarray]:
    """Per-output-channel symmetric int8: (q, scale)."""
    qmax = 63.0 if reduce_range else 127.0
    amax = np.abs(w.reshape(w.shape[0], -1)).max(axis=1)
    scale = np.where(amax > 0, amax / qmax, 1.0).astype(np.float32)
    q = np.clip(np.round(w / scale.reshape(-1, 1, 1, 1)), -qmax, qmax).astype(np.int8)
    return q, scale


def insert_qdq(model: onnx.ModelProto, convs: list[onnx.NodeProto], ranges: dict[str, tuple[float, float]],
               reduce_range: bool = False) -> onnx.ModelProto:
    graph = model.graph
    inits = {i.name: i for i in graph.initializer}
    new_inits, new_nodes = [], []
    qdq_of: dict[str, str] = {}          # tensor -> its dequantized copy (one pair per tensor)
    renamed_outputs: dict[str, str] = {}  # conv output -> the name the conv now writes

    def qparams(name: str):
        lo, hi = ranges[name]
        scale = max(hi - lo, 1e-8) / 255.0
        zp = int(np.clip(np.round(-lo / scale), 0, 255))
        s = numpy_helper.from_array(np.array(scale, np.float32), name + "_scale")
        z = numpy_helper.from_array(np.array(zp, np.uint8), name + "_zp")
        new_inits.extend([s, z])
        return s.name, z.name

    def qdq_nodes(src: str, dst: str):
        s, z = qparams(src)
        q = src + "_quantized"
        return [helper.make_node("QuantizeLinear", [src, s, z], [q], name=src + "_Q"),
                helper.make_node("DequantizeLinear", [q, s, z], [dst], name=src + "_DQ")]

    before: dict[int, list] = {}
    after: dict[int, list] = {}
    for node in convs:
        x = node.input[0]
        if x not in qdq_of:
            qdq_of[x] = x + "_dq"
            before.setdefault(id(node), []).extend(qdq_nodes(x, qdq_of[x]))
        w = numpy_helper.to_array(inits[node.input[1]])
        q, scale = quantize_weight(w, reduce_range)
        wq = numpy_helper.from_array(q, node.input[1] + "_int8")
        ws = numpy_helper.from_array(scale, node.input[1] + "_wscale")
        wz = numpy_helper.from_array(np.zeros(len(scale), np.int8), node.input[1] + "_wzp")
        new_inits.extend([wq, ws, wz])
        wdq = node.input[1] + "_dq"
        before.setdefault(id(node), []).append(
            helper.make_node("DequantizeLinear", [wq.name, ws.name, wz.name], [wdq], name=node.name + "_wDQ", axis=0))
        y = node.output[0]
        raw = y + "_preq"
        renamed_outputs[y] = raw
        s, z = qparams(y)
        after[id(node)] = [helper.make_node("QuantizeLinear", [raw, s, z], [y + "_quantized"], name=y + "_Q"),
                           helper.make_node("DequantizeLinear", [y + "_quantized", s, z], [y], name=y + "_DQ")]
        node.input[0] = qdq_of[x]
        node.input[1] = wdq
        node.output[0] = raw

    for node in graph.node:
        new_nodes.extend(before.get(id(node), []))
        new_nodes.append(node)
        new_nodes.extend(after.get(id(node), []))
    # The fp32 weights of quantized convs are no longer used.
    used = {i for n in new_nodes for i in n.input}
    keep = [i for i in graph.initializer if i.name in used]
    del graph.initializer[:]
    graph.initializer.extend(keep + [i for i in new_inits if i.name in used])
    del graph.node[:]
    graph.node.extend(new_nodes)
    return model


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((np.round(a * 255) - np.round(b * 255)) ** 2))
    return 10 * np.log10(255.0 ** 2 / max(mse, 1e-10))


def check(fp32_path: str, int8_path: str, inputs, log=print) -> dict:
    """int8 against fp32 on the given crops: max abs difference of the predictions, and the PSNR of the
    composited results (hole filled by each) against each other."""
    worst, psnrs, t32, t8 = 0.0, [], [], []
    with OrtSession(fp32_path) as a, OrtSession(int8_path) as b:
        for x, m in inputs:
            pa = a.run({"image": x, "mask": m})["output"]
            t32.append(a.last_ms)
            pb = b.run({"image": x, "mask": m})["output"]
            t8.append(b.last_ms)
            worst = max(worst, float(np.abs(pa - pb).max()))
            ca, cb = np.where(m > 0, x, pa), np.where(m > 0, x, pb)
            psnrs.append(psnr(ca, cb))
    result = {"max_abs_diff": worst, "min_psnr_vs_fp32": float(min(psnrs)), "mean_psnr_vs_fp32": float(np.mean(psnrs)),
              "fp32_ms_median": float(np.median(t32)), "int8_ms_median": float(np.median(t8))}
    log(f"int8 vs fp32 on {len(psnrs)} training crops: max abs diff {worst:.3f}, composite PSNR vs fp32 "
        f"min {result['min_psnr_vs_fp32']:.1f} dB, mean {result['mean_psnr_vs_fp32']:.1f} dB; "
        f"time {result['fp32_ms_median']:.0f} ms fp32 -> {result['int8_ms_median']:.0f} ms int8 (single runs, "
        f"see `npm run bench` for the real figure)")
    return result


def quantize(model_path: str, out_path: str, root: str, count: int = 50, size: int = 256, reduce_range: bool = False,
             do_check: bool = True, method: str = "p99.99", fp32_layers=DEFAULT_FP32_LAYERS, log=print) -> dict:
    started = time.time()
    with tempfile.TemporaryDirectory() as tmp:
        folded_path = os.path.join(tmp, "folded.onnx")
        model = fold(model_path, folded_path)
        convs = quantizable_convs(model, fp32_layers)
        names = sorted({n.input[0] for n in convs} | {n.output[0] for n in convs})
        probe = os.path.join(tmp, "probe.onnx")
        onnx.save(with_outputs(model, names), probe)
        log(f"calibrating {len(convs)} convolutions ({len(names)} tensors) on {count} training crops of {size}px")
        stats = collect(probe, names, calibration_data(root, count, size), log=log)
        ranges = {n: choose_range(s, method) for n, s in stats.items()}
        quantized = insert_qdq(model, convs, ranges, reduce_range)
        entry = quantized.metadata_props.add()
        entry.key, entry.value = "holefill_quantization", json.dumps(
            {"scheme": "static QDQ, per-channel int8 weights, uint8 activations", "calibration": f"{count} training crops of {size}px",
             "ranges": method, "fp32_layers": list(fp32_layers), "reduce_range": reduce_range,
             "from": os.path.basename(model_path)})
        onnx.checker.check_model(quantized)
        tmp_out = out_path + ".tmp"
        onnx.save(quantized, tmp_out)
        os.replace(tmp_out, out_path)
    log(f"wrote {out_path} ({os.path.getsize(out_path) / 1e6:.1f} MB) in {time.time() - started:.0f} s")
    result = {"path": out_path, "convs": len(convs)}
    if do_check:
        result["check"] = check(model_path, out_path, calibration_data(root, 8, 512, seed=1), log=log)
    return result


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", default=os.path.join(NATIVE, "pconv-unet.onnx"))
    p.add_argument("--out", default=os.path.join(NATIVE, "pconv-unet.int8.onnx"))
    p.add_argument("--data", default=default_data_root())
    p.add_argument("--count", type=int, default=50, help="training crops to calibrate on")
    p.add_argument("--size", type=int, default=256, help="their side (a multiple of 256)")
    p.add_argument("--ranges", default="p99.99", help="activation ranges: pN (percentile), mse or max")
    p.add_argument("--fp32-layers", default=",".join(DEFAULT_FP32_LAYERS),
                   help="layers kept in fp32: fused.py's names (enc.0-7, dec.0-6), NAME:KxK for those convs of a "
                        "layer with a KxK kernel; comma-separated, '' for none")
    p.add_argument("--reduce-range", action="store_true", help="7-bit weights (CPUs without VNNI)")
    p.add_argument("--no-check", action="store_true")
    args = p.parse_args(argv)
    layers = tuple(x for x in args.fp32_layers.split(",") if x)
    quantize(args.model, args.out, args.data, args.count, args.size, args.reduce_range, not args.no_check,
             args.ranges, layers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
