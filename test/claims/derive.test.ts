/** Derived claims at their edges: birthday today, 29 February, the date in Japan, moved-out addresses. */
import { ageAt, dateInJapan, residentOf } from '../../src/claims/derive.ts';
import { ClaimsEngine } from '../../src/claims/engine.ts';
import type { FactsReader, PersonFacts } from '../../src/claims/facts.ts';
import { idaIds } from '../../src/claims/verified-claims.ts';
import { readCatalog } from '../../src/facilities/facility-service.ts';

const MUNICIPALITIES = readCatalog().municipalities;
/** Noon in Japan on the given date. */
const jst = (date: string) => new Date(`${date}T03:00:00Z`);

describe('age', () => {
  test('the new age starts on the birthday itself, not the day after', () => {
    expect(ageAt('2008-06-15', jst('2026-06-14'))).toBe(17);
    expect(ageAt('2008-06-15', jst('2026-06-15'))).toBe(18);
    expect(ageAt('2008-06-15', jst('2026-06-16'))).toBe(18);
  });

  test('born on 29 February: the birthday is 1 March in a common year, 29 February in a leap year', () => {
    expect(ageAt('2008-02-29', jst('2026-02-28'))).toBe(17);
    expect(ageAt('2008-02-29', jst('2026-03-01'))).toBe(18);
    expect(ageAt('2008-02-29', jst('2028-02-28'))).toBe(19);
    expect(ageAt('2008-02-29', jst('2028-02-29'))).toBe(20);
  });

  test('"today" is the date in Japan, whatever the time in UTC', () => {
    // 2026-06-14T15:30Z is already 15 June 00:30 in Japan.
    expect(dateInJapan(new Date('2026-06-14T15:30:00Z'))).toEqual({ year: 2026, month: 6, day: 15 });
    expect(ageAt('2008-06-15', new Date('2026-06-14T14:59:59Z'))).toBe(17);
    expect(ageAt('2008-06-15', new Date('2026-06-14T15:00:00Z'))).toBe(18);
  });

  test('partial, impossible or future birthdates give no age', () => {
    expect(ageAt('1980', jst('2026-01-01'))).toBeUndefined();
    expect(ageAt('0000-05-01', jst('2026-01-01'))).toBeUndefined();
    expect(ageAt('2023-02-29', jst('2026-01-01'))).toBeUndefined();
    expect(ageAt('2030-01-01', jst('2026-01-01'))).toBeUndefined();
    expect(ageAt(undefined, jst('2026-01-01'))).toBeUndefined();
  });
});

describe('resident_of', () => {
  test('maps the verified address to the municipality code by its prefecture and name', () => {
    expect(residentOf('石川県加賀市作見町ル２５番地１', MUNICIPALITIES)).toBe('172065');
    expect(residentOf('福井県坂井市坂井町上新庄１８－２', MUNICIPALITIES)).toBe('182109');
    expect(residentOf('兵庫県豊岡市中央町２－４', MUNICIPALITIES)).toBe('282090');
  });

  test('an address outside the known municipalities, or a bare municipality name, gives none', () => {
    expect(residentOf('東京都千代田区千代田１－１', MUNICIPALITIES)).toBeUndefined();
    expect(residentOf('加賀市作見町', MUNICIPALITIES)).toBeUndefined();
    expect(residentOf('石川県金沢市広坂１－１－１', MUNICIPALITIES)).toBeUndefined();
    expect(residentOf(undefined, MUNICIPALITIES)).toBeUndefined();
  });
});

describe('the engine at the edges', () => {
  function engineFor(facts: Partial<PersonFacts>): ClaimsEngine {
    const person: PersonFacts = { personId: 'p', accountId: 'a', identity: undefined, contact: undefined, household: undefined, ...facts };
    const reader = { person: async () => person, identity: async () => undefined, contact: async () => undefined } as unknown as FactsReader;
    return new ClaimsEngine({ facts: reader, municipalities: () => MUNICIPALITIES, ids: idaIds('https://pass.example'), production: false });
  }
  const identity = (birthdate: string, address: string) => ({
    verificationId: 'v',
    method: 'jpki_signature' as const,
    claims: { name: '加賀　太郎', birthdate, address: { formatted: address, country_code: 'JPN' as const } },
    verifiedAt: new Date('2026-01-01T00:00:00Z'),
    issuer: 'CN=test',
    serialNumber: '01',
    anchorEnvironment: 'development',
  });
  const all = new Set(['age', 'age_over_18', 'age_over_20', 'resident_of']);

  test('birthday today: age and age_over_N change on the day', async () => {
    const engine = engineFor({ identity: identity('2006-04-01', '石川県加賀市作見町ル２５番地１') });
    expect(await engine.claimsFor('p', { consented: all, now: jst('2026-03-31') })).toEqual({ age: 19, age_over_18: true, age_over_20: false, resident_of: '172065' });
    expect(await engine.claimsFor('p', { consented: all, now: jst('2026-04-01') })).toEqual({ age: 20, age_over_18: true, age_over_20: true, resident_of: '172065' });
  });

  test('a resident who moved out (re-verified address) is no longer resident_of the old city', async () => {
    const moved = engineFor({ identity: identity('1980-02-17', '東京都千代田区千代田１－１') });
    expect(await moved.claimsFor('p', { consented: all, now: jst('2026-05-01') })).toEqual({ age: 46, age_over_18: true, age_over_20: true });
    const toSakai = engineFor({ identity: identity('1980-02-17', '福井県坂井市坂井町上新庄１８－２') });
    expect((await toSakai.claimsFor('p', { consented: all, now: jst('2026-05-01') })).resident_of).toBe('182109');
  });

  test('only consented and requested claims come out', async () => {
    const engine = engineFor({ identity: identity('2006-04-01', '石川県加賀市作見町ル２５番地１') });
    const out = await engine.claimsFor('p', { consented: new Set(['age_over_18', 'name']), requested: new Set(['age_over_18', 'age', 'resident_of']), now: jst('2026-04-01') });
    expect(out).toEqual({ age_over_18: true });
  });
});
