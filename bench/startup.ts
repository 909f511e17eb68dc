// The startup section: from starting the engine worker to the first result, against the same job once warm.
import path from 'node:path';
import { EngineClient } from '../main/engine';
import { largePhoto, objectMask } from './data';
import { median, spreadOf, timeIt } from './lib';
import { add, quick } from './run';

export async function benchStartup(dir: string): Promise<void> {
  const section = 'startup: engine worker start to first result';
  const photo = await largePhoto(path.join(dir, 'startup.jpg'), 1024, 768, 5);
  const mask = await objectMask(path.join(dir, 'startup-mask.png'), 1024, 768, 0.05);
  const runs = quick ? 1 : 3;
  const ready: number[] = [];
  const first: number[] = [];
  const warm: number[] = [];
  for (let i = 0; i < runs; i++) {
    const engine = new EngineClient({ provider: 'cpu' });
    try {
      const started = performance.now();
      await engine.info();
      ready.push(performance.now() - started);
      const job = () => engine.inpaintFile({ photo, mask, output: path.join(dir, 'startup-out.jpg'), overwrite: true });
      await job();
      first.push(performance.now() - started);
      warm.push((await timeIt(job)).ms);
    } finally {
      await engine.close();
    }
  }
  add({ section, name: 'worker start to model loaded (ready)', value: median(ready), unit: 'ms', spread: spreadOf(ready) });
  add({
    section,
    name: 'worker start to first result (1024x768 photo, 5% hole)',
    value: median(first),
    unit: 'ms',
    spread: spreadOf(first),
    reference: { name: 'the same job once warm', value: median(warm), unit: 'ms' },
    ratio: median(first) / median(warm),
    ratioLabel: 'x',
  });
}
