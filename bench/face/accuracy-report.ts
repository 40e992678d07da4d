// Turns the accuracy figures (accuracy.ts) into `npm run bench -- face` rows: each pipeline's
// FMR/FNMR at both thresholds, 1:N acceptance and wrong-person accepts among the distractors,
// and the server time per check-in, side by side (before issue 17 and now) with the goals.
import type { Measurement, ScenarioResult } from '../types.ts';
import type { AccuracyResult } from './accuracy.ts';

const pct = (x: number) => `${(x * 100).toFixed(2)} %`;

/** Goals of issue 17 on ../shared/faces. */
export const ACCURACY_GOALS = { maxFnmrAtVerify: 0.01, minIdentifyAccept: 0.98, maxCheckinP50Ms: 50 };

export function accuracyReport(results: AccuracyResult[]): Pick<ScenarioResult, 'measurements' | 'ratios' | 'notes'> {
  const measurements: Measurement[] = [];
  const ratios: ScenarioResult['ratios'] = [];
  const notes: string[] = [];
  for (const r of results) {
    const tag = r.pipeline.name.split(' ')[0];
    const v = r.at.verify;
    const i = r.at.identify;
    const d = r.distractors.total.toLocaleString('en');
    for (const [label, t] of [['kiosk frame 640x480', r.time.kioskFrame], ['labelled photo', r.time.photo]] as const) {
      measurements.push({ label: `${tag}: check-in server time, ${label} (decode..embed, no PAD)`, throughput: 1000 / t.p50Ms, p50Ms: t.p50Ms });
    }
    ratios.push(
      { label: `${tag}: 1:1 at ${v.threshold}: false matches, % (${r.impostorPairs} impostor pairs)`, value: v.fmr * 100, ...(tag === 'now' ? { goal: 0, higherIsBetter: false } : {}) },
      { label: `${tag}: 1:1 at ${v.threshold}: false non-matches, % (${r.genuinePairs} genuine pairs)`, value: v.fnmr * 100, ...(tag === 'now' ? { goal: ACCURACY_GOALS.maxFnmrAtVerify * 100, higherIsBetter: false } : {}) },
      { label: `${tag}: 1:1 at ${i.threshold}: FMR %, FNMR % = ${pct(i.fmr)}, ${pct(i.fnmr)}`, value: i.fnmr * 100 },
      { label: `${tag}: 1:N at ${i.threshold}: genuine probes accepted, % of those passing the quality gates (n=${r.identifySearches})`, value: i.identifyAcceptAcquired * 100, ...(tag === 'now' ? { goal: ACCURACY_GOALS.minIdentifyAccept * 100, higherIsBetter: true } : {}) },
      { label: `${tag}: 1:N at ${i.threshold}: genuine probes accepted, % of all (refused photos count as misses)`, value: i.identifyAccept * 100 },
      { label: `${tag}: 1:N at ${i.threshold}: wrong-person accepts among ${d} distractors (${r.identifySearches + r.strangerSearches} searches)`, value: i.wrongAccepts, ...(tag === 'now' ? { goal: 0, higherIsBetter: false } : {}) },
      { label: `${tag}: check-in p50 on kiosk frames, ms (goal leaves 10 ms of the 60 ms for PAD)`, value: r.time.kioskFrame.p50Ms, ...(tag === 'now' ? { goal: ACCURACY_GOALS.maxCheckinP50Ms, higherIsBetter: false } : {}) },
    );
    const refused = Object.entries(r.refused).map(([k, n]) => `${k} ${n}`).join(', ') || 'none';
    notes.push(
      `${r.pipeline.name}: thresholds 1:1 ${v.threshold}, 1:N ${i.threshold}; ${r.probes} probes (30 photos + 9 transformed copies each), refused by the quality gates: ${refused}`,
      `${tag}: genuine mean ${r.genuine.mean} (min ${r.genuine.min}); impostor mean ${r.impostor.mean}, sd ${r.impostor.sd}, max ${r.impostor.max}; best distractor of any probe ${r.distractorMax}; measured-clean thresholds: 1:1 from ${r.recommended.verify}, 1:N from ${r.recommended.identify}`,
      `${tag}: distractors: ${r.distractors.realFaces} real faces from MIT npm packages (and their mirror images), the rest synthetic from their mean and covariance (λ ${r.distractors.model.lambda}; probe-vs-distractor sd ${r.distractors.model.syntheticSd} against ${r.distractors.model.realSd} for the real strangers)`,
      `${tag}: check-in time p50/p95 (ms): kiosk frame ${r.time.kioskFrame.p50Ms}/${r.time.kioskFrame.p95Ms}, labelled photo ${r.time.photo.p50Ms}/${r.time.photo.p95Ms}`,
    );
  }
  const now = results.find((r) => r.pipeline.name.startsWith('now'));
  if (now) {
    notes.push('curve (now): threshold FMR FNMR 1:N-accepted(acquired) wrong-accepts');
    for (const row of now.curve.filter((c) => Math.round(c.threshold * 100) % 2 === 0 && c.threshold >= 0.36 && c.threshold <= 0.6)) {
      notes.push(`  ${row.threshold.toFixed(2)}  ${row.fmr.toExponential(1)}  ${pct(row.fnmr)}  ${pct(row.identifyAcceptAcquired)}  ${row.wrongAccepts}`);
    }
  }
  return { measurements, ratios, notes };
}
