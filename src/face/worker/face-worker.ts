// A face inference worker: one FaceEngine (onnxruntime sessions) per thread, so decoding and
// inference never block the main event loop. Started by FaceWorkerPool; speaks protocol.ts.
import { parentPort, workerData } from 'node:worker_threads';
import { analyseCardPhoto } from '../card-photo/analyse-card-photo.ts';
import { FaceEngine } from '../engine.ts';
import { serializeError } from './protocol.ts';
import type { FromWorker, ToWorker, WorkerEngineOptions } from './protocol.ts';

const port = parentPort!;
const post = (message: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

try {
  const options = workerData as WorkerEngineOptions;
  const engine = await FaceEngine.create(options);
  port.on('message', (message: ToWorker) => {
    const quality = message.quality ?? {};
    const analysing =
      message.source === 'card-photo'
        ? analyseCardPhoto(engine, message.bytes, quality)
        : message.source === 'liveness-frame'
          ? engine.analyseWithPose(message.bytes, quality)
          : engine.analyse(message.bytes, quality);
    analysing.then(
      (a) => {
        const embedding = Float32Array.from(a.embedding);
        const analysis = { embedding, modelId: a.modelId, quality: a.quality, presentationAttack: a.presentationAttack, timings: a.timings, ...(a.pose ? { pose: a.pose } : {}) };
        post({ kind: 'result', id: message.id, analysis }, [embedding.buffer]);
      },
      (error: unknown) => post({ kind: 'error', id: message.id, error: serializeError(error) }),
    );
  });
  post({ kind: 'ready', modelId: engine.modelId, embeddingLength: engine.embeddingLength, threshold: engine.threshold });
} catch (error) {
  post({ kind: 'failed', error: serializeError(error) });
}
