// What every subcommand shares: its shape, argument errors, the engine options, and how errors print.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { Precision, Provider } from '../contract/app-api';
import { DEFAULT_TEXTURE, InferSize, Texture } from '../contract/engine';
import type { EngineErrorCode } from '../contract/engine';
import { EngineClient, EngineError } from '../engine';

export interface Subcommand {
  name: string;
  /** One line for `holefill --help`. */
  summary: string;
  /** The full text for `holefill <name> --help`. */
  usage: string;
  /** Returns the exit code. */
  run(args: string[]): Promise<number>;
}

export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

/** A mistake in the command line: printed on one line with where to find the usage, exit code 2. */
export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>;

/** parseArgs with its errors turned into UsageErrors. */
export function parse<O extends Options>(args: string[], options: O) {
  try {
    return parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (err) {
    // node's own messages run on ("... place it at the end of the command after '--', ..."): the first sentence.
    const first = (err instanceof Error ? err.message : String(err)).split(/\.\s/)[0]!.replace(/\.?$/, '.');
    throw new UsageError(first);
  }
}

export const ENGINE_OPTIONS = {
  provider: { type: 'string' },
  threads: { type: 'string' },
  'infer-size': { type: 'string' },
  texture: { type: 'string' },
  model: { type: 'string' },
  precision: { type: 'string' },
} as const satisfies Options;

export const ENGINE_USAGE = `Engine options:
  --provider P       execution provider: auto (default), cpu, cuda, dml, coreml; an absent one falls back to CPU
  --threads N        onnxruntime threads (default: one per physical core)
  --infer-size N     the model's working size for each crop's long side: 256, 512, ... or auto (default:
                     512; 256 for a hole filling over 50% of its crop; a full-resolution crop magnified 2x
                     for a thin hole (at most 32 px from the photo everywhere) filling at most 30% of it;
                     as the validation photos chose)
  --texture T        grain (default): the finest detail of the photo around the hole, as much as PSNR and SSIM
                     allow; patches: its whole texture copied in coherent patches (sand, wood, water look like
                     themselves; further from the truth by PSNR and SSIM); off: the network's fill alone
                     (in the app and \`holefill web\`: Settings > Texture)
  --model FILE       the ONNX model (default: native-models/pconv-unet.onnx)
  --precision P      auto (default: fp32), fp32, or int8 (faster on a CPU with VNNI or ARM dot products, a little less exact)
                     (the int8 model beside the fp32 one, MODEL.int8.onnx: 1.3-1.7x faster on a VNNI CPU, a level or
                     two off on flat backgrounds: native-models/README.md, Object removals)`;

interface EngineValues {
  provider?: string | boolean;
  threads?: string | boolean;
  'infer-size'?: string | boolean;
  texture?: string | boolean;
  model?: string | boolean;
  precision?: string | boolean;
}

/** The engine the options ask for; the worker starts with the first job (or info()). */
export function engineFrom(values: EngineValues, log: (line: string) => void = () => {}): EngineClient {
  const provider = Provider.safeParse(values.provider ?? 'auto');
  if (!provider.success) throw new UsageError(`--provider must be one of ${Provider.options.join(', ')} (got "${values.provider}").`);
  const threads = values.threads === undefined ? 0 : Number(values.threads);
  if (!Number.isInteger(threads) || threads < 0 || threads > 256) throw new UsageError(`--threads must be a whole number from 0 to 256 (got "${values.threads}").`);
  const inferSize = parseInferSize(values['infer-size']);
  const texture = Texture.safeParse(values.texture ?? DEFAULT_TEXTURE);
  if (!texture.success) throw new UsageError(`--texture must be one of ${Texture.options.join(', ')} (got "${values.texture}").`);
  const precision = Precision.safeParse(values.precision ?? 'auto');
  if (!precision.success) throw new UsageError(`--precision must be one of ${Precision.options.join(', ')} (got "${values.precision}").`);
  return new EngineClient({
    provider: provider.data,
    threads,
    ...(inferSize ? { inferSize } : {}),
    texture: texture.data,
    ...(typeof values.model === 'string' ? { modelPath: values.model } : {}),
    precision: precision.data,
    log,
  });
}

function parseInferSize(value: string | boolean | undefined): InferSize | undefined {
  if (value === undefined) return undefined;
  const parsed = InferSize.safeParse(value === 'auto' ? 'auto' : Number(value));
  if (!parsed.success) throw new UsageError(`--infer-size must be a multiple of 256 from 256 to 2048, or auto (got "${value}").`);
  return parsed.data;
}

/**
 * Runs `use` with the engine the options ask for and closes it after: what every subcommand that runs jobs does. An
 * error is printed as the person should read it (with the option that gets past it, from `fixes`): exit code 1.
 */
export async function withEngine(values: EngineValues, fixes: Fixes, use: (engine: EngineClient) => Promise<number>): Promise<number> {
  const engine = engineFrom(values);
  try {
    return await use(engine);
  } catch (err) {
    process.stderr.write(`holefill: ${describe(err, fixes)}\n`);
    return EXIT.failed;
  } finally {
    await engine.close();
  }
}

/** Says on stderr when the provider or precision in use is not the one asked for; returns e.g. "cpu int8". */
export async function announceProvider(engine: EngineClient): Promise<string> {
  const info = await engine.info();
  if (info.fallback) process.stderr.write(`holefill: ${info.fallback}\n`);
  if (engine.precision !== 'auto' && info.precisionNote) process.stderr.write(`holefill: ${info.precisionNote}\n`);
  return `${info.provider} ${info.precision}`;
}

/** --quality, or undefined when not given (the engine's default, DEFAULT_QUALITY, then applies). */
export function parseQuality(value: string | boolean | undefined): number | undefined {
  if (value === undefined) return undefined;
  const quality = Number(value);
  if (!Number.isInteger(quality) || quality < 1 || quality > 100) throw new UsageError(`--quality must be a whole number from 1 to 100 (got "${value}").`);
  return quality;
}

export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** For an engine refusal that an option of this command gets past: the sentence naming the option. */
export type Fixes = Partial<Record<EngineErrorCode, string>>;

/** An error for the person: the engine's sentence, never a stack, and the option that helps if there is one. */
export function describe(err: unknown, fixes: Fixes = {}): string {
  const message = err instanceof Error ? err.message : String(err);
  const fix = err instanceof EngineError ? fixes[err.code] : undefined;
  return fix ? `${message} ${fix}` : message;
}

/** The sentence naming the option for an engine error code, if the command has one. */
export const fixFor = (code: string | undefined, fixes: Fixes): string | undefined => (code ? fixes[code as EngineErrorCode] : undefined);
