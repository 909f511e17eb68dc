// The resampling around the network, in two small onnxruntime graphs (enlarge-graph.ts). On the way in, when
// 'auto' asks for it, the crop magnified 2x (each pixel repeated, as native-models/pconv/evaluate.py scores it). On the
// way out, the prediction back at its crop's scale, over the hole's rectangle only, as 8-bit RGB: a Gaussian
// smoothing of the prediction first (sigma 1 network pixel, 2 on a magnified crop: one photo pixel; it removes the
// decoder's fine grid texture; chosen on validation photos, native-models/pconv/unet.py), then the enlargement: on
// a 10 % hole in a 24 MP photo that is 3 MP of output, which libvips' upsampling made in 63 ms against 41 here, and
// libvips placed its samples differently from the pixel-centre geometry of OpenCV's INTER_LINEAR that
// native-models/pconv/evaluate.py scores; this graph matches it to +-1.
import * as ort from 'onnxruntime-node';
import type { Rect } from '../../contract/app-api';
import { ENLARGE_GRAPH, MAGNIFIED_SMOOTHING_KERNEL, MAGNIFY_GRAPH, SMOOTHING_KERNEL } from './enlarge-graph';

/** How much a magnified crop is enlarged for the network. */
export const MAGNIFY = 2;

/** Where a prediction goes: the crop it was scaled down from, and the rectangle of that crop wanted back. */
export interface Placement {
  cropWidth: number;
  cropHeight: number;
  /** In crop pixels. */
  region: Rect;
  /** Run the network on the crop magnified MAGNIFY times (the image and mask given are the crop's own size); its
   * prediction is then smoothed MAGNIFY times as wide. */
  magnify?: boolean;
}

export interface Enlarger {
  /** pred: CHW in [0,1], width x height. Returns region.width x region.height x 3 bytes. */
  enlarge(pred: Float32Array, width: number, height: number, place: Placement): Promise<Buffer>;
  /** image CHW, mask HW (1 = known) -> the same MAGNIFY times larger. */
  magnify(image: Float32Array, mask: Float32Array, width: number, height: number): Promise<{ image: Float32Array; mask: Float32Array }>;
  release(): Promise<void>;
}

export async function loadEnlarger(threads: number): Promise<Enlarger> {
  const options: ort.InferenceSession.SessionOptions = {
    executionProviders: ['cpu'],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  };
  const session = await ort.InferenceSession.create(ENLARGE_GRAPH, options);
  let magnifier: ort.InferenceSession;
  try {
    magnifier = await ort.InferenceSession.create(MAGNIFY_GRAPH, options);
  } catch (err) {
    await session.release();
    throw err;
  }
  return {
    async enlarge(pred, width, height, place) {
      const { region } = place;
      const kernel = place.magnify ? MAGNIFIED_SMOOTHING_KERNEL : SMOOTHING_KERNEL;
      const feeds = {
        pred: new ort.Tensor('float32', pred, [1, 3, height, width]),
        kernel: new ort.Tensor('float32', kernel, [kernel.length]),
        roi: new ort.Tensor('float32', roiFor(width, height, place), [8]),
        sizes: new ort.Tensor('int64', BigInt64Array.from([1, region.height, region.width, 3].map(BigInt)), [4]),
      };
      const { rgb } = await session.run(feeds);
      const data = rgb!.data as Uint8Array;
      return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    },
    async magnify(image, mask, width, height) {
      const out = await magnifier.run({
        image: new ort.Tensor('float32', image, [1, 3, height, width]),
        mask: new ort.Tensor('float32', mask, [1, 1, height, width]),
      });
      return { image: out.image_x2!.data as Float32Array, mask: out.mask_x2!.data as Float32Array };
    },
    release: async () => {
      await Promise.all([session.release(), magnifier.release()]);
    },
  };
}

type Run = (image: Float32Array, mask: Float32Array, width: number, height: number) => Promise<Float32Array>;

/** Model.fill: the network's run between the two resamplings (the input magnified when `place` asks for it). */
export async function fillAround(run: Run, enlarger: Enlarger, image: Float32Array, mask: Float32Array, width: number, height: number, place: Placement): Promise<Buffer> {
  if (!place.magnify) return enlarger.enlarge(await run(image, mask, width, height), width, height, place);
  const big = await enlarger.magnify(image, mask, width, height);
  const [w, h] = [width * MAGNIFY, height * MAGNIFY];
  return enlarger.enlarge(await run(big.image, big.mask, w, h), w, h, place);
}

/**
 * tf_crop_and_resize's roi (start and end per axis, N H W C, as fractions of the padded input's last index)
 * that samples output pixel X of the crop at (X + 0.5) / scale - 0.5 in the prediction: pixel centres, as
 * INTER_LINEAR. The prediction is padded by one edge pixel, so those positions stay inside it.
 */
export function roiFor(width: number, height: number, place: Placement): Float32Array {
  const axis = (start: number, count: number, crop: number, size: number) => {
    const scale = crop / size;
    const last = size + 1; // the padded input's last index
    const from = ((start + 0.5) / scale - 0.5 + 1) / last;
    return [from, from + (count - 1) / (scale * last)];
  };
  const [y0, y1] = axis(place.region.y, place.region.height, place.cropHeight, height);
  const [x0, x1] = axis(place.region.x, place.region.width, place.cropWidth, width);
  return Float32Array.from([0, y0!, x0!, 0, 1, y1!, x1!, 1]);
}
