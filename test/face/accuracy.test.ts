import type { AccuracyResult } from '../../bench/face/accuracy.ts';
import { VARIABLES } from '../../src/config/schema.ts';
import { loadManifest, findRecognizer } from '../../src/face/models/manifest.ts';
import { runOutsideJest } from '../helpers/outside-jest.ts';
import { FACES_DIR, MODELS_DIR } from './helpers.ts';

// The targets of issue 17 at the thresholds PASS runs with by default, measured as
// `npm run bench -- face` measures them (bench/face/accuracy.ts): the 30 labelled photos and 9
// transformed copies of each, all genuine and impostor pairs plus the real strangers of the
// package photos; 1:N with every photo enrolled in turn among 100,000 distractors (the real
// strangers, the rest synthesised from them). The package photos come from the npm registry
// once (bench/face/package-faces.ts caches them); without them this test fails rather than
// measure against a weaker set. The measurement runs in a plain Node process (../helpers/outside-jest.ts).
let result: AccuracyResult;

beforeAll(async () => {
  const verify = findRecognizer(await loadManifest()).threshold;
  const identify = VARIABLES.FACE_IDENTIFY_THRESHOLD.parse(undefined);
  const [measured] = await runOutsideJest<AccuracyResult[]>('bench/face/accuracy.ts', 'measureAccuracy', [{
    modelDir: MODELS_DIR,
    facesDir: FACES_DIR,
    pipelines: [{ name: 'now', engine: {}, verifyThreshold: verify, identifyThreshold: identify }],
    distractors: 100_000,
    timingRounds: 0,
  }]);
  result = measured!;
}, 600_000);

test('the distractor set has real strangers in it, and 100,000 in all', () => {
  expect(result.distractors.realFaces).toBeGreaterThanOrEqual(100);
  expect(result.distractors.total).toBe(100_000);
});

test('1:1 at the verification threshold: no false match, at most 1 % false non-matches', () => {
  const at = result.at.verify;
  expect(result.impostorPairs).toBeGreaterThan(50_000);
  expect(result.genuinePairs).toBeGreaterThan(700);
  expect(at.fmr).toBe(0);
  expect(at.fnmr).toBeLessThanOrEqual(0.01);
});

test('1:N at the kiosk threshold: at least 98 % of genuine probes accepted, no wrong person among 100,000 distractors', () => {
  const at = result.at.identify;
  // Probes the quality gates refused (too small after a 4× downscale, over- or underexposed) are
  // asked to try again at a kiosk; they are counted apart (AccuracyResult.refused).
  expect(at.identifyAcceptAcquired).toBeGreaterThanOrEqual(0.98);
  expect(at.wrongAccepts).toBe(0);
  expect(result.identifySearches + result.strangerSearches).toBeGreaterThan(1000);
});
