"""Evaluate the model with the protocol of ../shared/data/README.md and write native-models/EVAL.md.

  cd native-models && /usr/bin/python3 -m pconv.evaluate [--checkpoint C] [--scales 256,512,auto] [--sets sun-hays80,kodak24]

Each eval photo is resized so its short side is 512 (Lanczos) and centre-cropped to 512x512; it is paired
with one held-out NVIDIA mask per hole-ratio bin (mask k of the bin's 200 for photo k, so every pair is fixed);
the model runs on the whole 512 image scaled to S (as the engine does for a crop of that size), its prediction
is scaled back and composited in the hole; L1 (%), PSNR and SSIM are computed over the whole image and
averaged per bin, for the model at each scale S and for OpenCV's Telea and Navier-Stokes on the same pairs."""
from __future__ import annotations

import argparse
import glob
import json
import os
import sys
import time

import cv2
import numpy as np
import torch
from PIL import Image
from skimage.metrics import structural_similarity

from .data import HOLE_BINS, default_data_root, downscale_hole, is_held_out_mask, mask_bin
from .paths import NATIVE, REPO
from . import texture as textures
from .texture import texture_fill
from .unet import MAGNIFIED_SMOOTHING_SIGMA, OUTPUT_SMOOTHING_SIGMA, engine_prediction, load_model, smoothing_kernel

BIN_NAMES = [f"{int(lo * 100)}-{int(hi * 100)}%" for lo, hi in HOLE_BINS]


def load_eval_photo(path: str, side: int = 512) -> np.ndarray:
    img = Image.open(path).convert("RGB")
    s = side / min(img.size)
    img = img.resize((max(side, round(img.width * s)), max(side, round(img.height * s))), Image.LANCZOS)
    x, y = (img.width - side) // 2, (img.height - side) // 2
    return np.asarray(img.crop((x, y, x + side, y + side)))


def held_out_masks(root: str) -> list[list[str]]:
    files = sorted(glob.glob(os.path.join(root, "masks", "nvidia-irregular", "*.png")))
    bins: list[list[str]] = [[] for _ in HOLE_BINS]
    for f in files:
        if is_held_out_mask(f):
            bins[mask_bin(f)].append(f)
    return bins


def metrics(out: np.ndarray, gt: np.ndarray) -> tuple[float, float, float]:
    diff = out.astype(np.float64) - gt.astype(np.float64)
    l1 = float(np.abs(diff).mean() / 255.0 * 100.0)
    mse = float((diff ** 2).mean())
    psnr = float(10 * np.log10(255.0 ** 2 / max(mse, 1e-10)))
    ssim = float(structural_similarity(out, gt, channel_axis=2, data_range=255))
    return l1, psnr, ssim


def known_resize(img: np.ndarray, hole: np.ndarray, side: int) -> np.ndarray:
    """The image scaled to side x side with only its known pixels weighing (as a partial convolution would, and as
    the engine does with the hole as transparency): the pixels under the hole have no say in the fill."""
    known = (1 - hole).astype(np.float32)
    # A triangle filter with its support widened by the reduction, as libvips' 'linear' (the engine's) and PIL's
    # BILINEAR are: no negative lobes (main/engine/fill/pipeline.ts cutAndScale says why).
    def shrink(plane: np.ndarray) -> np.ndarray:
        return np.asarray(Image.fromarray(plane, mode="F").resize((side, side), Image.BILINEAR))
    num = np.stack([shrink(np.ascontiguousarray(img[:, :, c].astype(np.float32) * known)) for c in range(3)], -1)
    den = shrink(known)[:, :, None]
    out = np.where(den > 1e-6, num / np.maximum(den, 1e-6), 0.0)
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


# The texture step after the network, as the engine's --texture: 'grain' (the default, pconv/texture.py), 'patches'
# (pconv/patches.py) or 'off'. pconv.validate --texture sets it.
TEXTURE_KIND = "grain"


