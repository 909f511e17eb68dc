// The contract between the engine client (main process, CLI, web host, tests) and the inference worker.
// Every message is a zod schema: the types are inferred from the same schemas that both sides use to
// check what arrives at run time. Bytes travel as Uint8Array (structured clone: child_process "advanced"
// serialization, Electron's utilityProcess postMessage).
import { z } from 'zod';
import { Bytes, MaskRegion, OutputFormat, Patch, PhotoPreview, Precision, Provider, Rect, Texture } from './app-api';

export { DEFAULT_TEXTURE, Texture } from './app-api';

const FilePath = z.string().min(1).max(4096);

/** Why a job failed. Lowercase words, so main's toAppError can pass them on as they are. */
export const EngineErrorCode = z.enum([
  'invalid-request', // a message that does not match this contract
  'not-found', // a photo, mask or folder that does not exist
  'unreadable', // exists but cannot be read (permissions, a folder instead of a file)
  'unsupported-image', // not an image format the engine reads
  'corrupt-image', // a supported format, but damaged or truncated
  'too-large', // above MAX_INPUT_PIXELS: refused before decoding
  'mask-size', // the mask is not the photo's size
  'mask-empty', // nothing to remove (Remove Object only; files are written unchanged)
  'mask-full', // the mask covers every pixel: nothing to fill from
  'output-exists', // the output exists and overwriting was not allowed
  'output-unwritable', // the output folder cannot be written (permissions, read-only, disk full)
  'would-overwrite-input', // the output is the photo or the mask itself
  'model-unavailable', // the model file is missing or not a valid model
  'worker-crashed', // the worker died while running the job; it is restarted for the next one
  'cancelled',
  'failed', // anything else; the message says what
]);
export type EngineErrorCode = z.infer<typeof EngineErrorCode>;

/** The model's working size for the long side of each crop (multiples of 256), or 'auto': per hole, 512; 256
 * when the hole fills more than 50 % of its tile; the crop magnified 2x when the hole fills at most 30 % of a
 * tile taken at full resolution and lies within 32 px of a known pixel everywhere (chosen on the validation photos:
 * native-models/README.md). */
export const InferSize = z.union([z.literal('auto'), z.number().int().min(256).max(2048).multipleOf(256)]);
export type InferSize = z.infer<typeof InferSize>;
export const DEFAULT_INFER_SIZE: InferSize = 'auto';

/**
 * White (or opaque, in an alpha-only PNG) marks the hole; as a file or as encoded bytes of the photo's size, or
 * over `rect` only (nothing outside it a hole): the editor's painted region (app-api.ts, MaskRegion), as the app
 * sends it, so that Remove Object's cost follows the painted area, not the photo's size.
 */
export const MaskInput = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('file'), path: FilePath }),
  z.object({ kind: z.literal('bytes'), data: Bytes }),
  ...MaskRegion.options,
]);
export type MaskInput = z.infer<typeof MaskInput>;

const Quality = z.number().int().min(1).max(100);

export const Jobs = {
  /** An upright, downscaled JPEG of the photo for display, and its full upright size. The photo is being
   * opened: the worker also decodes it in full and keeps the pixels for Remove Object (fill/photo-cache.ts). */
  preview: z.object({ kind: z.literal('preview'), photo: FilePath, maxSide: z.number().int().min(16).max(16384) }),
  /** Fills the holes in photo + layers (bottom to top) and returns only the patch. */
  removeObject: z.object({
    kind: z.literal('removeObject'),
    photo: FilePath,
    layers: z.array(Patch).max(500),
    mask: MaskInput,
    inferSize: InferSize,
    texture: Texture,
  }),
  /** Fills the holes and writes the whole photo to `output`, atomically. */
  inpaintFile: z.object({
    kind: z.literal('inpaintFile'),
    photo: FilePath,
    mask: MaskInput,
    /** Scale the mask to the photo's size instead of refusing a mask of another size. */
    scaleMask: z.boolean(),
    output: FilePath,
    format: OutputFormat,
    quality: Quality,
    overwrite: z.boolean(),
    inferSize: InferSize,
    texture: Texture,
  }),
  /** Flattens photo + layers at full resolution and writes `output`, atomically. */
  export: z.object({
    kind: z.literal('export'),
    photo: FilePath,
    layers: z.array(Patch).max(500),
    output: FilePath,
    format: OutputFormat,
    quality: Quality,
    overwrite: z.boolean(),
    /** The person confirmed writing over the photo itself. */
    allowOverwritePhoto: z.boolean(),
  }),
} as const;

