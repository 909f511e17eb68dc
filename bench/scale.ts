// The scale section: the model's time at the inference scales the engine uses (256, 512, 1024), against 512.
import type { LoadedModel } from '../main/engine';
import { modelTile } from './data';
import { median, spreadOf, timeIt } from './lib';
import { add, quick } from './run';

export async function benchScale(fp32: LoadedModel, int8: LoadedModel | null, ref512: number | null): Promise<void> {
  const section = 'scale: the model at each inference size';
  const sizes: [number, number][] = quick ? [[256, 256], [512, 256], [512, 512]] : [[256, 256], [512, 256], [512, 512], [1024, 512], [1024, 1024]];
  const models: [string, LoadedModel][] = [['fp32', fp32], ...(int8 ? [['int8', int8] as [string, LoadedModel]] : [])];
  const runs = quick ? 2 : 5;
  const results = new Map<string, number>();
  for (const [w, h] of sizes) {
    const tile = await modelTile(w, h);
    for (const [label, m] of models) {
      await m.run(tile.image, tile.mask, w, h);
      const ts: number[] = [];
      for (let i = 0; i < runs; i++) ts.push((await timeIt(() => m.run(tile.image, tile.mask, w, h))).ms);
      results.set(`${label} ${w}x${h}`, median(ts));
      const base = label === 'fp32' && ref512 !== null ? ref512 : undefined;
      add({
        section,
        name: `${label} ${w}x${h}`,
        value: median(ts),
        unit: 'ms',
        spread: spreadOf(ts),
        ...(base ? { reference: { name: 'fp32 512x512 (model section)', value: base, unit: 'ms' }, ratio: median(ts) / base, ratioLabel: 'x' } : {}),
        note: `${((median(ts) / (w * h)) * 1e6).toFixed(0)} ms per megapixel`,
      });
    }
  }
}
