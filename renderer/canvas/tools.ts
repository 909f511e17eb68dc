// What the pointer does on the canvas for each tool. Painting tools turn a drag into one MaskOp in photo
// coordinates and hand it to the editor on release: one stroke, one undo step.
import { Point, type Canvas, type TPointerEvent, type TPointerEventInfo } from 'fabric';
import type { MaskOp } from '../document/layers';
import type { EditorCanvas } from './editor-canvas';

export type Tool = 'brush' | 'eraser' | 'rectangle' | 'lasso';

export interface ToolHost {
  readonly tool: Tool;
  readonly brushSize: number;
  /** Space is held: drag pans instead of painting. */
  readonly panning: boolean;
  /** The mask layer to paint on (made visible, or created); null when no photo is open. */
  paintTarget(): string | null;
  commit(layerId: string, op: MaskOp): void;
}

interface Drag {
  layerId: string;
  erase: boolean;
  points: number[];
}

const round = (v: number) => Math.round(v * 100) / 100;

export class PointerTools {
  #drag: Drag | null = null;
  #pan: { x: number; y: number } | null = null;

  constructor(
    private readonly view: EditorCanvas,
    private readonly host: ToolHost,
  ) {
    const canvas: Canvas = view.fabric;
    canvas.on('mouse:down', (info) => this.#down(info));
    canvas.on('mouse:move', (info) => this.#move(info));
    canvas.on('mouse:up', () => this.#up());
    canvas.on('mouse:wheel', ({ e }) => this.#wheel(e));
  }

  get panningNow(): boolean {
    return this.#pan !== null;
  }

  #down({ e, scenePoint }: TPointerEventInfo<TPointerEvent>): void {
    const mouse = e as PointerEvent;
    if (this.host.panning || mouse.button === 1) {
      this.#pan = { x: mouse.clientX, y: mouse.clientY };
      return;
    }
    if (mouse.button !== 0) return;
    const layerId = this.host.paintTarget();
    if (!layerId) return;
    // Alt subtracts with the shape tools, as in most editors; the eraser always does.
    const erase = this.host.tool === 'eraser' || (mouse.altKey && this.host.tool !== 'brush');
    this.#drag = { layerId, erase, points: [round(scenePoint.x), round(scenePoint.y)] };
    if (this.#isBrush()) this.#drawLive(this.#drag.points);
  }

  #move({ e, scenePoint }: TPointerEventInfo<TPointerEvent>): void {
    const mouse = e as PointerEvent;
    if (this.#pan) {
      this.view.panBy(mouse.clientX - this.#pan.x, mouse.clientY - this.#pan.y);
      this.#pan = { x: mouse.clientX, y: mouse.clientY };
      return;
    }
    const drag = this.#drag;
    if (!drag) return;
    const x = round(scenePoint.x);
    const y = round(scenePoint.y);
    const lastX = drag.points.at(-2)!;
    const lastY = drag.points.at(-1)!;
    // One point per screen pixel of movement is as smooth as the eye can tell.
    if (Math.hypot(x - lastX, y - lastY) * this.view.zoom < 1) return;
    if (this.host.tool === 'rectangle') {
      drag.points = [drag.points[0]!, drag.points[1]!, x, y];
      this.view.setOverlay((ctx, zoom) => outlineRect(ctx, zoom, drag.points));
      return;
    }
    drag.points.push(x, y);
    if (this.#isBrush()) this.#drawLive([lastX, lastY, x, y]);
    else this.view.setOverlay((ctx, zoom) => outlinePolygon(ctx, zoom, drag.points));
  }

  #up(): void {
    this.#pan = null;
    const drag = this.#drag;
    this.#drag = null;
    this.view.setOverlay(null);
    if (!drag) return;
    const op = this.#finish(drag);
    if (op) this.host.commit(drag.layerId, op);
  }

  #finish({ erase, points }: Drag): MaskOp | null {
    switch (this.host.tool) {
      case 'brush':
      case 'eraser':
        return { kind: 'stroke', erase, size: this.host.brushSize, points };
      case 'rectangle': {
        if (points.length < 4) return null;
        const [x0, y0, x1, y1] = points as [number, number, number, number];
        const width = Math.abs(x1 - x0);
        const height = Math.abs(y1 - y0);
        if (width < 1 || height < 1) return null;
        return { kind: 'rect', erase, x: Math.min(x0, x1), y: Math.min(y0, y1), width, height };
      }
      case 'lasso':
        return points.length >= 6 ? { kind: 'lasso', erase, points } : null;
    }
  }

  #isBrush(): boolean {
    return this.host.tool === 'brush' || this.host.tool === 'eraser';
  }

  #drawLive(points: number[]): void {
    const drag = this.#drag!;
    this.view.maskView(drag.layerId)?.drawLive({ kind: 'stroke', erase: drag.erase, size: this.host.brushSize, points });
    this.view.fabric.requestRenderAll();
  }

  #wheel(e: WheelEvent): void {
    e.preventDefault();
    const rect = this.view.fabric.upperCanvasEl.getBoundingClientRect();
    // Smooth on trackpads, about 10% per notch of a wheel (deltaMode 1 counts lines, not pixels).
    const factor = Math.pow(0.999, e.deltaMode === 1 ? e.deltaY * 33 : e.deltaY);
    this.view.zoomBy(factor, new Point(e.clientX - rect.left, e.clientY - rect.top));
  }
}

/** Marching-ants-like outline: dark under light, one screen pixel wide at any zoom. */
function outline(ctx: CanvasRenderingContext2D, zoom: number, trace: () => void): void {
  ctx.lineWidth = 1 / zoom;
  ctx.setLineDash([]);
  ctx.strokeStyle = 'rgba(0,0,0,0.8)';
  trace();
  ctx.stroke();
  ctx.setLineDash([4 / zoom, 4 / zoom]);
  ctx.strokeStyle = '#fff';
  ctx.stroke();
}

function outlineRect(ctx: CanvasRenderingContext2D, zoom: number, points: number[]): void {
  const [x0 = 0, y0 = 0, x1 = x0, y1 = y0] = points;
  outline(ctx, zoom, () => {
    ctx.beginPath();
    ctx.rect(Math.min(x0, x1), Math.min(y0, y1), Math.abs(x1 - x0), Math.abs(y1 - y0));
  });
}

function outlinePolygon(ctx: CanvasRenderingContext2D, zoom: number, points: number[]): void {
  outline(ctx, zoom, () => {
    ctx.beginPath();
    for (let i = 0; i < points.length; i += 2) ctx.lineTo(points[i]!, points[i + 1]!);
    ctx.closePath();
  });
}
