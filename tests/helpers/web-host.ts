// For UI tests: the built renderer and the web host with the real engine on a free loopback port.
//
//   const host = await startWebHostForTests(t);      // builds out/ first if a source changed
//   await page.goto(host.url);                        // http://127.0.0.1:PORT/?token=...
//   await host.grant(photo, 'photo');                 // what typing the path in the page would do
//
// Each call gets its own userData folder (settings, recent list, recovery file), removed afterwards.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { GrantPurpose } from '../../main/contract/app-api';
import type { WebHost } from '../../main/web/host';
import { launchWebHost } from '../../main/web/launch';
import { ensureBuilt } from './build';

export interface TestWebHost extends WebHost {
  userData: string;
  /** Grants a path as if the person had typed it in the page (folder:grant). */
  grant(path: string, purpose: GrantPurpose): string;
}

export async function startWebHostForTests(
  t?: { after(fn: () => unknown): void },
  options: { userData?: string; port?: number; log?: (m: string) => void } = {},
): Promise<TestWebHost> {
  ensureBuilt();
  const userData = options.userData ?? (await mkdtemp(path.join(os.tmpdir(), 'holefill-web-test-')));
  const host = await launchWebHost({ port: options.port ?? 0, userData, build: 'never', log: options.log ?? (() => {}) });
  const handle: TestWebHost = {
    ...host,
    userData,
    grant: (p, purpose) => host.ctx.grants.grant(p, purpose),
    async close() {
      await host.close();
      if (!options.userData) await rm(userData, { recursive: true, force: true });
    },
  };
  t?.after(() => handle.close());
  return handle;
}
