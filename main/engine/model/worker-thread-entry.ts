// The entry of the model's worker thread: the onnxruntime session, off the worker process's event loop (see
// worker-thread.ts). Built as out/main/engine-inference.js, beside the worker process (electron.vite.config.ts).
import { serveInference } from './worker-thread';

serveInference();
