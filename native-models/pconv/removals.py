"""The removal sheet: real removals drawn by hand on validation and sample photos, filled by the app's engine
(`holefill inpaint`, its defaults) beside OpenCV's Telea, each shown at 100 % zoom around the hole.

  cd native-models && /usr/bin/python3 -m pconv.removals [--model pconv-unet.onnx] [--out removal-sheet.jpg]
  cd native-models && /usr/bin/python3 -m pconv.removals --engine-args "--texture patches" --out removal-sheet-patches.jpg

Objects on plain and textured backgrounds, people-sized blobs, thin wires and cables, a text watermark. Some
objects are painted onto the photo first (cables, a kite, the watermark): there the truth under them is known
and the sheet gives the PSNR over the hole for Telea and ours. Never validation pairs' numbers: this is for the
eye (blobs, stains, coloured speckle, ghosts of the outline, readable remnants). Each row also prints how much of
its surround's fine detail the fill holds (`detail_ratio`): the ghost of the outline, as a number. Shapes are
fractions of the photo's width and height; `grow` is how far past the object the person painted, in pixels."""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile

import cv2
import numpy as np

from .data import default_data_root
from .paths import NATIVE, REPO

VAL = "val/photos/"

# (label, photo (under the data root, or repo-relative), painted objects, mask shapes, grow in px)
# Painted: ("cable", [(x, y) ...], width, bgr) | ("kite", cx, cy, size, bgr) | ("text", text, x, y, scale, thickness)
#          | ("hue", degrees): the whole photo's hue rotated first
# Shapes:  ("poly", [(x, y) ...]) | ("ellipse", cx, cy, rx, ry) | ("line", [(x, y) ...], width px) | ("painted",): the
#          painted objects themselves | ("file", path): a mask file of the photo's size
REMOVALS = [
    ("the README's sample: the lone palm tree", "assets/sample.jpg", [], [("file", "assets/sample-mask.png")], 0),
    ("a rubber duck on rocky sand", VAL + "db_duck-toy-03.jpg", [],  # the whole duck, its tail's tip too
     [("poly", [(0.31, 0.52), (0.33, 0.49), (0.37, 0.485), (0.41, 0.49), (0.45, 0.43), (0.50, 0.39), (0.57, 0.39),
                (0.62, 0.43), (0.66, 0.45), (0.70, 0.46), (0.705, 0.51), (0.65, 0.55), (0.69, 0.61), (0.69, 0.70),
                (0.61, 0.75), (0.45, 0.755), (0.35, 0.72), (0.30, 0.63)])], 10),
    ("a can and its reflection, bokeh behind", VAL + "db_can-03.jpg", [],
     [("poly", [(0.545, 0.22), (0.765, 0.22), (0.765, 0.79), (0.545, 0.79)])], 6),
    ("a dog in the surf (a people-sized blob)", VAL + "db_dog7-02.jpg", [],
     [("poly", [(0.36, 0.30), (0.42, 0.27), (0.50, 0.26), (0.58, 0.27), (0.66, 0.29), (0.71, 0.35), (0.70, 0.45),
                (0.66, 0.52), (0.67, 0.70), (0.66, 0.92), (0.66, 1.0), (0.35, 1.0), (0.36, 0.90), (0.34, 0.70),
                (0.33, 0.50), (0.33, 0.38)])], 8),  # to the bottom edge: the paws stand on it
    ("a tree and its reflection in a purple sunset", VAL + "elem_Sunset-Tree.jpg", [],
     [("poly", [(0.70, 0.40), (0.73, 0.31), (0.80, 0.27), (0.87, 0.30), (0.89, 0.38), (0.87, 0.50), (0.88, 0.62),
                (0.875, 0.90), (0.71, 0.90), (0.70, 0.62), (0.71, 0.47)])], 8),
    ("a mushroom on bokeh", VAL + "dpn_Mushroom-by-Barroso-Parejo.jpg", [],
     [("poly", [(0.09, 0.40), (0.12, 0.20), (0.18, 0.09), (0.25, 0.06), (0.32, 0.08), (0.39, 0.18), (0.42, 0.30),
                (0.41, 0.42), (0.30, 0.48), (0.27, 0.50), (0.27, 0.80), (0.20, 0.80), (0.20, 0.50), (0.12, 0.47)])], 10),
    ("a lighthouse between sky, sea and rocks", VAL + "elem_william-bout-lighthouse.jpg", [],
     [("poly", [(0.475, 0.36), (0.49, 0.31), (0.51, 0.30), (0.52, 0.36), (0.56, 0.40), (0.56, 0.51), (0.47, 0.52),
                (0.465, 0.45)])], 6),
    ("a lizard on weathered wood", VAL + "elem_Lizard.jpg", [],  # the whole lizard: back, tail tip and toes
     [("poly", [(0.150, 0.505), (0.175, 0.47), (0.21, 0.452), (0.27, 0.448), (0.35, 0.443), (0.45, 0.443), (0.52, 0.452),
                (0.57, 0.465), (0.63, 0.49), (0.70, 0.507), (0.80, 0.532), (0.90, 0.557), (0.97, 0.578), (1.0, 0.585),
                (1.0, 0.615), (0.90, 0.598), (0.80, 0.58), (0.72, 0.567), (0.70, 0.585), (0.73, 0.60), (0.745, 0.625),
                (0.76, 0.68), (0.74, 0.73), (0.69, 0.735), (0.655, 0.72), (0.635, 0.66), (0.62, 0.62), (0.595, 0.57),
                (0.56, 0.552), (0.50, 0.548), (0.42, 0.552), (0.36, 0.555), (0.33, 0.56), (0.29, 0.59), (0.26, 0.62),
                (0.215, 0.66), (0.19, 0.645), (0.205, 0.615), (0.235, 0.585), (0.27, 0.555), (0.23, 0.548),
                (0.18, 0.54)])], 8),
    ("a pen on a wooden desk (a thin object)", VAL + "dpn_Wood-Desk.jpg", [],
     [("line", [(0.625, 0.66), (0.72, 0.85)], 16)], 4),
    ("a coffee cup on a wooden desk", VAL + "dpn_Wood-Desk.jpg", [],
     [("ellipse", 0.575, 0.49, 0.065, 0.105), ("poly", [(0.62, 0.47), (0.67, 0.49), (0.665, 0.54), (0.62, 0.55)])], 8),
    ("cables across a blue sky", VAL + "elem_Paris-la-Tour-Eiffel.jpg",
     [("cable", [(0.0, 0.18), (0.15, 0.26), (0.30, 0.30), (0.45, 0.29), (0.58, 0.22)], 3, (45, 45, 50)),
      ("cable", [(0.0, 0.42), (0.20, 0.52), (0.40, 0.56), (0.55, 0.52)], 3, (45, 45, 50))],
     [("painted",)], 4),
    ("a cloud in a clear blue sky", VAL + "elem_Paris-la-Tour-Eiffel.jpg", [],
     [("ellipse", 0.43, 0.52, 0.05, 0.075)], 8),
    ("a kite in a white overcast sky", VAL + "elem_Rob-Bye.jpg",
     [("kite", 0.50, 0.16, 0.07, (40, 30, 190))], [("painted",)], 8),
    ("a kite in a purple sky (the photo's hue rotated)", VAL + "sky_69618-1.jpg",
     [("hue", 70), ("kite", 0.45, 0.45, 0.12, (30, 200, 230))], [("painted",)], 8),
    ("a white '(c) SAMPLE' watermark", VAL + "elem_Snow-Capped-Mountain.jpg",
     [("text", "(c) SAMPLE", 0.18, 0.62, 4.0, 9)], [("painted",)], 3),
]


