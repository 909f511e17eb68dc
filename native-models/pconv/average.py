"""Average the weights of several snapshots of one run (Polyak averaging, as SWA does at the end of training).

  cd native-models && /usr/bin/python3 -m pconv.average --out runs/avg.fp16.pt runs/s18/images-*.fp16.pt

At a small constant learning rate the snapshots of a run wander around a plateau: one is better on the validation
means, the next on its worst pairs. Their mean sits nearer the plateau's centre. The snapshots must share the
architecture and the context (checked); batch-norm statistics are averaged like the weights (the encoder's are frozen
in stage 2, the decoder's move slowly at this learning rate). The result is an fp16 checkpoint like the snapshots,
whose history is the last snapshot's with the averaged ones listed."""
from __future__ import annotations

import argparse
import os
import sys

import torch

from .train import atomic_save

ARCH = ("width", "context", "context_level", "stage")


def load_snapshot(path: str) -> dict:
    try:
        state = torch.load(path, map_location="cpu")
    except Exception as e:  # noqa: BLE001 - missing, truncated or not a checkpoint: say which file
        raise SystemExit(f"{path}: not a readable snapshot ({type(e).__name__}: {e})") from e
    if not isinstance(state, dict) or "model" not in state or "meta" not in state:
        raise SystemExit(f"{path}: not a training snapshot (no weights and history in it)")
    return state


def average(paths: list[str]) -> dict:
    states = [load_snapshot(p) for p in paths]
    first = states[0]
    for p, s in zip(paths, states):
        if any(s.get(k) != first.get(k) for k in ARCH):
            raise SystemExit(f"{p}: {[(k, s.get(k)) for k in ARCH]} differs from {paths[0]}: "
                             f"{[(k, first.get(k)) for k in ARCH]}; only snapshots of one model can be averaged")
        if s["model"].keys() != first["model"].keys():
            raise SystemExit(f"{p}: its weights are not the same set as {paths[0]}'s")
    model = {}
    for k, v in first["model"].items():
        if v.is_floating_point():
            model[k] = (sum(s["model"][k].float() for s in states) / len(states)).to(v.dtype)
        else:  # counters (num_batches_tracked): the last snapshot's
            model[k] = states[-1]["model"][k]
    last = max(states, key=lambda s: s["meta"]["images_seen"])
    meta = {**last["meta"], "averaged": [{"file": os.path.basename(p), "images_seen": s["meta"]["images_seen"]}
                                         for p, s in zip(paths, states)]}
    return {**{k: first[k] for k in ARCH if k in first}, "meta": meta, "model": model}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("snapshots", nargs="+", help="fp16 snapshots (or last.pt files) of one run")
    p.add_argument("--out", required=True)
    args = p.parse_args(argv)
    if len(args.snapshots) < 2:
        p.error("give at least two snapshots")
    out = average(args.snapshots)
    atomic_save(out, args.out)
    print(f"{args.out}: the mean of {len(args.snapshots)} snapshots "
          f"({', '.join(str(a['images_seen']) for a in out['meta']['averaged'])} images)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
