// The engine's worker in the Electron app is a utilityProcess (a Node process Electron manages), so inference
// never runs on the main process's event loop.
import { utilityProcess } from 'electron';
import { spawnerOf, type WorkerSpawner } from '../engine';

export function utilityProcessSpawner(workerJs: string, log: (line: string) => void): WorkerSpawner {
  return spawnerOf(() => {
    const child = utilityProcess.fork(workerJs, [], { serviceName: 'Holefill engine', stdio: 'pipe' });
    return { process: child, send: child.postMessage.bind(child), kill: child.kill.bind(child) };
  }, log);
}
