"""The partial-convolution arithmetic, the U-Net's hole handling, and the train -> export -> run pipeline."""
import os
import tempfile
import unittest

import numpy as np
import torch

from pconv.layers import PartialConv2d
from pconv.unet import PConvUNet

torch.set_num_threads(1)


class PartialConvArithmetic(unittest.TestCase):
    def setUp(self):
        torch.manual_seed(0)
        self.conv = PartialConv2d([3], 4, 3, stride=1)
        torch.nn.init.normal_(self.conv.bias)

    def test_output_depends_only_on_valid_inputs(self):
        x = torch.randn(1, 3, 8, 8)
        m = torch.ones(1, 1, 8, 8)
        m[..., 2:6, 2:6] = 0
        y1, _ = self.conv([x], [m])
        x2 = x.clone()
        x2[..., 2:6, 2:6] = torch.randn(1, 3, 4, 4) * 100  # change only the hole
        y2, _ = self.conv([x2], [m])
        self.assertTrue(torch.equal(y1, y2))

    def test_all_hole_window_gives_zero_and_zero_mask(self):
        x = torch.randn(1, 3, 9, 9)
        m = torch.ones(1, 1, 9, 9)
        m[..., 2:7, 2:7] = 0  # the 3x3 window around (4,4) sees only holes
        y, new_mask = self.conv([x], [m])
        self.assertEqual(float(new_mask[0, 0, 4, 4]), 0.0)
        self.assertTrue(torch.equal(y[0, :, 4, 4], torch.zeros(4)))
        self.assertEqual(float(new_mask[0, 0, 2, 2]), 1.0)  # a window touching one valid pixel

    def test_scaling_is_sum1_over_summ(self):
        """With one valid pixel in the window the output is W[center]*x*9 + b (sum(1)/sum(M) = 9)."""
        x = torch.randn(1, 3, 3, 3)
        m = torch.zeros(1, 1, 3, 3)
        m[..., 1, 1] = 1
        conv = PartialConv2d([3], 2, 3, stride=1)
        y, _ = conv([x], [m])
        expected = (conv.conv.weight[:, :, 1, 1] * x[0, :, 1, 1]).sum(1) * 9 + conv.bias
        self.assertTrue(torch.allclose(y[0, :, 1, 1], expected, atol=1e-5))

    def test_mask_update_rule(self):
        m = torch.zeros(1, 1, 8, 8)
        m[..., 0, 0] = 1
        _, new_mask = self.conv([torch.randn(1, 3, 8, 8)], [m])
        expected = torch.zeros(1, 1, 8, 8)
        expected[..., 0:2, 0:2] = 1  # every window that contains (0,0)
        self.assertTrue(torch.equal(new_mask, expected))

    def test_two_groups_count_channels(self):
        """A decoder layer's two inputs: a valid pixel of a C-channel group counts C times."""
        conv = PartialConv2d([5, 2], 3, 3)
        a, b = torch.randn(1, 5, 4, 4), torch.randn(1, 2, 4, 4)
        ma, mb = torch.ones(1, 1, 4, 4), torch.zeros(1, 1, 4, 4)
        _, new_mask = conv([a, b], [ma, mb])
        self.assertTrue(torch.equal(new_mask, torch.ones(1, 1, 4, 4)))
        y, _ = conv([a, b], [ma, mb])
        ref = torch.nn.functional.conv2d(torch.cat([a, b * 0], 1), conv.conv.weight, padding=1)
        count = torch.nn.functional.conv2d(torch.ones(1, 1, 4, 4), torch.ones(1, 1, 3, 3), padding=1) * 5
        self.assertTrue(torch.allclose(y, ref * (7 * 9) / count + conv.bias.view(1, -1, 1, 1), atol=1e-5))


class UNetHoles(unittest.TestCase):
    def test_prediction_ignores_hole_contents(self):
        for context in ("none", "mean", "smooth"):
            torch.manual_seed(0)
            net = PConvUNet(width=0.125, context=context).eval()
            x = torch.rand(1, 3, 256, 256)
            m = torch.ones(1, 1, 256, 256)
            m[..., 60:140, 90:200] = 0
            x2 = x.clone()
            x2[..., 60:140, 90:200] = torch.rand(1, 3, 80, 110)
            with torch.no_grad():
                self.assertTrue(torch.allclose(net(x, m), net(x2, m), atol=1e-6), context)


