#!/usr/bin/env python3
"""eval.py's fill of one pair, written as files, so the engine can be held to what eval.py scores
(tests/engine/eval-parity.test.ts):

  /usr/bin/python3 native-models/tools/eval_fill.py --photo P --mask M --out DIR [--onnx native-models/pconv-unet.onnx]

Writes DIR/photo.png (the photo as eval.py sees it: 512x512), DIR/hole.png (the mask, 255 = hole) and
DIR/eval-fill.png (PConv@auto: eval.py's model_fill at auto_scale, the ONNX model run by onnxruntime-node), and
prints {"scale": S, "hole_share": F} as JSON."""
from __future__ import annotations

import argparse
import json
import os
import sys

import cv2
import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, HERE)
from eval import auto_scale, load_eval_photo, model_fill  # noqa: E402
from pconv.ort import OnnxModel  # noqa: E402


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--photo", required=True)
    p.add_argument("--mask", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--onnx", default=os.path.join(HERE, "pconv-unet.onnx"))
    args = p.parse_args(argv)
    img = load_eval_photo(args.photo)
    hole = (cv2.imread(args.mask, cv2.IMREAD_GRAYSCALE) > 127).astype(np.uint8)
    scale = auto_scale(hole)
    with OnnxModel(args.onnx) as model:
        out = model_fill(model, img, hole, scale)
    os.makedirs(args.out, exist_ok=True)
    Image.fromarray(img).save(os.path.join(args.out, "photo.png"))
    Image.fromarray(hole * 255).save(os.path.join(args.out, "hole.png"))
    Image.fromarray(out).save(os.path.join(args.out, "eval-fill.png"))
    print(json.dumps({"scale": scale, "hole_share": float(hole.mean())}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
