// Long thin holes in pieces (main/engine/fill/thin-hole-pieces.ts): which groups are split, and that the pieces hold every hole
// pixel exactly once, each seen at full resolution.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import type { Rect } from '../../main/contract/app-api';
import { planTile } from '../../main/engine/fill/tile-geometry';
import { findHoleGroups } from '../../main/engine/fill/hole-groups';
import type { MaskWindow } from '../../main/engine/fill/read-mask';
import { piecesOf } from '../../main/engine/fill/thin-hole-pieces';
import { maskSvg, wirePath } from '../helpers/shapes';

/** A binary mask (255 = hole) drawn by libvips from SVG shapes. */
async function drawn(width: number, height: number, shapes: string): Promise<MaskWindow> {
  const data = await sharp(Buffer.from(maskSvg(width, height, shapes))).greyscale().threshold(128).toColourspace('b-w').raw().toBuffer();
  return { rect: { x: 0, y: 0, width, height }, data };
}

const inside = (r: Rect, x: number, y: number) => x >= r.x && x < r.x + r.width && y >= r.y && y < r.y + r.height;

/** Every hole pixel in exactly one piece, and every piece's box tight around hole pixels of its own. */
function assertPartition(mask: MaskWindow, pieces: Rect[]): void {
  const { width, height } = mask.rect;
  let holes = 0;
  let uncovered = 0;
  let twice = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!mask.data[y * width + x]) continue;
      holes++;
      const n = pieces.filter((p) => inside(p, x, y)).length;
      if (n === 0) uncovered++;
      if (n > 1) twice++;
    }
  }
  assert.ok(holes > 0);
  assert.deepEqual([uncovered, twice], [0, 0], 'every hole pixel lies in exactly one piece');
  for (const p of pieces) {
    const row = (y: number) => mask.data.subarray(y * width + p.x, y * width + p.x + p.width);
    assert.ok(row(p.y).includes(255) && row(p.y + p.height - 1).includes(255), 'a piece is tight: hole pixels on its first and last rows');
  }
}

test('a thin wire across a large photo is filled in pieces, each seen unscaled; the pieces partition its holes', async () => {
  const [W, H] = [3000, 2000];
  const mask = await drawn(W, H, wirePath(W, H, 9));
  const groups = await findHoleGroups(mask.data, W, H);
  assert.equal(groups.length, 1, 'the wire is one group');
  const whole = planTile(groups[0]!, W, H, 512);
  assert.ok(whole.crop.width / whole.width > 4, 'whole, the wire would be scaled down more than 4x');
  const pieces = await piecesOf(mask, groups[0]!, W, H);
  assert.ok(pieces.length > 10 && pieces.length <= 48, `${pieces.length} pieces`);
  for (const p of pieces) {
    const tile = planTile(p, W, H, 512);
    assert.equal(tile.crop.width / tile.width, 1, `the piece at ${p.x},${p.y} (${p.width}x${p.height}) is seen at full resolution`);
  }
  assertPartition(mask, pieces);
});

test('a blob, a small photo, and a wire with too many pieces: whole, whole, and larger pieces', async () => {
  // A person-sized ellipse on a 24 MP photo: its middle has no context at full resolution, so it stays whole.
  const blob = await drawn(6000, 4000, '<ellipse cx="2500" cy="2200" rx="850" ry="1200" fill="#fff"/>');
  const [person] = await findHoleGroups(blob.data, 6000, 4000);
  assert.deepEqual(await piecesOf(blob, person!, 6000, 4000), [person]);
  // A thick band (600 px) is a blob too, though it spans the photo.
  const band = await drawn(3000, 2000, '<rect x="0" y="700" width="3000" height="600" fill="#fff"/>');
  const [bar] = await findHoleGroups(band.data, 3000, 2000);
  assert.deepEqual(await piecesOf(band, bar!, 3000, 2000), [bar]);
  // On a photo the network sees unscaled (the eval's 512x512), nothing is split.
  const small = await drawn(500, 500, wirePath(500, 500, 7));
  const [line] = await findHoleGroups(small.data, 500, 500);
  assert.deepEqual(await piecesOf(small, line!, 500, 500), [line]);
  // A long wire zigzagging over a 24 MP photo needs more than 48 cells of 160 px: the cells double.
  const zigzag = await drawn(6000, 4000, `<polyline points="0,200 6000,1000 0,1800 6000,2600 0,3400" stroke="#fff" stroke-width="12" fill="none"/>`);
  const [zz] = await findHoleGroups(zigzag.data, 6000, 4000);
  const pieces = await piecesOf(zigzag, zz!, 6000, 4000);
  assert.ok(pieces.length > 1 && pieces.length <= 48, `${pieces.length} pieces`);
  assert.ok(pieces.some((p) => p.width > 160 || p.height > 160), 'larger cells');
  assertPartition(zigzag, pieces);
});

test('a line of watermark letters whose crop would be scaled at all is filled in pieces, each unscaled', async () => {
  // Eight letter-sized rings in a row, 630x90 px, on a 768x768 photo: one crop around them all is scaled down
  // 1.5 times. Filled that way a watermark came back as readable flat letters (pconv.objects: text 6-8 dB below
  // Telea on a sky and on leaves); in pieces, seen unscaled, it is filled as well as Telea or better.
  const letters = Array.from({ length: 8 }, (_, i) => `<rect x="${70 + i * 80}" y="340" width="62" height="90" stroke="#fff" stroke-width="14" fill="none"/>`).join('');
  const text = await drawn(768, 768, letters);
  const groups = await findHoleGroups(text.data, 768, 768);
  assert.equal(groups.length, 1, 'the letters are one group');
  const whole = planTile(groups[0]!, 768, 768, 512);
  const reduction = whole.crop.width / whole.width;
  assert.ok(reduction > 1 && reduction <= 1.5, `whole, the crop is scaled down ${reduction}x`);
  const pieces = await piecesOf(text, groups[0]!, 768, 768);
  assert.ok(pieces.length > 1, `${pieces.length} pieces`);
  for (const piece of pieces) {
    const tile = planTile(piece, 768, 768, 512);
    assert.equal(tile.crop.width, tile.width, 'each piece is seen unscaled');
  }
  assertPartition(text, pieces);
});
