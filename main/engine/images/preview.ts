// The preview the editor shows while a photo is open: upright, downscaled, a JPEG.
import type { PhotoPreview } from '../../contract/app-api';
import { decodeError } from '../errors';
import { decode, readHeader } from './decode';

/** An upright JPEG for display (colour-managed to sRGB, transparency on white), long side <= maxSide. */
export async function makePreview(photo: string, maxSide: number): Promise<PhotoPreview> {
  const header = await readHeader(photo, 'photo');
  try {
    const { data, info } = await decode(photo, { ignoreIcc: false })
      .resize(maxSide, maxSide, { fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .jpeg({ quality: 85 })
      .toBuffer({ resolveWithObject: true });
    return { width: header.width, height: header.height, format: header.format, preview: data, previewWidth: info.width, previewHeight: info.height };
  } catch (err) {
    throw decodeError('photo', photo, err);
  }
}
