// An EnginePort for tests of the layers above the engine (grants, ipc, the web host's guards): real sharp
// decoding, but Remove Object fills the mask's region with grey instead of running the network. Tests of the
// real pipeline use the real engine (see helpers/web-host.ts).
import sharp from 'sharp';
import type { EnginePort, InpaintJob } from '../../main/commands/engine-port';

export interface FakeEngine extends EnginePort {
  calls: string[];
}

export function fakeEngine(): FakeEngine {
  const calls: string[] = [];
  return {
    calls,
    async info() {
      return { provider: 'cpu', providers: ['cpu'], model: 'fake' };
    },
    async configure() {
      calls.push('configure');
    },
    async preview(photo, maxSide) {
      calls.push(`preview ${photo}`);
      const image = sharp(photo).rotate();
      const { width, height, format } = await image.metadata();
      const { data, info } = await image
        .resize(maxSide, maxSide, { fit: 'inside', withoutEnlargement: true })
        .jpeg()
        .toBuffer({ resolveWithObject: true });
      return { width, height, format, preview: data, previewWidth: info.width, previewHeight: info.height };
    },
    async inpaint(job: InpaintJob) {
      calls.push(`inpaint ${job.photo} layers=${job.layers.length}`);
      job.onProgress('model', 0.5);
      // The region must lie inside the upright photo, as the real engine checks (its size the contract checks).
      const { rect } = job.mask;
      const { autoOrient: photo } = await sharp(job.photo).metadata();
      const pixels = 'rgba' in job.mask ? sharp(job.mask.rgba, { raw: { width: rect.width, height: rect.height, channels: 4 } }) : sharp(job.mask.png);
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
      return { rect, patch, provider: 'cpu', elapsedMs: 1, holes: 1 };
    },
    async exportImage(job) {
      calls.push(`export ${job.target}`);
      const layers = job.layers.map((l) => ({ input: Buffer.from(l.patch), left: l.rect.x, top: l.rect.y }));
      await sharp(job.photo).rotate().composite(layers).toFormat(job.format).toFile(job.target);
      return job.target;
    },
    async countImages() {
      return 0;
    },
    async runBatch(job) {
      calls.push(`batch ${job.inputDir} -> ${job.outputDir}`);
      return { batchId: job.batchId, total: 0, succeeded: 0, skipped: 0, failed: 0, cancelled: false, files: [], outputDir: job.outputDir };
    },
    async close() {},
  };
}
