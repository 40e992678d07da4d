/**
 * PASS Manager analytics in Chromium (PC and tablet sizes), with screenshots kept as test
 * artifacts: the charts are inline SVG images with a title, a description and a table beside
 * each, showing what was checked in; the date range narrows them; the printable report prints
 * without the console around it (print media); English by switch; no CSP violation anywhere.
 */
import type { Page } from 'playwright-core';
import { storageModes } from '../helpers/services.ts';
import { browserAvailable, screenshotter } from '../browser/browser.ts';
import { signInToManager } from '../browser/journey-helpers.ts';
import { WatchedPages } from '../browser/watched-pages.ts';
import { stopEnv } from '../households/family-helpers.ts';
import { PASSWORD, STAFF } from './helpers.ts';
import { checkIn, managerWorld, refusedCheckIn, register, type ManagerWorld } from './fixtures.ts';

const mode = storageModes()[0]!;
const run = browserAvailable() ? describe : describe.skip;
const PARK = 'kaga-niconico-park';
const jstDay = (n: number) => new Date(Date.now() + 9 * 3600_000 - n * 86400_000).toISOString().slice(0, 10);
const at = (n: number, hhmm: string) => new Date(`${jstDay(n)}T${hhmm}:00+09:00`);

run(`PASS Manager analytics in the browser (${mode})`, () => {
  let world: ManagerWorld;
  let page: Page;
  let pages: WatchedPages;
  const shot = screenshotter('manager-analytics');

  beforeAll(async () => {
    [world, pages] = await Promise.all([managerWorld(mode), WatchedPages.launch({ height: 900 })]);
    const { env, taro, soraId } = world;
    await register(env, taro.token, PARK, taro.personId, ['name', 'age', 'resident_of', 'guardian']);
    await register(env, taro.token, PARK, soraId, ['name', 'age', 'resident_of', 'guardian']);
    // Five check-ins over three days (9h, 10h, 13h), one refusal, and a check-out that is not counted.
    await checkIn(env, PARK, taro.personId, { occurredAt: at(5, '09:10') });
    await checkIn(env, PARK, soraId, { occurredAt: at(5, '09:40') });
    await checkIn(env, PARK, taro.personId, { occurredAt: at(3, '10:05') });
    await checkIn(env, PARK, taro.personId, { occurredAt: at(3, '11:00'), direction: 'out' });
    await checkIn(env, PARK, soraId, { occurredAt: at(1, '13:20') });
    await checkIn(env, PARK, taro.personId, { occurredAt: at(1, '13:25') });
    await refusedCheckIn(env, PARK, { occurredAt: at(1, '13:30') });
  }, 180_000);

  afterAll(async () => {
    await pages?.close();
    await stopEnv(world?.env);
  });

  const signIn = (p: Page, email: string) => signInToManager(p, world.env.pass.issuer, email, PASSWORD);

  test('the charts show what was checked in, each an image with its table', async () => {
    page = await pages.open();
    await signIn(page, STAFF.niconico.email);
    await page.getByRole('navigation').getByRole('link', { name: '利用状況の分析', exact: true }).click();
    await page.getByRole('heading', { name: '利用状況の分析', level: 1 }).waitFor();
    const perDay = page.getByRole('img', { name: '日別のチェックイン件数' });
    await perDay.waitFor();
    expect(await perDay.locator(`g[data-label="${jstDay(5)}"]`).getAttribute('data-value')).toBe('2');
    expect(await perDay.locator(`g[data-label="${jstDay(1)}"] title`).textContent()).toBe(`${jstDay(1)}: 2件`);
    const perHour = page.getByRole('img', { name: '時間帯別のチェックイン件数' });
    expect(await perHour.locator('g[data-label="13時"]').getAttribute('data-value')).toBe('2');
    expect(await perHour.locator('g[data-label="11時"]').getAttribute('data-value')).toBe('0');
    const methods = page.getByRole('img', { name: '方法別の割合' });
    expect(await methods.textContent()).toContain('5件 (100%)');
    expect(await page.getByRole('img', { name: '市内・市外の割合' }).locator('g[data-label="市内在住"]').getAttribute('data-value')).toBe('5');
    expect(await page.getByRole('img', { name: '利用登録の推移' }).count()).toBe(1);
    // The same numbers in the table beside the chart.
    const dayRow = page.getByTestId('table-day').getByRole('row', { name: new RegExp(jstDay(1)) });
    expect(await dayRow.locator('td').allTextContents()).toEqual(['2', '1']);
    expect(await page.locator('[data-total="checkins"]').textContent()).toBe('5');
    // The SVG has visible size on the page.
    const box = await perDay.boundingBox();
    expect(box!.width).toBeGreaterThan(400);
    await shot(page, 'analytics');

    // A narrower range: only yesterday.
    await page.getByLabel('開始日').fill(jstDay(1));
    await page.getByLabel('終了日').fill(jstDay(1));
    await page.getByRole('button', { name: '集計する' }).click();
    await page.waitForURL(new RegExp(`from=${jstDay(1)}`));
    expect(await page.locator('[data-total="checkins"]').textContent()).toBe('2');
    expect(await page.locator('[data-total="refused"]').textContent()).toBe('1');
  });

  test('the printable report prints without the console around it', async () => {
    await page.goto(`${world.env.pass.issuer}/manager/analytics/?from=${jstDay(6)}&to=${jstDay(0)}`);
    await page.getByRole('link', { name: '印刷用レポート' }).click();
    await page.getByRole('heading', { name: '利用状況レポート', level: 1 }).waitFor();
    expect(await page.getByTestId('report-head').textContent()).toContain(`${jstDay(6)} – ${jstDay(0)}`);
    // The print button is the script's; it is there once the script ran.
    await page.getByRole('button', { name: '印刷する' }).waitFor();
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.m-nav').isVisible()).toBe(false);
    expect(await page.locator('header.m-bar').isVisible()).toBe(false);
    expect(await page.getByRole('button', { name: '印刷する' }).isVisible()).toBe(false);
    expect(await page.getByRole('img', { name: '日別のチェックイン件数' }).isVisible()).toBe(true);
    await shot(page, 'report-print');
    const pdf = await page.pdf({ format: 'A4' });
    expect(pdf.subarray(0, 4).toString()).toBe('%PDF');
    await page.emulateMedia({ media: 'screen' });
  });

  test('tablet size and English', async () => {
    const tablet = await pages.open({ width: 820, height: 1180 });
    await signIn(tablet, STAFF.kagaAdmin.email);
    await tablet.goto(`${world.env.pass.issuer}/manager/analytics/?facility=${PARK}&from=${jstDay(6)}&to=${jstDay(0)}&lang=en`);
    await tablet.getByRole('heading', { name: 'Analytics', level: 1 }).waitFor();
    expect(await tablet.getByRole('img', { name: 'Check-ins per day' }).locator(`g[data-label="${jstDay(3)}"]`).getAttribute('data-value')).toBe('1');
    expect(await tablet.getByRole('img', { name: 'Share by method' }).textContent()).toContain('Device code');
    await shot(tablet, 'analytics-tablet-en');
    expect(pages.problems).toEqual([]);
  });
});
