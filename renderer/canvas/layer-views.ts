// On-screen stand-ins for the document's layers. Both draw at the preview's scale (a 24 MP photo is shown
// from its 2048 px preview), and fabric scales them back up to full-resolution scene coordinates.
import { FabricImage } from 'fabric';
import type { MaskLayer, MaskOp, ResultLayer } from '../document/layers';
import { drawMask, drawMaskOp } from '../document/rasterize';

function makeCanvas(width: number, height: number): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.ceil(width));
  canvas.height = Math.max(1, Math.ceil(height));
  return canvas;
}

function context(canvas: HTMLCanvasElement): CanvasRenderingContext2D {
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('No 2D canvas available.');
  return ctx;
}

/** Static, non-interactive image: the editor handles the pointer itself. */
const imageOptions = {
  originX: 'left',
  originY: 'top',
  selectable: false,
  evented: false,
  objectCaching: false, // the backing canvas changes under it
} as const;

export class MaskView {
  readonly image: FabricImage;
  readonly #canvas: HTMLCanvasElement;
  readonly #ctx: CanvasRenderingContext2D;
  readonly #scale: number;
  #ops: readonly MaskOp[] | null = null;
  #color = '';

  /** `scale`: display pixels per photo pixel. */
  constructor(photoWidth: number, photoHeight: number, scale: number) {
    this.#scale = scale;
    this.#canvas = makeCanvas(photoWidth * scale, photoHeight * scale);
    this.#ctx = context(this.#canvas);
    this.image = new FabricImage(this.#canvas, {
      ...imageOptions,
      scaleX: photoWidth / this.#canvas.width,
      scaleY: photoHeight / this.#canvas.height,
    });
  }

  /** Redraws only when the layer's ops or colour changed (ops arrays are immutable, so identity is enough). */
  update(layer: MaskLayer): void {
    if (layer.ops !== this.#ops || layer.color !== this.#color) {
      drawMask(this.#ctx, layer.ops, this.#scale, layer.color);
      this.#ops = layer.ops;
      this.#color = layer.color;
    }
    this.image.set({ opacity: layer.opacity });
  }

  /** Paints part of a stroke while the pointer is still down; the committed op redraws it exactly. */
  drawLive(op: MaskOp): void {
    this.#ctx.setTransform(this.#scale, 0, 0, this.#scale, 0, 0);
    drawMaskOp(this.#ctx, op, this.#color);
  }
}

export class ResultView {
  readonly image: FabricImage;

  /** Decodes the patch off the main thread, scaled to the display; `onReady` asks for a repaint. */
  constructor(layer: ResultLayer, scale: number, onReady: () => void) {
    const { rect } = layer;
    const canvas = makeCanvas(rect.width * scale, rect.height * scale);
    this.image = new FabricImage(canvas, {
      ...imageOptions,
      left: rect.x,
      top: rect.y,
      scaleX: rect.width / canvas.width,
      scaleY: rect.height / canvas.height,
    });
    const png = new Blob([layer.patch as Uint8Array<ArrayBuffer>], { type: 'image/png' });
    void createImageBitmap(png, { resizeWidth: canvas.width, resizeHeight: canvas.height, resizeQuality: 'high' })
      .then((bitmap) => {
        context(canvas).drawImage(bitmap, 0, 0);
        bitmap.close();
        onReady();
      })
      .catch(() => {
        /* An undecodable patch stays blank on screen; export still uses main's copy. */
      });
  }
}
