"""Train the PConv U-Net on this machine's CPU, within a wall-clock budget, resumably.

  cd native-models && /usr/bin/python3 -m pconv.train --minutes 90 --loss full --resume checkpoint/pconv-unet.fp16.pt

Progress lines carry every loss term and images/s. Every --checkpoint-minutes the full state goes to
RUN_DIR/last.pt (fp32 with Adam's moments, for resuming on this machine) and the fp16 weights go to
--ship (the small file committed to the repository, from which a later session continues)."""
from __future__ import annotations

import argparse
import math
import os
import random
import sys
import time

import numpy as np
import torch

from .data import CACHE_SIDE, InpaintingData, default_data_root, list_photos, load_nvidia_masks, load_photo
from .losses import WEIGHTS, InpaintingLoss
from .paths import NATIVE
from .unet import CONTEXT_LEVEL, PConvUNet


def crop_sizes(text: str) -> list[int]:
    """'256' or '256,512': positive crop sides, multiples of 8 (the encoder's first levels halve them exactly)."""
    try:
        sizes = [int(c) for c in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a crop side or a list of them, e.g. 256 or 256,512")
    if not sizes or any(c < 64 or c % 8 for c in sizes):
        raise argparse.ArgumentTypeError(f"{text!r}: each crop side must be at least 64 and a multiple of 8")
    return sizes


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", default=default_data_root())
    p.add_argument("--minutes", type=float, default=60.0, help="wall-clock budget for this run")
    p.add_argument("--max-steps", type=int, default=0, help="stop after this many steps (smoke tests)")
    p.add_argument("--crop", type=crop_sizes, default=[128],
                   help="crop side; a list (256,512) alternates the sizes step by step, the batch shrinking "
                        "with the crop's area so every step costs about the same")
    p.add_argument("--batch", type=int, default=8, help="the batch of the first crop size")
    p.add_argument("--width", type=float, default=0.5, help="channel width multiplier (new models only)")
    p.add_argument("--stage", type=int, choices=(1, 2), default=1,
                   help="1: lr 2e-4 with batch norm; 2: lr 5e-5, encoder batch norm frozen")
    p.add_argument("--lr", type=float, default=0.0, help="override the stage's learning rate")
    p.add_argument("--schedule", choices=("constant", "cosine"), default="constant",
                   help="cosine: decay to a tenth of the lr over the budget")
    p.add_argument("--loss", choices=("pixel", "full"), default="full",
                   help="full: the paper's loss; pixel: valid/hole/tv only (cheap warm-up)")
    p.add_argument("--style-weight", type=float, default=WEIGHTS["style"],
                   help="the paper's 120 was tuned for VGG16's feature scale; see the model card")
    p.add_argument("--perceptual-weight", type=float, default=WEIGHTS["perceptual"])
    p.add_argument("--colour-weight", type=float, default=WEIGHTS["colour"],
                   help="weight of the hole's cell-mean colour L1 (losses.hole_colour; 0: off, the paper's loss)")
    p.add_argument("--tv-weight", type=float, default=WEIGHTS["tv"],
                   help="smoothness in the hole; above the paper's 0.1 it suppresses the decoder's checkerboard "
                        "(see the model card)")
    p.add_argument("--small-hole-share", type=float, default=0.0,
                   help="share of samples whose hole covers at most 20 %% (on top of those the uniform bins give)")
    p.add_argument("--context", choices=("keep", "none", "mean", "smooth", "harmonic"), default="keep",
                   help="the input parametrisation (pconv/unet.py CONTEXTS); keep: the resumed checkpoint's")
    p.add_argument("--context-level", type=int, default=0, help="the smooth base's cell, 2**K pixels (0: keep)")
    p.add_argument("--colour-share", type=float, default=0.0,
                   help="share of crops recoloured (hue, saturation, gamma, brightness, contrast)")
    p.add_argument("--blur-share", type=float, default=0.0, help="share of crops defocused (Gaussian blur)")
    p.add_argument("--resume", default="", help="a last.pt of a run or a shipped fp16 checkpoint")
    p.add_argument("--run-dir", default=os.path.join(NATIVE, "runs", "main"))
    p.add_argument("--ship", default=os.path.join(NATIVE, "checkpoint", "pconv-unet.fp16.pt"),
                   help="where the fp16 weights are written at every checkpoint ('' for none)")
    p.add_argument("--checkpoint-minutes", type=float, default=5.0)
    p.add_argument("--snapshots", action="store_true",
                   help="also keep the fp16 weights of every checkpoint (RUN_DIR/images-N.fp16.pt), to choose one on "
                        "validation (pconv/validate.py)")
    p.add_argument("--warmup-steps", type=int, default=100,
                   help="linear lr warm-up: Adam's first steps move every weight by about lr, whatever the gradient")
    p.add_argument("--max-photos", type=int, default=0, help="use only this many photos (smoke tests)")
    p.add_argument("--max-masks", type=int, default=0)
    p.add_argument("--precision", choices=("bf16", "fp32"), default="bf16",
                   help="bf16: both networks under CPU autocast (masks, Gram sums and Adam stay fp32): 1.8x the "
                        "images/s of fp32 on a CPU with AVX512-BF16")
    p.add_argument("--feature-every", type=int, default=1,
                   help="compute the perceptual and style terms on one step in N, weighted N times (the same loss in "
                        "expectation; the feature network is two thirds of a step's time)")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--log-every", type=int, default=50)
    return p.parse_args(argv)


def atomic_save(obj, path: str) -> None:
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = path + ".tmp"
    torch.save(obj, tmp)
    os.replace(tmp, path)


def validation_set(root: str, n: int = 24, size: int = 256):
    """Fixed pairs from BSDS500's val split (kept out of training) for a quick signal while training;
    checkpoint choice on the eval sets is not allowed."""
    from .data import random_hole
    rng = random.Random(1234)
    imgs, masks = [], []
    for path in list_photos(root, "val")[:n]:
        img = load_photo(path, size)
        h, w = img.shape[:2]
        y, x = (h - size) // 2, (w - size) // 2
        imgs.append(img[y:y + size, x:x + size])
        masks.append(1 - random_hole(size, rng))
    x = torch.from_numpy(np.stack(imgs).astype(np.float32).transpose(0, 3, 1, 2) / 255.0)
    m = torch.from_numpy(np.stack(masks).astype(np.float32)[:, None])
    return x, m


@torch.no_grad()
def validate(model, val) -> dict[str, float]:
    x, m = val
    was_training = model.training
    model.eval()
    pred = model(x, m).clamp(0, 1)
    comp = m * x + (1 - m) * pred
    mse = ((comp - x) ** 2).mean(dim=(1, 2, 3))
    model.train(was_training)
    return {"val_l1_hole": float(((1 - m) * (pred - x)).abs().sum() / (1 - m).sum() / 3),
            "val_psnr": float((10 * torch.log10(1.0 / mse)).mean())}


def main(argv=None) -> int:
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    started = time.time()

    meta = {"images_seen": 0, "train_seconds": 0.0, "sessions": []}
    state = None
    context, context_level = "none", CONTEXT_LEVEL
    if args.resume:
        state = torch.load(args.resume, map_location="cpu")
        meta.update(state.get("meta", {}))
        width = state["width"]
        context, context_level = state.get("context", context), state.get("context_level", context_level)
    else:
        width = args.width
    if args.context != "keep":
        context = args.context
    context_level = args.context_level or context_level
    model = PConvUNet(width=width, context=context, context_level=context_level)
    if state is not None:
        model.load_state_dict({k: v.float() for k, v in state["model"].items()})
    model.train()
    if args.stage == 2:
        model.freeze_encoder_bn()
    lr = args.lr or (2e-4 if args.stage == 1 else 5e-5)
    opt = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=lr)
    same_kind = {state.get("context", "none"), context} <= {"smooth", "harmonic"} if state is not None else False
    if state is not None and "optimizer" in state and state.get("stage") == args.stage \
            and (state.get("context", "none") == context or same_kind):  # another smooth base: the same weights' moments
        try:
            opt.load_state_dict(state["optimizer"])
            for g in opt.param_groups:
                g["lr"] = lr
        except ValueError:
            print("optimizer state does not fit; starting Adam afresh", flush=True)

    features = None
    if args.loss == "full":
        from .features import load_features
        features = load_features()
    criterion = InpaintingLoss(features, {"style": args.style_weight, "perceptual": args.perceptual_weight,
                                          "tv": args.tv_weight, "colour": args.colour_weight})

    t0 = time.time()
    crops = args.crop
    batches = [max(1, round(args.batch * (crops[0] / c) ** 2)) for c in crops]
    # Larger crops keep the same content scale per pixel, so they need a larger cached photo.
    # (A 512 crop shows a photo at a short side of 448-640, around the validation's 512.)
    cache_side = max(CACHE_SIDE, round(max(crops) * 1.25))
    photos = [load_photo(p, cache_side) for p in list_photos(args.data)[: args.max_photos or None]]
    masks = load_nvidia_masks(args.data, held_out=False, limit=args.max_masks or None)
    val = validation_set(args.data, n=4 if args.max_photos else 24)
    print(f"data: {len(photos)} photos, {len(masks)} NVIDIA masks (held-out ones excluded), "
          f"loaded in {time.time() - t0:.0f}s; width {width}, stage {args.stage}, lr {lr:g}, loss {args.loss}, "
          f"style weight {args.style_weight:g}, perceptual weight {args.perceptual_weight:g}, tv weight {args.tv_weight:g}, "
          f"colour weight {args.colour_weight:g}, "
          f"crops {crops}, batches {batches}, photo cache {cache_side}, small-hole share {args.small_hole_share:g}, context {context}"
          f"{f' (level {context_level})' if context in ('smooth', 'harmonic') else ''}, colour share {args.colour_share:g}, "
          f"blur share {args.blur_share:g}, resumed at {meta['images_seen']} images", flush=True)
    feeds = [InpaintingData(photos, masks, crop=c, small_hole_share=args.small_hole_share,
                            colour_share=args.colour_share, blur_share=args.blur_share,
                            scale_range=(224 * c // 256, min(448 * c // 256, cache_side)), seed=args.seed + meta["images_seen"] + i)
             for i, c in enumerate(crops)]

    def checkpoint(tag: str) -> None:
        meta["train_seconds"] = session_base_seconds + (time.time() - loop_start)
        arch = {"width": width, "context": context, "context_level": context_level}
        full = {**arch, "stage": args.stage, "meta": meta, "model": model.state_dict(),
                "optimizer": opt.state_dict()}
        atomic_save(full, os.path.join(args.run_dir, "last.pt"))
        if args.ship or args.snapshots:
            half = {**arch, "stage": args.stage, "meta": meta,
                    "model": {k: (v.half() if v.is_floating_point() else v) for k, v in model.state_dict().items()}}
        if args.ship:
            atomic_save(half, args.ship)
        if args.snapshots:
            atomic_save(half, os.path.join(args.run_dir, f"images-{meta['images_seen']}.fp16.pt"))
        v = validate(model, val)
        print(f"checkpoint ({tag}): images {meta['images_seen']}, val PSNR {v['val_psnr']:.2f} dB, "
              f"val hole L1 {v['val_l1_hole']:.4f}", flush=True)

    budget = args.minutes * 60.0 - (time.time() - started)
    session_base_seconds = meta["train_seconds"]
    meta["sessions"].append({"started": time.strftime("%Y-%m-%d %H:%M"), "stage": args.stage, "lr": lr,
                             "loss": args.loss, "crop": args.crop, "batch": args.batch,
                             "style_weight": args.style_weight, "perceptual_weight": args.perceptual_weight,
                             "tv_weight": args.tv_weight, "colour_weight": args.colour_weight, "small_hole_share": args.small_hole_share,
                             "context": context, "context_level": context_level,
                             "colour_share": args.colour_share, "blur_share": args.blur_share,
                             "precision": args.precision, "feature_every": args.feature_every})
    loop_start = last_ckpt = last_log = time.time()
    step, seen_at_log, sums = 0, meta["images_seen"], {}
    while True:
        elapsed = time.time() - loop_start
        if elapsed >= budget or (args.max_steps and step >= args.max_steps):
            break
        rate = lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, elapsed / budget)))) \
            if args.schedule == "cosine" else lr
        for g in opt.param_groups:
            g["lr"] = rate * min(1.0, (step + 1) / max(1, args.warmup_steps))
        which = step % len(crops)
        x, m = (torch.from_numpy(a) for a in feeds[which].batch(batches[which]))
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.precision == "bf16"):
            pred = model(x, m)
            on = step % args.feature_every == 0
            terms = criterion(pred.float(), x, m, feature_scale=args.feature_every if on else 0.0)
        opt.zero_grad(set_to_none=True)
        terms["total"].backward()
        opt.step()
        step += 1
        meta["images_seen"] += batches[which]
        for k, v in terms.items():
            total, n = sums.get(k, (0.0, 0))
            sums[k] = (total + float(v), n + 1)
        if step % args.log_every == 0:
            now = time.time()
            rate = (meta["images_seen"] - seen_at_log) / (now - last_log)
            avg = " ".join(f"{k} {total / n:.4f}" for k, (total, n) in sums.items())
            print(f"step {step} images {meta['images_seen']} {rate:.1f} img/s lr {opt.param_groups[0]['lr']:.2e} "
                  f"| {avg}", flush=True)
            sums, last_log, seen_at_log = {}, now, meta["images_seen"]
        if time.time() - last_ckpt >= args.checkpoint_minutes * 60:
            checkpoint("periodic")
            last_ckpt = time.time()
    checkpoint("final")
    return 0


if __name__ == "__main__":
    sys.exit(main())
