// Every pixel the network is told is known must be the known photo pixels scaled (a triangle filter, main/engine/fill/
// pipeline.ts cutAndScale): never a value bent by the hole.
// A scaled crop used to hand the network a ring of known pixels around the hole up to 25 levels lighter than the
// photo (lanczos3's negative lobes over the transparent hole, the premultiplied alpha clipped at 255); the network
// carried the ring into the fill, and on a bright sky or wall a removed object came back as a light ghost
// (native-models/README.md, Object removals).
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { fillHoles } from '../../main/engine/fill/pipeline';
import { planTile } from '../../main/engine/fill/tile-geometry';
import { loadModel, type LoadedModel, type Model } from '../../main/engine/model/session';
import { MODEL, rectMask, sunHays, tempDir } from '../helpers/engine-data';

let model: LoadedModel;
before(async () => {
  model = await loadModel(MODEL, 'cpu', 2);
});
after(() => model.release());

/** The real model, with a copy of each tile's tensors kept on the way in. */
function recording(inner: Model) {
  const tiles: { image: Float32Array; mask: Float32Array; width: number; height: number }[] = [];
  const wrapped: Model = {
    provider: inner.provider,
    run: (image, mask, width, height) => inner.run(image, mask, width, height),
    fill(image, mask, width, height, place) {
      tiles.push({ image: image.slice(), mask: mask.slice(), width, height });
      return inner.fill(image, mask, width, height, place);
    },
  };
  return { wrapped, tiles };
}

test("a scaled crop's known pixels are the photo scaled, to 2 levels, right up to the hole", async (t) => {
  const dir = await tempDir(t);
  const photo = sunHays(3); // 1024x686
  const { width, height } = await sharp(photo).metadata();
  // A person-sized object, 330x330 (a blob, filled whole): its crop is scaled down to the network's 512.
  const hole = { x: 330, y: 190, width: 330, height: 330 };
  const mask = await rectMask(width!, height!, [hole], path.join(dir, 'mask.png'));
  const tile = planTile(hole, width!, height!, 512);
  assert.ok(tile.crop.width > tile.width, `the crop ${tile.crop.width} px wide is scaled to ${tile.width}`);

  const { wrapped, tiles } = recording(model);
  await fillHoles(wrapped, { photo, layers: [], mask: { kind: 'file', path: mask }, scaleMask: false, inferSize: 512 });
  assert.equal(tiles.length, 1);
  const seen = tiles[0]!;
  assert.deepEqual([seen.width, seen.height], [tile.width, tile.height]);

  // The same crop scaled with nothing hidden: where a pixel's lanczos footprint is all known, the two agree.
  const { crop } = tile;
  const truth = await sharp(photo).removeAlpha().extract({ left: crop.x, top: crop.y, width: crop.width, height: crop.height })
    .resize(tile.width, tile.height, { fit: 'fill', kernel: 'linear' }).raw().toBuffer();
  const n = tile.width * tile.height;
  let known = 0;
  let worst = 0;
  for (let i = 0; i < n; i++) {
    if (seen.mask[i] === 0) continue;
    known++;
    for (let c = 0; c < 3; c++) worst = Math.max(worst, Math.abs(Math.round(seen.image[c * n + i]! * 255) - truth[i * 3 + c]!));
  }
  assert.ok(known > 0.6 * n, `${known} of ${n} pixels known`);
  assert.ok(worst <= 2, `a known pixel is ${worst} levels off the photo scaled`);
});
