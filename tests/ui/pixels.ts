// Pixel checks for the UI tests, done by sharp (libvips): which pixels an export changed, and where a
// stroke painted in the browser should have changed them.
import sharp from 'sharp';

/** A one-channel image whose pixels are 0 or 255. */
export interface Binary {
  data: Buffer;
  width: number;
  height: number;
}

const raw = (img: { width: number; height: number }, channels: 1 | 3) => ({ raw: { width: img.width, height: img.height, channels } });

async function toBinary(pipeline: sharp.Sharp): Promise<Binary> {
  const { data, info } = await pipeline.toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 1) throw new Error(`expected one channel, got ${info.channels}`);
  return { data, width: info.width, height: info.height };
}

/** 255 where the two images differ in any channel (alpha ignored), 0 where they are identical. */
export async function changedPixels(a: string | Buffer, b: string | Buffer): Promise<Binary> {
  const first = await sharp(a).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const second = await sharp(b).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const { width, height } = first.info;
  if (second.info.width !== width || second.info.height !== height) {
    throw new Error(`sizes differ: ${width}x${height} vs ${second.info.width}x${second.info.height}`);
  }
  // |a - b| per channel, then the channels summed into one (any difference stays > 0), then 0/255.
  const diff = await sharp(first.data, raw(first.info, 3))
    .composite([{ input: second.data, ...raw(first.info, 3), blend: 'difference' }])
    .removeAlpha()
    .raw()
    .toBuffer();
  const summed = await sharp(diff, raw(first.info, 3)).recomb([[1, 1, 1], [0, 0, 0], [0, 0, 0]]).extractChannel(0).raw().toBuffer();
  return toBinary(sharp(summed, raw(first.info, 1)).threshold(1));
}

/** Where a round-capped polyline of `width` covers at least half a pixel, like the editor's brush. */
export async function strokeMask(width: number, height: number, points: [number, number][], strokeWidth: number): Promise<Binary> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <rect width="100%" height="100%" fill="#000"/>
    <polyline points="${points.map((p) => p.join(',')).join(' ')}" fill="none" stroke="#fff"
      stroke-width="${strokeWidth}" stroke-linecap="round" stroke-linejoin="round"/>
  </svg>`;
  return toBinary(sharp(Buffer.from(svg)).extractChannel(0).threshold(128));
}

export async function and(a: Binary, b: Binary): Promise<Binary> {
  return toBinary(sharp(a.data, raw(a, 1)).boolean(b.data, 'and', raw(b, 1)));
}

export async function not(a: Binary): Promise<Binary> {
  return toBinary(sharp(a.data, raw(a, 1)).negate());
}

/** How many pixels are set. */
export async function count(a: Binary): Promise<number> {
  const { channels } = await sharp(a.data, raw(a, 1)).stats();
  return Math.round((channels[0]!.mean / 255) * a.width * a.height);
}
