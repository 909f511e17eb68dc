"""Object removals at the photo's own size, through the app's engine: what `validate` cannot see.

  cd native-models && /usr/bin/python3 -m pconv.objects [--model pconv-unet.onnx] [--sheet objects-worst.jpg]

`validate` fills 512x512 centre crops whole, so the engine's tile plan (the crop around each hole, its shape and
scale) never varies there. Here every photo of `val/photos/` (short side 768) gets object-shaped holes drawn
from a seed (a compact blob, an upright or lying stick such as a pole, a person or a kite, a wire across, a
line of watermark text, a compact blob on the photo's flattest patch, where a stain shows most: a cloud on
a clear sky, a bird on a wall, and a people-sized object, large enough that the engine's crop around it is scaled
down), is filled by `holefill batch` at its defaults, and is scored over the hole's
pixels against OpenCV's Telea and Navier-Stokes on the same photo: the mean per kind and, case by case, the
share of holes more than 1 dB and 3 dB below the better classical fill. Compact holes also get a shade: the
mean colour error over the hole's inner part (a faint disc or stain there is what PSNR averages away), in
levels, the worst channel; a stain is a shade of more than 3 levels. The truth under each hole is the photo.
Validation only: never train on these photos."""
from __future__ import annotations

import argparse
import glob
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import time
import zlib

import cv2
import numpy as np

from .data import IMAGE_EXTS, default_data_root
from .paths import NATIVE, REPO
from .removals import psnr_in

KINDS = ("blob", "stick", "wire", "text", "flat", "person")
COMPACT = ("flat",)  # where a shade over the inner part is a stain (on texture it is the texture)
STAIN = 3.0  # levels
# PSNRs are capped here: past it (an RMS error of a quarter level) no difference shows, and a fill that matches a
# saturated patch exactly would otherwise count as infinitely good.
PSNR_CAP = 60.0
GROW = 4  # px the person paints past the object


def blob(rng: random.Random, w: int, h: int, photo: np.ndarray | None = None) -> np.ndarray:
    """A compact irregular object, 0.5-4 % of the photo: a person, a bin, a bird."""
    area = rng.uniform(0.005, 0.04) * w * h
    aspect = rng.uniform(0.6, 1.8)
    rx, ry = math.sqrt(area / math.pi * aspect), math.sqrt(area / math.pi / aspect)
    cx, cy = rng.uniform(rx + 8, w - rx - 8), rng.uniform(ry + 8, h - ry - 8)
    if photo is not None:
        cx, cy = flattest(photo, rx, ry)
    return irregular_ellipse(rng, w, h, cx, cy, rx, ry, 24, (0.8, 1.15))


def irregular_ellipse(rng: random.Random, w: int, h: int, cx: float, cy: float, rx: float, ry: float, corners: int,
                      radii: tuple[float, float]) -> np.ndarray:
    """An ellipse's outline with each of its `corners` points moved in or out at random (radii: the range)."""
    pts = []
    for i in range(corners):
        a = 2 * math.pi * i / corners
        r = rng.uniform(*radii)
        pts.append((cx + rx * r * math.cos(a), cy + ry * r * math.sin(a)))
    m = np.zeros((h, w), np.uint8)
    cv2.fillPoly(m, [np.round(np.array(pts)).astype(np.int32)], 1)
    return m


def flattest(photo: np.ndarray, rx: float, ry: float) -> tuple[float, float]:
    """The centre of the patch (the blob and a ring of half its size around it) with the least detail."""
    h, w = photo.shape[:2]
    grey = cv2.cvtColor(photo, cv2.COLOR_BGR2GRAY).astype(np.float32)
    detail = cv2.magnitude(cv2.Sobel(grey, cv2.CV_32F, 1, 0), cv2.Sobel(grey, cv2.CV_32F, 0, 1))
    kx, ky = 2 * round(1.5 * rx) + 1, 2 * round(1.5 * ry) + 1
    local = cv2.blur(detail, (kx, ky), borderType=cv2.BORDER_REFLECT)
    mx, my = int(rx) + 9, int(ry) + 9  # the blob stays inside the photo, as blob() keeps it
    inner = local[my:h - my, mx:w - mx]
    y, x = np.unravel_index(int(np.argmin(inner)), inner.shape)
    return float(x + mx), float(y + my)


