"""Run an exported ONNX model from Python with onnxruntime-node, the runtime the app itself uses (Debian
has no onnxruntime for Python). One node process serves a whole list of inputs
(native-models/tools/ort_serve.mjs), so evaluating hundreds of pairs costs one start-up.

    from pconv.ort import OnnxModel, run_onnx_batch

    # A list of (image, mask) arrays -> the predictions, one node process for the whole list:
    preds = run_onnx_batch("native-models/pconv-unet.int8.onnx", images, masks)
    #   images: HxWx3 uint8 RGB, or 3xHxW float32 in [0,1]; masks: HxW, 1 = known, 0 = hole (the model's
    #   convention); sides multiples of 256. Returns 3xHxW float32 predictions in [0,1] (not composited).

    # A drop-in for the PyTorch model where code calls model(x, m) on NCHW tensors, e.g. pconv/evaluate.py:
    with OnnxModel("native-models/pconv-unet.int8.onnx") as model:
        result = evaluate.evaluate(model, root, ["sun-hays80", "kodak24"], [256, 512])
"""
from __future__ import annotations

import json
import os
import struct
import subprocess

import numpy as np

from .paths import REPO, TOOLS

SERVER = os.path.join(TOOLS, "ort_serve.mjs")


class OrtSession:
    """One node process holding one onnxruntime session; run() sends inputs and returns outputs."""

    def __init__(self, model_path: str, threads: int = 2, level: str = "all", outputs: list[str] | None = None):
        cmd = ["node", SERVER, os.path.abspath(model_path), "--threads", str(threads), "--level", level]
        if outputs:
            cmd += ["--outputs", ",".join(outputs)]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=REPO)  # node_modules lives there
        self.last_ms = 0.0

    def _read(self, n: int) -> bytes:
        chunks, got = [], 0
        while got < n:
            chunk = self.proc.stdout.read(n - got)
            if not chunk:
                raise RuntimeError(f"the onnxruntime-node process stopped (exit code {self.proc.poll()})")
            chunks.append(chunk)
            got += len(chunk)
        return b"".join(chunks)

    def run(self, feeds: dict[str, np.ndarray], stats: int = 0) -> dict[str, np.ndarray]:
        """feeds: name -> float32 array. stats=K: each output comes back as at most K strided samples,
        with its true min and max in `self.last_stats` (for calibration)."""
        arrays = {k: np.ascontiguousarray(v, dtype="<f4") for k, v in feeds.items()}
        header = {"feeds": {k: {"shape": list(v.shape), "bytes": v.nbytes} for k, v in arrays.items()},
                  "stats": int(stats)}
        blob = json.dumps(header).encode()
        self.proc.stdin.write(struct.pack("<I", len(blob)) + blob)
        for v in arrays.values():
            self.proc.stdin.write(v.tobytes())
        self.proc.stdin.flush()
        (n,) = struct.unpack("<I", self._read(4))
        answer = json.loads(self._read(n))
        if "error" in answer:
            raise RuntimeError(f"onnxruntime-node: {answer['error']}")
        self.last_ms = answer["ms"]
        self.last_stats = {k: (o["min"], o["max"]) for k, o in answer["outputs"].items()}
        out = {}
        for name, o in answer["outputs"].items():
            out[name] = np.frombuffer(self._read(o["bytes"]), "<f4").reshape(o["shape"])
        return out

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                self.proc.stdin.write(struct.pack("<I", 2) + b"{}")
                self.proc.stdin.close()
                self.proc.wait(timeout=30)
            except (BrokenPipeError, subprocess.TimeoutExpired):
                self.proc.kill()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class OnnxModel(OrtSession):
    """Called like the PyTorch model: model(image N3HW in [0,1], mask N1HW, 1 = known) -> N3HW prediction
    (a torch tensor when given torch tensors). Already clamped to [0,1], as the graph is."""

    def __call__(self, image, mask):
        is_torch = hasattr(image, "detach")
        x = image.detach().cpu().numpy() if is_torch else image
        m = mask.detach().cpu().numpy() if is_torch else mask
        out = self.run({"image": x, "mask": m})["output"]
        if is_torch:
            import torch
            return torch.from_numpy(out.copy())
        return out


def _chw(image: np.ndarray) -> np.ndarray:
    if image.dtype == np.uint8:
        return image.astype(np.float32).transpose(2, 0, 1) / 255.0
    return image.astype(np.float32)


def run_onnx_batch(model_path: str, images, masks, threads: int = 2) -> list[np.ndarray]:
    """Runs the model over lists of images (HxWx3 uint8 or 3xHxW float32 in [0,1]) and masks (HxW,
    1 = known, 0 = hole) in one node process; returns the 3xHxW float32 predictions."""
    outs = []
    with OnnxModel(model_path, threads=threads) as model:
        for image, mask in zip(images, masks):
            x = _chw(np.asarray(image))[None]
            m = np.asarray(mask, dtype=np.float32)[None, None]
            outs.append(model(x, m)[0])
    return outs
