"""evaluate.py's fill of one pair, written as files, so the engine can be held to what evaluate.py scores
(tests/engine/eval-parity.test.ts):

  cd native-models && /usr/bin/python3 -m pconv.eval_fill --photo P --mask M --out DIR [--onnx pconv-unet.onnx]

Writes DIR/photo.png (the photo as evaluate.py sees it: 512x512), DIR/hole.png (the mask, 255 = hole) and
DIR/eval-fill.png (PConv@auto: evaluate.py's model_fill at auto_scale, the ONNX model run by onnxruntime-node, without
the texture step), and prints {"scale": S, "hole_share": F} as JSON. With --texture-of FILL (a fill of that pair
without the texture step, e.g. the engine's), writes DIR/eval-texture.png instead: the texture step on it
(pconv/texture.py, as evaluate.py scores it)."""
from __future__ import annotations

import argparse
import json
import os
import sys

import cv2
import numpy as np
from PIL import Image

from .evaluate import auto_scale, load_eval_photo, model_fill
from .ort import OnnxModel
from .paths import NATIVE
from .texture import texture_fill


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--photo", required=True)
    p.add_argument("--mask", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--onnx", default=os.path.join(NATIVE, "pconv-unet.onnx"))
    p.add_argument("--texture-of", default="")
    args = p.parse_args(argv)
    img = load_eval_photo(args.photo)
    hole = (cv2.imread(args.mask, cv2.IMREAD_GRAYSCALE) > 127).astype(np.uint8)
    scale = auto_scale(hole)
    os.makedirs(args.out, exist_ok=True)
    if args.texture_of:
        smooth = np.asarray(Image.open(args.texture_of).convert("RGB"))
        Image.fromarray(texture_fill(img, hole, smooth)).save(os.path.join(args.out, "eval-texture.png"))
    else:
        with OnnxModel(args.onnx) as model:
            out = model_fill(model, img, hole, scale, texture=False)
        Image.fromarray(out).save(os.path.join(args.out, "eval-fill.png"))
    Image.fromarray(img).save(os.path.join(args.out, "photo.png"))
    Image.fromarray(hole * 255).save(os.path.join(args.out, "hole.png"))
    print(json.dumps({"scale": scale, "hole_share": float(hole.mean())}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
