"""Writes main/engine/fill/enlarge-graph.ts: the small ONNX graphs around the network. MAGNIFY_GRAPH enlarges a crop 2x
for it (see magnify_graph_bytes). ENLARGE_GRAPH brings a prediction back to its crop's scale:

  cd native-models && /usr/bin/python3 -m pconv.graphs.enlarge [--check]

The engine runs the network on a crop scaled to the model's grid; the prediction then has to be enlarged to the
crop's pixels, but only over the hole. This graph does it in onnxruntime (threaded, SIMD): a Gaussian smoothing
of the prediction (its taps an input: pconv/unet.py OUTPUT_SMOOTHING_SIGMA, MAGNIFIED_SMOOTHING_SIGMA for a
magnified crop; it removes the decoder's fine grid texture), 8-bit
rounding, HWC, and bilinear resampling of just the hole's rectangle with OpenCV's INTER_LINEAR geometry (pixel
centres, edges clamped), the enlargement evaluate.py scores. Inputs: pred float [1,3,h,w] in [0,1]; kernel float [taps];
roi float [8]; sizes int64 [4].
Output: rgb uint8 [1,H,W,3]. The roi (tf_crop_and_resize, on the prediction padded by one edge pixel) places the
rectangle; main/engine/fill/enlarge.ts computes it. --check compares the file with what this script would write."""
from __future__ import annotations

import os
import sys

import onnx
from onnx import TensorProto as T
from onnx import helper

from ..paths import REPO
from ..unet import MAGNIFIED_SMOOTHING_SIGMA, OUTPUT_SMOOTHING_SIGMA, smoothing_kernel
from .ts_module import buffer_literal, write_or_check

OUT = os.path.join(REPO, 'main', 'engine', 'fill', 'enlarge-graph.ts')


def graph_bytes() -> bytes:
    nodes = [
        # The Gaussian's taps come as an input (a magnified crop's prediction is smoothed wider: pconv/unet.py);
        # its radius r = (taps - 1) / 2 sets the mirrored padding on each axis.
        helper.make_node('Shape', ['kernel'], ['taps']),
        helper.make_node('Sub', ['taps', 'one'], ['taps_less_one']),
        helper.make_node('Div', ['taps_less_one', 'two'], ['r']),
        helper.make_node('Concat', ['zeros3', 'r', 'zeros3', 'r'], ['pads_w'], axis=0),
        helper.make_node('Concat', ['zeros2', 'r', 'zeros3', 'r', 'zeros1'], ['pads_h'], axis=0),
        helper.make_node('Reshape', ['kernel', 'as_row'], ['kernel_row']),
        helper.make_node('Expand', ['kernel_row', 'per_channel'], ['gauss_w']),
        helper.make_node('Reshape', ['kernel', 'as_column'], ['kernel_column']),
        helper.make_node('Expand', ['kernel_column', 'per_channel'], ['gauss_h']),
        # Separable Gaussian, edges mirrored (OpenCV's BORDER_REFLECT_101, as evaluate.py smooths).
        helper.make_node('Pad', ['pred', 'pads_w'], ['pred_w'], mode='reflect'),
        helper.make_node('Conv', ['pred_w', 'gauss_w'], ['across'], group=3),
        helper.make_node('Pad', ['across', 'pads_h'], ['across_h'], mode='reflect'),
        helper.make_node('Conv', ['across_h', 'gauss_h'], ['smooth'], group=3),
        helper.make_node('Mul', ['smooth', 'k255'], ['scaled']),
        helper.make_node('Add', ['scaled', 'half'], ['shifted']),  # the cast truncates: +0.5 rounds
        helper.make_node('Clip', ['shifted', 'lo', 'hi'], ['clipped']),
        helper.make_node('Cast', ['clipped'], ['bytes'], to=T.UINT8),
        helper.make_node('Transpose', ['bytes'], ['hwc'], perm=[0, 2, 3, 1]),
        # One edge pixel around: the hole's rectangle may reach the prediction's edge, where INTER_LINEAR clamps.
        helper.make_node('Pad', ['hwc', 'pads'], ['padded'], mode='edge'),
        helper.make_node('Resize', ['padded', 'roi', '', 'sizes'], ['rgb'], mode='linear',
                         coordinate_transformation_mode='tf_crop_and_resize', extrapolation_value=0.0),
    ]
    constants = [
        helper.make_tensor('k255', T.FLOAT, [], [255.0]),
        helper.make_tensor('half', T.FLOAT, [], [0.5]),
        helper.make_tensor('lo', T.FLOAT, [], [0.0]),
        helper.make_tensor('hi', T.FLOAT, [], [255.0]),
        helper.make_tensor('pads', T.INT64, [8], [0, 1, 1, 0, 0, 1, 1, 0]),
        helper.make_tensor('one', T.INT64, [1], [1]),
        helper.make_tensor('two', T.INT64, [1], [2]),
        helper.make_tensor('zeros1', T.INT64, [1], [0]),
        helper.make_tensor('zeros2', T.INT64, [2], [0, 0]),
        helper.make_tensor('zeros3', T.INT64, [3], [0, 0, 0]),
        helper.make_tensor('as_row', T.INT64, [4], [1, 1, 1, -1]),
        helper.make_tensor('as_column', T.INT64, [4], [1, 1, -1, 1]),
        helper.make_tensor('per_channel', T.INT64, [4], [3, 1, 1, 1]),
    ]
    graph = helper.make_graph(
        nodes, 'holefill-enlarge',
        [helper.make_tensor_value_info('pred', T.FLOAT, [1, 3, 'h', 'w']),
         helper.make_tensor_value_info('kernel', T.FLOAT, ['taps']),
         helper.make_tensor_value_info('roi', T.FLOAT, [8]),
         helper.make_tensor_value_info('sizes', T.INT64, [4])],
        [helper.make_tensor_value_info('rgb', T.UINT8, [1, 'H', 'W', 3])],
        constants,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 17)], producer_name='holefill')
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model.SerializeToString()


