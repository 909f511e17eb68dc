#!/usr/bin/env python3
"""Thin holes on larger photos: a wire (a smooth curve across the whole photo, 7 and 15 px wide) painted over
Urban100's 1024 px photos, filled by the app's engine (`holefill inpaint`) and by OpenCV's Telea and
Navier-Stokes; PSNR over the wire's pixels against the photo.

  /usr/bin/python3 native-models/tools/thin_holes.py [--photos 6] [--widths 7,15]

This is what main/engine/pieces.ts (long thin holes filled in pieces, each seen at full resolution) was measured
with: eval.py's photos are 512x512, where the network sees every crop unscaled, so it cannot show it. Urban100 is
in the training set (no larger photos are kept out of it), which flatters the network against the classical
fills; compare the engine with itself across changes. About 1 minute per width for 6 photos on 2 cores."""
from __future__ import annotations

import argparse
import glob
import os
import subprocess
import sys
import tempfile

import cv2
import numpy as np

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from pconv.data import default_data_root  # noqa: E402


def wire_mask(height: int, width: int, thickness: int) -> np.ndarray:
    xs = np.linspace(0, width - 1, 400)
    ys = height * 0.3 + (height * 0.4) * xs / width + 25 * np.sin(xs / width * 6)
    mask = np.zeros((height, width), np.uint8)
    cv2.polylines(mask, [np.stack([xs, ys], 1).astype(np.int32)], False, 255, thickness)
    return mask


def hole_psnr(filled: np.ndarray, truth: np.ndarray, mask: np.ndarray) -> float:
    d = (filled.astype(np.float64) - truth.astype(np.float64))[mask > 0]
    return float(10 * np.log10(255.0 ** 2 / np.mean(d ** 2)))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--data', default=default_data_root())
    p.add_argument('--photos', type=int, default=6)
    p.add_argument('--widths', default='7,15')
    args = p.parse_args(argv)
    photos = sorted(glob.glob(os.path.join(args.data, 'train', 'urban100', '*.jpg')))[:args.photos]
    if not photos:
        print(f'no photos in {args.data}/train/urban100', file=sys.stderr)
        return 1
    print('| wire width | Holefill | Telea | Navier-Stokes |\n|---|---|---|---|')
    with tempfile.TemporaryDirectory() as tmp:
        for thickness in (int(w) for w in args.widths.split(',')):
            scores = {'engine': [], 'telea': [], 'ns': []}
            for i, photo in enumerate(photos):
                truth = cv2.imread(photo)
                mask = wire_mask(*truth.shape[:2], thickness)
                src, msk, out = (os.path.join(tmp, f'{n}{i}.png') for n in ('photo', 'mask', 'out'))
                cv2.imwrite(src, truth)
                cv2.imwrite(msk, mask)
                run = subprocess.run(['node', os.path.join(ROOT, 'bin', 'holefill.js'), 'inpaint', src, '--mask', msk, '-o', out, '--overwrite'],
                                     capture_output=True, text=True)
                if run.returncode != 0:
                    print(f'holefill inpaint failed on {photo}: {run.stderr.strip()}', file=sys.stderr)
                    return 1
                scores['engine'].append(hole_psnr(cv2.imread(out), truth, mask))
                scores['telea'].append(hole_psnr(cv2.inpaint(truth, mask, 3, cv2.INPAINT_TELEA), truth, mask))
                scores['ns'].append(hole_psnr(cv2.inpaint(truth, mask, 3, cv2.INPAINT_NS), truth, mask))
            print(f'| {thickness} px | ' + ' | '.join(f'{np.mean(v):.2f}' for v in scores.values()) + ' |', flush=True)
    print(f'\nPSNR (dB) over the wire\'s pixels, mean of {len(photos)} photos (train/urban100, 1024 px long side).')
    return 0


if __name__ == '__main__':
    sys.exit(main())
