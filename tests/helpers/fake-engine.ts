// The engine as the commands see it (commands/context.ts, Engine), for tests of the layers above the engine (grants,
// ipc, the web host's guards): real sharp decoding, but Remove Object fills the mask's region with grey instead of
// running the network. Tests of the real pipeline use the real engine (see helpers/web-host.ts).
import sharp from 'sharp';
import type { Engine } from '../../main/commands/context';
import { type EngineInfo, JOBS_IN_FLIGHT } from '../../main/engine';

export interface FakeEngine extends Engine {
  calls: string[];
}

export const fakeInfo: EngineInfo = {
  provider: 'cpu',
  providers: ['cpu'],
  requested: 'auto',
  fallback: null,
  model: '/models/fake.onnx',
  modelBytes: 0,
  inputs: ['image', 'mask'],
  outputs: ['output'],
  threads: 0,
  precision: 'fp32',
  precisionNote: null,
  pid: 0,
};

export function fakeEngine(): FakeEngine {
  const calls: string[] = [];
  return {
    calls,
    jobsInFlight: JOBS_IN_FLIGHT,
    async info() {
      return fakeInfo;
    },
    async configure() {
      calls.push('configure');
      return fakeInfo;
    },
    async preview(photo, maxSide) {
      calls.push(`preview ${photo}`);
      const image = sharp(photo).rotate();
      const { width, height, format } = await image.metadata();
      const { data, info } = await image
        .resize(maxSide, maxSide, { fit: 'inside', withoutEnlargement: true })
        .jpeg()
        .toBuffer({ resolveWithObject: true });
      return { kind: 'preview', width, height, format, preview: data, previewWidth: info.width, previewHeight: info.height };
    },
    async removeObject(req, options) {
      calls.push(`removeObject ${req.photo} layers=${req.layers.length} texture=${req.texture}`);
      options?.onProgress?.('model', 0.5);
      // The region must lie inside the upright photo, as the real engine checks (its size the contract checks).
      const { mask } = req;
      if (mask instanceof Uint8Array || (mask.kind !== 'pixels' && mask.kind !== 'region')) throw new Error('the app sends a painted region');
      const { rect } = mask;
      const { autoOrient: photo } = await sharp(req.photo).metadata();
      const pixels = mask.kind === 'pixels' ? sharp(mask.data, { raw: { width: rect.width, height: rect.height, channels: mask.channels } }) : sharp(mask.data);
      const { data: alpha, info } = await pixels.extractChannel(0).raw().toBuffer({ resolveWithObject: true });
      if (info.width !== rect.width || info.height !== rect.height) throw new Error(`mask is ${info.width}x${info.height}, its rect ${rect.width}x${rect.height}`);
      if (rect.x + rect.width > photo.width || rect.y + rect.height > photo.height) {
        throw new Error(`mask rect ${JSON.stringify(rect)} is outside the ${photo.width}x${photo.height} photo`);
      }
      // Grey where the mask is white, transparent elsewhere: a patch of the region, placed at its rect.
      const patch = await sharp({ create: { width: rect.width, height: rect.height, channels: 3, background: '#808080' } })
        .joinChannel(alpha, { raw: { width: rect.width, height: rect.height, channels: 1 } })
        .png()
        .toBuffer();
      return { kind: 'removeObject', rect, patch, provider: 'cpu', elapsedMs: 1, holes: 1 };
    },
    async exportImage(req) {
      calls.push(`export ${req.output}`);
      const layers = req.layers.map((l) => ({ input: Buffer.from(l.patch), left: l.rect.x, top: l.rect.y }));
      await sharp(req.photo).rotate().composite(layers).toFormat(req.format ?? 'png').toFile(req.output);
      return { kind: 'export', output: req.output };
    },
    async inpaintFile(req) {
      calls.push(`inpaintFile ${req.photo} -> ${req.output} texture=${req.texture}`);
      const { width, height } = await sharp(req.photo).rotate().toFile(req.output);
      return { kind: 'inpaintFile', output: req.output, width, height, holes: 0, provider: 'cpu', elapsedMs: 1 };
    },
    async close() {},
  };
}