@torch.no_grad()
def model_fill(model, img: np.ndarray, hole: np.ndarray, scale: int, texture: bool | str | None = None) -> np.ndarray:
    """The engine's path for one crop: scale image and hole to `scale`, predict, scale back, composite. At twice the
    image's size it is the engine's magnified crop (main/engine/fill/enlarge.ts): image and hole each pixel repeated 2x2."""
    h, w = hole.shape
    magnified = scale == 2 * w
    if magnified:
        small = np.repeat(np.repeat(img, 2, 0), 2, 1)
        small_hole = np.repeat(np.repeat(hole, 2, 0), 2, 1)
    else:
        small = known_resize(img, hole, scale) if scale != w else img
        small_hole = downscale_hole(hole, (scale, scale)) if scale != w else hole
    x = torch.from_numpy(small.astype(np.float32).transpose(2, 0, 1)[None] / 255.0)
    m = torch.from_numpy((1.0 - small_hole.astype(np.float32))[None, None])
    # A PyTorch checkpoint runs as the exported graph would (mirror-averaged); an ONNX model is that graph.
    pred = engine_prediction(model, x, m) if isinstance(model, torch.nn.Module) else model(x, m).clamp(0, 1)
    pred = pred[0].numpy().transpose(1, 2, 0) * 255.0
    # As the engine enlarges it (main/engine/fill/enlarge.ts): smoothed (pconv/unet.py OUTPUT_SMOOTHING_SIGMA, twice as
    # wide when magnified), 8-bit, then INTER_LINEAR.
    k = np.array(smoothing_kernel(MAGNIFIED_SMOOTHING_SIGMA if magnified else OUTPUT_SMOOTHING_SIGMA), np.float32)
    pred = np.clip(np.rint(cv2.sepFilter2D(np.ascontiguousarray(pred), -1, k, k, borderType=cv2.BORDER_REFLECT_101)), 0, 255)
    if scale != w:
        pred = cv2.resize(pred, (w, h), interpolation=cv2.INTER_LINEAR)  # as the engine enlarges it (main/engine/fill/enlarge.ts)
    pred = np.clip(np.rint(pred), 0, 255).astype(np.uint8)
    out = np.where(hole[:, :, None] > 0, pred, img)
    # The grain copied from around the hole (pconv/texture.py; the engine's main/engine/fill/texture.ts).
    kind = (TEXTURE_KIND if textures.TEXTURE else "off") if texture is None else texture
    if isinstance(kind, bool):
        kind = "grain" if kind else "off"
    if kind == "patches":
        from .patches import patches_fill
        return patches_fill(img, hole, out)
    return texture_fill(img, hole, out) if kind == "grain" else out


# The engine's 'auto' inference size (main/engine/fill/pipeline.ts): 512; 256 when the hole fills more than
# AUTO_LARGE_HOLE_SHARE of the crop the network sees; the crop magnified 2x (here the whole 512 image at 1024, see
# model_fill) when the hole fills at most AUTO_SMALL_HOLE_SHARE and no hole pixel lies more than AUTO_MAGNIFY_REACH
# pixels from a known one. Chosen on the validation photos (model card, Inference scale): dropped in session 10 (on
# that model it made the worst pairs worse), back in session 12 for thin and irregular holes, where on the
# 512-crop-trained model it made every bin up to 30 % and the worst pairs better; compact objects (pconv.objects'
# blobs) it made worse.
AUTO_LARGE_HOLE_SHARE = 0.5
AUTO_SMALL_HOLE_SHARE = 0.3
AUTO_MAGNIFY_REACH = 32


def hole_depth(hole: np.ndarray) -> float:
    """How far the deepest hole pixel lies from a known one, on either axis (the engine's tile-holes.ts holesWithin)."""
    return float(cv2.distanceTransform((hole > 0).astype(np.uint8), cv2.DIST_C, 3).max())


def auto_scale(hole: np.ndarray) -> int:
    share = float(hole.mean())
    if share > AUTO_LARGE_HOLE_SHARE:
        return 256
    return 1024 if share <= AUTO_SMALL_HOLE_SHARE and hole_depth(hole) <= AUTO_MAGNIFY_REACH else 512


