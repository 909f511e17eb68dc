// `npm run bench -- --quick` runs and prints its table (and writes its JSON). Speed is measured by the
// bench itself, never asserted here: this only checks that every section runs and reports its figures
// with the references they are read against.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { repoRoot, tempDir } from '../helpers/engine-data';

test('the quick bench runs every section and prints its table', { timeout: 10 * 60_000 }, async (t) => {
  const dir = await tempDir(t);
  const json = path.join(dir, 'bench.json');
  const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'bench', 'bench.ts'), '--quick', '--json', '--out', json], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 9 * 60_000,
  });
  process.stdout.write(run.stdout);
  assert.equal(run.status, 0, `the bench failed:\n${run.stderr}`);

  // The table: a header line, then one [section] line per section, each followed by its figures.
  for (const section of ['[model: one 512x512 inference', '[scale:', '[e2e: Remove Object', '[batch:', '[startup:']) {
    assert.ok(run.stdout.includes(section), `the table has the section ${section}`);
  }
  for (const figure of ['onnxruntime fp32', 'PyTorch eager', 'GFLOP/s', 'sgemm', 'inference', 'decode', 'encode', 'peak resident memory', 'photos/min', 'first result']) {
    assert.ok(run.stdout.includes(figure), `the table reports ${figure}`);
  }

  // The JSON: the same figures, each with a finite value, and the ratios against same-run references.
  const result = JSON.parse(readFileSync(json, 'utf8')) as { quick: boolean; figures: { section: string; name: string; value: number; reference?: { value: number }; ratio?: number }[] };
  assert.equal(result.quick, true);
  assert.ok(result.figures.length >= 15, `many figures (got ${result.figures.length})`);
  for (const f of result.figures) {
    assert.ok(Number.isFinite(f.value) && f.value >= 0, `${f.name}: a finite value (got ${f.value})`);
    if (f.reference) assert.ok(Number.isFinite(f.ratio), `${f.name}: a ratio to its reference`);
  }
  const model = result.figures.find((f) => f.name.startsWith('onnxruntime fp32 ('));
  assert.ok(model?.reference && model.ratio, 'the model figure has PyTorch eager as its reference');
});
