// Starts the web host with the real engine and the built renderer: what `holefill web` and the UI tests run.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EngineClient } from '../engine';
import { startWebHost, type WebHost } from './host';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const builtRenderer = path.join(root, 'out', 'renderer');

export interface LaunchOptions {
  port?: number;
  /** Where settings, the recent list and the recovery file live (default ~/.config/holefill-web). */
  userData?: string;
  engine?: EngineClient;
  /** 'if-missing' (default): run `electron-vite build` when out/renderer is absent. */
  build?: 'if-missing' | 'always' | 'never';
  maxBodyBytes?: number;
  /**
   * Run the engine with the settings saved in userData (the Settings dialog's), as the desktop app does
   * (default). `holefill web` passes false when its command line chose the provider or threads for this run.
   */
  savedSettings?: boolean;
  log?: (message: string) => void;
}

export function buildRenderer(): void {
  const cli = path.join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js');
  const r = spawnSync(process.execPath, [cli, 'build'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`electron-vite build failed:\n${r.stdout}\n${r.stderr}`);
}

function defaultUserData(): string {
  const config = process.env.XDG_CONFIG_HOME ?? path.join(os.homedir(), '.config');
  return path.join(config, 'holefill-web');
}

export async function launchWebHost(options: LaunchOptions = {}): Promise<WebHost> {
  const log = options.log ?? ((m: string) => console.error(`[holefill web] ${m}`));
  const build = options.build ?? 'if-missing';
  if (build === 'always' || (build === 'if-missing' && !existsSync(path.join(builtRenderer, 'index.html')))) buildRenderer();
  const client = options.engine ?? new EngineClient({ log });
  const version = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
  const host = await startWebHost({
    rendererDir: builtRenderer,
    engine: client,
    userData: options.userData ?? defaultUserData(),
    version,
    log,
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.maxBodyBytes !== undefined ? { maxBodyBytes: options.maxBodyBytes } : {}),
  });
  const saved = host.ctx.settings.get();
  // The client was made with the defaults: only a different saved choice needs telling (which starts the
  // worker now; with the defaults it starts with the first request that needs it).
  if ((options.savedSettings ?? true) && (saved.provider !== 'auto' || saved.threads !== 0)) {
    void host.ctx.engine.configure(saved).catch((err: unknown) => log(`saved settings not applied: ${err}`));
  }
  return {
    ...host,
    async close() {
      await host.close();
      await client.close();
    },
  };
}
