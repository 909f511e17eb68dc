// Encoding results: the format from a name, encoder settings, and the metadata kept.
import type { Sharp } from 'sharp';
import type { OutputFormat } from '../../contract/app-api';
import { formatOfName } from '../../contract/formats';
import type { ImageHeader } from './decode';

/** The output format a file name asks for (its extension, read as Export As reads it), or null for an extension
 * Holefill does not write. */
export function formatFromPath(file: string): OutputFormat | null {
  const named = formatOfName(file);
  return named === 'none' || named === 'unsupported' ? null : named;
}

export const DEFAULT_QUALITY = 92;

/** Above this, JPEG skips Huffman optimisation: on 24 MP it holds the whole image (+270 MB) for 5% smaller files. */
const OPTIMISE_JPEG_MAX_PIXELS = 8_000_000;

/** Encoder settings: lossless where the format allows (PNG, TIFF, WebP at quality 100). */
export function encodeAs(image: Sharp, format: OutputFormat, quality = DEFAULT_QUALITY, pixels = 0): Sharp {
  switch (format) {
    case 'png':
      return image.png({ compressionLevel: 6 });
    case 'jpeg':
      return image.jpeg({ quality, chromaSubsampling: quality >= 90 ? '4:4:4' : '4:2:0', optimiseCoding: pixels <= OPTIMISE_JPEG_MAX_PIXELS });
    case 'webp':
      return image.webp(quality === 100 ? { lossless: true } : { quality });
    case 'tiff':
      return image.tiff({ compression: 'lzw' });
  }
}

/** Keeps EXIF (orientation already reset: the pixels are upright), XMP, IPTC and the ICC profile; a CMYK
 * profile would be wrong on the RGB pixels Holefill writes, so for CMYK photos only EXIF is kept. */
export function keepMetadata(image: Sharp, header: ImageHeader): Sharp {
  return header.space === 'cmyk' ? image.keepExif() : image.keepMetadata();
}
