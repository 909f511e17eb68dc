"""Score the model on the validation photos, where every choice is made (never on eval/).

  cd native-models && /usr/bin/python3 -m pconv.validate [--checkpoint C | --onnx M] [--scales auto] [--variants ...]
                                                          [--sets photos,bsds] [--masks-per-photo 2,1] [--limit N]

Pairs: each photo of `val/photos/` (75) and BSDS500's `val-*` (100), made a 512x512 centre crop as evaluate.py does,
with held-out NVIDIA masks (two per photo and bin for val/photos, one for BSDS500), taken in turn from each bin's 200
starting past the 80 that evaluate.py pairs with its photos. For each pair and method: L1 (%), PSNR and SSIM over the whole image, as evaluate.py.

Reported, per set and hole-ratio bin, and over all pairs:
  * the bin means for each network variant, Telea and Navier-Stokes, and ours minus the better classical method;
  * case by case: the share of pairs more than 1 dB and more than 3 dB below the better of Telea and
    Navier-Stokes on that pair (a mean can hide a blob);
  * a sheet of the worst pairs (input, Telea, ours, truth), to look at after every change to the model or fill.

Variants run the same weights with another input parametrisation or size: `ctx=none|mean|smooth`,
`level=K` (the smooth base's cell, 2**K network pixels), `scale=256|512|1024|auto`, `upto=S` / `above=S` (only
pairs whose hole covers at most / more than S of the image), joined by '+', e.g.
`--variants scale=auto,ctx=mean+scale=512`. Without --variants the checkpoint's own settings run at each
of --scales. The classical fills are cached (runs/val-classical.json): they never change."""
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

from . import evaluate as protocol  # the crop, the metrics, the engine's fill path, the classical fills
from .data import HOLE_BINS, default_data_root
from .paths import NATIVE, REPO
from .unet import load_model

SETS = {"photos": ("val/photos/*", ""), "bsds": ("train/bsds500/val-*", "")}
# evaluate.py pairs photo k with held-out mask k of each bin (k < 80); these start past them.
MASK_OFFSET = 80
BELOW_1DB, BELOW_3DB = 1.0, 3.0


def list_set(root: str, name: str) -> list[str]:
    pattern, _ = SETS[name]
    return sorted(f for f in glob.glob(os.path.join(root, pattern)) if f.lower().endswith((".jpg", ".jpeg", ".png")))


