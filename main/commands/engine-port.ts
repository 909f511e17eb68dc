// What the commands need from the engine. main/engine/ is built alongside; engine-adapter.ts maps its client
// onto this port, so commands (and their tests) do not depend on the engine's exact shapes.
import type { BatchOptions, BatchProgress, BatchSummary, ImageFormat, MaskRegion, Rect, Settings } from '../contract/app-api';
import type { ProgressDetail } from '../contract/engine';
import type { StoredPatch } from '../state/documents';

export interface EngineInfo {
  provider: string; // in use
  providers: string[]; // this build can use
  model: string;
  /** Why the requested provider is not the one in use, when it is not. */
  fallback?: string | null;
  /** The threads the engine was started with; 0 = its default (one per physical core). */
  threads?: number;
  /** The model's arithmetic in use (absent: no model loaded, fp32 is what would run). */
  precision?: 'fp32' | 'int8';
  precisionNote?: string | null;
}

export interface Preview {
  width: number; // upright, full resolution
  height: number;
  format: string;
  preview: Uint8Array; // upright JPEG, long side <= maxSide
  previewWidth: number;
  previewHeight: number;
}

export interface InpaintJob {
  photo: string;
  /** Result patches to composite over the photo first, bottom to top: the picture the person sees. */
  layers: readonly StoredPatch[];
  mask: MaskRegion;
  signal: AbortSignal;
  /** The engine's stage ('decode', 'holes', 'model', 'patch'); while filling, which hole of how many. */
  onProgress(stage: string, fraction: number, hole?: ProgressDetail): void;
}

export interface InpaintResult {
  rect: Rect;
  patch: Uint8Array; // RGBA PNG, rect-sized
  provider: string;
  elapsedMs: number;
  holes: number;
}

export interface ExportJob {
  photo: string;
  layers: readonly StoredPatch[];
  /** Chosen for this export (save dialog or typed and granted): an existing file there is replaced. */
  target: string;
  format: ImageFormat;
  quality: number;
  /** The person confirmed writing over the photo itself. */
  allowOverwritePhoto: boolean;
}

/** Batch options with every path already checked against the grants; a painted mask as bytes. */
export type BatchJob = BatchOptions & {
  batchId: string;
  signal: AbortSignal;
  onProgress(progress: BatchProgress): void;
};

export interface EnginePort {
  info(): Promise<EngineInfo>;
  configure(settings: Settings): Promise<void>;
  preview(photo: string, maxSide: number): Promise<Preview>;
  inpaint(job: InpaintJob): Promise<InpaintResult>;
  /** Flattens photo + layers at full resolution and writes target atomically; returns the written path. */
  exportImage(job: ExportJob): Promise<string>;
  /** The photos a batch would read under inputDir, leaving out the output and mask folders. */
  countImages(query: { inputDir: string; recursive: boolean; outputDir: string | null; masksDir: string | null }): Promise<number>;
  runBatch(job: BatchJob): Promise<BatchSummary>;
  close(): Promise<void>;
}
