// The one contract between the renderer and main (Electron IPC) or the web host (HTTP).
// Every request, response and event is a zod schema: the TypeScript types are inferred from the
// same schemas that main and the web host use to validate what arrives at run time.
import { z } from 'zod';

/**
 * Encoded images or raw pixels. Any Uint8Array (a Buffer is one, so Node's pass without copies): Electron's IPC and
 * the worker's structured clone carry it as it is; the web transport sends base64 (wire.ts).
 */
export const Bytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'Expected bytes (Uint8Array)');

export const Rect = z.object({
  x: z.number().int().nonnegative(),
  y: z.number().int().nonnegative(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
});
export type Rect = z.infer<typeof Rect>;

/**
 * A painted hole over `rect` in the upright photo, white on opaque black; nothing outside `rect` is a hole: the
 * editor's Remove Object request and, as it is, the engine's mask (contract/engine.ts, MaskInput). Only the painted
 * area travels, however large the photo. Up to RAW_REGION_MAX_PIXELS (limits.ts) as `pixels`: raw 8-bit pixels of
 * rect's size, `channels` bytes each, row by row (the canvas's getImageData bytes; a hole where a pixel's first
 * byte is >= 128): a PNG would cost the renderer an encode and the engine a decode that take longer than the copy.
 * A larger one as a `region`: an encoded image (a PNG) of rect's size: raw, a 24 MP region would be 96 MB through
 * IPC (128 MB of base64 over HTTP); its PNG is a few hundred KB.
 */
export const MaskRegion = z.discriminatedUnion('kind', [
  z
    .object({ kind: z.literal('pixels'), rect: Rect, channels: z.union([z.literal(1), z.literal(4)]), data: Bytes })
    .refine((m) => m.data.byteLength === m.rect.width * m.rect.height * m.channels, {
      message: 'data must hold rect.width x rect.height x channels bytes',
      path: ['data'],
    }),
  z.object({ kind: z.literal('region'), rect: Rect, data: Bytes }),
]);
export type MaskRegion = z.infer<typeof MaskRegion>;

export const DocId = z.string().min(1).max(64);
export const JobId = z.string().min(1).max(64);
export const ResultId = z.string().min(1).max(64);
/** A path the renderer may only pass back if main granted it (dialog, drop, recent list). */
export const GrantedPath = z.string().min(1).max(4096);

/** The formats Holefill writes: Export As, `holefill inpaint` and batches (formats.ts names their extensions). */
export const OutputFormat = z.enum(['png', 'jpeg', 'webp', 'tiff']);
export type OutputFormat = z.infer<typeof OutputFormat>;

export const Provider = z.enum(['auto', 'cpu', 'cuda', 'dml', 'coreml']);
export type Provider = z.infer<typeof Provider>;
/** auto: fp32 (int8 only when asked for: its rounding shows on flat backgrounds); see main/engine/model/precision.ts. */
export const Precision = z.enum(['auto', 'fp32', 'int8']);
export type Precision = z.infer<typeof Precision>;

/** The texture given to the network's smooth fill (main/engine/fill/texture.ts): `grain`, the finest detail of the
 * photo around the hole, as much as the validation photos' PSNR and SSIM allow (the default); `patches`, the photo's
 * whole detail copied in coherent patches (sand, wood and water look like themselves, at a measured cost in PSNR and
 * SSIM: native-models/README.md, Texture); `off`, the network's fill alone. */
export const Texture = z.enum(['grain', 'patches', 'off']);
export type Texture = z.infer<typeof Texture>;
export const DEFAULT_TEXTURE: Texture = 'grain';

export const Settings = z.object({
  provider: Provider,
  threads: z.number().int().min(0).max(256), // 0 = the engine's default
  precision: Precision,
  /** The texture for Remove Object and batches; a settings file from before it had none: the default. */
  texture: Texture.default(DEFAULT_TEXTURE),
});
export type Settings = z.infer<typeof Settings>;

/** A photo as the editor shows it (the engine's preview job makes it): its size and format, and a preview. */
export const PhotoPreview = z.object({
  width: z.number().int().positive(), // after EXIF orientation
  height: z.number().int().positive(),
  format: z.string(),
  /** A downscaled, upright JPEG for display; the canvas maps it onto full-resolution coordinates. */
  preview: Bytes,
  previewWidth: z.number().int().positive(),
  previewHeight: z.number().int().positive(),
});
export type PhotoPreview = z.infer<typeof PhotoPreview>;

/** An open photo: its document, its granted path, and its preview. */
export const PhotoInfo = PhotoPreview.extend({ docId: DocId, path: GrantedPath, name: z.string() });
export type PhotoInfo = z.infer<typeof PhotoInfo>;

/**
 * A patch over the photo: an RGBA PNG of `rect`'s size in the upright photo whose alpha is the mask. Remove Object
 * makes one; export and the next Remove Object composite the visible ones over the photo, bottom to top.
 */
export const Patch = z.object({ rect: Rect, patch: Bytes });
export type Patch = z.infer<typeof Patch>;

/** A result layer's patch as main holds it, by id: kept for the next fill, export and the recovery file. */
export const StoredResult = Patch.extend({ resultId: ResultId });
export type StoredResult = z.infer<typeof StoredResult>;

/** What Remove Object returns: the new result (a patch, not the whole frame), and how it was made. */
export const ResultPatch = StoredResult.extend({
  provider: z.string(),
  elapsedMs: z.number().nonnegative(),
  holes: z.number().int().nonnegative(),
});
export type ResultPatch = z.infer<typeof ResultPatch>;

export const MaskSource = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('folder'), dir: GrantedPath }),
  z.object({ kind: z.literal('single'), file: GrantedPath, scaleToFit: z.boolean() }),
  /** The mask painted in the editor (PNG bytes, the document's size). */
  z.object({ kind: z.literal('painted'), mask: Bytes, scaleToFit: z.boolean() }),
]);