def flat(rng: random.Random, w: int, h: int, photo: np.ndarray) -> np.ndarray:
    """A compact blob on the photo's flattest patch (a cloud on a clear sky, a bird on a wall)."""
    return blob(rng, w, h, photo)


def stick(rng: random.Random, w: int, h: int) -> np.ndarray:
    """A long narrow object, upright or lying (a pole, a standing person, a kite, a bench)."""
    short = min(w, h)
    length = rng.uniform(0.15, 0.4) * short
    width = length / rng.uniform(2.5, 5)
    angle = rng.choice([0.0, 90.0]) + rng.uniform(-15, 15)
    cx = rng.uniform(length / 2 + 8, w - length / 2 - 8)
    cy = rng.uniform(length / 2 + 8, h - length / 2 - 8)
    box = cv2.boxPoints(((cx, cy), (width, length), angle))
    m = np.zeros((h, w), np.uint8)
    cv2.fillPoly(m, [np.round(box).astype(np.int32)], 1)
    return m


def person(rng: random.Random, w: int, h: int) -> np.ndarray:
    """A people-sized object, standing or lying: an irregular outline 0.45-0.75 of the photo's short side long,
    2-3.5 times as long as wide (a person, a dog, a tree and its reflection)."""
    length = rng.uniform(0.45, 0.75) * min(w, h)
    width = length / rng.uniform(2.0, 3.5)
    rx, ry = (width / 2, length / 2) if rng.random() < 0.7 else (length / 2, width / 2)
    cx, cy = rng.uniform(rx + 8, w - rx - 8), rng.uniform(ry + 8, h - ry - 8)
    return irregular_ellipse(rng, w, h, cx, cy, rx, ry, 32, (0.85, 1.1))


def wire(rng: random.Random, w: int, h: int) -> np.ndarray:
    """A cable across the photo: 4-10 px wide, gently curved."""
    m = np.zeros((h, w), np.uint8)
    y0, y1 = rng.uniform(0.1, 0.9) * h, rng.uniform(0.1, 0.9) * h
    sag = rng.uniform(0.02, 0.12) * h
    xs = np.linspace(0, w - 1, 40)
    ys = y0 + (y1 - y0) * xs / (w - 1) + sag * np.sin(np.pi * xs / (w - 1))
    cv2.polylines(m, [np.round(np.stack([xs, ys], 1)).astype(np.int32)], False, 1, rng.randint(4, 10))
    return m


def text(rng: random.Random, w: int, h: int) -> np.ndarray:
    """A watermark's letters (the hole is the letters themselves)."""
    m = np.zeros((h, w), np.uint8)
    scale = rng.uniform(1.2, 2.5) * min(w, h) / 768
    label = rng.choice(["(c) SAMPLE", "PROOF", "(c) 2026 Studio", "DRAFT COPY"])
    (tw, th), _ = cv2.getTextSize(label, cv2.FONT_HERSHEY_SIMPLEX, scale, max(2, round(3 * scale)))
    x = rng.randint(8, max(9, w - tw - 8))
    y = rng.randint(th + 8, max(th + 9, h - 8))
    cv2.putText(m, label, (x, y), cv2.FONT_HERSHEY_SIMPLEX, scale, 1, max(2, round(3 * scale)), cv2.LINE_AA)
    return (m > 0).astype(np.uint8)


MAKERS = {"blob": blob, "stick": stick, "wire": wire, "text": text, "flat": flat, "person": person}


def make_hole(kind: str, name: str, photo: np.ndarray) -> np.ndarray:
    h, w = photo.shape[:2]
    rng = random.Random(zlib.crc32(f"{kind}:{name}".encode()))
    m = flat(rng, w, h, photo) if kind == "flat" else MAKERS[kind](rng, w, h)
    return cv2.dilate(m, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * GROW + 1, 2 * GROW + 1)))