def classical_fill(img: np.ndarray, hole: np.ndarray, method: int) -> np.ndarray:
    bgr = cv2.cvtColor(img, cv2.COLOR_RGB2BGR)
    out = cv2.inpaint(bgr, hole.astype(np.uint8) * 255, 3, method)
    return cv2.cvtColor(out, cv2.COLOR_BGR2RGB)


def pairs(root: str, set_name: str, limit: int = 0):
    photos = sorted(f for f in glob.glob(os.path.join(root, "eval", set_name, "*")) if not f.endswith(".md"))
    if limit:
        photos = photos[:limit]
    masks = held_out_masks(root)
    for k, photo in enumerate(photos):
        for b in range(len(HOLE_BINS)):
            yield photo, masks[b][k % len(masks[b])], b


def evaluate(model, root: str, sets: list[str], scales: list, limit: int = 0, sheet: str = "",
             log=print) -> dict:
    methods = [f"PConv@{s}" for s in scales] + ["Telea", "Navier-Stokes"]
    shown = "PConv@auto" if "PConv@auto" in methods else methods[0]  # the contact sheet's PConv column
    results = {s: {m: [[] for _ in HOLE_BINS] for m in methods} for s in sets}
    times = {m: 0.0 for m in methods}
    sheet_rows = []
    for set_name in sets:
        t0 = time.time()
        for n, (photo, mask_path, b) in enumerate(pairs(root, set_name, limit)):
            img = load_eval_photo(photo)
            hole = (cv2.imread(mask_path, cv2.IMREAD_GRAYSCALE) > 127).astype(np.uint8)
            outs = {}
            for s, name in zip(scales, methods):
                t = time.time()
                size = auto_scale(hole) if s == "auto" else s
                done = outs.get(f"PConv@{size}")
                outs[name] = done if done is not None else model_fill(model, img, hole, size)
                times[name] += time.time() - t
            for name, flag in (("Telea", cv2.INPAINT_TELEA), ("Navier-Stokes", cv2.INPAINT_NS)):
                t = time.time()
                outs[name] = classical_fill(img, hole, flag)
                times[name] += time.time() - t
            for name, out in outs.items():
                results[set_name][name][b].append(metrics(out, img))
            if sheet and set_name == sets[0] and b == len(HOLE_BINS) - 1 and len(sheet_rows) < 6:
                masked = np.where(hole[:, :, None] > 0, 255, img).astype(np.uint8)
                sheet_rows.append([masked, outs["Telea"], outs[shown], img])
            if (n + 1) % 60 == 0:
                log(f"{set_name}: {n + 1} pairs, {time.time() - t0:.0f}s")
    if sheet and sheet_rows:
        write_sheet(sheet_rows, sheet, ["input", "Telea", shown, "original"])
    summary = {s: {m: [np.mean(v, axis=0).tolist() if v else None for v in per_bin]
                   for m, per_bin in r.items()} for s, r in results.items()}
    counts = {s: [len(v) for v in r[methods[0]]] for s, r in results.items()}
    return {"summary": summary, "counts": counts, "methods": methods, "seconds": times}


def write_sheet(rows, path: str, headers: list[str]) -> None:
    tile = 256
    grid = np.concatenate([np.concatenate([cv2.resize(im, (tile, tile), interpolation=cv2.INTER_AREA)
                                           for im in row], 1) for row in rows], 0)
    head = np.full((28, grid.shape[1], 3), 255, np.uint8)
    for i, h in enumerate(headers):
        cv2.putText(head, h, (i * tile + 8, 20), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (0, 0, 0), 1, cv2.LINE_AA)
    Image.fromarray(np.concatenate([head, grid], 0)).save(path, optimize=True)


