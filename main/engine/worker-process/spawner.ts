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

/** Starts one worker: childProcessSpawner here, or a host's own (the Electron app's, main/electron/utility-process.ts). */
export type WorkerSpawner = (listener: WorkerListener) => WorkerHandle;

/** A started worker process as a spawner drives it: Node's ChildProcess and Electron's UtilityProcess both are one. */
export interface WorkerProcess {
  readonly pid?: number | undefined;
  readonly stderr: NodeJS.ReadableStream | null;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  once(event: 'exit', listener: (code: number | null, signal?: NodeJS.Signals | null) => void): unknown;
}

/** How to talk to one kind of process: send a message, stop it, and (optionally) whether it keeps this one alive. */
export interface ProcessControl<P extends WorkerProcess> {
  send(process: P, message: ToWorker): void;
  kill(process: P): void;
  keepAlive?(process: P, busy: boolean): void;
}

/** The one spawner: `start` forks the process; its messages and exit go to the client, its stderr lines to `log`. */
export function spawnerOf<P extends WorkerProcess>(start: () => P, control: ProcessControl<P>, log: (line: string) => void): WorkerSpawner {
  return (listener) => {
    const child = start();
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => chunk.split('\n').filter(Boolean).forEach((l) => log(`[engine worker] ${l}`)));
    child.on('message', listener.message);
    child.once('exit', (code, signal) => listener.exit(code, signal ?? null));
    const keepAlive = control.keepAlive;
    return {
      get pid() {
        return child.pid;
      },
      send: (message) => control.send(child, message),
      kill: () => control.kill(child),
      ...(keepAlive ? { keepAlive: (busy: boolean) => keepAlive(child, busy) } : {}),
    };
  };
}

/** A plain Node child running entry.ts through tsx (or a built worker.js as it is), with this process's
 * environment unless `env` is given (HOLEFILL_ENGINE_TRACE=1, for one: see entry.ts). */
export function childProcessSpawner(entry = WORKER_ENTRY, log: (line: string) => void = () => {}, env?: NodeJS.ProcessEnv): WorkerSpawner {
  const start = () => {
    const execArgv = entry.endsWith('.ts') ? ['--import', import.meta.resolve('tsx')] : [];
    const child = fork(entry, [], { execArgv, env, serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    child.once('error', (err) => {
      log(`[engine worker] ${err.message}`);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    return child;
  };
  return spawnerOf(start, {
    send: (child, message) => void child.send(message),
    kill: (child) => void child.kill('SIGKILL'),
    // An idle worker must not keep a CLI or test process running after its last job.
    keepAlive: (child, busy) => {
      const channel = child.channel as { ref(): void; unref(): void } | null | undefined;
      if (busy) (child.ref(), channel?.ref());
      else (child.unref(), channel?.unref());
    },
  }, log);
}