class ContextBase(unittest.TestCase):
    """The smooth context: a network with nothing to say returns the colours around the hole."""

    def test_flat_context_gives_its_colour_everywhere(self):
        from pconv.unet import context_base
        x = torch.rand(1, 3, 256, 256)
        colour = torch.tensor([0.7, 0.2, 0.9]).view(1, 3, 1, 1)
        m = torch.ones(1, 1, 256, 256)
        m[..., 40:220, 30:200] = 0
        x = torch.where(m > 0, colour.expand_as(x), x)
        base = context_base(x, m, level=5)
        self.assertLess(float((base - colour).abs().max()), 1e-5)

    def test_base_follows_each_side_of_the_hole(self):
        """Sky above, grass below, a hole across both: the base is blue at the top of the hole and green at
        the bottom, not one mean colour."""
        from pconv.unet import context_base
        x = torch.zeros(1, 3, 256, 256)
        x[:, 2, :128] = 1.0   # blue top half
        x[:, 1, 128:] = 1.0   # green bottom half
        m = torch.ones(1, 1, 256, 256)
        m[..., 64:192, 64:192] = 0
        base = context_base(x, m, level=4)
        top, bottom = base[0, :, 70, 128], base[0, :, 186, 128]
        self.assertGreater(float(top[2]), 0.8)
        self.assertGreater(float(bottom[1]), 0.8)

    def test_a_silent_network_returns_the_base(self):
        from pconv.unet import context_base
        torch.manual_seed(0)
        net = PConvUNet(width=0.125, context="smooth", context_level=4).eval()
        last = net.decoder[-1]
        with torch.no_grad():
            last.conv.weight.zero_()
            last.bias.zero_()
        x, m = torch.rand(1, 3, 256, 256), torch.ones(1, 1, 256, 256)
        m[..., 50:200, 80:180] = 0
        with torch.no_grad():
            self.assertTrue(torch.allclose(net(x, m), context_base(x, m, level=4), atol=1e-6))

    def test_harmonic_base_continues_a_gradient_across_the_hole(self):
        """A sky's ramp from dark to light beside a dark object: the push-pull base fills the hole's inside with
        coarse cells' means that reach the object; the relaxed (harmonic) base continues the ramp."""
        from pconv.unet import RELAX_ITERATIONS, context_base
        ramp = torch.linspace(0.3, 0.8, 512).view(1, 1, 1, 512).expand(1, 3, 512, 512).clone()
        ramp[..., 300:, :] = 0.05    # the dark ground, well away from the hole
        m = torch.ones(1, 1, 512, 512)
        m[..., 96:224, 160:352] = 0  # a hole in the sky
        inside = (slice(None), slice(None), slice(112, 208), slice(176, 336))
        errors = {relax: float((context_base(ramp, m, 5, relax) - ramp)[inside].abs().mean())
                  for relax in (0, RELAX_ITERATIONS)}
        self.assertLess(errors[RELAX_ITERATIONS], 0.02, errors)            # within 5 levels
        self.assertLess(errors[RELAX_ITERATIONS], 0.5 * errors[0], errors)

    def test_a_silent_harmonic_network_returns_its_base(self):
        from pconv.unet import RELAX_ITERATIONS, context_base
        torch.manual_seed(0)
        net = PConvUNet(width=0.125, context="harmonic", context_level=4).eval()
        with torch.no_grad():
            net.decoder[-1].conv.weight.zero_()
            net.decoder[-1].bias.zero_()
        x, m = torch.rand(1, 3, 256, 256), torch.ones(1, 1, 256, 256)
        m[..., 50:200, 80:180] = 0
        with torch.no_grad():
            expected = context_base(x, m, level=4, relax=RELAX_ITERATIONS)
            self.assertTrue(torch.allclose(net(x, m), expected, atol=1e-6))
            self.assertFalse(torch.allclose(expected, context_base(x, m, level=4), atol=1e-3))

    def test_export_refuses_an_unknown_context_before_writing_anything(self):
        """`pconv.export --context` with a name the network does not know would export a graph without its base."""
        import contextlib
        import io
        from pconv import export
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "x.onnx")
            err = io.StringIO()
            with self.assertRaises(SystemExit), contextlib.redirect_stderr(err):
                export.main(["--context", "harmonc", "--out", out, "--no-int8"])
            self.assertIn("invalid choice: 'harmonc'", err.getvalue())
            self.assertFalse(os.path.exists(out))

    def test_sizes_that_are_not_multiples_of_256(self):
        net = PConvUNet(width=0.125).eval()
        with torch.no_grad():
            y = net(torch.rand(1, 3, 128, 384), torch.ones(1, 1, 128, 384))
        self.assertEqual(tuple(y.shape), (1, 3, 128, 384))