def markdown(result: dict, command: str, model_note: str) -> str:
    lines = ["# Evaluation", "", model_note, "",
             f"Made by `{command}` ({time.strftime('%Y-%m-%d')}).", "",
             "Protocol: `../shared/data/README.md` (512x512 centre crops, held-out NVIDIA masks, one per photo and",
             "hole-ratio bin, composite in the hole, metrics over the whole image). **Bold**: the best of the row's",
             "methods. `PConv@S`: the network run on the image scaled to SxS, its prediction smoothed (Gaussian,",
             "sigma 1 network pixel, 2 on the magnified image: one photo pixel; as the engine does) and scaled back;",
             "`PConv@auto`: the app's default: 256 when the hole covers more than 50 % of the image, 1024 (the",
             "image magnified 2x, each pixel repeated) when it covers at most 30 % and no hole pixel lies more than",
             "32 px from a known one, else 512.", ""]
    methods = result["methods"]
    for set_name, per_method in result["summary"].items():
        lines += [f"## {set_name} ({sum(result['counts'][set_name])} pairs)", ""]
        for k, metric in enumerate(["L1 (%) lower is better", "PSNR (dB)", "SSIM"]):
            lines += [f"### {metric}", "", "| hole ratio | " + " | ".join(methods) + " |",
                      "|---" * (len(methods) + 1) + "|"]
            for b, name in enumerate(BIN_NAMES):
                vals = [per_method[m][b][k] if per_method[m][b] else float("nan") for m in methods]
                best = min(vals) if k == 0 else max(vals)
                digits = (3, 2, 4)[k]  # SSIM to four places: the methods differ in the fourth
                cells = [f"**{v:.{digits}f}**" if v == best else f"{v:.{digits}f}" for v in vals]
                lines.append(f"| {name} | " + " | ".join(cells) + " |")
            lines.append("")
    secs = result["seconds"]
    lines += ["Seconds spent per method over all pairs (this machine, 2 threads): " +
              ", ".join(f"{m} {s:.0f}" for m, s in secs.items()), ""]
    return "\n".join(lines)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", default=default_data_root())
    p.add_argument("--checkpoint", default=os.path.join(NATIVE, "checkpoint", "pconv-unet.fp16.pt"))
    p.add_argument("--onnx", default="", help="evaluate this ONNX graph through onnxruntime-node (what the app "
                   "runs) instead of the checkpoint in PyTorch; the checkpoint still names the training figures")
    p.add_argument("--scales", default="256,512,auto", help="network sizes, and 'auto': the engine's per-hole "
                   "choice (512; 256 above AUTO_LARGE_HOLE_SHARE holes, 1024 up to AUTO_SMALL_HOLE_SHARE if AUTO_MAGNIFY_REACH deep)")
    p.add_argument("--sets", default="sun-hays80,kodak24")
    p.add_argument("--limit", type=int, default=0, help="photos per set (0: all)")
    p.add_argument("--out", default=os.path.join(NATIVE, "EVAL.md"))
    p.add_argument("--json", default=os.path.join(NATIVE, "eval.json"))
    p.add_argument("--sheet", default=os.path.join(NATIVE, "contact-sheet.png"))
    args = p.parse_args(argv)
    torch.set_num_threads(2)
    ckpt = torch.load(args.checkpoint, map_location="cpu")
    ckpt_meta = ckpt.get("meta", {})
    scales = [s if s == "auto" else int(s) for s in args.scales.split(",")]
    if args.onnx:
        from .ort import OnnxModel
        with OnnxModel(args.onnx) as model:
            result = evaluate(model, args.data, args.sets.split(","), scales, limit=args.limit, sheet=args.sheet)
        runs = f"`{os.path.relpath(args.onnx, REPO)}` run by onnxruntime-node"
    else:
        model = load_model(args.checkpoint)
        result = evaluate(model, args.data, args.sets.split(","), scales, limit=args.limit, sheet=args.sheet)
        runs = "the checkpoint run by PyTorch"
    note = (f"Model: {runs}; trained weights `{os.path.relpath(args.checkpoint, REPO)}`, "
            f"width {ckpt['width']}, "
            f"{ckpt_meta.get('images_seen', '?')} training images seen, "
            f"{ckpt_meta.get('train_seconds', 0) / 3600:.2f} h of training.")
    command = "/usr/bin/python3 -m pconv.evaluate " + " ".join(argv if argv is not None else sys.argv[1:])
    with open(args.out, "w") as f:
        f.write(markdown(result, command.strip(), note))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)
    print(open(args.out).read())
    return 0


if __name__ == "__main__":
    sys.exit(main())
