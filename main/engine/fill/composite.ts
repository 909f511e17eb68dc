// A photo plus result layers, flattened at full resolution and written atomically with its metadata.
// Used by Remove Object's export, by the CLI and by batches. Layers' alpha is 0 or 255 (the mask), so
// compositing them only ever copies pixels: everything outside the holes is the photo's own bytes.
import sharp, { type Sharp } from 'sharp';
import type { OutputFormat, Patch, Rect } from '../../contract/app-api';
import { decodeError } from '../errors';
import { checkLayers, decode, layerInputs, readHeader, type ImageHeader } from '../images/decode';
import { encodeAs, keepMetadata } from '../images/encode';
import { writeOutputFile, writeProblem, type WriteOptions } from '../images/write';
import { unionAll } from './hole-groups';

export interface FlattenOptions extends WriteOptions {
  format: OutputFormat;
  quality?: number;
}

export async function flattenToFile(photo: string, layers: readonly Patch[], output: string, options: FlattenOptions): Promise<void> {
  const header = await readHeader(photo, 'photo');
  await checkLayers(layers, header.width, header.height);
  await writeOutputFile(
    output,
    async (temp) => {
      try {
        const image = keepsSixteenBits(header, options.format)
          ? await compositeSixteenBit(photo, layers, header)
          : header.hasAlpha && layers.length
            ? await compositeKeepingAlpha(photo, layers)
            : compositeOpaque(photo, layers);
        // A one-band grey photo stays one band: its fill is grey too (pipeline.ts), so nothing is lost.
        const bands = header.space === 'b-w' && !header.hasAlpha && header.depth === 'uchar' ? image.extractChannel(0).toColourspace('b-w') : image;
        await encodeAs(keepMetadata(bands, header), options.format, options.quality, header.width * header.height).toFile(temp);
      } catch (err) {
        throw writeProblem(err) ? err : decodeError('photo', photo, err);
      }
    },
    options,
  );
}

/** One streaming pass from the file: the photo never sits whole in memory. */
function compositeOpaque(photo: string, layers: readonly Patch[]): Sharp {
  const image = decode(photo).pipelineColourspace('srgb');
  return layers.length ? image.composite(layerInputs(layers)).removeAlpha() : image;
}

/**
 * With an alpha channel, compositing would premultiply (losing the colour of transparent pixels) and make
 * the holes opaque. Instead the colour is filled on RGB alone, the photo's alpha put back, and the change
 * applied to the decoded file as a bitwise XOR: exact, and the output still comes from the file, so
 * sharp keeps its metadata.
 */
