/**
 * The face factor's series: inference time by stage (measured in the worker thread that ran it,
 * recorded here on the main thread, whose registry /metrics serves), the time a caller waited for
 * an analysis (queue included), the inference queue and workers, and the presentation-attack
 * detection outcome of every analysed face (src/face/pad.ts; `not_checked` while PASS has no PAD
 * model). Declared by the face capability from the platform's metrics.
 */
import { LATENCY_BUCKETS, type Metrics } from '../../core/metrics.ts';
import type { WorkerAnalysis } from '../worker/protocol.ts';
import type { FaceInference } from './inference.ts';
import type { PresentationAttackResult } from '../pad.ts';

export type FaceOperation = 'enroll' | 'verify' | 'identify' | 'liveness';

export interface FaceMetrics {
  /** A photo was analysed: its stage timings and its presentation-attack outcome. */
  analysed(analysis: WorkerAnalysis): void;
  /** How long the caller waited for the analysis, queue included, whether it succeeded or not. */
  waited(operation: FaceOperation, seconds: number): void;
}

export function faceMetrics(metrics: Metrics, stats: () => FaceInference['stats'] | undefined): FaceMetrics {
  const inference = metrics.histogram({
    name: 'pass_face_inference_seconds',
    help: 'Face inference time in a worker thread by stage: decode (the image), detect (the detector model), align, embed (the recognizer model)',
    labelNames: ['stage'],
    buckets: LATENCY_BUCKETS,
  });
  const analysis = metrics.histogram({
    name: 'pass_face_analysis_seconds',
    help: 'Time a face operation waited for its photo to be analysed, queue for a worker included, by operation (enroll, verify, identify, liveness: a frame of an active liveness challenge)',
    labelNames: ['operation'],
    buckets: LATENCY_BUCKETS,
  });
  const pad = metrics.counter({
    name: 'pass_face_pad_total',
    help: 'Presentation-attack detection outcomes of analysed faces: not_checked (no PAD model), live or attack',
    labelNames: ['outcome'],
  });
  for (const outcome of ['not_checked', 'live', 'attack'] satisfies PresentationAttackResult['status'][]) pad.inc({ outcome }, 0);
  metrics.gauge({ name: 'pass_face_queue_depth', help: 'Photos waiting for a face inference worker', labelNames: [], read: () => stats()?.queued ?? 0 });
  metrics.gauge({
    name: 'pass_face_workers',
    help: 'Face inference worker threads, busy or idle (none until the models are loaded)',
    labelNames: ['state'],
    read: () => {
      const s = stats() ?? { workers: 0, busy: 0, queued: 0 };
      return [
        { labels: { state: 'busy' }, value: s.busy },
        { labels: { state: 'idle' }, value: s.workers - s.busy },
      ];
    },
  });
  return {
    analysed({ timings, presentationAttack }) {
      inference.observe({ stage: 'decode' }, timings.decodeMs / 1000);
      inference.observe({ stage: 'detect' }, timings.detectMs / 1000);
      inference.observe({ stage: 'align' }, timings.alignMs / 1000);
      inference.observe({ stage: 'embed' }, timings.embedMs / 1000);
      pad.inc({ outcome: presentationAttack.status });
    },
    waited(operation, seconds) {
      analysis.observe({ operation }, seconds);
    },
  };
}
