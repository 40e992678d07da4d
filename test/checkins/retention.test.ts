// Retention of check-ins: each facility keeps them as long as its claim policy says, a facility
// without a policy as long as CHECKIN_RETENTION_DAYS says; the periodic purger deletes the older
// ones (accepted and refused alike) and nothing younger.
import { randomUUID } from 'node:crypto';
import { createStorage, startPass, type TestStorage } from '../helpers/pass.ts';
import { storageModes } from '../helpers/services.ts';
import { purgeExpiredCheckins, retentionRules } from '../../src/checkins/retention.ts';
import { withFacilities, type Pass } from '../kiosk/helpers.ts';

const DAY = 86_400_000;

describe.each([storageModes()[0]!, storageModes().at(-1)!].filter((m, i, all) => all.indexOf(m) === i))('check-in retention (%s)', (mode) => {
  let storage: TestStorage;
  let pass: Pass;

  beforeAll(async () => {
    storage = await createStorage(mode);
    // The purger every second, and a default shorter than any facility's policy.
    pass = await startPass({ ...storage.env, PURGE_INTERVAL_SECONDS: '1', CHECKIN_RETENTION_DAYS: '30' });
    await withFacilities(pass);
  }, 60_000);

  afterAll(async () => {
    await pass?.close();
    await storage?.cleanup();
  });

  async function checkin(facilityId: string, ageDays: number, result: 'accepted' | 'rejected' = 'accepted'): Promise<string> {
    const id = randomUUID();
    const at = new Date(Date.now() - ageDays * DAY);
    await pass.platform.db('checkins').insert({ id, facility_id: facilityId, kiosk_id: 'k-retention', method: 'qr', result, reason: result === 'rejected' ? 'qr_invalid' : null, direction: 'in', occurred_at: at, recorded_at: at });
    return id;
  }

  const exists = async (id: string) => (await pass.platform.db('checkins').where({ id }).first('id')) !== undefined;

  test('the policy of the facility, or the default, decides; the periodic purger does it', async () => {
    const { db } = pass.platform;
    const rules = await retentionRules(db, 30);
    const withPolicy = rules.find((r) => r.days !== 30)!;
    const withoutPolicy = 'no-policy-hall';
    await db('facilities').insert({ id: withoutPolicy, municipality_code: '172065', kind: 'library', name_ja: '方針のない施設', name_en: 'No-policy hall' });
    expect(withPolicy).toBeDefined();
    expect((await retentionRules(db, 30)).find((r) => r.facilityId === withoutPolicy)?.days).toBe(30);

    const policyOld = await checkin(withPolicy.facilityId, withPolicy.days + 1);
    const policyOldRefused = await checkin(withPolicy.facilityId, withPolicy.days + 2, 'rejected');
    const policyYoung = await checkin(withPolicy.facilityId, withPolicy.days - 5);
    const defaultOld = await checkin(withoutPolicy, 31);
    const defaultYoung = await checkin(withoutPolicy, 29);

    // The running server's own purger (every second here) removes what is past retention.
    for (let i = 0; i < 100 && (await exists(policyOld)); i += 1) await new Promise((r) => setTimeout(r, 100));
    for (let i = 0; i < 50 && (await exists(defaultOld)); i += 1) await new Promise((r) => setTimeout(r, 100));
    expect({ policyOld: await exists(policyOld), policyOldRefused: await exists(policyOldRefused), defaultOld: await exists(defaultOld) }).toEqual({ policyOld: false, policyOldRefused: false, defaultOld: false });
    expect({ policyYoung: await exists(policyYoung), defaultYoung: await exists(defaultYoung) }).toEqual({ policyYoung: true, defaultYoung: true });

    // Another run finds nothing more to do; time moving on does.
    expect(await purgeExpiredCheckins(db, 30)).toBe(0);
    expect(await purgeExpiredCheckins(db, 30, new Date(Date.now() + 2 * DAY))).toBe(1);
    expect(await exists(defaultYoung)).toBe(false);
    expect(await exists(policyYoung)).toBe(true);
  });
});
