"""The validation harness (pconv/validate.py): its pairs, its case-by-case counts and its replay of 'auto', and the
training augmentations it judges."""
import os
import random
import unittest

import numpy as np

from pconv import validate
from pconv.data import default_data_root, defocus, is_held_out_mask, mask_bin, recolour


class Pairs(unittest.TestCase):
    def test_pairs_use_held_out_masks_eval_does_not_use_and_cover_the_bins(self):
        pairs = list(validate.val_pairs(default_data_root(), ["photos", "bsds"], [2, 1]))
        self.assertEqual(len(pairs), 75 * 6 * 2 + 100 * 6)  # the issue's 900 val/photos pairs, and BSDS500's 600
        for set_name, photo, mask, b in pairs:
            self.assertTrue(is_held_out_mask(mask), mask)
            self.assertEqual(mask_bin(mask), b)
        first = int(os.path.basename(pairs[0][2])[:5])
        self.assertEqual(first // 10, validate.MASK_OFFSET, "the first pair starts past the masks evaluate.py uses")
        self.assertTrue(all("/val/photos/" in p or os.path.basename(p).startswith("val-") for _, p, _, _ in pairs))
        self.assertEqual(len({(p, m) for _, p, m, _ in pairs}), len(pairs), "no pair twice")


def row(share, ours_by_scale, telea, ns, b=0, depth=10.0):
    scores = {"Telea": (0, telea, 0.9), "Navier-Stokes": (0, ns, 0.9)}
    scores.update({f"scale={s}": (0, v, 0.9) for s, v in ours_by_scale.items()})
    return {"set": "photos", "photo": "p", "mask": "m", "bin": b, "share": share, "depth": depth, "scores": scores}


class CaseByCase(unittest.TestCase):
    def test_shares_below_the_better_classical_fill_of_each_pair(self):
        rows = [row(0.05, {512: 30.0}, 31.5, 30.2),   # 1.5 dB below Telea: > 1 dB
                row(0.05, {512: 27.0}, 25.0, 30.5),   # 3.5 dB below Navier-Stokes: > 1 and > 3 dB
                row(0.05, {512: 30.0}, 30.5, 29.0),   # 0.5 below: neither
                row(0.05, {512: 33.0}, 30.0, 31.0)]   # ahead
        s = validate.summarise({"rows": rows, "variants": ["scale=512"]})["all"]["overall"]["scale=512"]
        self.assertAlmostEqual(s["below_1db"], 0.5)
        self.assertAlmostEqual(s["below_3db"], 0.25)
        self.assertAlmostEqual(s["worst_gap"], -3.5)

    def test_auto_replay_picks_the_scale_by_hole_share(self):
        rows = [row(0.02, {1024: 40.0, 512: 30.0, 256: 20.0}, 35.0, 35.0),
                row(0.55, {1024: 20.0, 512: 22.0, 256: 30.0}, 25.0, 25.0, b=5)]
        policies = {(p["small"], p["large"]): p for p in validate.auto_policies(rows, smalls=(0.0, 0.1), larges=(0.5, 0.6))}
        self.assertEqual(policies[(0.1, 0.5)]["below_1db"], 0.0)   # 1024 for the small hole, 256 for the large one
        self.assertEqual(policies[(0.0, 0.6)]["below_1db"], 1.0)   # 512 for both: both behind
        self.assertAlmostEqual(policies[(0.1, 0.6)]["worst_gap"], -3.0)

    def test_auto_replay_magnifies_only_holes_within_reach_of_the_photo(self):
        # Small holes both; the second reaches 40 px from any known pixel: 'auto' runs it at 512, as the engine does.
        rows = [row(0.02, {1024: 40.0, 512: 30.0, 256: 20.0}, 35.0, 35.0, depth=12.0),
                row(0.02, {1024: 40.0, 512: 30.0, 256: 20.0}, 35.0, 35.0, depth=40.0)]
        policy = validate.auto_policies(rows, smalls=(0.1,), larges=(0.5,))[0]
        self.assertEqual(policy["below_1db"], 0.5)   # the deep one at 512: 5 dB behind
        self.assertAlmostEqual(policy["worst_gap"], -5.0)
        self.assertEqual(validate.auto_policies(rows, smalls=(0.1,), larges=(0.5,), reach=64)[0]["below_1db"], 0.0)


class Augmentations(unittest.TestCase):
    def test_recolour_moves_hue_and_keeps_a_photo(self):
        rng = random.Random(0)
        sky = np.zeros((64, 64, 3), np.uint8)
        sky[...] = (70, 130, 220)
        outs = [recolour(sky, rng) for _ in range(40)]
        self.assertTrue(all(o.dtype == np.uint8 and o.shape == sky.shape for o in outs))
        dominant = {int(np.argmax(o[0, 0])) for o in outs}
        self.assertGreater(len(dominant), 1, "some recoloured skies are no longer blue")
        self.assertTrue(all(float(o.reshape(-1, 3).std(0).max()) < 1.0 for o in outs), "a flat patch stays flat")

    def test_defocus_blurs(self):
        rng = random.Random(0)
        noise = np.random.default_rng(0).integers(0, 256, (64, 64, 3)).astype(np.uint8)
        self.assertLess(float(defocus(noise, rng).std()), 0.5 * float(noise.std()))


class ObjectHoles(unittest.TestCase):
    """pconv.objects: the flat kind lands on the photo's flattest patch, and its shade is the inner part's error."""

    def test_flat_hole_lands_on_the_flat_half(self):
        from pconv.objects import make_hole
        rng = np.random.default_rng(0)
        photo = np.full((480, 640, 3), 180, np.uint8)
        photo[:, :320] = rng.integers(0, 255, (480, 320, 3), dtype=np.uint8)  # busy left half
        for name in ("a", "b", "c"):
            hole = make_hole("flat", name, photo)
            ys, xs = np.nonzero(hole)
            self.assertGreater(int(xs.min()), 320, name)
            self.assertEqual(make_hole("flat", name, photo).tolist(), hole.tolist())  # the same hole every run

    def test_a_person_is_one_large_elongated_hole(self):
        import cv2
        from pconv.objects import make_hole
        photo = np.zeros((768, 1366, 3), np.uint8)
        for name in ("a", "b", "c", "d"):
            hole = make_hole("person", name, photo)
            count, _ = cv2.connectedComponents(hole)
            self.assertEqual(count, 2, f"{name}: one hole")
            ys, xs = np.nonzero(hole)
            long, short = sorted((int(np.ptp(xs)), int(np.ptp(ys))), reverse=True)
            self.assertGreater(long, 0.4 * 768, name)      # 0.45-0.75 of the short side, less the outline's dents
            self.assertLess(long, 0.85 * 768, name)
            self.assertGreater(long / short, 1.5, name)   # 2-3.5 times as long as wide, less the dents
            self.assertEqual(make_hole("person", name, photo).tolist(), hole.tolist())  # the same hole every run

    def test_an_unknown_kind_stops_before_any_work_and_names_the_choices(self):
        from pconv import objects
        with self.assertRaises(SystemExit) as stop:
            objects.main(["--kinds", "flat,cloud", "--data", "/nonexistent"])
        self.assertIn("unknown kinds ['cloud']: choose from blob, stick, wire, text, flat", str(stop.exception))

    def test_shade_is_the_inner_parts_mean_error_in_the_worst_channel(self):
        from pconv.objects import shade
        truth = np.full((200, 200, 3), 100, np.uint8)
        hole = np.zeros((200, 200), np.uint8)
        hole[50:150, 50:150] = 1
        self.assertEqual(shade(truth, truth, hole), 0.0)
        stained = truth.copy()
        stained[80:120, 80:120, 2] = 105   # a reddish disc in the middle
        self.assertAlmostEqual(shade(stained, truth, hole), 5.0, places=5)
        rim = truth.copy()
        rim[50:55, 50:150] = 140           # an error at the hole's edge is not a stain
        self.assertEqual(shade(rim, truth, hole), 0.0)


if __name__ == "__main__":
    unittest.main()