def val_pairs(root: str, sets: list[str], masks_per_photo: list[int], limit: int = 0):
    """(set, photo path, mask path, bin) for every pair, in a fixed order."""
    masks = protocol.held_out_masks(root)
    index = MASK_OFFSET
    for set_name, per_photo in zip(sets, masks_per_photo):
        photos = list_set(root, set_name)
        if limit:
            photos = photos[:: max(1, len(photos) // limit)][:limit]
        for photo in photos:
            for b in range(len(HOLE_BINS)):
                for j in range(per_photo):
                    yield set_name, photo, masks[b][(index + j) % len(masks[b])], b
            index += per_photo


def parse_variant(text: str, default_scale: str) -> dict:
    v = {"name": text, "scale": default_scale}
    for part in filter(None, text.split("+")):
        key, _, value = part.partition("=")
        if key not in ("ctx", "level", "scale", "upto", "above"):
            raise SystemExit(f"unknown variant setting {key!r} in {text!r} (ctx, level, scale, upto, above)")
        v[key] = float(value) if key in ("upto", "above") else value
    return v


def classical(root: str, cache_path: str):
    cache = json.load(open(cache_path)) if os.path.exists(cache_path) else {}

    def fill(key: str, img: np.ndarray, hole: np.ndarray, want_images: bool):
        out = {}
        for name, flag in (("Telea", cv2.INPAINT_TELEA), ("Navier-Stokes", cv2.INPAINT_NS)):
            k = f"{key}|{name}"
            image = protocol.classical_fill(img, hole, flag) if want_images or k not in cache else None
            if k not in cache:
                cache[k] = protocol.metrics(image, img)
            out[name] = (cache[k], image)
        return out

    def save():
        os.makedirs(os.path.dirname(cache_path), exist_ok=True)
        tmp = cache_path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(cache, f)
        os.replace(tmp, cache_path)
    return fill, save


def validate(model, root: str, sets: list[str], masks_per_photo: list[int], variants: list[dict], limit: int = 0,
             cache_path: str = "", worst: int = 16, log=print) -> dict:
    fill_classical, save_cache = classical(root, cache_path or os.path.join(NATIVE, "runs", "val-classical.json"))
    rows = []          # one per pair: set, photo, mask, bin, {method: (l1, psnr, ssim)}
    kept = {}          # the images of the worst pairs so far, per variant
    base_context = (getattr(model, "context", "none"), getattr(model, "context_level", None))
    t0, n = time.time(), 0
    for set_name, photo, mask_path, b in val_pairs(root, sets, masks_per_photo, limit):
        img = protocol.load_eval_photo(photo)
        hole = (cv2.imread(mask_path, cv2.IMREAD_GRAYSCALE) > 127).astype(np.uint8)
        key = f"{os.path.basename(photo)}|{os.path.basename(mask_path)}"
        classic = fill_classical(key, img, hole, False)
        scores = {name: tuple(m) for name, (m, _) in classic.items()}
        best_classical = max(scores["Telea"][1], scores["Navier-Stokes"][1])
        for v in variants:
            share = float(hole.mean())
            if share > v.get("upto", 1.0) or share <= v.get("above", -1.0):
                continue  # a variant only some pairs need (the 'auto' replay: POLICY_VARIANTS)
            if hasattr(model, "context"):
                model.context = v.get("ctx", base_context[0])
                model.context_level = int(v.get("level", base_context[1]))
            size = protocol.auto_scale(hole) if v["scale"] == "auto" else int(v["scale"])
            out = protocol.model_fill(model, img, hole, size)
            scores[v["name"]] = protocol.metrics(out, img)
            gap = scores[v["name"]][1] - best_classical
            worst_list = kept.setdefault(v["name"], [])
            if len(worst_list) < worst or gap < worst_list[-1][0]:
                worst_list.append((gap, key, out))
                worst_list.sort(key=lambda t: t[0])
                del worst_list[worst:]
        rows.append({"set": set_name, "photo": os.path.basename(photo), "mask": os.path.basename(mask_path),
                     "bin": b, "share": float(hole.mean()), "depth": protocol.hole_depth(hole), "scores": scores})
        n += 1
        if n % 50 == 0:
            log(f"{n} pairs, {time.time() - t0:.0f}s")
            save_cache()
    save_cache()
    if hasattr(model, "context"):
        model.context, model.context_level = base_context
    return {"rows": rows, "worst": kept, "variants": [v["name"] for v in variants]}


def summarise(result: dict) -> dict:
    """Per set (and 'all') and bin: mean metrics per method, ours minus the better classical bin mean, and the
    shares of pairs more than 1 / 3 dB below the better classical fill of that pair."""
    out = {}
    groups = sorted({r["set"] for r in result["rows"]}) + ["all"]
    for g in groups:
        rows = [r for r in result["rows"] if g == "all" or r["set"] == g]
        per_bin = []
        for b in range(len(HOLE_BINS)):
            in_bin = [r for r in rows if r["bin"] == b]
            if not in_bin:
                per_bin.append(None)
                continue
            methods = sorted({m for r in in_bin for m in r["scores"]}, key=lambda m: (m in ("Telea", "Navier-Stokes"), m))
            means = {m: np.mean([r["scores"][m] for r in in_bin if m in r["scores"]], axis=0).tolist() for m in methods}
            entry = {"pairs": len(in_bin), "means": means, "variants": {}}
            for v in result["variants"]:
                with_v = [r for r in in_bin if v in r["scores"]]
                if not with_v:
                    continue
                vm = np.mean([r["scores"][v] for r in with_v], axis=0)
                cm = {m: np.mean([r["scores"][m] for r in with_v], axis=0) for m in ("Telea", "Navier-Stokes")}
                gaps = np.array([r["scores"][v][1] - max(r["scores"]["Telea"][1], r["scores"]["Navier-Stokes"][1])
                                 for r in with_v])
                entry["variants"][v] = {
                    "pairs": len(with_v),
                    "psnr_vs_best": float(vm[1] - max(cm["Telea"][1], cm["Navier-Stokes"][1])),
                    "ssim_vs_best": float(vm[2] - max(cm["Telea"][2], cm["Navier-Stokes"][2])),
                    "below_1db": float((gaps < -BELOW_1DB).mean()), "below_3db": float((gaps < -BELOW_3DB).mean())}
            per_bin.append(entry)
        overall = {}
        for v in result["variants"]:
            gaps = np.array([r["scores"][v][1] - max(r["scores"]["Telea"][1], r["scores"]["Navier-Stokes"][1])
                             for r in rows if v in r["scores"]])
            if not len(gaps):
                continue
            overall[v] = {"pairs": len(rows), "below_1db": float((gaps < -BELOW_1DB).mean()),
                          "below_3db": float((gaps < -BELOW_3DB).mean()), "mean_gap": float(gaps.mean()),
                          "worst_gap": float(gaps.min())}
        out[g] = {"bins": per_bin, "overall": overall}
    return out


# What the 'auto' replay needs, and no more: 512 everywhere, the magnified crop (1024) for holes of at most 30 %, 256
# above 30 % (a 1024 run costs four 512 ones).
POLICY_VARIANTS = "scale=512,scale=1024+upto=0.3,scale=256+above=0.3"


def auto_policies(rows: list[dict], smalls=(0.0, 0.05, 0.1, 0.2, 0.3), larges=(0.3, 0.4, 0.5, 0.6),
                  reach: float = protocol.AUTO_MAGNIFY_REACH) -> list[dict]:
    """'auto' (evaluate.py auto_scale: the crop magnified 2x when the hole fills at most `small` of it and no hole
    pixel lies more than `reach` pixels from a known one, 256 above `large`, else 512) replayed from rows scored at
    scale=1024, scale=512 and scale=256, for each pair of thresholds: the bins' PSNR and SSIM against the better
    classical method, and the case-by-case counts."""
    for r in rows:  # reports written before rows carried the share and the depth
        if "share" not in r or "depth" not in r:
            path = os.path.join(default_data_root(), "masks", "nvidia-irregular", r["mask"])
            hole = (cv2.imread(path, cv2.IMREAD_GRAYSCALE) > 127).astype(np.uint8)
            r["share"], r["depth"] = float(hole.mean()), protocol.hole_depth(hole)
    out = []
    for small in smalls:
        for large in larges:
            if large <= small:
                continue
            picked = []
            for r in rows:
                magnify = r["share"] <= small and r["depth"] <= reach
                v = next(n for n in r["scores"] if n.startswith(
                    "scale=256" if r["share"] > large else "scale=1024" if magnify else "scale=512"))
                picked.append({**r, "scores": {**r["scores"], "auto": r["scores"][v]}})
            s = summarise({"rows": picked, "variants": ["auto"]})["all"]
            bins = [e["variants"]["auto"] for e in s["bins"] if e]
            out.append({"small": small, "large": large, **s["overall"]["auto"],
                        "psnr_bins": [b["psnr_vs_best"] for b in bins], "ssim_bins": [b["ssim_vs_best"] for b in bins]})
    return out


def print_policies(policies: list[dict]) -> None:
    print("| magnify up to | 256 above | PSNR vs best classical per bin (dB) | SSIM vs best classical per bin | "
          "> 1 dB below | > 3 dB below | worst |")
    print("|---|---|---|---|---|---|---|")
    for p in policies:
        print(f"| {p['small']:.2f} | {p['large']:.2f} | " + " / ".join(f"{v:+.2f}" for v in p["psnr_bins"]) + " | " +
              " / ".join(f"{v:+.4f}" for v in p["ssim_bins"]) +
              f" | {100 * p['below_1db']:.1f} % | {100 * p['below_3db']:.1f} % | {p['worst_gap']:+.1f} dB |")


def markdown(summary: dict, result: dict, note: str) -> str:
    names = [f"{int(lo * 100)}-{int(hi * 100)}%" for lo, hi in HOLE_BINS]
    lines = [note, ""]
    for g, s in summary.items():
        pairs = sum(e["pairs"] for e in s["bins"] if e)
        lines += [f"### {g} ({pairs} pairs)", "",
                  "| variant | measure | " + " | ".join(names) + " | all |", "|---" * (len(names) + 3) + "|"]
        for v in result["variants"]:
            o = s["overall"].get(v)
            if o is None:
                continue
            cells = {"PSNR vs best classical (dB)": [f"{e['variants'][v]['psnr_vs_best']:+.2f}" if e and v in e["variants"] else "" for e in s["bins"]],
                     "SSIM vs best classical": [f"{e['variants'][v]['ssim_vs_best']:+.4f}" if e and v in e["variants"] else "" for e in s["bins"]],
                     "pairs > 1 dB below": [f"{100 * e['variants'][v]['below_1db']:.1f} %" if e and v in e["variants"] else "" for e in s["bins"]],
                     "pairs > 3 dB below": [f"{100 * e['variants'][v]['below_3db']:.1f} %" if e and v in e["variants"] else "" for e in s["bins"]]}
            totals = {"PSNR vs best classical (dB)": f"mean gap {o['mean_gap']:+.2f}",
                      "SSIM vs best classical": f"worst {o['worst_gap']:+.1f} dB",
                      "pairs > 1 dB below": f"{100 * o['below_1db']:.1f} %",
                      "pairs > 3 dB below": f"{100 * o['below_3db']:.1f} %"}
            for measure, row in cells.items():
                lines.append(f"| {v} | {measure} | " + " | ".join(row) + f" | {totals[measure]} |")
        lines.append("")
        lines += ["| method | " + " | ".join(f"{n} PSNR / SSIM" for n in names) + " |", "|---" * (len(names) + 1) + "|"]
        methods = list(next(e for e in s["bins"] if e)["means"])
        for m in methods:
            lines.append(f"| {m} | " + " | ".join(f"{e['means'][m][1]:.2f} / {e['means'][m][2]:.4f}" if e and m in e["means"] else ""
                                                    for e in s["bins"]) + " |")
        lines.append("")
    return "\n".join(lines)


def write_worst_sheet(result: dict, variant: str, root: str, path: str) -> None:
    """The worst pairs of one variant, a row each: input (hole white), Telea, ours, truth, with the PSNR gap."""
    rows = []
    by_key = {f"{r['photo']}|{r['mask']}": r for r in result["rows"]}
    files = {os.path.basename(f): f for s in SETS for f in list_set(root, s)}
    masks = {os.path.basename(f): f for f in glob.glob(os.path.join(root, "masks", "nvidia-irregular", "*.png"))}
    for gap, key, out in result["worst"][variant]:
        r = by_key[key]
        img = protocol.load_eval_photo(files[r["photo"]])
        hole = (cv2.imread(masks[r["mask"]], cv2.IMREAD_GRAYSCALE) > 127).astype(np.uint8)
        masked = np.where(hole[:, :, None] > 0, 255, img).astype(np.uint8)
        telea = protocol.classical_fill(img, hole, cv2.INPAINT_TELEA)
        tiles = [cv2.resize(t, (256, 256), interpolation=cv2.INTER_AREA) for t in (masked, telea, out, img)]
        row = np.concatenate(tiles, 1)
        label = f"{r['photo'][:34]} {r['mask']} {gap:+.1f} dB"
        cv2.putText(row, label, (6, 250), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (0, 0, 0), 3, cv2.LINE_AA)
        cv2.putText(row, label, (6, 250), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (255, 255, 255), 1, cv2.LINE_AA)
        rows.append(row)
    if rows:
        head = np.full((28, rows[0].shape[1], 3), 255, np.uint8)
        for i, name in enumerate(["input (hole white)", "Telea", "ours", "truth"]):
            cv2.putText(head, name, (i * 256 + 8, 20), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (0, 0, 0), 1, cv2.LINE_AA)
        Image.fromarray(np.concatenate([head] + rows, 0)).save(path, optimize=True)


def redraw_sheet(args) -> int:
    """The worst pairs of a finished report, filled again by the model (the report keeps scores, not images)."""
    report = json.load(open(args.sheet_from))
    rows = report["rows"]
    variant = args.variants.split(",")[0] if args.variants else next(
        m for m in rows[0]["scores"] if m not in ("Telea", "Navier-Stokes"))
    v = parse_variant(variant, "auto")
    gap = lambda r: r["scores"][variant][1] - max(r["scores"]["Telea"][1], r["scores"]["Navier-Stokes"][1])  # noqa: E731
    worst = sorted((r for r in rows if variant in r["scores"]), key=gap)[: args.worst]
    files = {os.path.basename(f): f for s in SETS for f in list_set(args.data, s)}
    masks = os.path.join(args.data, "masks", "nvidia-irregular")
    model = load_model(args.checkpoint) if not args.onnx else None
    kept = []
    from contextlib import nullcontext
    from .ort import OnnxModel
    with OnnxModel(args.onnx) if args.onnx else nullcontext(model) as m:
        for r in worst:
            img = protocol.load_eval_photo(files[r["photo"]])
            hole = (cv2.imread(os.path.join(masks, r["mask"]), cv2.IMREAD_GRAYSCALE) > 127).astype(np.uint8)
            size = protocol.auto_scale(hole) if v["scale"] == "auto" else int(v["scale"])
            kept.append((gap(r), f"{r['photo']}|{r['mask']}", protocol.model_fill(m, img, hole, size)))
    write_worst_sheet({"rows": rows, "worst": {variant: kept}}, variant, args.data, args.sheet)
    print(f"worst pairs of {variant}: {args.sheet}")
    return 0


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", default=default_data_root())
    p.add_argument("--checkpoint", default=os.path.join(NATIVE, "checkpoint", "pconv-unet.fp16.pt"))
    p.add_argument("--onnx", default="", help="score this ONNX graph through onnxruntime-node (what the app runs)")
    p.add_argument("--scales", default="auto", help="network sizes when no --variants are given")
    p.add_argument("--variants", default="", help="comma-separated: ctx=..+level=..+scale=..+upto=..+above=.. "
                   "(see above); 'policy': what the 'auto' replay (--policies) needs")
    p.add_argument("--sets", default="photos,bsds")
    p.add_argument("--masks-per-photo", default="2,1", help="per set, in --sets order")
    p.add_argument("--limit", type=int, default=0, help="photos per set, spread over the set (0: all)")
    p.add_argument("--out", default="", help="markdown report (printed in any case)")
    p.add_argument("--json", default="", help="every pair's scores")
    p.add_argument("--sheet", default=os.path.join(NATIVE, "runs", "val-worst.png"),
                   help="the worst pairs of the first variant ('' for none)")
    p.add_argument("--worst", type=int, default=16)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--texture", default="grain", choices=("grain", "patches", "off"),
                   help="the texture step after the network, as the engine's --texture")
    p.add_argument("--sheet-from", default="", help="a --json report: redraw the worst pairs' sheet of its first "
                   "variant (or --variants' first) with this model, without scoring again")
    p.add_argument("--policies", default="", help="replay 'auto' thresholds from a --json of scale=1024,512,256 "
                   "variants (no network runs)")
    args = p.parse_args(argv)
    if args.policies:
        rows = json.load(open(args.policies))["rows"]
        print_policies(auto_policies(rows))
        return 0
    torch.set_num_threads(args.threads)
    protocol.TEXTURE_KIND = args.texture
    if args.sheet_from:
        return redraw_sheet(args)
    sets = args.sets.split(",")
    per_photo = [int(x) for x in args.masks_per_photo.split(",")][: len(sets)]
    per_photo += [per_photo[-1]] * (len(sets) - len(per_photo))
    variants_text = POLICY_VARIANTS if args.variants == "policy" else args.variants
    texts = variants_text.split(",") if variants_text else [f"scale={s}" for s in args.scales.split(",")]
    variants = [parse_variant(t, "auto") for t in texts]
    if args.onnx:
        from .ort import OnnxModel
        if any(k in v for v in variants for k in ("ctx", "level")):
            raise SystemExit("ctx and level variants need the checkpoint (PyTorch); an ONNX graph has its own "
                             "(pconv.export --context makes one with another)")
        with OnnxModel(args.onnx) as model:
            result = validate(model, args.data, sets, per_photo, variants, args.limit, worst=args.worst)
        runs = f"`{os.path.relpath(args.onnx, REPO)}` run by onnxruntime-node"
    else:
        model = load_model(args.checkpoint)
        result = validate(model, args.data, sets, per_photo, variants, args.limit, worst=args.worst)
        meta = torch.load(args.checkpoint, map_location="cpu").get("meta", {})
        runs = (f"`{os.path.relpath(args.checkpoint, REPO)}` run by PyTorch "
                f"({meta.get('images_seen', '?')} training images, context {model.context})")
    summary = summarise(result)
    command = "/usr/bin/python3 -m pconv.validate " + " ".join(argv if argv is not None else sys.argv[1:])
    text = markdown(summary, result, f"Validation of {runs}: `{command.strip()}` ({time.strftime('%Y-%m-%d %H:%M')}).")
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"rows": result["rows"], "summary": summary}, f)
    if args.sheet:
        os.makedirs(os.path.dirname(os.path.abspath(args.sheet)), exist_ok=True)
        write_worst_sheet(result, result["variants"][0], args.data, args.sheet)
        print(f"worst pairs of {result['variants'][0]}: {args.sheet}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
