// Turns the PAD figures (pad-bench.ts) into `npm run bench -- face` rows: BPCER on the bona fide
// photos, APCER per synthetic attack kind at the configured threshold (what PASS runs: the model
// with the periodic-texture score, and the model alone), the score curves, and the server time per
// check-in with PAD beside the same pipeline without it.
import type { Measurement, ScenarioResult } from '../types.ts';
import type { PadBenchResult, PadFigures } from './pad-bench.ts';

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

/** Issue 17: a check-in with PAD included, server side, on the 2-core machine. */
export const PAD_GOALS = { maxCheckinWithPadP50Ms: 60 };

export function padReport(r: PadBenchResult): Pick<ScenarioResult, 'measurements' | 'ratios' | 'notes'> {
  const measurements: Measurement[] = [
    { label: 'PAD: check-in server time, kiosk frame 640x480, now without PAD (decode..embed)', throughput: 1000 / r.time.withoutPad.p50Ms, p50Ms: r.time.withoutPad.p50Ms },
    { label: `PAD: check-in server time, kiosk frame 640x480, now with PAD (${r.model} + texture)`, throughput: 1000 / r.time.withPad.p50Ms, p50Ms: r.time.withPad.p50Ms },
    { label: 'PAD: the PAD check alone per face (crop, model, texture)', throughput: 1000 / r.time.padOnly.p50Ms, p50Ms: r.time.padOnly.p50Ms },
  ];
  const ratios: ScenarioResult['ratios'] = [];
  for (const [tag, f] of [['model + texture', r.fused], ['model alone', r.modelOnly]] as const) {
    ratios.push({ label: `PAD ${tag} at ${r.threshold}: BPCER, % of ${r.bonaFide.scored} bona fide presentations (../shared/faces photos and kiosk frames)`, value: f.bpcer * 100 });
    for (const [kind, a] of Object.entries(r.attacks)) {
      ratios.push({ label: `PAD ${tag} at ${r.threshold}: APCER ${kind}, % of ${a.scored} synthetic attacks reaching PAD`, value: f.apcer[kind as keyof PadFigures['apcer']] * 100 });
    }
  }
  ratios.push({ label: `PAD: check-in p50 with PAD, kiosk frames, ms (goal ${PAD_GOALS.maxCheckinWithPadP50Ms})`, value: r.time.withPad.p50Ms, goal: PAD_GOALS.maxCheckinWithPadP50Ms, higherIsBetter: false });
  const curve = (tag: string, f: PadFigures) => [
    `PAD curve, ${tag}: threshold BPCER APCER(${Object.keys(r.attacks).join(' ')}); lowest bona fide ${f.bonaFideMin}, highest attack ${Object.entries(f.attackMax).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    ...f.curve.map((c) => `  ${c.threshold.toFixed(2)}  ${pct(c.bpcer)}  ${Object.values(c.apcer).map(pct).join('  ')}`),
    `PAD ${tag}: bona fide below ${r.threshold}: ${f.bonaFideBelow.map((b) => `${b.name} ${b.score}`).join(', ') || 'none'}`,
  ];
  const notes = [
    `PAD: ${r.model} with the periodic-texture score, threshold ${r.threshold}; synthetic attacks are not a certification, and the texture score looks for the very artefacts the recipe draws (docs/face.md, "PAD")`,
    `PAD: check-in p50/p95 (ms) on ${r.time.runs} kiosk frames: without PAD ${r.time.withoutPad.p50Ms}/${r.time.withoutPad.p95Ms}, with PAD ${r.time.withPad.p50Ms}/${r.time.withPad.p95Ms}; the PAD check alone ${r.time.padOnly.p50Ms}/${r.time.padOnly.p95Ms}`,
    `PAD: stopped by the quality gates before PAD: attacks ${Object.entries(r.attacks).map(([k, a]) => `${k} ${a.refusedBeforePad}`).join(', ')}; bona fide ${r.bonaFide.refused}`,
    `PAD: periodic-texture score: highest bona fide ${r.texture.bonaFideMax}; lowest attack ${Object.entries(r.texture.attackMin).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    ...curve('model + texture', r.fused),
    ...curve('model alone', r.modelOnly),
  ];
  return { measurements, ratios, notes };
}
