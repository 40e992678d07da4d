// Check-in by a wallet presentation, at PASS's kiosk API (issue 19): a residency credential PASS
// issued, presented for the kiosk's audience and nonce, checks its holder in exactly once per
// kiosk-made id and once per presentation; wrong nonce, another kiosk's audience, a tampered
// disclosure, a refusal the page made, and a credential revoked since (its card revoked) are each
// recorded as refused check-ins with a failure event for staff.
import { randomUUID } from 'node:crypto';
import { createStorage, startPass, type TestStorage } from '../helpers/pass.ts';
import { storageModes } from '../helpers/services.ts';
import { provisionKiosk, staffAccount, withFacilities, type Pass, type TestKiosk } from '../kiosk/helpers.ts';
import { failureEvents, proofedResident, register, residentApiToken } from '../kiosk/fixtures.ts';
import { freshNonce, issuedCredential, newHolder, present, statusOf, tamperedDisclosure, type Holder } from '../kiosk/wallet-fixtures.ts';
import { statusBit } from '../wallet/issuer-helpers.ts';

const mode = storageModes().at(-1)!;
const PARK = 'kaga-niconico-park';
const LIBRARY = 'kaga-library';

describe(`check-in by a wallet presentation (${mode})`, () => {
  let storage: TestStorage;
  let pass: Pass;
  let park: TestKiosk;
  let library: TestKiosk;
  let resident: { accountId: string; personId: string };
  let holder: Holder;
  let residency: string;
  let events: Array<Record<string, string>>;

  beforeAll(async () => {
    storage = await createStorage(mode);
    pass = await startPass({ ...storage.env, WALLET_REVIEW_SECONDS: '1' });
    await withFacilities(pass);
    await staffAccount(pass, 'staff@park.example.jp', 'facility_staff', { facilityId: PARK });
    await staffAccount(pass, 'staff@library.example.jp', 'facility_staff', { facilityId: LIBRARY });
    resident = await proofedResident(pass);
    await register(pass, resident.personId, PARK, ['name', 'age', 'resident_of']);
    [park, library] = [await provisionKiosk(pass, 'staff@park.example.jp'), await provisionKiosk(pass, 'staff@library.example.jp')];
    holder = await newHolder();
    residency = await issuedCredential(pass, await residentApiToken(pass, 'resident@pass.localhost'), 'pass_residency', holder);
    events = await failureEvents(pass);
  }, 120_000);

  afterAll(async () => {
    await pass?.close();
    await storage?.cleanup();
  });

  const audience = (kiosk: TestKiosk) => `pass-kiosk:${kiosk.id}`;
  const row = async (id: string) => (await pass.platform.db('checkins').where({ id }).first()) as Record<string, any> | undefined;
  const checkIn = (kiosk: TestKiosk, json: Record<string, unknown>) => kiosk.call('POST', '/api/kiosk/checkins/credential', { json });
  async function presentation(kiosk: TestKiosk, overrides: { nonce?: string; disclose?: string[] } = {}): Promise<{ presentation: string; nonce: string; aud: string }> {
    const nonce = overrides.nonce ?? freshNonce();
    return { presentation: await present(residency, holder, { aud: audience(kiosk), nonce, disclose: overrides.disclose ?? ['resident_of'] }), nonce, aud: audience(kiosk) };
  }

  test("the kiosk's trust material: its audience, the facility's request, the live status lists and the facility's maximum age", async () => {
    const answer = await park.call('GET', '/api/kiosk/wallet');
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      audience: audience(park),
      issuerMetadataUrl: `${pass.issuer}/.well-known/jwt-vc-issuer`,
      request: { id: 'residency', vct: 'urn:pass:vct:residency:1', claims: ['resident_of'] },
      dcqlQuery: { credentials: [{ id: 'residency', format: 'dc+sd-jwt', meta: { vct_values: ['urn:pass:vct:residency:1'] }, claims: [{ path: ['resident_of'] }] }] },
      maxStatusListAgeSeconds: 86400,
    });
    expect(answer.body.statusLists).toContain(statusOf(residency).uri);
    await pass.platform.facilities.setStatusListMaxAge(PARK, 600);
    expect((await park.call('GET', '/api/kiosk/wallet')).body.maxStatusListAgeSeconds).toBe(600);
    await expect(pass.platform.facilities.setStatusListMaxAge(PARK, 10)).rejects.toThrow(TypeError);
  });

  test('a registered holder checks in once per id and once per presentation', async () => {
    const id = randomUUID();
    const shown = await presentation(park);
    const first = await checkIn(park, { id, ...shown });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ result: 'accepted', method: 'credential', replayed: false });
    expect(await row(id)).toMatchObject({ method: 'credential', result: 'accepted', person_id: resident.personId, kiosk_id: park.id, resident: true });
    // The kiosk's queue sends it again (the network dropped before the answer): the same answer, no second row.
    const again = await checkIn(park, { id, ...shown });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id, result: 'accepted', replayed: true });
    expect(Number((await pass.platform.db('checkins').where({ method: 'credential', result: 'accepted' }).count({ n: '*' }).first())!.n)).toBe(1);
    // The same presentation under another id is a replay.
    const replayed = await checkIn(park, { id: randomUUID(), ...shown });
    expect(replayed.body).toMatchObject({ result: 'rejected', reason: 'presentation_replayed' });
  });

  test('a verified visitor without a registration is checked in anonymously, the presented fact kept sealed', async () => {
    const id = randomUUID();
    const answer = await checkIn(library, { id, ...(await presentation(library)) });
    expect(answer.body).toMatchObject({ result: 'accepted', anonymous: true });
    const stored = await row(id);
    expect(stored).toMatchObject({ person_id: null, resident: true });
    expect(stored!.details_sealed).toEqual(expect.any(String));
    expect(stored!.details_sealed).not.toContain('172065');
  });

  test('wrong nonce, another kiosk, a tampered disclosure: refused, recorded, staff told', async () => {
    const cases: Array<[string, Record<string, unknown>]> = [
      ['presentation_nonce_mismatch', { ...(await presentation(park)), nonce: freshNonce() }],
      // Made for the park's kiosk, sent by the library's.
      ['presentation_audience_mismatch', await presentation(park)],
      ['disclosure_invalid', await presentation(park).then((p) => ({ ...p, presentation: tamperedDisclosure(p.presentation) }))],
    ];
    for (const [reason, json] of cases) {
      const kiosk = reason === 'presentation_audience_mismatch' ? library : park;
      const id = randomUUID();
      const answer = await checkIn(kiosk, { id, ...json });
      expect(answer.status).toBe(201);
      expect(answer.body).toMatchObject({ result: 'rejected', reason, message: { ja: expect.any(String), en: expect.any(String) } });
      expect(await row(id)).toMatchObject({ result: 'rejected', reason, person_id: null, presentation_digest: null });
    }
    await waitFor(() => events.filter((e) => e.method === 'credential').length >= 3);
  });

  test("a refusal the page made offline is recorded as it said; a reason it cannot have is invalid input", async () => {
    const id = randomUUID();
    const answer = await checkIn(park, { id, refused: 'status_list_stale' });
    expect(answer.body).toMatchObject({ result: 'rejected', reason: 'status_list_stale' });
    expect(answer.body.message.ja).toContain('ネットワーク');
    await waitFor(() => events.some((e) => e.id === id && e.reason === 'status_list_stale'));
    const invalid = await checkIn(park, { id: randomUUID(), refused: 'accepted' });
    expect(invalid.status).toBe(400);
    expect(invalid.body.reason).toBe('invalid_request');
    const oversized = await checkIn(park, { id: randomUUID(), presentation: 'a'.repeat(40_000), nonce: freshNonce(), aud: audience(park) });
    expect(oversized.status).toBe(400);
  });

  test('a credential revoked since the kiosk verified it (its card revoked) is refused at sync, and staff are told', async () => {
    const shown = await presentation(park);
    await pass.provided.proofing!.pki.dev!.revoke('kaga-taro');
    const { uri, idx } = statusOf(residency);
    await waitFor(async () => (await statusBit(pass.issuer, uri, idx)) === 1, 20_000);
    const id = randomUUID();
    const answer = await checkIn(park, { id, ...shown });
    expect(answer.body).toMatchObject({ result: 'rejected', reason: 'credential_revoked' });
    await waitFor(() => events.some((e) => e.id === id && e.reason === 'credential_revoked'));
  });
});

async function waitFor(check: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
}
