import { randomInt } from 'node:crypto';
import { drawTurnSteps, judgeBurst, turnsSeen, type BurstFrame } from '../../../src/face/liveness/challenge.ts';

// The judgement of a burst on made-up poses and embeddings; test/face/liveness/head-turn.test.ts
// runs the same judgement on real photos through the real models.
const RULES = { frontalDegrees: 15, turnDegrees: 12, samePersonCosine: 0.44 };
const alice = new Float32Array([0.6, 0.8, 0, 0]);
const bob = new Float32Array([0, 0.6, 0, 0.8]); // cosine 0.48 to alice's: a look-alike
const stranger = new Float32Array([0, 0, 1, 0]);
const frames = (yaws: number[], who: Float32Array[] = []): BurstFrame[] => yaws.map((yaw, i) => ({ yaw, embedding: who[i] ?? alice }));

test('the steps drawn are two or three alternating turns, and all four sequences occur', () => {
  const seen = new Set<string>();
  const random = (below: number) => randomInt(below);
  for (let i = 0; i < 64; i++) {
    const steps = drawTurnSteps(random);
    expect(steps.length === 2 || steps.length === 3).toBe(true);
    for (let k = 1; k < steps.length; k++) expect(steps[k]).not.toBe(steps[k - 1]);
    seen.add(steps.join(','));
  }
  expect([...seen].sort()).toEqual(['left,right', 'left,right,left', 'right,left', 'right,left,right']);
});

test('turns are read relative to the first frame, repeats and centre frames dropped', () => {
  expect(turnsSeen(frames([-3, 2, 15, 20, 4, -16, -20, 0]), 12)).toEqual(['right', 'left']);
  expect(turnsSeen(frames([5, 5, 5, 5]), 12)).toEqual([]);
});

test('a burst that turns as asked passes', () => {
  expect(judgeBurst(['right', 'left'], frames([-3, 17, 0, -17]), RULES)).toEqual({ passed: true, seen: ['right', 'left'], score: 1 });
  expect(judgeBurst(['left', 'right', 'left'], frames([0, -14, 13, -13]), RULES).passed).toBe(true);
});

test('a still photo, the wrong order, a missing or an extra turn, a turned start, another person: each refused', () => {
  expect(judgeBurst(['right', 'left'], frames([1, 1, 2, 1, 1]), RULES)).toMatchObject({ passed: false, failure: 'no_turn', score: 0 });
  expect(judgeBurst(['right', 'left'], frames([0, -20, 20]), RULES)).toMatchObject({ passed: false, failure: 'wrong_turns', score: 0 });
  expect(judgeBurst(['right', 'left'], frames([0, 20, 0]), RULES)).toMatchObject({ passed: false, failure: 'wrong_turns', score: 0.5 });
  expect(judgeBurst(['right', 'left'], frames([0, 20, -20, 20]), RULES)).toMatchObject({ passed: false, failure: 'wrong_turns' });
  expect(judgeBurst(['right', 'left'], frames([25, 40, 0]), RULES)).toMatchObject({ passed: false, failure: 'not_facing_camera' });
  expect(judgeBurst(['right', 'left'], frames([0, 20, -20], [alice, stranger, alice]), RULES)).toMatchObject({ passed: false, failure: 'person_changed' });
  expect(judgeBurst(['right', 'left'], frames([0, 20, -20], [alice, alice, bob]), { ...RULES, samePersonCosine: 0.5 })).toMatchObject({ passed: false, failure: 'person_changed' });
  expect(judgeBurst(['right', 'left'], [], RULES)).toMatchObject({ passed: false, failure: 'not_facing_camera' });
});