export const BatchOptions = z.object({
  inputDir: GrantedPath,
  recursive: z.boolean(),
  masks: MaskSource,
  outputDir: GrantedPath,
  format: z.enum(['same', 'png', 'jpeg', 'webp']),
  quality: z.number().int().min(1).max(100),
  existing: z.enum(['skip', 'overwrite', 'rename']),
  /** Needed when outputDir is inputDir: the person confirmed it. */
  allowInputDir: z.boolean(),
});
export type BatchOptions = z.infer<typeof BatchOptions>;

export const BatchFileResult = z.object({
  file: z.string(),
  status: z.enum(['succeeded', 'skipped', 'failed']),
  reason: z.string().optional(),
  /** Why it failed, as the engine's error code (the command line suggests the option that helps). */
  code: z.string().optional(),
  output: z.string().optional(),
});

/** Where a running batch stands; the batch engine reports it after every file. */
export const BatchProgress = z.object({
  done: z.number().int(),
  total: z.number().int(),
  current: z.string(),
  elapsedMs: z.number(),
  etaMs: z.number().nullable(),
  succeeded: z.number().int(),
  skipped: z.number().int(),
  failed: z.number().int(),
});
export type BatchProgress = z.infer<typeof BatchProgress>;

export const BatchSummary = z.object({
  batchId: JobId,
  total: z.number().int(),
  succeeded: z.number().int(),
  skipped: z.number().int(),
  failed: z.number().int(),
  cancelled: z.boolean(),
  files: z.array(BatchFileResult),
  outputDir: z.string(),
  /** Set when the batch as a whole could not run (the engine failed); per-file failures are in `files`. */
  error: z.string().optional(),
});
export type BatchSummary = z.infer<typeof BatchSummary>;

