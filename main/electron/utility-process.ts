// The engine in the Electron app: its worker is a utilityProcess (a Node process Electron manages), so
// inference never runs on the main process's event loop.
import { utilityProcess } from 'electron';
import type { EnginePort } from '../commands/engine-port';
import { engineAdapter } from '../engine-adapter';
import { EngineClient, type WorkerSpawner } from '../engine';

export function utilityProcessSpawner(workerJs: string, log: (line: string) => void): WorkerSpawner {
  return (listener) => {
    const child = utilityProcess.fork(workerJs, [], { serviceName: 'Holefill engine', stdio: 'pipe' });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => chunk.split('\n').filter(Boolean).forEach((l) => log(`[engine worker] ${l}`)));
    child.on('message', listener.message);
    child.once('exit', (code) => listener.exit(code, null));
    return {
      get pid() {
        return child.pid;
      },
      send: (message) => child.postMessage(message),
      kill: () => void child.kill(),
    };
  };
}

export async function createElectronEngine(options: { workerPath: string; model: string; log: (m: string) => void }): Promise<EnginePort> {
  const client = new EngineClient({ modelPath: options.model, spawner: utilityProcessSpawner(options.workerPath, options.log), log: options.log });
  return engineAdapter(client, options.log);
}
