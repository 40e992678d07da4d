/**
 * PASS Manager analytics: check-ins made through the real kiosk API (QR code, My Number Card) and
 * the check-in service (device code), at known times, come out of the SQL aggregates exactly —
 * per day and hour in Japan time, by method, residents (from the verified address at check-in
 * time) and non-residents, registrations and withdrawals — and the server-drawn SVG charts and
 * their tables show the same numbers. Check-outs and refusals are not check-ins. Another
 * facility's numbers are a 403 with nothing in it, in the API and in the console.
 */
import { randomUUID } from 'node:crypto';
import { request } from '../helpers/browserless.ts';
import { stopEnv, TARO } from '../households/family-helpers.ts';
import { provisionKiosk, runtime, type TestKiosk } from '../kiosk/helpers.ts';
import { readDemoCard } from '../kiosk/fixtures.ts';
import { api as call } from '../households/family-helpers.ts';
import { api, managerSession, STAFF, staffTokens, storageEnds } from './helpers.ts';
import { checkIn, HANA, JIRO, managerWorld, proofed, refusedCheckIn, register, type ManagerWorld, type Resident } from './fixtures.ts';

const modes = storageEnds();

const ANON = { ...TARO, name: '匿名　カード', birthdate: '1975-05-05' };
const PARK = 'kaga-niconico-park';

/** A day in Japan, n days before today, as YYYY-MM-DD, and a moment of it at hh:mm Japan time. */
const jstDay = (n: number) => new Date(Date.now() + 9 * 3600_000 - n * 86400_000).toISOString().slice(0, 10);
const at = (n: number, hhmm: string) => new Date(`${jstDay(n)}T${hhmm}:00+09:00`);

