// Hole shapes drawn as SVG (libvips renders them), shared by the tests and the bench so each is written once.

/** A black width x height frame with white shapes over it: white is hole once thresholded. */
export const maskSvg = (width: number, height: number, shapes: string) =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="#000"/>${shapes}</svg>`;

/** A wire across the frame: a curve `thickness` px wide from its left edge to its right. */
export const wirePath = (width: number, height: number, thickness: number) =>
  `<path d="M 0 ${0.3 * height} C ${0.3 * width} ${0.5 * height}, ${0.6 * width} ${0.2 * height}, ${width} ${0.7 * height}" stroke="#fff" stroke-width="${thickness}" fill="none"/>`;