def magnify_graph_bytes() -> bytes:
    """The network's input magnified 2x, as evaluate.py's PConv@1024 on a 512 image: image and mask each pixel repeated
    2x2. Nothing smoother: a bilinear image would carry the hole's own pixels (the object being removed) into the
    known pixels around it; measured leak-free (the hole grown by a pixel to cover the interpolation) it scored
    worse than repeating (native-models/README.md, Inference scale)."""
    repeat = dict(mode='nearest', coordinate_transformation_mode='asymmetric', nearest_mode='floor')
    nodes = [
        helper.make_node('Resize', ['image', '', 'x2'], ['image_x2'], **repeat),
        helper.make_node('Resize', ['mask', '', 'x2'], ['mask_x2'], **repeat),
    ]
    constants = [helper.make_tensor('x2', T.FLOAT, [4], [1.0, 1.0, 2.0, 2.0])]
    graph = helper.make_graph(
        nodes, 'holefill-magnify',
        [helper.make_tensor_value_info('image', T.FLOAT, [1, 3, 'h', 'w']),
         helper.make_tensor_value_info('mask', T.FLOAT, [1, 1, 'h', 'w'])],
        [helper.make_tensor_value_info('image_x2', T.FLOAT, [1, 3, 'H', 'W']),
         helper.make_tensor_value_info('mask_x2', T.FLOAT, [1, 1, 'H', 'W'])],
        constants,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 17)], producer_name='holefill')
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model.SerializeToString()


def kernel_literal(sigma: float) -> str:
    return 'Float32Array.from([' + ', '.join(repr(t) for t in smoothing_kernel(sigma)) + '])'


def module_text() -> str:
    return (
        '// Generated by native-models/pconv/graphs/enlarge.py (read it for what the graphs do); do not edit.\n'
        '// Kept as bytes so the engine needs no file beside the model.\n'
        f'/** The Gaussian smoothing\'s sigma, in network pixels (native-models/pconv/unet.py). */\n'
        f'export const SMOOTHING_SIGMA = {OUTPUT_SMOOTHING_SIGMA};\n'
        f'/** A magnified crop\'s: the same in photo pixels. */\n'
        f'export const MAGNIFIED_SMOOTHING_SIGMA = {MAGNIFIED_SMOOTHING_SIGMA};\n'
        f'/** Their taps, for ENLARGE_GRAPH\'s kernel input. */\n'
        f'export const SMOOTHING_KERNEL = {kernel_literal(OUTPUT_SMOOTHING_SIGMA)};\n'
        f'export const MAGNIFIED_SMOOTHING_KERNEL = {kernel_literal(MAGNIFIED_SMOOTHING_SIGMA)};\n'
        '/** Smooths a prediction and enlarges it over the hole: pred float [1,3,h,w], kernel [taps], roi [8], sizes [4] -> rgb uint8 [1,H,W,3]. */\n'
        'export const ENLARGE_GRAPH = ' + buffer_literal(graph_bytes()) +
        '/** Magnifies the network\'s input 2x, each pixel repeated: image float [1,3,h,w], mask [1,1,h,w] -> image_x2, mask_x2. */\n'
        'export const MAGNIFY_GRAPH = ' + buffer_literal(magnify_graph_bytes())
    )


if __name__ == '__main__':
    sys.exit(write_or_check(OUT, module_text(), __doc__, 'pconv.graphs.enlarge'))
