/**
 * What a facility's PAD policy makes of the detector's answer at a face check-in (src/checkins/pad.ts),
 * and how staff read a kept result (src/manager/labels.ts). The whole path, with the real detector
 * and synthetic attacks, is pad-policy.test.ts.
 */
import { padDecision, type PadOutcome } from '../../src/checkins/pad.ts';
import { padLabel } from '../../src/manager/labels.ts';
import { isPadPolicy, PAD_POLICIES } from '../../src/facilities/pad-policy.ts';
import { CHECKIN_REASONS } from '../../src/checkins/messages.ts';

const live: PadOutcome = { status: 'live', score: 0.93, method: 'passive', model: 'fr_liveness@afa783b7' };
const attack: PadOutcome = { status: 'attack', score: 0.12, method: 'passive', model: 'fr_liveness@afa783b7' };
const unchecked: PadOutcome = { status: 'not_checked', method: 'none' };

describe('the PAD policy at a face check-in', () => {
  test('off: nothing kept, nothing refused, whatever the detector said', () => {
    for (const outcome of [live, attack, unchecked, undefined]) expect(padDecision('off', outcome)).toEqual({ keep: undefined, refuse: undefined });
  });

  test('record: the result is kept as it came, and never refuses', () => {
    expect(padDecision('record', live)).toEqual({ keep: live, refuse: undefined });
    expect(padDecision('record', attack)).toEqual({ keep: attack, refuse: undefined });
    expect(padDecision('record', unchecked)).toEqual({ keep: unchecked, refuse: undefined });
  });

  test('required: an attack is refused, an unchecked face too (never a silent pass), a live one goes on', () => {
    expect(padDecision('required', attack)).toEqual({ keep: attack, refuse: 'presentation_attack' });
    expect(padDecision('required', unchecked)).toEqual({ keep: unchecked, refuse: 'pad_unavailable' });
    expect(padDecision('required', undefined)).toEqual({ keep: { status: 'not_checked', method: 'none' }, refuse: 'pad_unavailable' });
    expect(padDecision('required', live)).toEqual({ keep: live, refuse: undefined });
  });

  test("a detector's odd answer is kept within the columns' ranges, and an unknown status is not live", () => {
    const odd = { status: 'maybe', score: 7, method: 'x'.repeat(100), model: 'm'.repeat(100) } as unknown as PadOutcome;
    const decided = padDecision('required', odd);
    expect(decided.refuse).toBe('pad_unavailable');
    expect(decided.keep).toEqual({ status: 'not_checked', score: 1, method: 'x'.repeat(64), model: 'm'.repeat(64) });
    expect(padDecision('record', { status: 'live', score: Number.NaN, method: 'passive' }).keep).toEqual({ status: 'live', method: 'passive' });
  });

  test('both refusals have kiosk words in Japanese and English, answered as recorded check-ins (201)', () => {
    for (const reason of ['presentation_attack', 'pad_unavailable'] as const) {
      expect(CHECKIN_REASONS.entry(reason)).toMatchObject({ status: 201, ja: expect.stringMatching(/係員/), en: expect.stringMatching(/staff/) });
    }
    // Whoever stands there may be the resident: the kiosk never calls them an attacker.
    expect(JSON.stringify(CHECKIN_REASONS.text('presentation_attack'))).not.toMatch(/なりすまし|攻撃|不正|attack|fraud|fake/i);
  });

  test('policies are exactly off, record and required', () => {
    expect(PAD_POLICIES).toEqual(['off', 'record', 'required']);
    expect(['off', 'record', 'required'].every(isPadPolicy)).toBe(true);
    for (const bad of ['', 'Required', 'strict', null, 1]) expect(isPadPolicy(bad)).toBe(false);
  });

  test('staff read a kept result as status, score and model', () => {
    expect(padLabel(live, 'ja')).toBe('生体 0.93 (fr_liveness@afa783b7)');
    expect(padLabel(attack, 'en')).toBe('attack 0.12 (fr_liveness@afa783b7)');
    expect(padLabel(unchecked, 'ja')).toBe('未確認');
    expect(padLabel(null, 'ja')).toBe('');
  });
});
