#!/usr/bin/env python3
"""How much smoothing the prediction helps, measured on BSDS500's val photos (kept out of training; the eval sets
are never used to choose anything): PSNR and SSIM per hole bin of the composite for the plain prediction, Gaussian
smoothings of it, a horizontally flipped second run averaged in, and OpenCV's Telea and Navier-Stokes.

  /usr/bin/python3 native-models/tools/val_smoothing.py [--checkpoint C] [--photos 30] [--sigmas 0.5,0.75,1.0] [--no-flip]
      [--magnify] [--bins 0,1,2]

eval.py's protocol on other photos: each resized to 512 on its short side and centre-cropped, the network run at
512; one training mask (not a held-out one) per photo and bin. With --magnify the network runs as 'auto' runs it on
small holes (eval.py model_fill at 1024): on photo and hole each pixel repeated 2x2, the smoothed prediction brought
back with INTER_LINEAR; sigmas stay in network pixels (2 is one photo pixel). About 10 minutes for 30 photos on 2 cores. The
sigma the engine ships (pconv/unet.py OUTPUT_SMOOTHING_SIGMA) was chosen from this table."""
from __future__ import annotations

import argparse
import glob
import os
import sys
import time

import cv2
import numpy as np
import torch

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, HERE)
from eval import classical_fill, load_eval_photo, metrics  # noqa: E402
from pconv.data import HOLE_BINS, default_data_root, is_held_out_mask, list_photos, mask_bin  # noqa: E402
from pconv.unet import load_model  # noqa: E402


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--checkpoint", default=os.path.join(HERE, "checkpoint", "pconv-unet.fp16.pt"))
    p.add_argument("--data", default=default_data_root())
    p.add_argument("--photos", type=int, default=30)
    p.add_argument("--sigmas", default="0.5,0.75,1.0", help="Gaussian sigmas to try, in network pixels")
    p.add_argument("--no-flip", action="store_true", help="skip the flipped second run (half the time)")
    p.add_argument("--magnify", action="store_true", help="run the network on the photo magnified 2x (see above)")
    p.add_argument("--bins", default="", help="hole bins to measure (indices, e.g. 0,1,2); all by default")
    args = p.parse_args(argv)
    torch.set_num_threads(2)
    model = load_model(args.checkpoint).eval()
    photos = list_photos(args.data, "val")[:args.photos]
    bins: list[list[str]] = [[] for _ in HOLE_BINS]
    for f in sorted(glob.glob(os.path.join(args.data, "masks", "nvidia-irregular", "*.png"))):
        if not is_held_out_mask(f):
            bins[mask_bin(f)].append(f)

    def blur(pred: np.ndarray, sigma: float) -> np.ndarray:
        return cv2.GaussianBlur(pred, (0, 0), sigma, borderType=cv2.BORDER_REFLECT_101) if sigma else pred

    sigmas = [float(x) for x in args.sigmas.split(",") if x]
    if not sigmas:
        p.error("--sigmas needs at least one value")
    variants = {"plain": (False, 0.0), **{f"sigma {x:g}": (False, x) for x in sigmas}}
    if not args.no_flip:
        variants.update({"flip": (True, 0.0), f"flip + sigma {sigmas[0]:g}": (True, sigmas[0])})
    chosen = [int(b) for b in args.bins.split(",")] if args.bins else list(range(len(HOLE_BINS)))
    results = {name: [[] for _ in HOLE_BINS] for name in [*variants, "Telea", "Navier-Stokes"]}
    grow = (lambda a: np.repeat(np.repeat(a, 2, 0), 2, 1)) if args.magnify else (lambda a: a)
    back = (lambda a: cv2.resize(a, (512, 512), interpolation=cv2.INTER_LINEAR)) if args.magnify else (lambda a: a)
    t0 = time.time()
    for k, photo in enumerate(photos):
        img = load_eval_photo(photo)
        x = torch.from_numpy(grow(img).astype(np.float32).transpose(2, 0, 1)[None] / 255.0)
        for b in chosen:
            mask = cv2.imread(bins[b][(k * 37) % len(bins[b])], cv2.IMREAD_GRAYSCALE)
            hole = (cv2.resize(mask, (512, 512), interpolation=cv2.INTER_NEAREST) > 127).astype(np.uint8)
            m = torch.from_numpy((1.0 - grow(hole).astype(np.float32))[None, None])
            with torch.no_grad():
                plain = model(x, m).clamp(0, 1)[0].numpy().transpose(1, 2, 0)
                flipped = None if args.no_flip else model(torch.flip(x, [3]), torch.flip(m, [3])).clamp(0, 1)[0].numpy().transpose(1, 2, 0)[:, ::-1]
            for name, (flip, sigma) in variants.items():
                pred = back(blur(np.ascontiguousarray((plain + flipped) / 2 if flip else plain), sigma))
                out = np.where(hole[:, :, None] > 0, np.clip(np.rint(pred * 255), 0, 255).astype(np.uint8), img)
                results[name][b].append(metrics(out, img))
            results["Telea"][b].append(metrics(classical_fill(img, hole, cv2.INPAINT_TELEA), img))
            results["Navier-Stokes"][b].append(metrics(classical_fill(img, hole, cv2.INPAINT_NS), img))
        if (k + 1) % 10 == 0:
            print(f"{k + 1} photos, {time.time() - t0:.0f}s", flush=True)
    names = [f"{int(lo * 100)}-{int(hi * 100)}%" for lo, hi in HOLE_BINS]
    for idx, metric in ((1, "PSNR"), (2, "SSIM")):
        print(f"\n{metric} ({len(photos)} BSDS500 val photos x {len(chosen)} bins{', magnified 2x' if args.magnify else ''})\n| | " + " | ".join(names[b] for b in chosen) + " |")
        print("|---" * (len(chosen) + 1) + "|")
        for name, per_bin in results.items():
            row = [np.mean([r[idx] for r in per_bin[b]]) for b in chosen]
            print(f"| {name} | " + " | ".join(f"{x:.4f}" if idx == 2 else f"{x:.2f}" for x in row) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
