// Plain numbers of the contract, in a module of their own so the renderer can import them without zod.

/** A painted region up to this many pixels travels raw (16 MB of RGBA); a larger one as a PNG (MaskRegion). */
export const RAW_REGION_MAX_PIXELS = 4_000_000;
