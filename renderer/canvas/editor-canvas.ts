// The fabric.js scene: the photo's preview stretched over full-resolution scene coordinates, then the
// document's layers bottom to top. Scene units are photo pixels, so zoom 1 is 100%.
import { Canvas, FabricImage, Point, type TMat2D } from 'fabric';
import type { DocState } from '../document/layers';
import { MaskView, ResultView } from './layer-views';

const MIN_ZOOM = 0.01;
const MAX_ZOOM = 32;
const FIT_MARGIN = 24; // CSS px around a fitted photo

/** Screen position of the photo: a scene point p shows at (x + p.x * zoom, y + p.y * zoom) CSS px. */
export interface Viewport {
  zoom: number;
  x: number;
  y: number;
}

/** Something drawn over the scene in scene coordinates (rectangle and lasso outlines while dragging). */
export type Overlay = (ctx: CanvasRenderingContext2D, zoom: number) => void;

export class EditorCanvas {
  readonly fabric: Canvas;
  #width = 0; // the photo, full resolution
  #height = 0;
  #scale = 1; // display pixels per photo pixel
  #photo: FabricImage | null = null;
  #views = new Map<string, MaskView | ResultView>();
  #before = false;
  #split: number | null = null; // compare: the photo alone left of this share of the width
  #fitted = true; // refit on resize until the person zooms or pans
  #overlay: Overlay | null = null;
  #state: DocState | null = null;
  #loading = 0; // the latest setPhoto call: an earlier, slower decode must not win
  /** Called whenever zoom or pan changes (the status bar and the brush cursor follow it). */
  onViewChange: (view: Viewport) => void = () => {};

  constructor(element: HTMLCanvasElement) {
    this.fabric = new Canvas(element, {
      selection: false,
      skipTargetFind: true,
      renderOnAddRemove: false,
      preserveObjectStacking: true,
      stopContextMenu: true,
      fireMiddleClick: true, // middle-drag pans
      backgroundColor: '#1b1d21',
      imageSmoothingEnabled: true,
    });
    this.fabric.upperCanvasEl.setAttribute('aria-hidden', 'true');
    this.fabric.on('before:render', ({ ctx }) => {
      ctx.imageSmoothingQuality = 'high'; // a zoomed-out photo without shimmering edges
    });
    this.fabric.on('after:render', ({ ctx }) => {
      this.#drawBefore(ctx as CanvasRenderingContext2D);
      this.#drawOverlay(ctx as CanvasRenderingContext2D);
    });
  }

  get zoom(): number {
    return this.fabric.getZoom();
  }

  get hasPhoto(): boolean {
    return this.#photo !== null;
  }

  /** Shows a new photo from its preview; layers are added by `sync`. False if a newer call took over. */
  async setPhoto(preview: Blob, width: number, height: number, previewWidth: number): Promise<boolean> {
    const call = ++this.#loading;
    const url = URL.createObjectURL(preview);
    try {
      const element = new Image();
      element.src = url;
      await element.decode();
      if (call !== this.#loading) return false;
      this.clear();
      this.#width = width;
      this.#height = height;
      this.#scale = Math.min(1, previewWidth / width);
      this.#photo = new FabricImage(element, {
        originX: 'left',
        originY: 'top',
        selectable: false,
        evented: false,
        scaleX: width / element.naturalWidth,
        scaleY: height / element.naturalHeight,
      });
      this.fabric.add(this.#photo);
      this.fit();
      return true;
    } finally {
      URL.revokeObjectURL(url); // the decoded element keeps its pixels
    }
  }

  clear(): void {
    this.#loading++;
    this.fabric.remove(...this.fabric.getObjects());
    this.#views.clear();
    this.#photo = null;
    this.#state = null;
    this.fabric.requestRenderAll();
  }

