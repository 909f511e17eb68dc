"""The int8 model's quality bar: evaluate.py's protocol, run on the fp32 and the int8 ONNX models (through
onnxruntime-node, ort.py) on the same pairs; passes when int8 costs at most 0.3 dB PSNR in every
hole-ratio bin of every set and scale.

  cd native-models && /usr/bin/python3 -m pconv.int8_check [--fp32 pconv-unet.onnx] [--int8 pconv-unet.int8.onnx]
        [--scales 256,512,1024] [--sets sun-hays80,kodak24] [--limit 0] [--max-drop 0.3] [--json runs/int8-check.json]

Uses evaluate.py's own functions (pairs, load_eval_photo, model_fill, metrics), so the pairs, the resizing and
the compositing are exactly the eval's. Exit code 0 when the bar is met, 1 when not."""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

import cv2
import numpy as np

from . import evaluate as protocol
from .data import default_data_root
from .ort import OnnxModel
from .paths import NATIVE


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--fp32", default=os.path.join(NATIVE, "pconv-unet.onnx"))
    p.add_argument("--int8", default=os.path.join(NATIVE, "pconv-unet.int8.onnx"))
    p.add_argument("--data", default=default_data_root())
    p.add_argument("--scales", default="256,512,1024", help="1024: the 512 images magnified 2x, as auto runs small holes")
    p.add_argument("--sets", default="sun-hays80,kodak24")
    p.add_argument("--limit", type=int, default=0, help="photos per set (0: all)")
    p.add_argument("--max-drop", type=float, default=0.3, help="the largest PSNR loss allowed in any bin (dB)")
    p.add_argument("--json", default="")
    args = p.parse_args(argv)
    scales = [int(s) for s in args.scales.split(",")]
    sets = args.sets.split(",")
    bins = protocol.BIN_NAMES
    psnr = {(s, sc, name): [[] for _ in bins] for s in sets for sc in scales for name in ("fp32", "int8")}
    started = time.time()
    with OnnxModel(args.fp32) as fp32, OnnxModel(args.int8) as int8:
        for set_name in sets:
            for n, (photo, mask_path, b) in enumerate(protocol.pairs(args.data, set_name, args.limit)):
                img = protocol.load_eval_photo(photo)
                hole = (cv2.imread(mask_path, cv2.IMREAD_GRAYSCALE) > 127).astype(np.uint8)
                for sc in scales:
                    for name, model in (("fp32", fp32), ("int8", int8)):
                        out = protocol.model_fill(model, img, hole, sc)
                        psnr[(set_name, sc, name)][b].append(protocol.metrics(out, img)[1])
                if (n + 1) % 60 == 0:
                    print(f"{set_name}: {n + 1} pairs, {time.time() - started:.0f} s", flush=True)
    rows, worst = [], -np.inf
    print(f"\nPSNR (dB), eval protocol, fp32 -> int8 (drop); bar: at most {args.max_drop} dB in every bin")
    for set_name in sets:
        for sc in scales:
            print(f"\n{set_name} @ {sc}")
            for b, bin_name in enumerate(bins):
                a = float(np.mean(psnr[(set_name, sc, "fp32")][b]))
                q = float(np.mean(psnr[(set_name, sc, "int8")][b]))
                worst = max(worst, a - q)
                rows.append({"set": set_name, "scale": sc, "bin": bin_name, "fp32": a, "int8": q, "drop": a - q,
                             "pairs": len(psnr[(set_name, sc, "fp32")][b])})
                print(f"  {bin_name:>8}  {a:6.2f} -> {q:6.2f}  ({a - q:+.2f})")
    passed = worst <= args.max_drop
    print(f"\nlargest drop {worst:.2f} dB: {'PASS' if passed else 'FAIL'} (bar {args.max_drop} dB)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"fp32": args.fp32, "int8": args.int8, "max_drop": args.max_drop, "worst_drop": worst,
                       "passed": passed, "rows": rows}, f, indent=1)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
