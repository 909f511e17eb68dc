// Plain numbers of the contract, in a module of their own so the renderer can import them without zod.

/** A painted region up to this many pixels travels raw (16 MB of RGBA); a larger one as a PNG (MaskRegion). */
export const RAW_REGION_MAX_PIXELS = 4_000_000;

/**
 * Decompression-bomb guard: the engine refuses images above this many pixels from their header, before any
 * pixel is decoded ('too-large'). 100 MP covers every camera in use (a 61 MP full-frame is 9504 x 6336).
 */
export const MAX_INPUT_PIXELS = 100_000_000;
