// The editor's one controller: what is open, which tool is in hand, which dialog shows, and every command
// the menus, buttons and shortcuts run. Components read its state and call its methods; nothing else
// talks to the API.
import type { MenuCommand, OutputFormat, RecoveredDocument, Res, Settings } from '../../main/contract/app-api';
import { api } from '../api';
import type { EditorCanvas, Viewport } from '../canvas/editor-canvas';
import type { Tool } from '../canvas/tools';
import {
  addMaskLayer,
  addResult,
  appendOp,
  deleteLayer,
  findLayer,
  moveLayer,
  updateLayer,
  visibleMasks,
  visibleResults,
  type Layer,
  type MaskLayer,
  type MaskOp,
} from '../document/layers';
import { PhotoDocument } from '../document/photo-document.svelte';
import { rasterizeHole } from '../document/rasterize';
import { BatchRun } from './batch.svelte';
import { errorMessage, isCancelled } from './errors';
import { restoreSession, saveSession, type RestoredSession } from './recovery';

export type DialogName = 'open' | 'export' | 'batch' | 'about' | 'settings';

interface Confirmation {
  title: string;
  message: string;
  confirm: string;
  resolve(ok: boolean): void;
}

interface Removal {
  jobId: string;
  stage: string;
  fraction: number;
}

export interface ExportChoice {
  path: string | null; // null: Electron's save dialog asks
  format: OutputFormat;
  quality: number;
  overwriteOriginal: boolean;
}

const MIN_BRUSH = 1;

export class Editor {
  app: Res<'app:info'> | null = $state.raw(null);
  doc: PhotoDocument | null = $state.raw(null);
  tool: Tool = $state('brush');
  brushSize = $state(40);
  /** Space is held: dragging pans. */
  spaceHeld = $state(false);
  /** `\` is held: the photo as it was. */
  showingBefore = $state(false);
  /**
   * Compare: the photo as it was left of a divider, as it is now right of it. Where the divider stands, as a
   * share of the canvas's width; null when not comparing.
   */
  compareAt: number | null = $state(null);
  view: Viewport = $state.raw({ zoom: 1, x: 0, y: 0 });
  readonly zoom = $derived(this.view.zoom);
  /** Start-up finished: the host is known and any crashed session has been offered back. */
  ready = $state(false);
  removal: Removal | null = $state(null);
  lastRun: { provider: string; elapsedMs: number } | null = $state.raw(null);
  dialog: DialogName | null = $state(null);
  error: { title: string; message: string } | null = $state.raw(null);
  confirmation: Confirmation | null = $state.raw(null);
  /** A session a crash (or a closed tab) left behind, as it would be restored, until restored or discarded. */
  recovered: { document: RecoveredDocument; session: RestoredSession } | null = $state.raw(null);
  /** A short line in the status bar about what just happened. */
  notice = $state('');
  recent: string[] = $state.raw([]);
  readonly batch = new BatchRun();
  /** The fabric view, registered by CanvasView when it mounts. */
  canvas: EditorCanvas | null = null;

  readonly host = api.host;
  readonly activeLayer: Layer | undefined = $derived(this.doc ? findLayer(this.doc.state, this.doc.state.activeId) : undefined);
  readonly unsaved = $derived(this.doc?.hasUnexportedResults ?? false);
  readonly busy = $derived(this.removal !== null);
  /** A quarter of the photo's long side: large enough for any object, fine-grained on the slider. */
  readonly brushMax = $derived(this.doc ? Math.max(100, Math.round(Math.max(this.doc.photo.width, this.doc.photo.height) / 4)) : 400);

