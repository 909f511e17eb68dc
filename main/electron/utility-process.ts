// The engine's worker in the Electron app is a utilityProcess (a Node process Electron manages), so inference
// never runs on the main process's event loop.
import { utilityProcess } from 'electron';
import { spawnerOf, type WorkerSpawner } from '../engine';

export function utilityProcessSpawner(workerJs: string, log: (line: string) => void): WorkerSpawner {
  const start = () => utilityProcess.fork(workerJs, [], { serviceName: 'Holefill engine', stdio: 'pipe' });
  return spawnerOf(start, { send: (child, message) => child.postMessage(message), kill: (child) => void child.kill() }, log);
}