  /** Brings the scene in line with the document: one view per layer, in order, shown or hidden. */
  sync(state: DocState): void {
    this.#state = state;
    if (!this.#photo) return;
    const seen = new Set<string>();
    state.layers.forEach((layer, index) => {
      seen.add(layer.id);
      let view = this.#views.get(layer.id);
      if (!view) {
        view =
          layer.kind === 'mask'
            ? new MaskView(this.#width, this.#height, this.#scale)
            : new ResultView(layer, this.#scale, () => this.fabric.requestRenderAll());
        this.#views.set(layer.id, view);
        this.fabric.add(view.image);
      }
      if (view instanceof MaskView && layer.kind === 'mask') view.update(layer);
      view.image.set({ visible: layer.visible && !this.#before });
      this.fabric.moveObjectTo(view.image, index + 1); // the photo stays at 0
    });
    for (const [id, view] of this.#views) {
      if (seen.has(id)) continue;
      this.fabric.remove(view.image);
      this.#views.delete(id);
    }
    this.fabric.requestRenderAll();
  }

  maskView(layerId: string): MaskView | null {
    const view = this.#views.get(layerId);
    return view instanceof MaskView ? view : null;
  }

  /** Hold-to-compare: the photo alone, without results or masks. */
  setBefore(before: boolean): void {
    if (before === this.#before) return;
    this.#before = before;
    if (this.#state) this.sync(this.#state);
  }

  /** Compare: the photo as it was left of `at` (a share of the width), the picture as it is right of it. */
  setSplit(at: number | null): void {
    if (at === this.#split) return;
    this.#split = at;
    this.fabric.requestRenderAll();
  }

  setOverlay(overlay: Overlay | null): void {
    this.#overlay = overlay;
    this.fabric.requestRenderAll();
  }

  resize(width: number, height: number): void {
    this.fabric.setDimensions({ width, height });
    if (this.#fitted) this.fit();
    else this.fabric.requestRenderAll();
  }

  /** Scene (photo pixel) coordinates of a point in the canvas element. */
  toScene(viewX: number, viewY: number): Point {
    return new Point(viewX, viewY).transform(this.#inverse());
  }

  fit(): void {
    if (!this.#photo) return;
    const { width, height } = this.fabric;
    const zoom = Math.min((width - 2 * FIT_MARGIN) / this.#width, (height - 2 * FIT_MARGIN) / this.#height, 4);
    const z = Math.max(MIN_ZOOM, zoom);
    this.#setViewport([z, 0, 0, z, (width - this.#width * z) / 2, (height - this.#height * z) / 2]);
    this.#fitted = true;
  }

  /** 100%: one photo pixel per CSS pixel, centred. */
  actualSize(): void {
    this.#zoomTo(1, this.#centre());
    this.#fitted = false;
  }

  /** Multiplies the zoom, keeping `at` (canvas element coordinates; default the centre) still. */
  zoomBy(factor: number, at: Point = this.#centre()): void {
    this.#zoomTo(this.zoom * factor, at);
    this.#fitted = false;
  }

  panBy(dx: number, dy: number): void {
    this.fabric.relativePan(new Point(dx, dy));
    this.#fitted = false;
    this.#viewChanged();
  }

  dispose(): void {
    void this.fabric.dispose();
  }

  #zoomTo(zoom: number, at: Point): void {
    this.fabric.zoomToPoint(at, Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, zoom)));
    this.#viewChanged();
  }

  #setViewport(vpt: TMat2D): void {
    this.fabric.setViewportTransform(vpt);
    this.#viewChanged();
  }

  #viewChanged(): void {
    const [zoom, , , , x, y] = this.fabric.viewportTransform;
    this.onViewChange({ zoom, x, y });
  }

  #centre(): Point {
    return new Point(this.fabric.width / 2, this.fabric.height / 2);
  }

  #inverse(): TMat2D {
    const [a, , , d, e, f] = this.fabric.viewportTransform;
    return [1 / a, 0, 0, 1 / d, -e / a, -f / d];
  }

  /** Over the finished scene, left of the divider: the photo alone again, hiding results and masks there. */
  #drawBefore(ctx: CanvasRenderingContext2D): void {
    if (this.#split === null || !this.#photo) return;
    ctx.save();
    ctx.beginPath();
    ctx.rect(0, 0, this.fabric.width * this.#split, this.fabric.height);
    ctx.clip();
    ctx.transform(...this.fabric.viewportTransform);
    this.#photo.render(ctx);
    ctx.restore();
  }

  #drawOverlay(ctx: CanvasRenderingContext2D): void {
    if (!this.#overlay) return;
    ctx.save();
    ctx.transform(...this.fabric.viewportTransform);
    this.#overlay(ctx, this.zoom);
    ctx.restore();
  }
}
