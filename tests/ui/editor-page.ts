// Drives the real renderer in Debian's Chromium the way a person does: buttons by their accessible names,
// the mouse on the canvas. Photo coordinates are turned into screen points with the canvas's data-view.
import assert from 'node:assert/strict';
import type { Locator, Page } from '@playwright/test';

/** A point in the photo's full-resolution pixels. */
export type PhotoPoint = [number, number];

/** Remove Object runs the real model on a busy 2-core machine: generous, never asserted as a timing. */
export const ENGINE_TIMEOUT = 180_000;

export class EditorPage {
  readonly errors: string[] = [];

  private constructor(readonly page: Page) {
    page.on('pageerror', (err) => this.errors.push(err.message));
    page.on('console', (msg) => msg.type() === 'error' && !/favicon/.test(msg.text()) && this.errors.push(msg.text()));
  }

  /** The editor in this tab, started up, with any recovered session declined. */
  static async open(page: Page, url: string): Promise<EditorPage> {
    const editor = new EditorPage(page);
    await page.goto(url);
    await page.locator('[data-ready="true"]').waitFor();
    const restore = page.getByRole('dialog', { name: 'Restore your last session?' });
    if (await restore.isVisible()) await restore.getByRole('button', { name: 'Discard' }).click();
    return editor;
  }

  button(name: string): Locator {
    return this.page.getByRole('button', { name, exact: true });
  }

  get layers(): Locator {
    return this.page.getByRole('list', { name: 'Layers' });
  }

  get canvas(): Locator {
    return this.page.getByLabel('Canvas');
  }

  get alert(): Locator {
    return this.page.getByRole('alertdialog');
  }

  /** File > Open in the browser: type the path, open it, wait until the photo is on the canvas. */
  async openPhoto(path: string): Promise<void> {
    await this.button('Open').click();
    const dialog = this.page.getByRole('dialog', { name: 'Open photo' });
    await dialog.getByLabel('Path').fill(path);
    await dialog.getByRole('button', { name: 'Open', exact: true }).click();
  }

  /** The canvas shows this photo (its preview decoded and fitted). */
  async waitForPhoto(name: string): Promise<void> {
    await this.page.locator(`[data-photo="${name}"]`).waitFor();
  }

  async setBrushSize(size: number): Promise<void> {
    await this.page.getByRole('slider', { name: 'Brush size' }).fill(String(size));
  }

  /** Where a photo pixel is on screen right now. */
  async screenPoint([x, y]: PhotoPoint): Promise<[number, number]> {
    const view = await this.page.locator('[data-view]').getAttribute('data-view');
    const [zoom, panX, panY] = view!.split(' ').map(Number) as [number, number, number];
    const box = (await this.canvas.boundingBox())!;
    return [box.x + panX + x * zoom, box.y + panY + y * zoom];
  }

  /** Drags the mouse through the points (photo coordinates) with the current tool. */
  async drag(points: PhotoPoint[]): Promise<void> {
    const [first, ...rest] = points;
    await this.page.mouse.move(...(await this.screenPoint(first!)));
    await this.page.mouse.down();
    for (const p of rest) await this.page.mouse.move(...(await this.screenPoint(p)), { steps: 4 });
    await this.page.mouse.up();
  }

  /** The photo coordinates the editor recorded are the screen points mapped back: read them the same way. */
  async photoPoint(screen: [number, number]): Promise<PhotoPoint> {
    const view = await this.page.locator('[data-view]').getAttribute('data-view');
    const [zoom, panX, panY] = view!.split(' ').map(Number) as [number, number, number];
    const box = (await this.canvas.boundingBox())!;
    return [(screen[0] - box.x - panX) / zoom, (screen[1] - box.y - panY) / zoom];
  }

  /** A layer, by name: choosing it makes it the active layer. */
  layer(name: string): Locator {
    return this.layers.getByRole('radio', { name, exact: true });
  }

  /** The layers' names as the panel lists them, top first (the photo row, last, has no name to choose). */
  async layerNames(): Promise<string[]> {
    return (await this.layers.getByRole('radio').evaluateAll((radios) => radios.map((r) => r.parentElement?.textContent ?? ''))).map((t) => t.trim());
  }

  layerRow(name: string): Locator {
    return this.layers.getByRole('listitem').filter({ has: this.page.getByRole('radio', { name, exact: true }) });
  }

  /** A layer's visibility checkbox. */
  visibility(name: string): Locator {
    return this.layers.getByRole('checkbox', { name: `${name} visible`, exact: true });
  }

  /** Remove Object, then wait for its result layer. */
  async removeObject(step: number): Promise<void> {
    await this.button('Remove Object').click();
    await this.layer(`Remove Object ${step}`).waitFor({ timeout: ENGINE_TIMEOUT });
    assert.equal(await this.alert.count(), 0, 'no error dialog');
  }

  /** Export As, PNG, to a typed path; waits until it is written. */
  async exportPng(target: string): Promise<void> {
    await this.button('Export').click();
    const dialog = this.page.getByRole('dialog', { name: 'Export As' });
    await dialog.getByLabel('Format').selectOption('png');
    await dialog.getByLabel('Save to').fill(target);
    await dialog.getByRole('button', { name: 'Export', exact: true }).click();
    await dialog.waitFor({ state: 'detached', timeout: ENGINE_TIMEOUT });
    assert.equal(await this.alert.count(), 0, 'no error dialog');
    await this.page.getByRole('status').filter({ hasText: 'Exported' }).waitFor();
  }
}