def engine_fill_all(photos: dict, holes: dict, model: str, work: str, extra: list[str]) -> dict:
    """One `holefill batch` per kind: the photos and masks written to `work`, PNG out (lossless)."""
    outs = {}
    for kind in dict.fromkeys(k for k, _ in holes):
        src, msk, dst = (os.path.join(work, kind, d) for d in ("in", "masks", "out"))
        for d in (src, msk, dst):
            os.makedirs(d, exist_ok=True)
        for name, img in photos.items():
            cv2.imwrite(os.path.join(src, name + ".png"), img)
            cv2.imwrite(os.path.join(msk, name + ".png"), holes[kind, name] * 255)
        cmd = ["node", os.path.join(REPO, "bin", "holefill.js"), "batch", src, "--masks", msk, "-o", dst,
               "--format", "png", "--model", model, *extra]
        done = subprocess.run(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if done.returncode != 0:  # the batch's own message names the photo and the fix
            raise SystemExit(f"holefill batch failed on the {kind} holes:\n{done.stderr.strip()[-2000:]}")
        for name in photos:
            outs[kind, name] = cv2.imread(os.path.join(dst, name + ".png"), cv2.IMREAD_COLOR)
    return outs


def crop_around(img: np.ndarray, hole: np.ndarray, side: int = 256) -> np.ndarray:
    ys, xs = np.nonzero(hole)
    cy, cx = int(ys.mean()), int(xs.mean())
    h, w = hole.shape
    y0, x0 = min(max(0, cy - side // 2), h - side), min(max(0, cx - side // 2), w - side)
    return img[y0:y0 + side, x0:x0 + side]


def write_sheet(rows: list[dict], photos: dict, holes: dict, fills: dict, path: str) -> None:
    tiles = []
    for r in rows:
        key = (r["kind"], r["photo"])
        hole, truth = holes[key], photos[r["photo"]]
        shown = truth.copy()
        contours, _ = cv2.findContours(hole, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
        cv2.drawContours(shown, contours, -1, (0, 0, 255), 1)
        cells = [crop_around(x, hole) for x in (shown, fills["telea", key], fills["ours", key], truth)]
        row = np.concatenate([np.pad(c, ((2, 2), (2, 2), (0, 0)), constant_values=255) for c in cells], 1)
        note = f"{r['kind']} {r['photo'][:28]}  Telea {r['telea']:.1f}  NS {r['ns']:.1f}  ours {r['ours']:.1f} dB"
        bar = np.full((22, row.shape[1], 3), 255, np.uint8)
        cv2.putText(bar, note, (4, 16), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (0, 0, 0), 1, cv2.LINE_AA)
        tiles.append(np.concatenate([bar, row], 0))
    head = np.full((26, tiles[0].shape[1], 3), 255, np.uint8)
    cv2.putText(head, "input (hole in red) | Telea | Holefill (holefill batch, defaults) | truth - 100 % zoom",
                (4, 18), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (0, 0, 0), 1, cv2.LINE_AA)
    cv2.imwrite(path, np.concatenate([head, *tiles], 0), [cv2.IMWRITE_JPEG_QUALITY, 88])


def shade(fill: np.ndarray, truth: np.ndarray, hole: np.ndarray) -> float:
    """The fill's mean colour error over the hole's inner part (farther in than 60 % of its deepest point), in
    levels, the worst channel: the faint disc or stain that a PSNR over the whole hole averages away."""
    depth = cv2.distanceTransform(hole, cv2.DIST_L2, 5)
    core = depth > 0.6 * depth.max()
    return float(np.abs((fill[core].astype(np.float64) - truth[core]).mean(0)).max())


def summarise(rows: list[dict]) -> dict:
    out = {}
    for kind in (*KINDS, "all"):
        rs = [r for r in rows if kind in ("all", r["kind"])]
        if not rs:
            continue
        gaps = np.array([r["ours"] - max(r["telea"], r["ns"]) for r in rs])
        out[kind] = {"pairs": len(rs), "ours": float(np.mean([r["ours"] for r in rs])),
                     "telea": float(np.mean([r["telea"] for r in rs])), "ns": float(np.mean([r["ns"] for r in rs])),
                     "gap": float(gaps.mean()), "below_1db": float((gaps < -1).mean()),
                     "below_3db": float((gaps < -3).mean()), "worst": float(gaps.min())}
        if kind in COMPACT:
            ours, classical = (np.array([f(r["shade_telea"], r["shade_ns"]) if f else r["shade_ours"] for r in rs])
                               for f in (None, min))
            out[kind].update({"shade": float(ours.mean()), "shade_classical": float(classical.mean()),
                              "stains": float((ours > STAIN).mean()), "stains_classical": float((classical > STAIN).mean()),
                              "worst_shade": float(ours.max())})
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", default=default_data_root())
    p.add_argument("--model", default=os.path.join(NATIVE, "pconv-unet.onnx"))
    p.add_argument("--engine-args", default="", help="more holefill batch options, e.g. '--infer-size 512'")
    p.add_argument("--limit", type=int, default=0, help="only N photos, spread over the sorted list (its sources)")
    p.add_argument("--kinds", default=",".join(KINDS), help="which object kinds (comma-separated)")
    p.add_argument("--sheet", default="", help="write the 16 worst holes here (JPEG)")
    p.add_argument("--report", default="", help="write every hole's scores here (JSON)")
    args = p.parse_args(argv)
    kinds = args.kinds.split(",")
    if set(kinds) - set(KINDS):
        raise SystemExit(f"unknown kinds {sorted(set(kinds) - set(KINDS))}: choose from {', '.join(KINDS)}")

    files = sorted(f for f in glob.glob(os.path.join(args.data, "val", "photos", "*")) if f.lower().endswith(IMAGE_EXTS))
    if args.limit:
        files = files[:: math.ceil(len(files) / args.limit)]
    photos = {os.path.splitext(os.path.basename(f))[0]: cv2.imread(f, cv2.IMREAD_COLOR) for f in files}
    holes = {(k, n): make_hole(k, n, img) for k in kinds for n, img in photos.items()}
    t0 = time.time()
    with tempfile.TemporaryDirectory() as work:
        ours = engine_fill_all(photos, holes, os.path.abspath(args.model), work, args.engine_args.split())
    t_engine = time.time() - t0
    fills, rows = {}, []
    for (kind, name), hole in holes.items():
        truth, key = photos[name], (kind, name)
        fills["ours", key] = ours[key]
        fills["telea", key] = cv2.inpaint(truth, hole * 255, 3, cv2.INPAINT_TELEA)
        fills["ns", key] = cv2.inpaint(truth, hole * 255, 3, cv2.INPAINT_NS)
        outside = hole == 0
        if not np.array_equal(ours[key][outside], truth[outside]):
            raise SystemExit(f"{name} ({kind}): pixels outside the hole changed")
        row = {"kind": kind, "photo": name, "hole_share": float(hole.mean()),
               **{m: min(PSNR_CAP, psnr_in(fills[m, key], truth, hole)) for m in ("ours", "telea", "ns")}}
        if kind in COMPACT:
            row.update({f"shade_{m}": shade(fills[m, key], truth, hole) for m in ("ours", "telea", "ns")})
        rows.append(row)
    summary = summarise(rows)
    print(f"{len(files)} photos x {len(kinds)} kinds, engine {t_engine:.0f} s ({args.model}{' ' + args.engine_args if args.engine_args else ''})")
    print("kind   pairs  ours dB  Telea   NS    ours-best  >1dB   >3dB   worst")
    for kind, s in summary.items():
        print(f"{kind:6} {s['pairs']:5}  {s['ours']:6.2f}  {s['telea']:6.2f} {s['ns']:6.2f}  {s['gap']:+7.2f}  "
              f"{100 * s['below_1db']:5.1f}% {100 * s['below_3db']:5.1f}%  {s['worst']:+6.1f}")
    print(f"shade over the inner part (levels, worst channel; a stain is more than {STAIN:.0f}):")
    for kind in (k for k in COMPACT if k in summary):
        s = summary[kind]
        print(f"{kind:6} ours {s['shade']:.2f} (stains {100 * s['stains']:.1f}%, worst {s['worst_shade']:.1f})  better "
              f"classical {s['shade_classical']:.2f} (stains {100 * s['stains_classical']:.1f}%)")
    worst = sorted(rows, key=lambda r: r["ours"] - max(r["telea"], r["ns"]))[:16]
    print("worst:", ", ".join(f"{r['kind']}/{r['photo']} {r['ours'] - max(r['telea'], r['ns']):+.1f}" for r in worst[:8]))
    if args.sheet:
        write_sheet(worst, photos, holes, fills, args.sheet)
    if args.report:
        with open(args.report, "w") as f:
            json.dump({"model": args.model, "engine_args": args.engine_args, "summary": summary, "rows": rows}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
