// The engine client (main/engine) and the batch runner (main/batch) behind the commands' EnginePort.
import path from 'node:path';
import { countImages, runBatch } from './batch';
import type { EnginePort } from './commands/engine-port';
import { availableProviders, type EngineClient } from './engine';

export function engineAdapter(client: EngineClient, log: (message: string) => void): EnginePort {
  return {
    async info() {
      try {
        const info = await client.info();
        const { provider, providers, fallback, threads, precision, precisionNote } = info;
        return { provider, providers, model: path.basename(info.model), fallback, threads, precision, precisionNote };
      } catch (err) {
        // Photos still open and export without the model; Remove Object will say what is wrong.
        const why = err instanceof Error ? err.message : String(err);
        log(`engine unavailable: ${why}`);
        // The reason travels where a fallback's would, so Settings and About say why, not just "unavailable".
        return { provider: 'unavailable', providers: availableProviders(), model: 'unavailable', fallback: `The engine could not start: ${why}` };
      }
    },
    async configure(settings) {
      await client.configure(settings).catch(() => undefined);
    },
    async preview(photo, maxSide) {
      const { kind: _kind, ...preview } = await client.preview(photo, maxSide);
      return preview;
    },
    async inpaint(job) {
      const layers = job.layers.map(({ rect, patch }) => ({ rect, patch }));
      const { kind: _kind, ...result } = await client.removeObject(
        { photo: job.photo, layers, mask: 'rgba' in job.mask ? { kind: 'pixels', rect: job.mask.rect, channels: 4, data: job.mask.rgba } : { kind: 'region', rect: job.mask.rect, data: job.mask.png } },
        { signal: job.signal, onProgress: job.onProgress },
      );
      return result;
    },
    async exportImage(job) {
      const layers = job.layers.map(({ rect, patch }) => ({ rect, patch }));
      const result = await client.exportImage({
        photo: job.photo,
        layers,
        output: job.target,
        format: job.format,
        quality: job.quality,
        overwrite: true, // the target was chosen for this export (save dialog, or typed and granted)
        allowOverwritePhoto: job.allowOverwritePhoto,
      });
      return result.output;
    },
    countImages: (query) => countImages(query),
    runBatch: ({ batchId, signal, onProgress, ...options }) => runBatch(client, options, { batchId, signal, onProgress }),
    close: () => client.close(),
  };
}
