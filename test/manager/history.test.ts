/**
 * Check-in history in the Manager API and console: staff see only their facility's check-ins,
 * with only the facts each person consented to that facility; filters (dates, method, result,
 * person by name, PASS ID or e-mail) and paging; the CSV opens in Excel (BOM, CRLF, RFC 4180,
 * no formulas) and round-trips Japanese names; another facility's data is a 403 with nothing in
 * it, in JSON, CSV and the console; every read is audited; bad input is a clear 400.
 */
import { request } from '../helpers/browserless.ts';
import { FactsReader } from '../../src/claims/facts.ts';
import { csvCell, toCsv } from '../../src/manager/history/csv.ts';
import { stopEnv } from '../households/family-helpers.ts';
import { parseCsv, readExcelCsv } from './csv.ts';
import { api, managerSession, managerToken, NOT_STAFF, STAFF, staffTokens, storageEnds } from './helpers.ts';
import { auditActions, checkIn, HANA, JIRO, managerWorld, proofed, refusedCheckIn, register, TRICK, type ManagerWorld, type Resident } from './fixtures.ts';

const modes = storageEnds();


describe.each(modes)('check-in history on %s', (mode) => {
  let world: ManagerWorld;
  let jiro: Resident;
  let hana: Resident;
  let trick: Resident;
  let tokens: Record<'niconico' | 'sakai' | 'kagaAdmin', string>;
  const today = () => new Date(Date.now() + 9 * 3600_000).toISOString().slice(0, 10);
  const daysAgo = (n: number) => new Date(Date.now() - n * 86400_000);

  beforeAll(async () => {
    world = await managerWorld(mode);
    const { env, taro, soraId } = world;
    jiro = await proofed(env, 'jiro@example.jp', JIRO, 'mgr-jiro');
    hana = await proofed(env, 'hana@example.jp', HANA, 'mgr-hana');
    trick = await proofed(env, 'trick@example.jp', TRICK, 'mgr-trick');
    await register(env, taro.token, 'kaga-niconico-park', taro.personId, ['name', 'age', 'resident_of', 'guardian', 'gender']);
    await register(env, taro.token, 'kaga-niconico-park', soraId, ['name', 'age', 'resident_of', 'guardian', 'birthdate']);
    await register(env, taro.token, 'kaga-library', taro.personId, ['name', 'resident_of', 'email']);
    await register(env, jiro.token, 'kaga-niconico-park', jiro.personId, ['name', 'age', 'resident_of', 'guardian']);
    await register(env, trick.token, 'kaga-niconico-park', trick.personId, ['name', 'age', 'resident_of', 'guardian']);
    await register(env, hana.token, 'sakai-kids-park', hana.personId, ['name', 'age', 'resident_of', 'guardian']);
    await checkIn(env, 'kaga-niconico-park', taro.personId, { occurredAt: daysAgo(3) });
    await checkIn(env, 'kaga-niconico-park', taro.personId);
    await checkIn(env, 'kaga-niconico-park', soraId);
    await checkIn(env, 'kaga-niconico-park', jiro.personId);
    await checkIn(env, 'kaga-niconico-park', trick.personId);
    await refusedCheckIn(env, 'kaga-niconico-park');
    await checkIn(env, 'kaga-library', taro.personId);
    await checkIn(env, 'sakai-kids-park', hana.personId);
    await refusedCheckIn(env, 'sakai-kids-park');
    tokens = await staffTokens(env.pass);
  }, 180_000);

  afterAll(async () => {
    await stopEnv(world?.env);
  });

  const get = (who: keyof typeof tokens, path: string) => api(world.env.pass, tokens[who], path);

  test('facility staff see their facility only, with exactly the facts each person consented to it', async () => {
    const page = await get('niconico', '/api/manager/checkins');
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.body).toMatchObject({ total: 6, page: 1, pages: 1 });
    const rows = page.body.rows as Array<Record<string, any>>;
    expect(new Set(rows.map((r) => r.facilityId))).toEqual(new Set(['kaga-niconico-park']));
    // Newest first.
    expect(rows.map((r) => r.occurredAt)).toEqual([...rows.map((r) => r.occurredAt)].sort().reverse());
    const taroRows = rows.filter((r) => r.person?.name === '加賀　太郎');
    expect(taroRows).toHaveLength(2);
    // name, gender and resident_of were consented here; e-mail and birthdate were not.
    expect(taroRows[0]!.person).toEqual({ name: '加賀　太郎', passId: expect.stringMatching(/^[0-9A-Z]{5}-[0-9A-Z]{5}$/), gender: 'male', types: ['resident', 'member'] });
    const sora = rows.find((r) => r.person?.name === '加賀　そら')!;
    expect(sora.person).toEqual({ name: '加賀　そら', passId: expect.any(String), birthdate: '2019-05-01', types: ['resident', 'member'] });
    expect(rows.find((r) => r.person?.name === '福井　次郎')!.person.types).toEqual(['non_resident', 'member']);
    const refused = rows.find((r) => r.result === 'rejected');
    expect(refused).toMatchObject({ method: 'qr', reason: 'qr_invalid', person: null });
    expect(page.text).not.toContain('taro@example.jp');
    expect(page.text).not.toContain('1980-02-17');
    expect(page.text).not.toContain('坂井　花');
  });

  test('a municipal admin sees every facility of the city, and the PASS ID differs per facility', async () => {
    const page = await get('kagaAdmin', '/api/manager/checkins');
    const rows = page.body.rows as Array<Record<string, any>>;
    expect(new Set(rows.map((r) => r.facilityId))).toEqual(new Set(['kaga-niconico-park', 'kaga-library']));
    const library = rows.find((r) => r.facilityId === 'kaga-library')!;
    expect(library.person).toMatchObject({ name: '加賀　太郎', email: 'taro@example.jp', types: ['resident', 'member'] });
    const park = rows.find((r) => r.facilityId === 'kaga-niconico-park' && r.person?.name === '加賀　太郎')!;
    expect(library.person.passId).not.toBe(park.person.passId);
    expect(page.text).not.toContain('sakai-kids-park');
  });

  test('filters: result, method, dates, person by name, PASS ID or e-mail, and paging', async () => {
    const refused = await get('niconico', '/api/manager/checkins?result=rejected');
    expect(refused.body.rows).toEqual([expect.objectContaining({ result: 'rejected', reason: 'qr_invalid' })]);
    expect((await get('niconico', '/api/manager/checkins?method=qr')).body.total).toBe(1);
    expect((await get('niconico', '/api/manager/checkins?method=face')).body.total).toBe(0);
    expect((await get('niconico', `/api/manager/checkins?from=${today()}&to=${today()}`)).body.total).toBe(5);
    const threeDaysAgo = new Date(daysAgo(3).getTime() + 9 * 3600_000).toISOString().slice(0, 10);
    expect((await get('niconico', `/api/manager/checkins?from=${threeDaysAgo}&to=${threeDaysAgo}`)).body.rows).toEqual([expect.objectContaining({ person: expect.objectContaining({ name: '加賀　太郎' }) })]);
    // A half-width space matches the full-width one of the certificate.
    const byName = await get('niconico', `/api/manager/checkins?q=${encodeURIComponent('加賀 太郎')}`);
    expect(byName.body.total).toBe(2);
    const passId = byName.body.rows[0].person.passId as string;
    const byId = await get('niconico', `/api/manager/checkins?q=${passId.replace('-', '').toLowerCase()}`);
    expect(byId.body.rows.map((r: any) => r.person.name)).toEqual(['加賀　太郎', '加賀　太郎']);
    // The e-mail was not consented to the park, so it finds nothing there; the library may search by it.
    expect((await get('niconico', '/api/manager/checkins?q=taro%40example.jp')).body.total).toBe(0);
    expect((await get('kagaAdmin', '/api/manager/checkins?facility=kaga-library&q=taro%40example.jp')).body.total).toBe(1);
    const pages = await get('niconico', '/api/manager/checkins?size=4&page=2');
    expect(pages.body).toMatchObject({ total: 6, page: 2, size: 4, pages: 2 });
    expect(pages.body.rows).toHaveLength(2);
  });

  test('another facility is a 403 with no data: JSON, CSV, and both in the console', async () => {
    const beforeAudit = (await auditActions(world.env, 'manager.checkins_read')).length;
    for (const path of ['/api/manager/checkins?facility=sakai-kids-park', '/api/manager/checkins.csv?facility=sakai-kids-park']) {
      const refused = await get('niconico', path);
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({ error: 'forbidden', reason: 'facility_not_permitted', message: { ja: expect.any(String), en: expect.any(String) } });
      expect(refused.body.rows).toBeUndefined();
      expect(refused.text).not.toContain('坂井　花');
      expect(refused.text).not.toContain('qr_invalid');
    }
    // Sakai's staff, the other way round.
    expect((await get('sakai', '/api/manager/checkins?facility=kaga-niconico-park')).status).toBe(403);
    expect((await get('sakai', '/api/manager/checkins')).body.rows.map((r: any) => r.facilityId)).toEqual(['sakai-kids-park', 'sakai-kids-park']);

    const { jar } = await managerSession(world.env.pass.issuer, STAFF.niconico.email);
    for (const path of ['/manager/history/export.csv?facility=sakai-kids-park', '/manager/history/?facility=sakai-kids-park&f=1']) {
      const response = await request(jar, `${world.env.pass.issuer}${path}`);
      const text = await response.text();
      expect(response.status).toBe(403);
      expect(text).not.toContain('坂井　花');
      expect(text).toContain('この施設の情報を見る権限がありません');
    }
    expect((await auditActions(world.env, 'manager.checkins_read')).length).toBe(beforeAudit + 1); // Sakai's own read only
  });

  test('the CSV opens in Excel and round-trips Japanese names', async () => {
    const response = await fetch(new URL('/api/manager/checkins.csv', world.env.pass.issuer), { headers: { authorization: `Bearer ${tokens.niconico}` } });
    const { text, rows } = await readExcelCsv(response, /^attachment; filename="checkins-all-\d{4}-\d{2}-\d{2}\.csv"$/);
    expect(rows[0]).toEqual(['日時', '施設', 'キオスク', '方法', '結果', '理由', '入/出', '氏名', 'PASS ID', 'メールアドレス', '性別', '生年月日', '区分', 'なりすまし検知']);
    expect(rows).toHaveLength(7);
    // The names in the file are the database's, byte for byte (decrypted from the verified identities).
    const facts = new FactsReader(world.env.pass.platform.db, world.env.pass.platform.box);
    const stored = await Promise.all([world.taro.personId, world.soraId, jiro.personId].map(async (id) => (await facts.identity(id))!.claims.name));
    const names = rows.slice(1).map((r) => r[7]);
    for (const name of stored) expect(names).toContain(name);
    const sora = rows.find((r) => r[7] === '加賀　そら')!;
    expect(sora.slice(1)).toEqual(['かがにこにこパーク', '', 'デバイスコード', '成功', '', '入', '加賀　そら', expect.stringMatching(/^\w{5}-\w{5}$/), '', '', '2019-05-01', '市内 登録者', '']);
    expect(sora[0]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    // The formula is text: an apostrophe before it, and quoted because of its quotes.
    expect(text).toContain(`"'=HYPERLINK(""http://evil.example"")"`);
    expect(rows.some((r) => r[7] === `'=HYPERLINK("http://evil.example")`)).toBe(true);
    expect(rows.find((r) => r[4] === '失敗')).toEqual(expect.arrayContaining(['QRコード', '失敗', '無効なQRコード']));

    const english = await fetch(new URL('/api/manager/checkins.csv?lang=en&result=rejected', world.env.pass.issuer), { headers: { authorization: `Bearer ${tokens.niconico}` } });
    const englishBytes = new Uint8Array(await english.arrayBuffer());
    expect([...englishBytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(parseCsv(new TextDecoder().decode(englishBytes.subarray(3)))).toEqual([
      ['Date and time', 'Facility', 'Kiosk', 'Method', 'Result', 'Reason', 'In/out', 'Name', 'PASS ID', 'E-mail', 'Sex', 'Date of birth', 'Type', 'Presentation-attack check'],
      [expect.any(String), 'Kaga Niko Niko Park', '', 'QR code', 'Refused', 'Invalid QR code', 'In', '', '', '', '', '', '', ''],
    ]);
  });

  test('CSV cells: RFC 4180 quoting and no formulas', () => {
    expect(csvCell('加賀　太郎')).toBe('加賀　太郎');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\r\nlines')).toBe('"two\r\nlines"');
    for (const start of ['=', '+', '-', '@']) expect(csvCell(`${start}1+1`)).toBe(`'${start}1+1`);
    expect(csvCell('\t=1')).toBe("'\t=1");
    expect(csvCell('-1,5')).toBe(`"'-1,5"`);
    expect(toCsv([['a', 'b'], ['c', 'd']])).toBe('\uFEFFa,b\r\nc,d\r\n');
  });

  test('the console passes the CSV through untouched', async () => {
    const { jar } = await managerSession(world.env.pass.issuer, STAFF.niconico.email);
    const response = await request(jar, `${world.env.pass.issuer}/manager/history/export.csv?f=1&result=accepted`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toContain('attachment');
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(parseCsv(new TextDecoder().decode(bytes.subarray(3)))).toHaveLength(6);
  });

  test('every read is audited: who, which facilities, whose data (ids only)', async () => {
    const reads = await auditActions(world.env, 'manager.checkins_read');
    const before = reads.length;
    await get('niconico', `/api/manager/checkins?q=${encodeURIComponent('そら')}`);
    const after = await auditActions(world.env, 'manager.checkins_read');
    expect(after).toHaveLength(before + 1);
    const entry = after.at(-1)!;
    expect(entry).toMatchObject({ actor_account_id: world.staff.niconico, facility_id: 'kaga-niconico-park' });
    expect(entry.details).toMatchObject({ facilities: ['kaga-niconico-park'], rows: 1, persons: [world.soraId], filter: expect.objectContaining({ search: true }) });
    expect(JSON.stringify(entry.details)).not.toContain('そら');
    const exports = await auditActions(world.env, 'manager.checkins_exported');
    expect(exports.length).toBeGreaterThanOrEqual(2);
    expect(exports[0]).toMatchObject({ actor_account_id: world.staff.niconico, details: expect.objectContaining({ rows: 6 }) });
  });

  test('bad input is a clear 400 in Japanese and English, and reads nothing', async () => {
    const before = (await auditActions(world.env, 'manager.checkins_read')).length;
    for (const query of ['from=2026-13-40', 'method=palm', 'result=maybe', 'page=0', 'size=1000', 'from=2026-05-02&to=2026-05-01', 'facility=../etc', 'sort=name']) {
      const refused = await get('niconico', `/api/manager/checkins?${query}`);
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ error: 'invalid_input', reason: 'invalid_request', message: { ja: '入力内容が正しくありません。', en: 'The request is not valid.' }, fields: expect.any(Array) });
    }
    expect((await auditActions(world.env, 'manager.checkins_read')).length).toBe(before);
  });

  test('only staff with a Manager token get in', async () => {
    expect((await fetch(new URL('/api/manager/checkins', world.env.pass.issuer))).status).toBe(401);
    const notStaff = await managerToken(world.env.pass, NOT_STAFF);
    expect(await api(world.env.pass, notStaff, '/api/manager/checkins')).toMatchObject({ status: 403, body: { reason: 'not_staff' } });
    const noScope = await managerToken(world.env.pass, STAFF.niconico.email, 'openid pass:api');
    expect(await api(world.env.pass, noScope, '/api/manager/checkins')).toMatchObject({ status: 403, body: { reason: 'insufficient_scope' } });
  });
});
