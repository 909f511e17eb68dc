// The engine worker's inference thread: the onnxruntime session, off the worker's event loop (see
// model-thread.ts). Built as out/main/engine-inference.js, beside the worker (electron.vite.config.ts).
import { serveInference } from './model-thread';

serveInference();
