"""The removal sheet's detail measure (pconv/removals.py `detail_ratio`) on a real validation photo: a fill as
detailed as its surround scores near 1, a smooth patch in textured ground near 0, which is the ghost of the hole's
outline the sheet is looked at for."""
import os
import unittest

import cv2
import numpy as np

from pconv.data import default_data_root
from pconv.removals import detail_ratio

PHOTOS = os.path.join(default_data_root(), "val", "photos")


class DetailRatio(unittest.TestCase):
    def setUp(self):
        # Plain boards of a wooden desk: the truth under the hole is more of the same wood.
        self.wood = cv2.imread(os.path.join(PHOTOS, "dpn_Wood-Desk.jpg"), cv2.IMREAD_COLOR)
        h, w = self.wood.shape[:2]
        self.hole = np.zeros((h, w), np.uint8)
        cv2.ellipse(self.hole, (round(0.80 * w), round(0.30 * h)), (round(0.06 * w), round(0.09 * h)), 0, 0, 360, 1, -1)

    def test_the_photo_itself_is_as_detailed_inside_as_around(self):
        self.assertGreater(detail_ratio(self.wood, self.hole), 0.6)
        self.assertLess(detail_ratio(self.wood, self.hole), 1.6)

    def test_a_smooth_fill_in_textured_ground_scores_near_zero(self):
        telea = cv2.inpaint(self.wood, self.hole * 255, 3, cv2.INPAINT_TELEA)
        truth = detail_ratio(self.wood, self.hole)
        self.assertLess(detail_ratio(telea, self.hole), 0.5 * truth)
        flat = self.wood.copy()
        flat[self.hole > 0] = self.wood[self.hole > 0].mean(0).round().astype(np.uint8)
        self.assertLess(detail_ratio(flat, self.hole), 0.02)

    def test_the_rims_own_pixels_do_not_count_as_the_fills_detail(self):
        # A hole painted over a sharp edge: a flat fill leaves a step at the rim, which the 6 px inset (the low-pass's reach) leaves out: counted, it would score 0.7.
        img = np.full((200, 200, 3), 60, np.uint8)
        img[:, 100:] = 200
        rng = np.random.default_rng(0)
        img = np.clip(img + rng.normal(0, 8, img.shape), 0, 255).astype(np.uint8)
        hole = np.zeros((200, 200), np.uint8)
        hole[60:140, 60:140] = 1
        filled = img.copy()
        filled[60:140, 60:140] = 130
        self.assertLess(detail_ratio(filled, hole), 0.005)


if __name__ == "__main__":
    unittest.main()
