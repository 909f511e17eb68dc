// A photo plus result layers, flattened at full resolution and written atomically with its metadata.
// Used by Remove Object's export, by the CLI and by batches. Layers' alpha is 0 or 255 (the mask), so
// compositing them only ever copies pixels: everything outside the holes is the photo's own bytes.
import sharp, { type Sharp } from 'sharp';
import type { Layer, OutputFormat } from '../contract/engine';
import { decodeError } from './errors';
import { checkLayers, decode, layerInputs, readHeader } from './image-io';
import { encodeAs, keepMetadata, writeAtomically, writeProblem, type WriteOptions } from './output';

export interface FlattenOptions extends WriteOptions {
  format: OutputFormat;
  quality?: number;
}

export async function flattenToFile(photo: string, layers: readonly Layer[], output: string, options: FlattenOptions): Promise<void> {
  const header = await readHeader(photo, 'photo');
  await checkLayers(layers, header.width, header.height);
  await writeAtomically(
    output,
    async (temp) => {
      try {
        const image = header.hasAlpha && layers.length ? await compositeKeepingAlpha(photo, layers) : compositeOpaque(photo, layers);
        await encodeAs(keepMetadata(image, header), options.format, options.quality, header.width * header.height).toFile(temp);
      } catch (err) {
        throw writeProblem(err) ? err : decodeError('photo', photo, err);
      }
    },
    options,
  );
}

/** One streaming pass from the file: the photo never sits whole in memory. */
function compositeOpaque(photo: string, layers: readonly Layer[]): Sharp {
  const image = decode(photo).pipelineColourspace('srgb');
  return layers.length ? image.composite(layerInputs(layers)).removeAlpha() : image;
}

/**
 * With an alpha channel, compositing would premultiply (losing the colour of transparent pixels) and make
 * the holes opaque. Instead the colour is filled on RGB alone, the photo's alpha put back, and the change
 * applied to the decoded file as a bitwise XOR: exact, and the output still comes from the file, so
 * sharp keeps its metadata.
 */
async function compositeKeepingAlpha(photo: string, layers: readonly Layer[]): Promise<Sharp> {
  const base = await decode(photo).pipelineColourspace('srgb').toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  const { width, height } = base.info;
  const raw = (channels: 1 | 3 | 4) => ({ raw: { width, height, channels } });
  const rgba = raw(4);
  const rgb = await sharp(base.data, rgba).removeAlpha().raw().toBuffer();
  const alpha = await sharp(base.data, rgba).extractChannel(3).raw().toBuffer();
  const filled = await sharp(rgb, raw(3)).composite(layerInputs(layers)).removeAlpha().raw().toBuffer();
  const wanted = await sharp(filled, raw(3)).joinChannel(alpha, raw(1)).raw().toBuffer();
  const change = await sharp(wanted, rgba).boolean(base.data, 'eor', rgba).raw().toBuffer();
  return decode(photo).pipelineColourspace('srgb').boolean(change, 'eor', rgba);
}
