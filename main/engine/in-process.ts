// What the engine's worker process runs in itself, for running it in another process: the bench measures the
// model, its worker thread, the enlargement and the fill here, as the worker runs them. Reached through
// loadInProcessEngine() (index.ts), so that only a caller that asks loads onnxruntime.
export { fillAround, loadEnlarger } from './fill/enlarge';
export { forgetPhotoPixels, openPhotoPixels } from './fill/photo-cache';
export { inpaintFile, removeObject } from './fill/pipeline';
export { toTensors } from './fill/tile-tensors';
export { setUpLibvips } from './images/decode';
export { loadModel } from './model/session';
export { loadModelInThread, WORKER_SPIN_US, WORKER_THREAD_ENTRY } from './model/worker-thread';
