// Everything a command may use. Electron (main/electron/app.ts) and the web host (main/web/host.ts) each build
// one; the commands themselves know nothing about the transport.
import type { BatchEngine } from '../batch';
import type { AppInfo, EventChannel, EventPayload, Req, RequestChannel, Res } from '../contract/app-api';
import type { EngineClient } from '../engine';
import type { Documents } from '../state/documents';
import type { ExportMemory } from '../state/export-memory';
import type { Grants } from '../state/grants';
import type { RecentList } from '../state/recent';
import type { RecoveryStore } from '../state/recovery';
import type { SettingsStore } from '../state/settings';

/** What the commands use of the engine: its client (a fake in tests of the layers above it), batches included. */
export type Engine = Pick<EngineClient, 'info' | 'configure' | 'preview' | 'removeObject' | 'exportImage' | 'close'> & BatchEngine;

export type FolderPurpose = 'input' | 'masks' | 'output';

/** Native dialogs; absent in the web host, where the renderer shows path fields instead. */
export interface Dialogs {
  openPhoto(): Promise<string | null>;
  openFolder(purpose: FolderPurpose): Promise<string | null>;
  openMaskFile(): Promise<string | null>;
  saveExport(defaultPath: string): Promise<string | null>;
}

export interface CommandContext {
  host: 'electron' | 'web';
  version: string;
  engine: Engine;
  grants: Grants;
  documents: Documents;
  settings: SettingsStore;
  recent: RecentList;
  recovery: RecoveryStore;
  /** Where and in what format the person last exported. */
  exports: ExportMemory;
  dialogs: Dialogs | null;
  /** Shows a file in the system's file manager (Electron); the web host has none. */
  reveal: ((path: string) => Promise<void>) | null;
  /**
   * Typed paths are granted only in the web host: its page is the person's own browser holding this run's
   * secret token, so a typed path is the person's choice. Electron never grants them.
   */
  grantsTypedPaths: boolean;
  /** The web host's folder of uploaded copies (dropped or picked photos): no place to suggest saving to. */
  uploadsDir: string | null;
  emit<C extends EventChannel>(channel: C, payload: EventPayload<C>): void;
  /** In-flight Remove Object jobs and batches, by id, so they can be cancelled. */
  jobs: Map<string, AbortController>;
  batches: Map<string, AbortController>;
  /** Told the AppInfo whenever it changes (the engine started, settings:set): the native menu's provider. */
  infoListeners: Set<(info: AppInfo) => void>;
  /** Whether the renderer holds results not yet exported; quitting asks first when true. */
  unsaved: boolean;
  log(message: string): void;
}

/** One request channel's implementation: the request is already validated against the contract. */
export type Command<C extends RequestChannel> = (ctx: CommandContext, req: Req<C>) => Promise<Res<C>>;