def to_px(pts, w, h):
    return np.array([(round(x * (w - 1)), round(y * (h - 1))) for x, y in pts], np.int32)


def paint(img: np.ndarray, items) -> tuple[np.ndarray, np.ndarray]:
    """The photo with the objects painted on, and where they are (uint8 0/1)."""
    h, w = img.shape[:2]
    out, where = img.copy(), np.zeros((h, w), np.uint8)
    for item in items:
        kind = item[0]
        layer = np.zeros((h, w), np.uint8)
        if kind == "hue":
            hsv = cv2.cvtColor(out, cv2.COLOR_BGR2HSV_FULL)
            hsv[..., 0] = ((hsv[..., 0].astype(int) + round(item[1] * 256 / 360)) % 256).astype(np.uint8)
            out = cv2.cvtColor(hsv, cv2.COLOR_HSV2BGR_FULL)
            continue
        if kind == "cable":
            _, pts, width, bgr = item
            p = to_px(pts, w, h)
            # a smooth sag through the points
            xs = np.arange(p[:, 0].min(), p[:, 0].max() + 1)
            ys = np.polyval(np.polyfit(p[:, 0], p[:, 1], min(3, len(p) - 1)), xs)
            curve = np.stack([xs, ys], 1).round().astype(np.int32)
            cv2.polylines(layer, [curve], False, 255, width, cv2.LINE_AA)
        elif kind == "kite":
            _, cx, cy, size, bgr = item
            s = size * min(w, h)
            c = (cx * w, cy * h)
            diamond = np.array([(c[0], c[1] - s), (c[0] + 0.6 * s, c[1]), (c[0], c[1] + 1.2 * s), (c[0] - 0.6 * s, c[1])],
                               np.int32)
            cv2.fillPoly(layer, [diamond], 255, cv2.LINE_AA)
            tail = np.array([(c[0], c[1] + 1.2 * s), (c[0] - 0.3 * s, c[1] + 1.8 * s), (c[0] + 0.2 * s, c[1] + 2.3 * s),
                             (c[0] - 0.2 * s, c[1] + 2.9 * s)], np.int32)
            cv2.polylines(layer, [tail], False, 255, max(2, round(s / 25)), cv2.LINE_AA)
        elif kind == "text":
            _, text, x, y, scale, thickness = item
            bgr = (255, 255, 255)
            cv2.putText(layer, text, (round(x * w), round(y * h)), cv2.FONT_HERSHEY_SIMPLEX, scale * w / 1229, 255,
                        thickness, cv2.LINE_AA)
        a = layer.astype(np.float32)[:, :, None] / 255.0
        out = (out * (1 - a) + np.array(bgr, np.float32) * a).round().astype(np.uint8)
        where |= (layer > 0).astype(np.uint8)
    return out, where