class OutputSmoothing(unittest.TestCase):
    def test_kernel_is_opencvs_gaussian(self):
        import cv2
        from pconv.unet import OUTPUT_SMOOTHING_SIGMA, smoothing_kernel
        self.assertGreater(OUTPUT_SMOOTHING_SIGMA, 0)
        k = np.array(smoothing_kernel())
        ref = cv2.getGaussianKernel(len(k), OUTPUT_SMOOTHING_SIGMA, cv2.CV_64F)[:, 0]
        self.assertEqual(len(k), 8 * OUTPUT_SMOOTHING_SIGMA + 1)
        self.assertLess(float(np.abs(k - ref).max()), 1e-7)

    def test_deep_smoothing_blurs_only_deep_inside_a_hole(self):
        from pconv.unet import deep_smoothed
        # A prediction of 32 px blocks (what the decoder's nearest upsampling leaves) in a 192 px hole and a 10 px
        # stripe hole: the deep centre of the large hole is blurred, the stripe and the known pixels are not.
        y, x = torch.meshgrid(torch.arange(256), torch.arange(256), indexing="ij")
        blocks = (((y // 32 + x // 32) % 2).float() * 0.5 + 0.25).expand(1, 3, 256, 256)
        mask = torch.ones(1, 1, 256, 256)
        mask[..., 32:224, 32:160] = 0
        mask[..., 32:224, 200:210] = 0
        out = deep_smoothed(blocks, mask)
        centre = out[0, 0, 80:176, 64:128]
        step = max(float(centre.diff(dim=0).abs().max()), float(centre.diff(dim=1).abs().max()))
        self.assertLess(step, 0.1, "the blocks' edges are soft deep inside (a step of 0.5 before)")
        self.assertLess(float((out - blocks)[..., 32:224, 200:210].abs().max()), 1e-6, "a thin hole is left as it is")
        self.assertLess(float((out - blocks)[..., :16, :].abs().max()), 1e-6, "known pixels are left as they are")
        self.assertLess(float((out - blocks)[..., 32:224, 32:36].abs().max()), 0.02, "the rim is left almost as it is")

    def test_flat_damping_gives_a_flat_surround_its_colour_and_leaves_texture_alone(self):
        from pconv.unet import flat_damped
        # A stray prediction (the network's faint disc: 0.1 off) in a 192 px hole. Around it, known pixels that are
        # flat (a clear sky: one colour, 1 level of noise) or textured (noise over the whole range).
        g = torch.Generator().manual_seed(0)
        sky = torch.tensor([0.13, 0.39, 0.73]).view(1, 3, 1, 1).expand(1, 3, 256, 256)
        clear = sky
        sky = sky + torch.randn(1, 3, 256, 256, generator=g) / 255
        texture = torch.rand(1, 3, 256, 256, generator=g)
        mask = torch.ones(1, 1, 256, 256)
        mask[..., 32:224, 32:224] = 0
        for name, image in (("sky", sky), ("texture", texture)):
            stray = image + 0.1
            out = flat_damped(stray, image * mask + (1 - mask) * 0.9, mask)
            painted_black = flat_damped(stray, image * mask, mask)
            self.assertEqual(float((out - painted_black).abs().max()), 0.0, "what lies under the hole has no say")
            centre = (out - (clear if name == "sky" else image))[..., 96:160, 96:160]
            if name == "sky":
                self.assertLess(float(centre.abs().max()), 0.01, "deep in a flat surround: its colours, not the disc")
            else:
                self.assertGreater(float(centre.mean()), 0.09, "texture around: the prediction is kept")
            self.assertLess(float((out - stray)[..., :24, :].abs().max()), 1e-6, "known pixels are left as they are")
            self.assertLess(float((out - stray)[..., 32:224, 32:34].abs().mean()), 0.01, "the rim keeps the prediction")

    def test_flat_damping_judges_the_rim_not_clouds_further_off(self):
        from pconv.unet import flat_damped
        # The removal sheet's clear sky: white clouds 32 px and more from a 256 px hole's rim are no texture of the
        # surround. With the whole photo weighing (and the interpolation unsettled) they kept the stray disc.
        g = torch.Generator().manual_seed(1)
        sky = torch.tensor([0.13, 0.39, 0.73]).view(1, 3, 1, 1).expand(1, 3, 512, 512)
        image = sky + torch.randn(1, 3, 512, 512, generator=g) / 255
        image[..., 16:96, 16:160] = 0.95
        image[..., 400:496, 330:500] = 0.95
        mask = torch.ones(1, 1, 512, 512)
        mask[..., 128:384, 160:416] = 0
        out = flat_damped(image + 0.1, image * mask, mask)
        centre = (out - sky)[..., 224:288, 256:320]
        self.assertLess(float(centre.mean()), 0.015, "deep inside: the sky's colour, not the disc")
        self.assertLess(float(centre.abs().max()), 0.03)


class TrainArguments(unittest.TestCase):
    def test_a_bad_crop_list_is_a_usage_error_not_a_traceback(self):
        from pconv import train
        for bad in ("256,x", "0", "250"):
            with self.subTest(crop=bad), self.assertRaises(SystemExit) as stop:
                train.parse_args(["--crop", bad])
            self.assertEqual(stop.exception.code, 2)
        self.assertEqual(train.parse_args(["--crop", "256,512"]).crop, [256, 512])


class TrainExportSmoke(unittest.TestCase):
    """A few real training steps on real photos, then export and the onnxruntime-node parity check."""

    def test_train_export_parity(self):
        from pconv import export, train
        with tempfile.TemporaryDirectory() as tmp:
            ship = os.path.join(tmp, "ship.fp16.pt")
            rc = train.main(["--loss", "full", "--width", "0.125", "--max-steps", "3", "--max-photos", "8",
                             "--max-masks", "40", "--log-every", "1", "--run-dir", tmp, "--ship", ship,
                             "--threads", "1", "--context", "smooth", "--colour-share", "0.5",
                             "--blur-share", "0.5", "--feature-every", "2"])
            self.assertEqual(rc, 0)
            # Resuming continues the count of images seen; two crop sizes alternate, the batch shrinking with the
            # crop's area (8 of 128, then 2 of 256).
            rc = train.main(["--loss", "pixel", "--resume", os.path.join(tmp, "last.pt"), "--max-steps", "2", "--crop", "128,256",
                             "--max-photos", "8", "--max-masks", "40", "--run-dir", tmp, "--ship", ship,
                             "--threads", "1"])
            self.assertEqual(rc, 0)
            shipped = torch.load(ship)
            self.assertEqual(shipped["meta"]["images_seen"], 3 * 8 + 8 + 2)
            self.assertEqual(shipped["context"], "smooth")  # kept through the resume
            self.assertTrue(all(torch.isfinite(v.float()).all() for v in shipped["model"].values()
                                if v.is_floating_point()), "bf16 training (the default) kept every weight finite")
            from pconv.unet import engine_prediction, load_model
            model = export.fp16_rounded(load_model(ship))
            onnx_path = os.path.join(tmp, "model.onnx")
            export.export(model, onnx_path, meta={"holefill": {"width": 0.125}})
            diff = export.parity(model, onnx_path)
            print(f"ONNX (onnxruntime-node) vs PyTorch max abs difference: {diff:.2e}")
            self.assertLess(diff, 1e-4)
            # Two crops in one batch: the graph mirrors each within its own batch of 2N and pairs them back.
            self.assertLess(export.parity(model, onnx_path, sizes=((256, 512),), batch=2), 1e-4)
            # A large hole in texture, where the graph blurs the prediction deep inside (unet.py DEEP_SMOOTHING),
            # and the same hole in a flat surround, where it also moves the prediction to the known pixels'
            # interpolation (unet.py FLAT_DAMPING): the same as PyTorch there, and each step is in the graph.
            mask = torch.ones(1, 1, 256, 512)
            mask[..., 40:220, 100:400] = 0
            textured = torch.rand(1, 3, 256, 512)
            flat = torch.full((1, 3, 256, 512), 0.3) + torch.rand(1, 3, 256, 512) / 255
            for step, image, without in (("deep smoothing", textured, {"deep": False}),
                                         ("flat damping", flat, {"flat": False})):
                with torch.no_grad():
                    expected = engine_prediction(model, image, mask).numpy()
                    plain = engine_prediction(model, image, mask, **without).numpy()
                got = export.run_onnxruntime_node(onnx_path, {"image": image.numpy(), "mask": mask.numpy()})["output"]
                self.assertLess(float(np.abs(got - expected).max()), 1e-4, step)
                self.assertGreater(float(np.abs(plain - expected).max()), 1e-3, f"the {step} is in the graph")
            # Mirror-averaged (unet.py MIRROR_AVERAGE): the mirrored crop's prediction is the prediction mirrored,
            # which a single run of the network is not.
            g = torch.Generator().manual_seed(1)
            image = torch.rand(1, 3, 256, 256, generator=g).numpy()
            mask = (torch.rand(1, 1, 256, 256, generator=g) > 0.3).float().numpy()
            out = export.run_onnxruntime_node(onnx_path, {"image": image, "mask": mask})["output"]
            out_of_mirror = export.run_onnxruntime_node(onnx_path, {"image": np.ascontiguousarray(image[..., ::-1]),
                                                             "mask": np.ascontiguousarray(mask[..., ::-1])})["output"]
            self.assertLess(float(np.abs(out_of_mirror[..., ::-1] - out).max()), 1e-5)
            with torch.no_grad():
                once = model(torch.from_numpy(image), torch.from_numpy(mask)).clamp(0, 1).numpy()
            self.assertGreater(float(np.abs(once - out).max()), 1e-3)


if __name__ == "__main__":
    unittest.main()


class HoleColourTerm(unittest.TestCase):
    """losses.hole_colour sees a fill's shade, not its texture."""

    def setUp(self):
        torch.manual_seed(0)
        self.target = torch.rand(2, 3, 64, 64)
        self.hole = torch.zeros(2, 1, 64, 64)
        self.hole[..., 8:40, 16:48] = 1

    def test_a_uniform_shift_costs_as_much_as_the_pixel_l1(self):
        from pconv.losses import hole_colour
        pred = self.target + 0.05
        pixel = (self.hole * (pred - self.target)).abs().mean()
        self.assertAlmostEqual(float(hole_colour(pred, self.target, self.hole)), float(pixel), places=5)

    def test_zero_mean_texture_error_costs_far_less(self):
        from pconv.losses import hole_colour
        pred = self.target + 0.05 * torch.sign(torch.randn_like(self.target))
        pixel = (self.hole * (pred - self.target)).abs().mean()
        self.assertLess(float(hole_colour(pred, self.target, self.hole)), 0.1 * float(pixel))

    def test_pixels_outside_the_hole_do_not_count(self):
        from pconv.losses import hole_colour
        pred = self.target.clone()
        pred[..., 48:, :] += 0.3  # below the hole only
        self.assertEqual(float(hole_colour(pred, self.target, self.hole)), 0.0)


class SnapshotAveraging(unittest.TestCase):
    """pconv.average: the weights' mean, only across snapshots of one model."""

    def snapshot(self, folder, name, seed, images, level=6):
        torch.manual_seed(seed)
        net = PConvUNet(width=0.125, context="smooth", context_level=level)
        state = {"width": 0.125, "context": "smooth", "context_level": level, "stage": 2,
                 "meta": {"images_seen": images, "train_seconds": 1.0, "sessions": []},
                 "model": {k: (v.half() if v.is_floating_point() else v) for k, v in net.state_dict().items()}}
        path = os.path.join(folder, name)
        torch.save(state, path)
        return path, state

    def test_the_mean_of_two_snapshots(self):
        from pconv.average import average
        with tempfile.TemporaryDirectory() as d:
            a, sa = self.snapshot(d, "a.pt", 1, 100)
            b, sb = self.snapshot(d, "b.pt", 2, 200)
            out = average([a, b])
        w = "decoder.0.conv.weight"
        expected = ((sa["model"][w].float() + sb["model"][w].float()) / 2).half()
        self.assertTrue(torch.equal(out["model"][w], expected))
        self.assertFalse(torch.equal(out["model"][w], sa["model"][w]))
        self.assertEqual(out["meta"]["images_seen"], 200)
        self.assertEqual([x["images_seen"] for x in out["meta"]["averaged"]], [100, 200])
        net = PConvUNet(width=0.125, context="smooth")
        net.load_state_dict({k: v.float() for k, v in out["model"].items()})  # loads as a model

    def test_snapshots_of_another_base_are_refused(self):
        from pconv.average import average
        with tempfile.TemporaryDirectory() as d:
            a, _ = self.snapshot(d, "a.pt", 1, 100, level=6)
            b, _ = self.snapshot(d, "b.pt", 2, 200, level=5)
            with self.assertRaises(SystemExit) as e:
                average([a, b])
        self.assertIn("only snapshots of one model", str(e.exception))

    def test_a_missing_or_foreign_file_is_named(self):
        from pconv.average import average
        with tempfile.TemporaryDirectory() as d:
            a, _ = self.snapshot(d, "a.pt", 1, 100)
            with self.assertRaises(SystemExit) as e:
                average([a, os.path.join(d, "gone.pt")])
            self.assertIn("gone.pt: not a readable snapshot", str(e.exception))
            junk = os.path.join(d, "junk.pt")
            torch.save({"weights": 1}, junk)
            with self.assertRaises(SystemExit) as e:
                average([a, junk])
            self.assertIn("junk.pt: not a training snapshot", str(e.exception))
