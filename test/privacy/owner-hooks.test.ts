// How the owners' data-rights hooks combine (src/privacy/owner-hooks.ts): the subject's own rows
// are forgotten last whatever order the capabilities start in, and a wiring mistake — an owner
// twice, a section answered twice or by nobody — fails loudly instead of changing the export.
import type { DataRightsHooks } from '../../src/core/data-rights.ts';
import { complete, mergeOwned, ownerOrder } from '../../src/privacy/owner-hooks.ts';

const hook = (owner: string, removesSubject = false): DataRightsHooks => ({ owner, removesSubject });

describe('data-rights owner hooks', () => {
  test('those removing the subject itself come last; the others keep their order', () => {
    expect(ownerOrder([hook('identity', true), hook('checkins'), hook('claims')]).map((h) => h.owner)).toEqual(['checkins', 'claims', 'identity']);
  });

  test('an owner wired twice is refused', () => {
    expect(() => ownerOrder([hook('kiosk'), hook('kiosk')])).toThrow('the hooks of kiosk are wired twice');
  });

  test('a section answered twice, or by nobody, is refused', () => {
    const into: Partial<{ grants: number[]; audit: number[] }> = {};
    mergeOwned(into, { grants: [1] }, 'oidc', 'export section');
    expect(() => mergeOwned(into, { grants: [2] }, 'claims', 'export section')).toThrow('export section "grants" answered twice (again by claims)');
    expect(() => complete(into, { grants: true, audit: true }, 'export section')).toThrow('no owner answers for export section "audit"');
    mergeOwned(into, { audit: [] }, 'audit', 'export section');
    expect(complete(into, { grants: true, audit: true }, 'export section')).toEqual({ grants: [1], audit: [] });
  });
});