export const AppInfo = z.object({
  version: z.string(),
  provider: z.string(), // the execution provider actually in use
  providers: z.array(z.string()), // those this build can use
  settings: Settings,
  /** Why the requested provider is not the one in use, when it is not (e.g. "CUDA ... ; using CPU."). */
  fallback: z.string().nullable(),
  /** onnxruntime's intra-op threads in use: the setting, or what automatic (0) resolves to. */
  threads: z.number().int().positive(),
  /** The model's arithmetic in use, and why it is not the one asked for (or why auto chose fp32). */
  precision: z.enum(['fp32', 'int8']),
  precisionNote: z.string().nullable(),
  /** What automatic threads resolve to on this machine: one per physical core (the engine's default). */
  autoThreads: z.number().int().positive(),
  /** This machine's logical cores: the most threads worth offering. */
  logicalCores: z.number().int().positive(),
  model: z.string(),
  host: z.enum(['electron', 'web']),
});
export type AppInfo = z.infer<typeof AppInfo>;

/**
 * What the renderer keeps in the recovery file after every change to the open document: its session (the layers,
 * their order, visibility and opacity, the selection, and the undo and redo history; renderer/editor/recovery.ts
 * owns its shape and checks it when it comes back). Main adds the photo path and the result patches it holds for
 * that document, so the whole document survives a crash.
 */
export const DocumentState = z.object({
  docId: DocId,
  session: z.unknown(),
});
export type DocumentState = z.infer<typeof DocumentState>;

/** A document offered back after a crash. Main has reopened it: `photo.docId` is live, its results loaded. */
export const RecoveredDocument = z.object({
  photo: PhotoInfo,
  /** As the renderer saved it; a recovery file from before sessions holds the layers array alone. */
  session: z.unknown(),
  results: z.array(StoredResult).max(500),
  savedAt: z.string(),
});
export type RecoveredDocument = z.infer<typeof RecoveredDocument>;

/** What a native menu item asks the renderer to do. */
export const MenuCommand = z.enum([
  'open', 'removeObject', 'export', 'batch', 'undo', 'redo',
  'zoomIn', 'zoomOut', 'zoomFit', 'zoom100', 'compare', 'about', 'settings',
]);
export type MenuCommand = z.infer<typeof MenuCommand>;

/** Why a typed or dropped path is granted (see main/state/grants.ts). */
export const GrantPurpose = z.enum(['photo', 'input', 'masks', 'output', 'mask', 'export']);
export type GrantPurpose = z.infer<typeof GrantPurpose>;

/** Requests: renderer -> main, answered once. `null` from a dialog means the person cancelled. */
export const requests = {
  'app:info': { req: z.object({}), res: AppInfo },
  'settings:set': { req: Settings, res: AppInfo },
  'photo:choose': { req: z.object({}), res: GrantedPath.nullable() },
  'photo:open': { req: z.object({ path: GrantedPath }), res: PhotoInfo },
  'photo:removeObject': {
    req: z.object({
      docId: DocId,
      jobId: JobId,
      mask: MaskRegion,
      resultIds: z.array(ResultId).max(500), // visible result layers, bottom to top: the composite to fill
    }),
    res: ResultPatch,
  },
  'job:cancel': { req: z.object({ jobId: JobId }), res: z.object({ cancelled: z.boolean() }) },
  'photo:export': {
    req: z.object({
      docId: DocId,
      resultIds: z.array(ResultId).max(500),
      path: GrantedPath.nullable(), // null: ask with a save dialog (Electron) 
      format: OutputFormat,
      quality: z.number().int().min(1).max(100),
      overwriteOriginal: z.boolean(), // the person confirmed writing over the photo itself
    }),
    /** What was written: in Electron's save dialog, a name typed with another extension chooses that format. */
    res: z.object({ path: z.string(), format: OutputFormat }).nullable(),
  },
  /** Where Export As starts, and in what format: the last export's folder and format, else the photo's. */
  'export:defaults': { req: z.object({ docId: DocId }), res: z.object({ path: z.string(), format: OutputFormat }) },
  'recent:list': { req: z.object({}), res: z.array(GrantedPath) },
  'folder:choose': { req: z.object({ purpose: z.enum(['input', 'masks', 'output']) }), res: GrantedPath.nullable() },
  'file:choose': { req: z.object({ purpose: z.enum(['mask']) }), res: GrantedPath.nullable() },
  /**
   * A typed path (web host only: the person's own browser holding the run's token). Electron refuses it:
   * there, paths come from dialogs, drops and the recent list only. Returns the normalised path.
   */
  'folder:grant': { req: z.object({ path: GrantedPath, purpose: GrantPurpose }), res: GrantedPath },
  /** Preload-only (not in `invoke`'s allow-list): a dropped file's path from webUtils.getPathForFile. */
  'drop:grant': { req: z.object({ path: GrantedPath }), res: GrantedPath },
  /** The renderer says whether it holds work not yet exported, so quitting can ask first. */
  'app:unsaved': { req: z.object({ unsaved: z.boolean() }), res: z.object({}) },
  /** The photos a batch would read: never those in its output folder or its mask folder (only compared, not read). */
  'batch:count': {
    req: z.object({ inputDir: GrantedPath, recursive: z.boolean(), outputDir: GrantedPath.nullable(), masksDir: GrantedPath.nullable() }),
    res: z.object({ count: z.number().int() }),
  },
  'batch:start': { req: BatchOptions, res: z.object({ batchId: JobId }) },
  'batch:cancel': { req: z.object({ batchId: JobId }), res: z.object({ cancelled: z.boolean() }) },
  'folder:reveal': { req: z.object({ path: GrantedPath }), res: z.object({}) },
  'recovery:save': { req: DocumentState, res: z.object({}) },
  /** After a crash: the document reopened (photo granted, results restored), or null. */
  'recovery:load': { req: z.object({}), res: RecoveredDocument.nullable() },
  'recovery:clear': { req: z.object({}), res: z.object({}) },
} as const;

