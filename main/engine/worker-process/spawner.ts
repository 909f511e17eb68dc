// How the engine's worker process is started: a forked Node child (CLI, tests, web host), or whatever a host
// passes (the Electron app: a utilityProcess). The client talks to it through a WorkerHandle.
import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ToWorker } from '../../contract/engine';

/** The worker process's entry, as TypeScript (development, tests; the app runs its built engine-worker.js). */
export const WORKER_ENTRY = path.join(path.dirname(fileURLToPath(import.meta.url)), 'entry.ts');

/** What a spawner reports back to the client. */
export interface WorkerListener {
  message(data: unknown): void;
  exit(code: number | null, signal: string | null): void;
}

/** A started worker. */
export interface WorkerHandle {
  readonly pid: number | undefined;
  send(message: ToWorker): void;
  kill(): void;
  /** Optional: whether the worker should keep this process alive (only while it has work). */
  keepAlive?(busy: boolean): void;
}

/**
 * Starts one worker. In Electron's main process, for example:
 *   (listener) => {
 *     const child = utilityProcess.fork(workerJs, [], { serviceName: 'Holefill engine', stdio: 'inherit' });
 *     child.on('message', listener.message);
 *     child.on('exit', (code) => listener.exit(code, null));
 *     return { get pid() { return child.pid }, send: (m) => child.postMessage(m), kill: () => void child.kill() };
 *   }
 */
export type WorkerSpawner = (listener: WorkerListener) => WorkerHandle;

/** A plain Node child running entry.ts through tsx (or a built worker.js as it is), with this process's
 * environment unless `env` is given (HOLEFILL_ENGINE_TRACE=1, for one: see entry.ts). */
export function childProcessSpawner(entry = WORKER_ENTRY, log: (line: string) => void = () => {}, env?: NodeJS.ProcessEnv): WorkerSpawner {
  return (listener) => {
    const execArgv = entry.endsWith('.ts') ? ['--import', import.meta.resolve('tsx')] : [];
    const child = fork(entry, [], { execArgv, env, serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => chunk.split('\n').filter(Boolean).forEach((l) => log(`[engine worker] ${l}`)));
    child.on('message', listener.message);
    child.once('exit', (code, signal) => listener.exit(code, signal));
    child.once('error', (err) => {
      log(`[engine worker] ${err.message}`);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    return {
      get pid() {
        return child.pid;
      },
      send: (message) => void child.send(message),
      kill: () => void child.kill('SIGKILL'),
      // An idle worker must not keep a CLI or test process running after its last job.
      keepAlive: (busy) => {
        const channel = child.channel as { ref(): void; unref(): void } | null | undefined;
        if (busy) (child.ref(), channel?.ref());
        else (child.unref(), channel?.unref());
      },
    };
  };
}