  /** Once, at start: what the host is, the events it pushes, and any work a crash left behind. */
  async start(): Promise<void> {
    api.on('menu:command', ({ command }) => this.run(command));
    api.on('photo:granted', ({ path }) => void this.openPath(path));
    api.on('job:progress', (p) => {
      if (this.removal?.jobId === p.jobId) this.removal = { ...this.removal, stage: p.stage, fraction: p.fraction };
    });
    this.batch.listen();
    try {
      this.app = await api.invoke('app:info', {});
    } catch (err) {
      this.fail('Holefill could not reach its engine', err);
    }
    try {
      const document = await api.invoke('recovery:load', {});
      this.recovered = document && { document, session: restoreSession(document) };
    } catch (err) {
      this.fail('The last session could not be restored', err);
    }
    this.ready = true;
  }

  /** Runs a menu command, from the native menu, the in-app menu or a shortcut. */
  run(command: MenuCommand): void {
    const commands: Record<MenuCommand, () => unknown> = {
      open: () => this.open(),
      removeObject: () => this.removeObject(),
      export: () => this.openExport(),
      batch: () => this.openDialog('batch'),
      undo: () => this.undo(),
      redo: () => this.redo(),
      zoomIn: () => this.canvas?.zoomBy(1.25),
      zoomOut: () => this.canvas?.zoomBy(0.8),
      zoomFit: () => this.canvas?.fit(),
      zoom100: () => this.canvas?.actualSize(),
      compare: () => this.toggleCompare(),
      about: () => this.openDialog('about'),
      settings: () => this.openDialog('settings'),
    };
    void commands[command]();
  }

  // ---- dialogs ------------------------------------------------------------------------------------

  openDialog(name: DialogName): void {
    if (!this.busy) this.dialog = name;
  }

  closeDialog(): void {
    this.dialog = null;
  }

  /** Settings > Apply: main restarts the engine with them and saves them; rejects when they were not applied. */
  async applySettings(settings: Settings): Promise<void> {
    this.app = await api.invoke('settings:set', settings); // the status bar shows the provider now in use
  }

  fail(title: string, err: unknown): void {
    this.error = { title, message: errorMessage(err) };
  }

  /** An in-app yes/no question; resolves false when dismissed. */
  ask(title: string, message: string, confirm: string): Promise<boolean> {
    this.confirmation?.resolve(false);
    return new Promise((resolve) => {
      this.confirmation = {
        title,
        message,
        confirm,
        resolve: (ok) => {
          this.confirmation = null;
          resolve(ok);
        },
      };
    });
  }

  // ---- opening ------------------------------------------------------------------------------------

  /** File > Open: the native dialog in Electron, the path field in the browser. */
  async open(): Promise<void> {
    if (this.busy || !(await this.mayDiscard())) return;
    if (this.host === 'web') {
      void this.loadRecent();
      this.dialog = 'open';
      return;
    }
    try {
      const path = await api.invoke('photo:choose', {});
      if (path) await this.openPath(path, { confirmed: true });
    } catch (err) {
      this.fail('Could not open the photo', err);
    }
  }

  /** A path typed in the browser: main grants it, then it opens like any other. */
  async openTyped(path: string): Promise<boolean> {
    try {
      const granted = await api.invoke('folder:grant', { path, purpose: 'photo' });
      return await this.openPath(granted, { confirmed: true });
    } catch (err) {
      this.fail('Could not open the photo', err);
      return false;
    }
  }

  async openDropped(file: File): Promise<void> {
    if (this.busy || !(await this.mayDiscard())) return;
    await this.openFile(file);
  }

  /** A file the page holds (dropped, or picked in the browser's Open dialog): granted, then opened. */
  async openFile(file: File): Promise<boolean> {
    try {
      const path = await api.grantDroppedFile(file); // the browser uploads a copy to the web host
      if (path) return await this.openPath(path, { confirmed: true });
      this.fail('Could not open the dropped item', new Error(`${file.name || 'It'} is not a file on disk.`));
    } catch (err) {
      this.fail('Could not open the photo', err);
    }
    return false;
  }

