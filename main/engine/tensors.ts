// Between model tiles (at most a few hundred pixels a side) and tensors. Filling the Float32 input is the
// one pixel loop in JavaScript, and it only ever sees a tile; the way back is done by libvips.
import sharp from 'sharp';

export interface TileTensors {
  image: Float32Array; // CHW, RGB in [0,1]
  mask: Float32Array; // HW, 1 = known, 0 = hole
  known: number; // how many known pixels the tile has
}

/** rgb: HWC 8-bit; holes: one channel, non-zero = hole. */
export function toTensors(rgb: Buffer, holes: Buffer, width: number, height: number): TileTensors {
  const n = width * height;
  if (rgb.length !== n * 3 || holes.length !== n) throw new Error(`tile buffers do not match ${width}x${height}`);
  const image = new Float32Array(n * 3);
  const mask = new Float32Array(n);
  let known = 0;
  for (let i = 0; i < n; i++) {
    image[i] = rgb[i * 3]! / 255;
    image[n + i] = rgb[i * 3 + 1]! / 255;
    image[2 * n + i] = rgb[i * 3 + 2]! / 255;
    if (holes[i] === 0) {
      mask[i] = 1;
      known++;
    }
  }
  return { image, mask, known };
}

/** The CHW prediction as HWC 8-bit RGB: libvips joins the three planes and rounds x*255 to the nearest. */
export async function fromTensor(chw: Float32Array, width: number, height: number): Promise<Buffer> {
  const n = width * height;
  const raw = { raw: { width, height, channels: 1 as const } };
  const plane = (c: number) => chw.subarray(c * n, (c + 1) * n);
  return sharp(plane(0), raw)
    // sharp reads typed arrays as raw pixels of their own depth (float here); its typings only list Buffer.
    .joinChannel([plane(1), plane(2)] as unknown as Buffer[], raw)
    .linear(255, 0.5) // the cast to 8 bits truncates: +0.5 rounds
    .toColourspace('srgb')
    .raw()
    .toBuffer();
}
