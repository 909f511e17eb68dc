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

/** A started worker process, as the spawner listens to it: Node's ChildProcess and Electron's UtilityProcess both are one. */
export interface WorkerProcess {
  readonly pid?: number | undefined;
  readonly stderr: NodeJS.ReadableStream | null;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  once(event: 'exit', listener: (code: number | null, signal?: NodeJS.Signals | null) => void): unknown;
}

/**
 * A process a host has forked, and how it is talked to (the process's own methods, bound: a job goes from the client
 * straight to the transport). Node's child and Electron's utilityProcess differ only in these.
 */
export interface ForkedWorker {
  process: WorkerProcess;
  send(message: ToWorker): void;
  kill(): void;
  /** Whether the worker keeps this process alive (only while it has work); absent where the host owns its life. */
  keepAlive?(busy: boolean): void;
}

/** The one spawner: `fork` starts the process; its messages and exit go to the client, its stderr lines to `log`. */
export function spawnerOf(fork: () => ForkedWorker, log: (line: string) => void): WorkerSpawner {
  return (listener) => {
    const { process: child, send, kill, keepAlive } = fork();
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => chunk.split('\n').filter(Boolean).forEach((l) => log(`[engine worker] ${l}`)));
    child.on('message', listener.message);
    child.once('exit', (code, signal) => listener.exit(code, signal ?? null));
    return {
      get pid() {
        return child.pid;
      },
      send,
      kill,
      ...(keepAlive ? { keepAlive } : {}),
    };
  };
}

/** A plain Node child running entry.ts through tsx (or a built worker.js as it is), with this process's
 * environment unless `env` is given (HOLEFILL_ENGINE_TRACE=1, for one: see entry.ts). */
export function childProcessSpawner(entry = WORKER_ENTRY, log: (line: string) => void = () => {}, env?: NodeJS.ProcessEnv): WorkerSpawner {
  return spawnerOf(() => {
    const execArgv = entry.endsWith('.ts') ? ['--import', import.meta.resolve('tsx')] : [];
    const child = fork(entry, [], { execArgv, env, serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    child.once('error', (err) => {
      log(`[engine worker] ${err.message}`);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    const channel = child.channel as { ref(): void; unref(): void } | null | undefined;
    return {
      process: child,
      send: child.send.bind(child),
      kill: child.kill.bind(child, 'SIGKILL'),
      // An idle worker must not keep a CLI or test process running after its last job.
      keepAlive: (busy) => {
        if (busy) (child.ref(), channel?.ref());
        else (child.unref(), channel?.unref());
      },
    };
  }, log);
}
