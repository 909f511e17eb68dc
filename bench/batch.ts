// The batch section: photos per minute through `holefill batch` (about-1024x768 photos, one shared mask), against
// the same photos run one `holefill inpaint` process at a time.
import path from 'node:path';
import { objectMask, photoFolder, repoRoot } from './data';
import { runMeasured } from './lib';
import { add, CLI, log, quick, values } from './run';

export async function benchBatch(dir: string): Promise<void> {
  const n = values.photos ? Math.max(2, Number(values.photos)) : quick ? 4 : 100;
  const singles = quick ? 2 : n;
  const section = `batch: ${n} photos of 1024x768, one shared mask (5% hole)`;
  log(`making ${n} photos...`);
  const input = path.join(dir, 'batch-in');
  const photos = await photoFolder(input, n);
  const mask = await objectMask(path.join(dir, 'batch-mask.png'), 1024, 768, 0.05);
  const out = path.join(dir, 'batch-out');
  const batch = await runMeasured(process.execPath, [CLI, 'batch', input, '--mask', mask, '-o', out], { cwd: repoRoot });
  if (batch.code !== 0) throw new Error(`holefill batch failed: ${batch.stderr}`);
  const perMinute = n / (batch.ms / 60000);
  const singleTimes: number[] = [];
  for (const photo of photos.slice(0, singles)) {
    const r = await runMeasured(process.execPath, [CLI, 'inpaint', photo, '--mask', mask, '-o', path.join(dir, 'single.jpg'), '--overwrite'], { cwd: repoRoot });
    if (r.code !== 0) throw new Error(`holefill inpaint failed: ${r.stderr}`);
    singleTimes.push(r.ms);
  }
  const singlePerMinute = singles / (singleTimes.reduce((a, b) => a + b, 0) / 60000);
  add({
    section,
    name: '`holefill batch` throughput',
    value: perMinute,
    unit: 'photos/min',
    reference: { name: `one \`holefill inpaint\` process per photo (${singles} photos)`, value: singlePerMinute, unit: 'photos/min' },
    ratio: perMinute / singlePerMinute,
    ratioLabel: 'x',
    note: `batch wall time ${(batch.ms / 1000).toFixed(1)} s, peak memory ${batch.peakProcessMB.toFixed(0)} MB`,
  });
  add({ section, name: '`holefill batch` peak resident memory (largest process)', value: batch.peakProcessMB, unit: 'MB' });
}