def hole_of(shapes, painted: np.ndarray, grow: int, w: int, h: int) -> np.ndarray:
    hole = np.zeros((h, w), np.uint8)
    for s in shapes:
        if s[0] == "poly":
            cv2.fillPoly(hole, [to_px(s[1], w, h)], 1)
        elif s[0] == "ellipse":
            cv2.ellipse(hole, (round(s[1] * w), round(s[2] * h)), (round(s[3] * w), round(s[4] * h)), 0, 0, 360, 1, -1)
        elif s[0] == "line":
            cv2.polylines(hole, [to_px(s[1], w, h)], False, 1, s[2])
        elif s[0] == "painted":
            hole |= painted
        elif s[0] == "file":
            hole |= (cv2.imread(os.path.join(REPO, s[1]), cv2.IMREAD_GRAYSCALE) > 127).astype(np.uint8)
    if grow:
        hole = cv2.dilate(hole, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * grow + 1, 2 * grow + 1)))
    return hole


def psnr_in(a: np.ndarray, b: np.ndarray, hole: np.ndarray) -> float:
    d = (a.astype(np.float64) - b.astype(np.float64))[hole > 0]
    return float(10 * np.log10(255.0 ** 2 / max(float((d ** 2).mean()), 1e-10)))


def detail_ratio(img: np.ndarray, hole: np.ndarray, inset: int = 6, ring: int = 24) -> float:
    """How much fine detail the fill holds against its surround: the spread of the luminance above a sigma-2
    low-pass over the hole, less its outer `inset` px (the low-pass's reach, where the rim's own pixels leak in),
    divided by the same in a `ring` px band around the hole. Near 1 where the fill is as detailed as the photo
    around it; near 0 where it is a smooth patch in textured ground, which the eye reads as a ghost of the hole's
    outline."""
    grey = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY).astype(np.float32)
    detail = grey - cv2.GaussianBlur(grey, (0, 0), 2)
    disc = lambda r: cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
    inner = cv2.erode(hole, disc(inset)) > 0
    around = (cv2.dilate(hole, disc(ring)) > 0) & (hole == 0)
    if not inner.any() or not around.any():
        return float("nan")
    return float(detail[inner].std() / max(float(detail[around].std()), 1e-6))


def engine_fill(photo: str, mask: str, out: str, model: str, extra: list[str]) -> np.ndarray:
    cmd = ["node", os.path.join(REPO, "bin", "holefill.js"), "inpaint", photo, "--mask", mask, "-o", out, "--model", model,
           *extra]
    subprocess.run(cmd, check=True, cwd=REPO, stdout=subprocess.DEVNULL)
    return cv2.imread(out, cv2.IMREAD_COLOR)


