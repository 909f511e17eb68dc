"""Parity of the PyTorch MobileNetV2 port with nsfwjs, and the feature taps used by the losses."""

import json
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from pconv.features import INPUT_SIZE, load_features

NATIVE = Path(__file__).resolve().parents[1]
ROOT = NATIVE.parent

KODAK = ROOT.parent / "shared" / "data" / "eval" / "kodak24"
PHOTOS = ["kodim01.png", "kodim05.png", "kodim15.png", "kodim23.png"]
HAVE_NSFWJS = shutil.which("node") is not None and (ROOT / "node_modules" / "nsfwjs").is_dir()

torch.set_num_threads(1)


@unittest.skipUnless(HAVE_NSFWJS, "needs node and node_modules/nsfwjs")
class TestFeatures(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.net = load_features()

    @unittest.skipUnless(all((KODAK / p).exists() for p in PHOTOS), f"needs {KODAK}")
    def test_classify_matches_nsfwjs(self):
        # Resize once here and hand Node the exact same uint8 pixels: no resize mismatch.
        imgs = [np.asarray(Image.open(KODAK / p).convert("RGB").resize((INPUT_SIZE,) * 2, Image.BILINEAR))
                for p in PHOTOS]
        with tempfile.TemporaryDirectory() as tmp:
            files = []
            for p, a in zip(PHOTOS, imgs):
                files.append(str(Path(tmp) / (p + ".rgb")))
                Path(files[-1]).write_bytes(a.tobytes())
            res = subprocess.run(["node", str(NATIVE / "tools" / "nsfwjs_predict.cjs"), *files],
                                 cwd=ROOT, check=True, capture_output=True, text=True)
        ref = np.array(json.loads(res.stdout.strip().splitlines()[-1]))
        x = torch.from_numpy(np.stack(imgs)).permute(0, 3, 1, 2).float() / 255
        with torch.no_grad():
            got = self.net.classify(x).numpy()
        diff = np.abs(got - ref).max()
        print(f"\nnsfwjs {ref.round(5).tolist()}\ntorch  {got.astype(float).round(5).tolist()}\nmax abs diff {diff:.2e}",
              file=sys.stderr)
        self.assertEqual(got.shape, (len(PHOTOS), 5))
        self.assertLess(diff, 1e-3)

    def test_forward_strides_and_determinism(self):
        torch.manual_seed(0)
        for size in (128, 256):
            x = torch.rand(2, 3, size, size, requires_grad=True)
            feats = self.net(x)
            self.assertEqual([tuple(f.shape) for f in feats],
                             [(2, c, size // s, size // s) for c, s in ((96, 2), (144, 4), (192, 8))])
            again = self.net(x.detach())
            for a, b in zip(feats, again):
                self.assertTrue(torch.equal(a.detach(), b))
            sum(f.mean() for f in feats).backward()  # losses need gradients w.r.t. the input
            self.assertGreater(x.grad.abs().sum().item(), 0)
        self.assertFalse(any(b.requires_grad for b in self.net.buffers()))
        self.assertEqual(list(self.net.parameters()), [])
        self.net.train()
        self.assertFalse(self.net.training)  # stays in eval mode inside a training model


if __name__ == "__main__":
    unittest.main()