export const Job = z.discriminatedUnion('kind', [Jobs.preview, Jobs.removeObject, Jobs.inpaintFile, Jobs.export]);
export type Job = z.infer<typeof Job>;
export type JobKind = Job['kind'];

const Size = { width: z.number().int().positive(), height: z.number().int().positive() };
const Timing = { provider: z.string(), elapsedMs: z.number().nonnegative() };

export const Results = {
  preview: PhotoPreview.extend({ kind: z.literal('preview') }),
  removeObject: z.object({ kind: z.literal('removeObject'), rect: Rect, patch: Bytes, holes: z.number().int().positive(), ...Timing }),
  inpaintFile: z.object({ kind: z.literal('inpaintFile'), output: FilePath, ...Size, holes: z.number().int().nonnegative(), ...Timing }),
  export: z.object({ kind: z.literal('export'), output: FilePath }),
} as const;

export const JobResult = z.discriminatedUnion('kind', [Results.preview, Results.removeObject, Results.inpaintFile, Results.export]);
export type JobResult = z.infer<typeof JobResult>;
export type JobOf<K extends JobKind> = Extract<Job, { kind: K }>;
export type ResultOf<K extends JobKind> = Extract<JobResult, { kind: K }>;

export const EngineInfo = z.object({
  /** The execution provider the session runs on. */
  provider: z.string(),
  /** Those this build and platform can use. */
  providers: z.array(z.string()),
  requested: Provider,
  /** Why the requested provider is not the one in use, when it is not. */
  fallback: z.string().nullable(),
  model: FilePath,
  modelBytes: z.number().int().nonnegative(),
  inputs: z.array(z.string()),
  outputs: z.array(z.string()),
  threads: z.number().int().nonnegative(),
  /** The model's arithmetic in use, and why it is not the one asked for (or why auto chose fp32). */
  precision: z.enum(['fp32', 'int8']),
  precisionNote: z.string().nullable(),
  pid: z.number().int(),
});
export type EngineInfo = z.infer<typeof EngineInfo>;

export const WorkerSettings = z.object({
  /** The fp32 model; its int8 twin sits beside it (main/engine/model/precision.ts). */
  modelPath: FilePath,
  precision: Precision,
  provider: Provider,
  threads: z.number().int().min(0).max(256), // 0 = onnxruntime's default
});
export type WorkerSettings = z.infer<typeof WorkerSettings>;

const JobId = z.string().min(1).max(64);

/** Client -> worker. */
export const ToWorker = z.discriminatedUnion('type', [
  z.object({ type: z.literal('init'), settings: WorkerSettings }),
  z.object({ type: z.literal('job'), id: JobId, job: Job }),
  z.object({ type: z.literal('cancel'), id: JobId }),
]);
export type ToWorker = z.infer<typeof ToWorker>;

export const EngineFailure = z.object({ code: EngineErrorCode, message: z.string() });
export type EngineFailure = z.infer<typeof EngineFailure>;

/** While holes are filled: which hole group (from 1) of how many. */
export const ProgressDetail = z.object({ hole: z.number().int().positive(), holes: z.number().int().positive() });
export type ProgressDetail = z.infer<typeof ProgressDetail>;

/** Worker -> client. */
export const FromWorker = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), info: EngineInfo }),
  z.object({ type: z.literal('init-failed'), error: EngineFailure }),
  z.object({ type: z.literal('progress'), id: JobId, stage: z.string(), fraction: z.number().min(0).max(1), hole: ProgressDetail.optional() }),
  z.object({ type: z.literal('done'), id: JobId, result: JobResult }),
  z.object({ type: z.literal('failed'), id: JobId, error: EngineFailure }),
  /** The worker received something that is not a ToWorker message. */
  z.object({ type: z.literal('rejected'), id: JobId.nullable(), error: EngineFailure }),
]);
export type FromWorker = z.infer<typeof FromWorker>;

/** A readable one-line reason for a schema mismatch. */
export function describeIssues(error: z.ZodError): string {
  const first = error.issues[0];
  if (!first) return 'malformed message';
  const where = first.path.length ? ` at ${first.path.join('.')}` : '';
  return `${first.message}${where}`;
}