def row_of(label: str, shown: np.ndarray, telea: np.ndarray, ours: np.ndarray, hole: np.ndarray, note: str,
           max_side: int = 520, max_width: int = 900) -> np.ndarray:
    """Input (hole outlined), Telea, ours: 100 % crops around the hole (the crop at most max_side a side)."""
    ys, xs = np.nonzero(hole)
    h, w = hole.shape
    cx, cy = (xs.min() + xs.max()) // 2, (ys.min() + ys.max()) // 2
    side_w = min(w, max_width, max(160, int((xs.max() - xs.min()) * 1.5)))
    side_h = min(h, max_side, max(160, int((ys.max() - ys.min()) * 1.5)))
    x0 = int(np.clip(cx - side_w // 2, 0, w - side_w))
    y0 = int(np.clip(cy - side_h // 2, 0, h - side_h))
    outline = shown.copy()
    contours, _ = cv2.findContours(hole, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    cv2.drawContours(outline, contours, -1, (0, 0, 255), 1)
    crops = [im[y0:y0 + side_h, x0:x0 + side_w] for im in (outline, telea, ours)]
    gap = np.full((side_h, 6, 3), 255, np.uint8)
    body = np.concatenate([crops[0], gap, crops[1], gap, crops[2]], 1)
    head = np.full((26, body.shape[1], 3), 255, np.uint8)
    cv2.putText(head, f"{label}{note}", (4, 18), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (0, 0, 0), 1, cv2.LINE_AA)
    return np.concatenate([head, body], 0)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", default=default_data_root())
    p.add_argument("--model", default=os.path.join(NATIVE, "pconv-unet.onnx"))
    p.add_argument("--engine-args", default="", help="more holefill inpaint options, e.g. '--infer-size 512'")
    p.add_argument("--out", default=os.path.join(NATIVE, "removal-sheet.jpg"))
    p.add_argument("--only", default="", help="comma-separated row numbers (from 1)")
    args = p.parse_args(argv)
    only = {int(x) for x in args.only.split(",") if x}
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n, (label, photo, painted_items, shapes, grow) in enumerate(REMOVALS, 1):
            if only and n not in only:
                continue
            path = os.path.join(REPO, photo) if photo.startswith("assets/") else os.path.join(args.data, photo)
            truth = cv2.imread(path, cv2.IMREAD_COLOR)
            hue = [i for i in painted_items if i[0] == "hue"]
            if hue:
                truth, _ = paint(truth, hue)
            shown, where = paint(truth, [i for i in painted_items if i[0] != "hue"])
            h, w = shown.shape[:2]
            hole = hole_of(shapes, where, grow, w, h)
            src, mask, out = (os.path.join(tmp, f"{n}-{k}.png") for k in ("photo", "mask", "ours"))
            cv2.imwrite(src, shown)
            cv2.imwrite(mask, hole * 255)
            ours = engine_fill(src, mask, out, args.model, args.engine_args.split())
            telea = cv2.inpaint(shown, hole * 255, 3, cv2.INPAINT_TELEA)
            note = ""
            detail = (f"detail inside / around: Telea {detail_ratio(telea, hole):.2f}, ours {detail_ratio(ours, hole):.2f}"
                      + (f", truth {detail_ratio(truth, hole):.2f}" if painted_items else ""))
            if painted_items and any(i[0] != "hue" for i in painted_items):
                note = (f"  (painted on, truth known: hole PSNR Telea {psnr_in(telea, truth, hole):.1f} dB, "
                        f"ours {psnr_in(ours, truth, hole):.1f} dB)")
                print(f"{n:2d} {label}: Telea {psnr_in(telea, truth, hole):.2f} dB, ours {psnr_in(ours, truth, hole):.2f} dB; {detail}")
            else:
                print(f"{n:2d} {label}: {int(hole.sum())} hole pixels ({100 * hole.mean():.1f} %); {detail}")
            rows.append(row_of(f"{n}. {label}", shown, telea, ours, hole, note))
    width = max(r.shape[1] for r in rows)
    head = np.full((30, width, 3), 255, np.uint8)
    ours = f"holefill inpaint {args.engine_args}" if args.engine_args else "holefill inpaint, defaults"
    cv2.putText(head, f"input (hole outlined in red) | OpenCV Telea | Holefill ({ours}) - 100 % zoom",
                (4, 20), cv2.FONT_HERSHEY_SIMPLEX, 0.55, (0, 0, 0), 1, cv2.LINE_AA)
    sheet = np.concatenate([head] + [np.pad(r, ((0, 8), (0, width - r.shape[1]), (0, 0)), constant_values=255)
                                     for r in rows], 0)
    cv2.imwrite(args.out, sheet, [cv2.IMWRITE_JPEG_QUALITY, 90] if args.out.endswith(".jpg") else [])
    print(f"sheet: {args.out} ({sheet.shape[1]}x{sheet.shape[0]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