  /** Opens a granted path. On failure the current document stays exactly as it was. */
  async openPath(path: string, { confirmed = false } = {}): Promise<boolean> {
    if (this.busy || (!confirmed && !(await this.mayDiscard()))) return false;
    try {
      const info = await api.invoke('photo:open', { path });
      this.setDocument(new PhotoDocument(info));
      void api.invoke('recovery:clear', {}).catch(() => {});
      return true;
    } catch (err) {
      this.fail('Could not open the photo', err);
      return false;
    }
  }

  async loadRecent(): Promise<void> {
    this.recent = await api.invoke('recent:list', {}).catch(() => []);
  }

  /** Opening another photo drops the current one: ask first when it holds results not yet exported. */
  async mayDiscard(): Promise<boolean> {
    if (!this.unsaved) return true;
    return this.ask(
      'Discard unexported results?',
      `${this.doc?.photo.name} has Remove Object results that have not been exported. They will be lost.`,
      'Discard',
    );
  }

  async restoreRecovered(): Promise<void> {
    const recovered = this.recovered;
    this.recovered = null;
    if (!recovered) return;
    const { document, session } = recovered;
    try {
      this.setDocument(new PhotoDocument(document.photo, session));
      this.notice = `Restored ${document.photo.name} from ${new Date(document.savedAt).toLocaleString()}`;
    } catch (err) {
      this.fail('Could not restore the last session', err);
    }
  }

  async discardRecovered(): Promise<void> {
    this.recovered = null;
    await api.invoke('recovery:clear', {}).catch(() => {});
  }

  toggleCompare(): void {
    this.compareAt = this.compareAt === null && this.doc ? 0.5 : null;
  }

  /** Moves the compare divider, kept a little inside the canvas so it can always be grabbed again. */
  moveCompare(at: number): void {
    if (this.compareAt !== null) this.compareAt = Math.min(0.98, Math.max(0.02, at));
  }

  private setDocument(doc: PhotoDocument): void {
    this.doc = doc;
    this.compareAt = null;
    doc.onChange = () => this.#saveRecovery(doc);
    // About 3% of the long side: a useful first brush on any photo size.
    this.brushSize = Math.round(Math.max(8, Math.max(doc.photo.width, doc.photo.height) * 0.03));
    this.lastRun = null;
    this.notice = '';
  }

  // ---- painting and layers ------------------------------------------------------------------------

  setBrushSize(size: number): void {
    this.brushSize = Math.round(Math.min(this.brushMax, Math.max(MIN_BRUSH, size)));
  }

  /** `[` and `]`: steps proportional to the size, so small and large brushes both adjust quickly. */
  stepBrush(direction: 1 | -1): void {
    const step = Math.max(1, Math.round(this.brushSize * 0.15));
    this.setBrushSize(this.brushSize + direction * step);
  }

  /** The mask layer a stroke goes to: the active one, else a new one. Painting shows a hidden layer. */
  paintTarget(): string | null {
    const doc = this.doc;
    if (!doc || this.busy) return null;
    if (this.activeLayer?.kind !== 'mask') doc.edit(addMaskLayer);
    return doc.state.activeId;
  }

  commitOp(layerId: string, op: MaskOp): void {
    this.doc?.edit((s) => updateLayer(appendOp(s, layerId, op), layerId, { visible: true }));
  }

  /** Clear or invert the active mask layer. */
  maskOp(kind: 'clear' | 'invert'): void {
    const layer = this.activeLayer;
    if (layer?.kind === 'mask') this.commitOp(layer.id, { kind });
  }

  addMaskLayer(): void {
    this.doc?.edit(addMaskLayer);
  }

  selectLayer(id: string): void {
    this.doc?.select(id);
  }

  renameLayer(id: string, name: string): void {
    const trimmed = name.trim();
    if (trimmed) this.doc?.edit((s) => updateLayer(s, id, { name: trimmed }));
  }

  toggleLayer(id: string): void {
    this.doc?.edit((s) => updateLayer(s, id, { visible: !findLayer(s, id)?.visible }));
  }

  deleteLayer(id: string): void {
    this.doc?.edit((s) => deleteLayer(s, id));
  }