async function compositeKeepingAlpha(photo: string, layers: readonly Patch[]): Promise<Sharp> {
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

/** A 16-bit photo (RGB or grey, with or without alpha) written as PNG or TIFF keeps its 16 bits: every sample
 * outside the holes as stored. (JPEG and WebP outputs go through the 8-bit paths.) */
const keepsSixteenBits = (header: ImageHeader, format: OutputFormat) =>
  header.depth === 'ushort' && (header.space === 'rgb16' || header.space === 'grey16') && (format === 'png' || format === 'tiff');

/**
 * The same XOR as compositeKeepingAlpha, at 16 bits. The fill is 8-bit; an 8-bit value v is v * 257 at 16
 * bits, whose two bytes are both v, so every operand is built byte by byte, as one-band 8-bit images whose
 * "pixels" are the 16-bit samples' bytes: libvips does all of it, and no 16-bit colour conversion (where
 * sharp's defaults would quietly go to 8 bits) is involved. The change is zero outside the holes and in alpha.
 * A grey photo's fill is grey (pipeline.ts), so its one colour band is the patch's first.
 */
async function compositeSixteenBit(photo: string, layers: readonly Patch[], header: ImageHeader): Promise<Sharp> {
  const space = header.space === 'grey16' ? 'grey16' : 'rgb16';
  const asStored = () => decode(photo).pipelineColourspace(space);
  if (!layers.length) return asStored().toColourspace(space);
  const colours = space === 'grey16' ? 1 : 3;
  const bands = (colours + (header.hasAlpha ? 1 : 0)) as 1 | 2 | 3 | 4;
  const rect = unionAll(layers.map((l) => l.rect));
  const bytesWide = (r: Rect) => r.width * bands * 2; // a row of 16-bit samples, as bytes
  const rowOfBytes = (r: Rect) => ({ raw: { width: bytesWide(r), height: r.height, channels: 1 as const } });
  const pixels = (r: Rect, channels: 1 | 2 | 3 | 4) => ({ raw: { width: r.width, height: r.height, channels } });
  const joined = async (first: Buffer, rest: Buffer[]) => (rest.length ? sharp(first, pixels(rect, 1)).joinChannel(rest, pixels(rect, 1)).raw().toBuffer() : first);

  // The layers over transparency: where one is opaque, the fill (topmost first); elsewhere alpha 0.
  const over = await sharp({ create: { width: rect.width, height: rect.height, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
    .composite(layers.map((l) => ({ input: Buffer.from(l.patch.buffer, l.patch.byteOffset, l.patch.byteLength), left: l.rect.x - rect.x, top: l.rect.y - rect.y })))
    .raw()
    .toBuffer();
  const band = (i: 0 | 3) => sharp(over, pixels(rect, 4)).extractChannel(i).raw().toBuffer();
  const alpha = await band(3);
  // Each byte twice: samples' bytes as a one-band image twice as wide, enlarged 2x horizontally (nearest).
  const twice = async (data: Buffer) =>
    sharp(data, { raw: { width: rect.width * bands, height: rect.height, channels: 1 } })
      .resize(rect.width * bands * 2, rect.height, { fit: 'fill', kernel: 'nearest' })
      .toColourspace('b-w') // one band stays one band
      .raw()
      .toBuffer();
  // The fill's samples in the photo's bands (what lands on alpha is masked out below).
  const fillBands = colours === 3 ? (bands === 4 ? over : await sharp(over, pixels(rect, 4)).removeAlpha().raw().toBuffer()) : await joined(await band(0), bands === 2 ? [alpha] : []);
  const fill = await twice(fillBands);
  // Hole bytes: the alpha on the colour samples, 0 on the alpha sample (the photo's alpha is kept).
  const hole = await twice(await joined(alpha, [...Array<Buffer>(colours - 1).fill(alpha), ...(header.hasAlpha ? [Buffer.alloc(alpha.length)] : [])]));
  const stored = await asStored()
    .extract({ left: rect.x, top: rect.y, width: rect.width, height: rect.height })
    .toColourspace(space)
    .raw({ depth: 'ushort' }) // raw() alone would cast the samples to 8 bits
    .toBuffer();
  const differs = await sharp(fill, rowOfBytes(rect)).boolean(stored, 'eor', rowOfBytes(rect)).toColourspace('b-w').raw().toBuffer(); // one boolean per pipeline
  const change = await sharp(differs, rowOfBytes(rect)).boolean(hole, 'and', rowOfBytes(rect)).toColourspace('b-w').raw().toBuffer();
  const frame = { x: 0, y: 0, width: header.width, height: header.height };
  const changeFrame = await sharp(change, rowOfBytes(rect))
    .extend({ left: rect.x * bands * 2, right: bytesWide(frame) - bytesWide(rect) - rect.x * bands * 2, top: rect.y, bottom: header.height - rect.y - rect.height, background: { r: 0, g: 0, b: 0 } })
    .toColourspace('b-w')
    .raw()
    .toBuffer();
  // sharp takes a raw operand's depth from its typed array (lib/input.js); its types only name Buffer.
  const aligned = changeFrame.byteOffset % 2 === 0 ? changeFrame : new Uint8Array(changeFrame); // a copy starts at 0
  const samples = new Uint16Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 2) as unknown as Buffer;
  return asStored().boolean(samples, 'eor', pixels(frame, bands)).toColourspace(space);
}