describe.each(modes)('analytics on %s', (mode) => {
  let world: ManagerWorld;
  let jiro: Resident;
  let kiosk: TestKiosk;
  let tokens: Record<'niconico' | 'sakai' | 'kagaAdmin', string>;
  let jiroRegistration: string;

  beforeAll(async () => {
    world = await managerWorld(mode);
    const { env, taro, soraId } = world;
    jiro = await proofed(env, 'jiro@example.jp', JIRO, 'ana-jiro');
    const hana = await proofed(env, 'hana@example.jp', HANA, 'ana-hana');
    await env.cards.issue(ANON, { id: 'ana-anon' });
    await register(env, taro.token, PARK, taro.personId, ['name', 'age', 'resident_of', 'guardian']);
    await register(env, taro.token, PARK, soraId, ['name', 'age', 'resident_of', 'guardian']);
    jiroRegistration = await register(env, jiro.token, PARK, jiro.personId, ['name', 'age', 'resident_of', 'guardian']);
    await register(env, hana.token, 'sakai-kids-park', hana.personId, ['name', 'age', 'resident_of', 'guardian']);
    // Jiro's My Number Card is linked to him; the other card belongs to nobody registered.
    await runtime(env.pass).cards.link(jiro.personId, (await env.cards.open('ana-jiro')).card.readAuthenticationCertificate());
    kiosk = await provisionKiosk(env.pass, STAFF.niconico.email);

    // Two days ago, 10h: Taro and Jiro by device code; Taro leaves (not a check-in).
    await checkIn(env, PARK, taro.personId, { occurredAt: at(2, '10:15') });
    await checkIn(env, PARK, jiro.personId, { occurredAt: at(2, '10:40') });
    await checkIn(env, PARK, taro.personId, { occurredAt: at(2, '10:50'), direction: 'out' });
    // Yesterday: Sora by device code at 14h, Taro's QR code at the kiosk, Jiro's card and an unknown card at 15h, one refusal.
    await checkIn(env, PARK, soraId, { occurredAt: at(1, '14:30') });
    const qrToken = (await call(env, taro.token, 'POST', '/api/checkins/qr-token')).body.token as string;
    const qr = await kiosk.call('POST', '/api/kiosk/checkins/qr', { json: { id: randomUUID(), token: qrToken, occurredAt: at(1, '14:45').toISOString() } });
    if (qr.body.result !== 'accepted') throw new Error(`QR check-in: ${JSON.stringify(qr.body)}`);
    for (const [card, time] of [['ana-jiro', '15:05'], ['ana-anon', '15:10']] as const) {
      const challenge = (await kiosk.call('POST', '/api/kiosk/card/challenges')).body;
      const signed = await readDemoCard(env.pass, card, challenge.challenge);
      const answer = await kiosk.call('POST', '/api/kiosk/checkins/card', { json: { id: randomUUID(), challengeId: challenge.challengeId, ...signed.body, occurredAt: at(1, time).toISOString() } });
      if (answer.body.result !== 'accepted') throw new Error(`card check-in: ${JSON.stringify(answer.body)}`);
    }
    await refusedCheckIn(env, PARK, { occurredAt: at(1, '16:00') });
    // Another city's facility, the same day: never counted for the park.
    await checkIn(env, 'sakai-kids-park', hana.personId, { occurredAt: at(1, '14:00') });
    // Jiro withdraws his registration today.
    expect((await call(env, jiro.token, 'POST', `/api/registrations/${jiroRegistration}/withdraw`)).status).toBe(200);

    tokens = await staffTokens(env.pass);
  }, 180_000);

  afterAll(async () => {
    await stopEnv(world?.env);
  });

  const range = () => `from=${jstDay(2)}&to=${jstDay(0)}`;

  test('the aggregates are exactly what was checked in', async () => {
    const answer = await api(world.env.pass, tokens.niconico, `/api/manager/analytics?${range()}`);
    expect(answer.status).toBe(200);
    const r = answer.body;
    expect(r.range).toEqual({ from: jstDay(2), to: jstDay(0), days: 3 });
    expect(r.facilities).toEqual([{ id: PARK, name: { ja: 'かがにこにこパーク', en: 'Kaga Niko Niko Park' } }]);
    expect(r.totals).toEqual({ checkins: 6, refused: 1, registered: 3, withdrawn: 1 });
    expect(r.perDay).toEqual([
      { day: jstDay(2), checkins: 2, refused: 0 },
      { day: jstDay(1), checkins: 4, refused: 1 },
      { day: jstDay(0), checkins: 0, refused: 0 },
    ]);
    const hours = Object.fromEntries((r.perHour as Array<{ hour: number; checkins: number }>).filter((h) => h.checkins).map((h) => [h.hour, h.checkins]));
    expect(hours).toEqual({ 10: 2, 14: 2, 15: 2 });
    expect(r.perHour).toHaveLength(24);
    expect(r.byMethod).toEqual([
      { method: 'face', checkins: 0 },
      { method: 'qr', checkins: 1 },
      { method: 'card', checkins: 2 },
      { method: 'device-code', checkins: 3 },
      { method: 'credential', checkins: 0 },
    ]);
    // Taro twice and Sora live in Kaga; Jiro (twice) in Sakai; the unregistered card is nobody known.
    expect(r.residency).toEqual({ resident: 3, nonResident: 2, unknown: 1 });
    expect(r.registrations).toEqual([
      { day: jstDay(2), registered: 0, withdrawn: 0 },
      { day: jstDay(1), registered: 0, withdrawn: 0 },
      { day: jstDay(0), registered: 3, withdrawn: 1 },
    ]);
    expect(answer.text).not.toContain('加賀');

    // Yesterday only: the same numbers for that day.
    const yesterday = await api(world.env.pass, tokens.niconico, `/api/manager/analytics?from=${jstDay(1)}&to=${jstDay(1)}`);
    expect(yesterday.body.totals).toEqual({ checkins: 4, refused: 1, registered: 0, withdrawn: 0 });
    // The city sees its facilities; asked for the park, the same numbers as the park's staff.
    const city = await api(world.env.pass, tokens.kagaAdmin, `/api/manager/analytics?${range()}&facility=${PARK}`);
    expect(city.body.totals).toEqual(r.totals);
    expect((await api(world.env.pass, tokens.kagaAdmin, `/api/manager/analytics?${range()}`)).body.facilities.map((f: { id: string }) => f.id)).not.toContain('sakai-kids-park');
    expect((await api(world.env.pass, tokens.sakai, `/api/manager/analytics?${range()}`)).body.totals).toEqual({ checkins: 1, refused: 0, registered: 1, withdrawn: 0 });
  });

  test('another facility is a 403 with no numbers; bad ranges are a clear 400', async () => {
    const foreign = await api(world.env.pass, tokens.sakai, `/api/manager/analytics?${range()}&facility=${PARK}`);
    expect(foreign).toMatchObject({ status: 403, body: { reason: 'facility_not_permitted' } });
    expect(foreign.body.totals).toBeUndefined();
    expect(foreign.text).not.toMatch(/perDay|checkins/);
    const reversed = await api(world.env.pass, tokens.niconico, `/api/manager/analytics?from=${jstDay(0)}&to=${jstDay(2)}`);
    expect(reversed).toMatchObject({ status: 400, body: { reason: 'range_reversed', message: { ja: '開始日は終了日より前にしてください。' } } });
    const long = await api(world.env.pass, tokens.niconico, '/api/manager/analytics?from=2024-01-01&to=2026-01-01');
    expect(long.body).toMatchObject({ reason: 'range_too_long', message: { en: 'The period can be at most 366 days.' } });
    expect((await api(world.env.pass, tokens.niconico, '/api/manager/analytics?from=2026-02-30')).body).toMatchObject({ reason: 'invalid_request', fields: ['from'] });

    const { jar } = await managerSession(world.env.pass.issuer, STAFF.sakai.email);
    const page = await request(jar, `${world.env.pass.issuer}/manager/analytics/?${range()}&facility=${PARK}`);
    const html = await page.text();
    expect(page.status).toBe(403);
    expect(html).not.toContain('<svg');
    expect(html).toContain('この施設の情報を見る権限がありません');
  });

  test('the SVG charts and their tables show the same numbers; the report prints', async () => {
    const { jar } = await managerSession(world.env.pass.issuer, STAFF.niconico.email);
    const page = await request(jar, `${world.env.pass.issuer}/manager/analytics/?${range()}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    const chart = (id: string) => html.slice(html.indexOf(`data-chart="${id}"`), html.indexOf('</svg>', html.indexOf(`data-chart="${id}"`)));
    const bar = (id: string, label: string) => new RegExp(`<g class="m-chart-bar" data-label="${label}" data-value="(\\d+)"`).exec(chart(id))?.[1];
    expect(bar('chart-day', jstDay(2))).toBe('2');
    expect(bar('chart-day', jstDay(1))).toBe('4');
    expect(bar('chart-day', jstDay(0))).toBe('0');
    expect(chart('chart-day')).toContain(`<title>${jstDay(1)}: 4件</title>`);
    expect(bar('chart-hour', '10時')).toBe('2');
    expect(bar('chart-hour', '15時')).toBe('2');
    expect(bar('chart-hour', '9時')).toBe('0');
    expect(chart('chart-method')).toMatch(/data-label="カード" data-value="2" data-share="33.3"/);
    expect(chart('chart-method')).toMatch(/data-label="デバイスコード" data-value="3" data-share="50"/);
    expect(chart('chart-method')).toContain('2件 (33.3%)');
    expect(chart('chart-residency')).toMatch(/data-label="市内在住" data-value="3" data-share="50"/);
    expect(chart('chart-residency')).toMatch(/data-label="市外在住" data-value="2"/);
    expect(chart('chart-registrations')).toMatch(new RegExp(`data-label="${jstDay(0)}" data-value="3"`));
    // Accessible: each chart is an image with a title and a description, and a table beside it.
    expect(html).toMatch(/<svg [^>]*role="img" aria-labelledby="chart-day-title chart-day-desc"/);
    expect(html).toContain(`<desc id="chart-day-desc">期間中のチェックインは合計 6 件。最も多い日は ${jstDay(1)}（4 件）。</desc>`);
    expect(html).toMatch(new RegExp(`data-testid="table-day"[\\s\\S]*?<th scope="row" class="nowrap">${jstDay(1)}</th><td>4</td><td>1</td>`));
    expect(html).toMatch(/data-total="checkins">6</);

    const report = await request(jar, `${world.env.pass.issuer}/manager/analytics/report?${range()}&lang=en`);
    const printable = await report.text();
    expect(report.status).toBe(200);
    expect(printable).toContain('Usage report');
    expect(printable).toContain('<link rel="stylesheet" href="/manager/static/manage.css">');
    expect(printable).toMatch(/data-label="Card" data-value="2"/);
    const css = await (await fetch(`${world.env.pass.issuer}/manager/static/manage.css`)).text();
    expect(css).toContain('@media print');
  });
});
