// The resident's history API (/api/privacy/history, issue #18): their and their household
// member's check-ins (where, when, how) and the releases of their facts (what, to whom, when),
// newest first, a page at a time with an opaque cursor, read through the owners. Nobody else's
// check-ins ever appear; a bad page request is refused before anything is read.
import { randomUUID } from 'node:crypto';
import { storageModes } from '../helpers/services.ts';
import { api, stopEnv, type Env } from '../jpki/proofing-helpers.ts';
import { apiToken, type TestKiosk } from '../kiosk/helpers.ts';
import { plainResident } from '../kiosk/fixtures.ts';
import { residentWithEverything, startPrivacyEnv, type Resident } from './fixtures.ts';

const mode = storageModes().at(-1)!;

describe(`the history of check-ins and releases (${mode})`, () => {
  let env: Env & { kiosk: TestKiosk };
  let taro: Resident;

  beforeAll(async () => {
    env = await startPrivacyEnv(mode);
    taro = await residentWithEverything(env, 'taro.history@example.jp', 'history-taro');
  }, 120_000);

  afterAll(async () => {
    await stopEnv(env);
  });

  /** Check-ins as the kiosk stores them (the fixture made one real QR check-in; these fill pages). */
  async function storeCheckins(personId: string, count: number, start: Date, method = 'face'): Promise<void> {
    const rows = Array.from({ length: count }, (_, i) => ({
      id: randomUUID(),
      facility_id: 'kaga-library',
      method,
      result: 'accepted',
      person_id: personId,
      direction: i % 2 ? 'out' : 'in',
      occurred_at: new Date(start.getTime() - i * 60_000),
    }));
    await env.pass.platform.db('checkins').insert(rows);
  }

  test('check-ins of the resident and their member, newest first, paged without gaps or repeats', async () => {
    const first = await api(env, taro.token, 'GET', '/api/privacy/history/checkins');
    expect(first.status).toBe(200);
    const library = (await env.pass.platform.db('facilities').where({ id: 'kaga-library' }).first('name_ja', 'name_en')) as { name_ja: string; name_en: string };
    expect(first.body).toEqual({
      checkins: [
        {
          id: taro.checkinId,
          person_id: taro.personId,
          relation: 'self',
          facility_id: 'kaga-library',
          facility_name: { ja: library.name_ja, en: library.name_en },
          method: 'qr',
          result: 'accepted',
          reason: null,
          direction: 'in',
          at: expect.any(String),
        },
      ],
      next: null,
    });

    // 23 more for Taro (two at the same minute as another: the cursor breaks ties by id), 4 for his father, 5 for a stranger.
    const stranger = await plainResident(env.pass, 'stranger.history@example.jp');
    const base = new Date(Date.now() - 3600_000);
    await storeCheckins(taro.personId, 21, base);
    await storeCheckins(taro.personId, 2, base, 'card');
    await storeCheckins(taro.memberId, 4, new Date(base.getTime() - 30_000), 'qr');
    await storeCheckins(stranger.personId, 5, base);

    const seen: Array<Record<string, any>> = [];
    let before: string | null = null;
    let pages = 0;
    do {
      const query: string = `?limit=10${before ? `&before=${encodeURIComponent(before)}` : ''}`;
      const page = await api(env, taro.token, 'GET', `/api/privacy/history/checkins${query}`);
      expect(page.status).toBe(200);
      expect(page.body.checkins.length).toBeLessThanOrEqual(10);
      seen.push(...page.body.checkins);
      before = page.body.next;
      pages += 1;
    } while (before && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(1 + 23 + 4);
    expect(new Set(seen.map((c) => c.id)).size).toBe(seen.length);
    const times = seen.map((c) => Date.parse(c.at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(new Set(seen.map((c) => c.person_id))).toEqual(new Set([taro.personId, taro.memberId]));
    expect(seen.filter((c) => c.person_id === taro.memberId).every((c) => c.relation === 'parent' && c.method === 'qr')).toBe(true);
    expect(seen.filter((c) => c.method === 'card')).toHaveLength(2);

    // The stranger sees only their own.
    const theirs = await api(env, await apiToken(env.pass, 'stranger.history@example.jp'), 'GET', '/api/privacy/history/checkins?limit=50');
    expect(theirs.body.checkins).toHaveLength(5);
    expect(theirs.body.checkins.every((c: any) => c.person_id === stranger.personId && c.relation === 'self')).toBe(true);
  }, 60_000);

  test('releases of facts: what, to whom, when, in the words of the consent', async () => {
    const all = await api(env, taro.token, 'GET', '/api/privacy/history/releases?limit=50');
    expect(all.status).toBe(200);
    const booking = all.body.releases.find((r: any) => r.client_id === 'toyooka-booking');
    expect(booking).toMatchObject({
      person_id: taro.personId,
      relation: 'self',
      client_name: expect.any(String),
      facility_id: 'toyooka-booking',
      use: expect.stringMatching(/^(id_token|userinfo|access_token)$/),
      claims: expect.arrayContaining(['email']),
      at: expect.any(String),
    });
    // family_name and given_name are one fact, the name; each fact once, in both languages.
    expect(booking.facts).toEqual(expect.arrayContaining([{ unit: 'name', label: { ja: '氏名', en: 'Name' } }, { unit: 'email', label: { ja: 'メールアドレス', en: 'E-mail address' } }]));
    expect(new Set(booking.facts.map((f: any) => f.unit)).size).toBe(booking.facts.length);

    // One at a time: the same releases, in the same order.
    const paged: Array<Record<string, any>> = [];
    let before: string | null = null;
    for (let i = 0; i < 60; i += 1) {
      const page: { status: number; body: Record<string, any> } = await api(env, taro.token, 'GET', `/api/privacy/history/releases?limit=1${before ? `&before=${before}` : ''}`);
      paged.push(...page.body.releases);
      before = page.body.next;
      if (!before) break;
    }
    expect(paged).toEqual(all.body.releases);
    expect(all.body.next).toBeNull();
  });

  test('a bad page request is refused with words in both languages; a token is needed', async () => {
    for (const query of ['?limit=0', '?limit=51', '?limit=ten', '?before=yesterday']) {
      const refused = await api(env, taro.token, 'GET', `/api/privacy/history/checkins${query}`);
      expect({ query, status: refused.status, reason: refused.body.reason }).toEqual({ query, status: 400, reason: 'invalid_request' });
      expect(refused.body.message).toEqual({ ja: expect.any(String), en: expect.any(String) });
    }
    expect((await api(env, taro.token, 'GET', '/api/privacy/history/releases?before=1.2')).status).toBe(400);
    expect((await api(env, 'not-a-token', 'GET', '/api/privacy/history/releases')).status).toBe(401);
  });
});