/** Events: main -> renderer, pushed. */
export const events = {
  /** `stage` in words, for the person: "Filling hole 2 of 3". */
  'job:progress': z.object({ jobId: JobId, stage: z.string(), fraction: z.number().min(0).max(1) }),
  'batch:progress': BatchProgress.extend({ batchId: JobId }),
  'batch:done': BatchSummary,
  /** A native menu item or accelerator was chosen; the renderer runs the command. */
  'menu:command': z.object({ command: MenuCommand }),
  /** A file was granted from outside the renderer (drop on the window, Open Recent, OS "open with"). */
  'photo:granted': z.object({ path: GrantedPath }),
} as const;

export type RequestChannel = keyof typeof requests;
/** Channels only the preload itself may send (drop:grant carries a path from webUtils.getPathForFile). */
export const preloadOnlyChannels = ['drop:grant'] as const satisfies readonly RequestChannel[];
export type PublicChannel = Exclude<RequestChannel, (typeof preloadOnlyChannels)[number]>;
export type EventChannel = keyof typeof events;
export type Req<C extends RequestChannel> = z.infer<(typeof requests)[C]['req']>;
export type Res<C extends RequestChannel> = z.infer<(typeof requests)[C]['res']>;
export type EventPayload<C extends EventChannel> = z.infer<(typeof events)[C]>;

/** The API the renderer sees, whether from Electron's preload or the web host's client. */
export interface HolefillApi {
  /** Rejects with an Error whose message is meant for the person (and `code` in the browser). */
  invoke<C extends PublicChannel>(channel: C, req: Req<C>): Promise<Res<C>>;
  on<C extends EventChannel>(channel: C, listener: (payload: EventPayload<C>) => void): () => void;
  /**
   * A file dropped on the window, granted: resolves to its path (pass it to photo:open), or null when it is
   * not a file on disk. Electron reads the path with webUtils.getPathForFile; the browser uploads a copy.
   */
  grantDroppedFile(file: File): Promise<string | null>;
  readonly host: 'electron' | 'web';
}

/** Every failure that crosses a transport: a stable code and a message for the person. */
export const AppError = z.object({ code: z.string(), message: z.string() });
export type AppError = z.infer<typeof AppError>;
/** How main answers a request on either transport; the API unwraps it (a rejected promise on failure). */
export type Reply<T> = { ok: true; value: T } | { ok: false; error: AppError };
