"""Training holes: the hole-ratio mix the sampler gives, on the real NVIDIA masks."""
import unittest

import numpy as np

from pconv.data import SMALL_HOLE, InpaintingData, default_data_root, load_nvidia_masks


class HoleSampling(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.masks = load_nvidia_masks(default_data_root(), limit=300)
        cls.photo = np.zeros((448, 600, 3), np.uint8)

    def ratios(self, small_hole_share: float, n: int = 300) -> np.ndarray:
        data = InpaintingData([self.photo], self.masks, crop=256, small_hole_share=small_hole_share, seed=3)
        return np.array([data.hole().mean() for _ in range(n)])

    def test_uniform_bins_without_a_small_hole_share(self):
        r = self.ratios(0.0)
        small = (r <= SMALL_HOLE).mean()
        # Two of the six bins are small: about a third, and holes up to 60 % and more occur.
        self.assertGreater(small, 0.2)
        self.assertLess(small, 0.45)
        self.assertGreater((r > 0.5).mean(), 0.1)
        self.assertTrue((r > 0).all(), "every sample has a hole (a mask crop can miss its strokes)")

    def test_small_hole_share_adds_small_holes_on_top_of_the_uniform_bins(self):
        r = self.ratios(0.5)
        small = (r <= SMALL_HOLE).mean()
        # 0.5 + 0.5 * (about a third)
        self.assertGreater(small, 0.55)
        self.assertLess(small, 0.8)
        self.assertGreater((r > 0.3).mean(), 0.1)  # the large bins are still trained
        self.assertTrue((r > 0).all(), "every sample has a hole")

    def test_small_holes_only(self):
        r = self.ratios(1.0, n=150)
        self.assertTrue((r <= SMALL_HOLE).all())
        self.assertTrue((r > 0).all())


if __name__ == "__main__":
    unittest.main()
