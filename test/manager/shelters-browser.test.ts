/**
 * The shelter dashboard in Chromium (PC and tablet sizes), with screenshots kept as test
 * artifacts: a municipal admin's open dashboard and a shelter's open roster page update within 2
 * seconds when someone checks in or out at the shelter's kiosk (through the real kiosk API), the
 * city-wide total too; the CSV of the periodic report downloads from the page and round-trips
 * Japanese names; staff with no shelter are told so; English; no CSP violation anywhere.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { storageModes } from '../helpers/services.ts';
import { browserAvailable, screenshotter } from '../browser/browser.ts';
import { signInToManager } from '../browser/journey-helpers.ts';
import { WatchedPages } from '../browser/watched-pages.ts';
import { FactsReader } from '../../src/claims/facts.ts';
import { api as residentApi, stopEnv } from '../households/family-helpers.ts';
import { provisionKiosk, runtime, type TestKiosk } from '../kiosk/helpers.ts';
import { PASSWORD, STAFF, staffMember } from './helpers.ts';
import { managerWorld, register, type ManagerWorld } from './fixtures.ts';

const mode = storageModes().at(-1)!;
const run = browserAvailable() ? describe : describe.skip;
const SHELTER = 'kaga-kinjo-shelter';
const SHELTER_STAFF = 'staff@kinjo.example.jp';

run(`the shelter dashboard in the browser (${mode})`, () => {
  let world: ManagerWorld;
  let kiosk: TestKiosk;
  let city: Page;
  let roster: Page;
  let pages: WatchedPages;
  const shot = screenshotter('manager-shelters');

  beforeAll(async () => {
    [world, pages] = await Promise.all([managerWorld(mode), WatchedPages.launch()]);
    const { env, taro, soraId } = world;
    await staffMember(env.pass, SHELTER_STAFF, 'facility_staff', { facilityId: SHELTER });
    await register(env, taro.token, SHELTER, taro.personId, ['name', 'age', 'address']);
    await register(env, taro.token, SHELTER, soraId, ['name', 'age', 'address']);
    kiosk = await provisionKiosk(env.pass, SHELTER_STAFF, SHELTER);
  }, 180_000);

  afterAll(async () => {
    await pages?.close();
    await stopEnv(world?.env);
  });

  const signIn = (p: Page, email: string) => signInToManager(p, world.env.pass.issuer, email, PASSWORD);

  /** Taro's QR code (for himself) at the shelter's kiosk; returns when the kiosk was answered. */
  async function qrAtKiosk(direction: 'in' | 'out'): Promise<number> {
    const token = (await residentApi(world.env, world.taro.token, 'POST', '/api/checkins/qr-token')).body.token as string;
    const answer = await kiosk.call('POST', '/api/kiosk/checkins/qr', { json: { id: randomUUID(), token, direction } });
    expect(answer.body).toMatchObject({ result: 'accepted', direction });
    return Date.now();
  }

  test('the open dashboard and roster update within 2 seconds of a check-in or out at the shelter kiosk', async () => {
    city = await pages.open();
    await signIn(city, STAFF.kagaAdmin.email);
    await city.getByRole('navigation').getByRole('link', { name: '避難所', exact: true }).click();
    await city.locator('[data-live][data-state="open"]').waitFor();
    const count = city.locator(`[data-shelter="${SHELTER}"] [data-occupancy]`);
    const total = city.locator('[data-city="172065"] [data-city-total]');
    expect(await count.textContent()).toBe('0');
    expect(await total.textContent()).toBe('0');
    await shot(city, 'overview-empty');

    roster = await pages.open({ width: 820, height: 1180 });
    await signIn(roster, SHELTER_STAFF);
    await roster.goto(`${world.env.pass.issuer}/manager/shelters/${SHELTER}`);
    await roster.locator('[data-live][data-state="open"]').waitFor();
    await roster.getByTestId('roster-empty').waitFor();

    const answered = await qrAtKiosk('in');
    await city.locator(`[data-shelter="${SHELTER}"] [data-occupancy]`, { hasText: '1' }).waitFor({ timeout: 2000 });
    const seenAt = Date.now();
    expect(seenAt - answered).toBeLessThan(2000);
    expect(await total.textContent()).toBe('1');
    await roster.getByTestId('roster').getByRole('rowheader', { name: '加賀　太郎' }).waitFor({ timeout: 2000 });
    expect(Date.now() - answered).toBeLessThan(2000);
    expect(await roster.locator('[data-occupancy]').textContent()).toBe('1');
    await shot(city, 'overview-one');
    await shot(roster, 'roster-tablet');

    const left = await qrAtKiosk('out');
    await city.locator(`[data-shelter="${SHELTER}"] [data-occupancy]`, { hasText: '0' }).waitFor({ timeout: 2000 });
    await roster.getByTestId('roster-empty').waitFor({ timeout: 2000 });
    expect(Date.now() - left).toBeLessThan(2000);
  });

  test('the periodic report CSV downloads from the page and round-trips Japanese names', async () => {
    await qrAtKiosk('in');
    await runtime(world.env.pass).checkins.deviceCode(
      { id: randomUUID(), facility: (await runtime(world.env.pass).staff.facility(SHELTER))!, kioskId: undefined, direction: 'in' },
      world.soraId,
    );
    await city.reload();
    expect(await city.locator(`[data-shelter="${SHELTER}"] [data-occupancy]`).textContent()).toBe('2');
    const [download] = await Promise.all([city.waitForEvent('download'), city.getByTestId('csv-all').click()]);
    expect(download.suggestedFilename()).toMatch(/^shelters-all-\d{4}-\d{2}-\d{2}\.csv$/);
    const bytes = await readFile((await download.path())!);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(3));
    const lines = text.split('\r\n');
    expect(lines[0]).toBe('避難所,氏名,年齢,入所日時,方法,キオスク,備考,作成日時');
    expect(lines).toHaveLength(4); // header, two people, the final CRLF
    const facts = new FactsReader(world.env.pass.platform.db, world.env.pass.platform.box);
    for (const personId of [world.taro.personId, world.soraId]) expect(text).toContain(`,${(await facts.identity(personId))!.claims.name},`);
    await shot(city, 'overview-two');
  });

  test('staff with no shelter are told so; English', async () => {
    const park = await pages.open({ width: 1024, height: 768 });
    await signIn(park, STAFF.niconico.email);
    await park.getByRole('navigation').getByRole('link', { name: '避難所', exact: true }).click();
    expect(await park.getByTestId('no-shelters').textContent()).toBe('担当する避難所はありません。');
    const refused = await park.goto(`${world.env.pass.issuer}/manager/shelters/${SHELTER}`);
    expect(refused!.status()).toBe(403);
    expect(await park.content()).not.toContain('加賀　太郎');
    await shot(park, 'no-shelters');

    await roster.goto(`${world.env.pass.issuer}/manager/shelters/${SHELTER}?lang=en`);
    await roster.getByRole('heading', { name: 'Evacuation shelter: Kinjo Elementary School', level: 1 }).waitFor();
    expect(await roster.getByTestId('roster').textContent()).toContain('QR code');
    await shot(roster, 'roster-english');
    expect(pages.problems).toEqual([]);
  });
});
