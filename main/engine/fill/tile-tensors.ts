// From a model tile (at most a few hundred pixels a side) to tensors. Filling the Float32 input is the one
// pixel loop in JavaScript, and it only ever sees a tile; the way back is onnxruntime's (enlarge.ts).
export interface TileTensors {
  image: Float32Array; // CHW, RGB in [0,1]
  mask: Float32Array; // HW, 1 = known, 0 = hole
  known: number; // how many known pixels the tile has
  /** Every known pixel of the tile has R = G = B: a black-and-white photo, whose fill must not take on a tint. */
  grey: boolean;
}

/** rgb: HWC 8-bit; holes: one channel, non-zero = hole. */
export function toTensors(rgb: Buffer, holes: Buffer, width: number, height: number): TileTensors {
  const n = width * height;
  if (rgb.length !== n * 3 || holes.length !== n) throw new Error(`tile buffers do not match ${width}x${height}`);
  const image = new Float32Array(n * 3);
  const mask = new Float32Array(n);
  let known = 0;
  let grey = true;
  for (let i = 0; i < n; i++) {
    if (holes[i] !== 0) continue; // a hole pixel stays 0: what lies under the hole has no say in the fill
    const r = rgb[i * 3]!;
    const g = rgb[i * 3 + 1]!;
    const b = rgb[i * 3 + 2]!;
    image[i] = r / 255;
    image[n + i] = g / 255;
    image[2 * n + i] = b / 255;
    grey &&= r === g && g === b;
    mask[i] = 1;
    known++;
  }
  return { image, mask, known, grey };
}