  moveLayer(id: string, delta: 1 | -1): void {
    this.doc?.edit((s) => moveLayer(s, id, delta));
  }

  /** Colour and opacity: a drag of the control is one undo step. */
  styleMask(id: string, change: Partial<Pick<MaskLayer, 'color' | 'opacity'>>): void {
    this.doc?.edit((s) => updateLayer<MaskLayer>(s, id, change), `style:${id}:${Object.keys(change).join()}`);
  }

  undo(): void {
    if (!this.busy) this.doc?.undo();
  }

  redo(): void {
    if (!this.busy) this.doc?.redo();
  }

  // ---- Remove Object ------------------------------------------------------------------------------

  /** Fills what the visible mask layers cover, in the picture as it is now (photo + visible results). */
  async removeObject(): Promise<void> {
    const doc = this.doc;
    if (!doc || this.busy) return;
    const state = doc.state;
    const jobId = crypto.randomUUID();
    this.removal = { jobId, stage: 'Preparing the mask', fraction: 0 };
    try {
      const hole = await rasterizeHole(state, doc.photo.width, doc.photo.height);
      if (!hole) {
        this.error = {
          title: 'Nothing to remove',
          message: 'Paint over what should disappear on a visible mask layer, then choose Remove Object again.',
        };
        return;
      }
      const result = await api.invoke('photo:removeObject', {
        docId: doc.photo.docId,
        jobId,
        mask: hole, // only the painted area travels, not the photo's size
        resultIds: visibleResults(state).map((r) => r.resultId),
      });
      const used = visibleMasks(state).map((m) => m.id);
      doc.edit((s) => addResult(s, { ...result, patch: result.patch }, used));
      this.lastRun = { provider: result.provider, elapsedMs: result.elapsedMs };
      this.notice = '';
    } catch (err) {
      if (isCancelled(err)) this.notice = 'Remove Object cancelled';
      else this.fail('Remove Object failed', err); // the masks are untouched: nothing to redo
    } finally {
      this.removal = null;
    }
  }

  async cancelRemoval(): Promise<void> {
    if (!this.removal) return;
    this.removal = { ...this.removal, stage: 'Cancelling' };
    await api.invoke('job:cancel', { jobId: this.removal.jobId }).catch(() => {});
  }

  // ---- the recovery file ---------------------------------------------------------------------------

  #saving = false;
  #saveAgain: PhotoDocument | null = null;

  /**
   * After every change: the document's session to main's recovery file. One write at a time; changes made
   * while one is on its way are written together after it, so the newest session always lands last.
   */
  async #saveRecovery(doc: PhotoDocument): Promise<void> {
    if (this.#saving) {
      this.#saveAgain = doc;
      return;
    }
    this.#saving = true;
    try {
      for (let next: PhotoDocument | null = doc; next; next = this.#saveAgain) {
        this.#saveAgain = null;
        if (next !== this.doc) continue; // another photo was opened meanwhile
        await api.invoke('recovery:save', { docId: next.photo.docId, session: saveSession(next.session()) });
      }
    } catch (err) {
      this.notice = `Recovery state not saved: ${errorMessage(err)}`;
    } finally {
      this.#saving = false;
    }
  }

  // ---- export -------------------------------------------------------------------------------------

  openExport(): void {
    if (this.doc) this.openDialog('export');
  }

  /** Flattens the photo with its visible results at full resolution. Resolves false if it did not write. */
  async exportAs(choice: ExportChoice): Promise<boolean> {
    const doc = this.doc;
    if (!doc) return false;
    try {
      const written = await api.invoke('photo:export', {
        docId: doc.photo.docId,
        resultIds: visibleResults(doc.state).map((r) => r.resultId),
        ...choice,
      });
      if (!written) return false; // the save dialog was cancelled
      doc.markExported();
      this.notice = `Exported ${written.path}`;
      return true;
    } catch (err) {
      this.fail('Export failed', err);
      return false;
    }
  }
}

export const editor = new Editor();
