/**
 * PASS Manager in Chromium (PC and tablet sizes), with screenshots kept as test artifacts: staff
 * sign in through PASS; an account without a staff assignment is refused; the check-in history
 * filters and downloads a CSV that round-trips Japanese names; a refused check-in made through
 * the real kiosk API (on another node with PostgreSQL + Redis) appears on the open alerts page
 * within 2 seconds and an acknowledgement shows on another staff member's open page; the guardian
 * of a checked-in child is shown on request; Japanese first, English by switch or browser language;
 * no CSP violation anywhere.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { createStorage, type TestStorage } from '../helpers/pass.ts';
import { storageModes } from '../helpers/services.ts';
import { browserAvailable, screenshotter } from '../browser/browser.ts';
import { signInToManager } from '../browser/journey-helpers.ts';
import { WatchedPages } from '../browser/watched-pages.ts';
import { FactsReader } from '../../src/claims/facts.ts';
import { provisionKiosk, type TestKiosk } from '../kiosk/helpers.ts';
import { NOT_STAFF, PASSWORD, STAFF } from './helpers.ts';
import { checkIn, familyEnvOn, managerWorldOn, register, TARO_PHONE, type ManagerWorld } from './fixtures.ts';
import { managerNodes, type TwoNodes } from './nodes.ts';

const mode = storageModes().at(-1)!;
const crossNode = mode === 'postgres+redis';
const run = browserAvailable() ? describe : describe.skip;

run(`PASS Manager in the browser (${crossNode ? 'kiosk API on node A, Manager on node B' : 'one embedded node'})`, () => {
  let storage: TestStorage;
  let nodes: TwoNodes;
  let world: ManagerWorld;
  let kiosk: TestKiosk;
  let pages: WatchedPages;
  const shot = screenshotter('manager');

  beforeAll(async () => {
    storage = await createStorage(mode);
    nodes = await managerNodes(storage.env, crossNode);
    [world, pages] = await Promise.all([familyEnvOn(nodes.managerNode, storage).then(managerWorldOn), WatchedPages.launch({ height: 800 })]);
    const { env, taro, soraId } = world;
    await register(env, taro.token, 'kaga-niconico-park', soraId, ['name', 'age', 'resident_of', 'guardian', 'birthdate']);
    await register(env, taro.token, 'kaga-niconico-park', taro.personId, ['name', 'age', 'resident_of', 'guardian', 'gender']);
    await checkIn(env, 'kaga-niconico-park', taro.personId, { occurredAt: new Date(Date.now() - 2 * 86400_000) });
    await checkIn(env, 'kaga-niconico-park', soraId);
    await checkIn(env, 'kaga-niconico-park', taro.personId);
    kiosk = await provisionKiosk(nodes.managerNode, STAFF.niconico.email, 'kaga-niconico-park');
  }, 180_000);

  afterAll(async () => {
    await pages?.close();
    await nodes?.close();
    await storage?.cleanup();
  });

  const signIn = (page: Page, email: string, options?: Parameters<typeof signInToManager>[4]) => signInToManager(page, nodes.issuer, email, PASSWORD, options);
  let staffPage: Page;

  test('staff sign in through PASS and see their facility; others are refused', async () => {
    staffPage = await pages.open();
    await staffPage.goto(`${nodes.issuer}/manager/`);
    await shot(staffPage, 'landing');
    await signIn(staffPage, STAFF.niconico.email);
    await staffPage.getByRole('heading', { name: 'ホーム', level: 1 }).waitFor();
    expect(await staffPage.getByTestId('staff-email').textContent()).toBe(STAFF.niconico.email);
    expect(await staffPage.getByTestId('facilities').textContent()).toContain('かがにこにこパーク');
    await shot(staffPage, 'home');

    const outsider = await pages.open();
    await signIn(outsider, NOT_STAFF, { staff: false });
    await outsider.getByTestId('refusal').waitFor();
    expect(await outsider.getByTestId('refusal').textContent()).toContain('PASS Manager を利用する権限がありません');
    expect(await outsider.getByRole('navigation').count()).toBe(0);
    await shot(outsider, 'refused');
  });

  test('the history filters by result and person, and its CSV round-trips Japanese names', async () => {
    const page = staffPage;
    await page.getByRole('navigation').getByRole('link', { name: 'チェックイン履歴' }).click();
    await page.getByTestId('history-table').waitFor();
    expect(await page.getByTestId('history-total').textContent()).toContain('3');
    await shot(page, 'history');

    await page.getByLabel('結果').selectOption('accepted');
    await page.getByLabel('利用者(氏名・PASS ID・メール)').fill('加賀 そら');
    await page.getByRole('button', { name: '検索' }).click();
    await page.waitForURL(/q=/);
    const rows = page.getByTestId('history-table').locator('tbody tr');
    expect(await rows.count()).toBe(1);
    expect(await rows.first().locator('[data-col="name"]').textContent()).toBe('加賀　そら');
    await shot(page, 'history-filtered');

    await page.getByLabel('利用者(氏名・PASS ID・メール)').fill('');
    await page.getByRole('button', { name: '検索' }).click();
    await page.waitForURL((url) => !url.searchParams.get('q'));
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('csv-link').click()]);
    expect(download.suggestedFilename()).toMatch(/^checkins-all-.*\.csv$/);
    const bytes = await readFile((await download.path())!);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(3));
    const facts = new FactsReader(world.env.pass.platform.db, world.env.pass.platform.box);
    for (const personId of [world.taro.personId, world.soraId]) expect(text).toContain((await facts.identity(personId))!.claims.name);
    expect(text.split('\r\n')).toHaveLength(3 + 1 + 1); // header, 3 accepted rows, the final CRLF
  });

  test('a refused kiosk check-in appears on the open alerts page within 2 seconds; an acknowledgement shows on every page', async () => {
    const page = staffPage;
    await page.getByRole('navigation').getByRole('link', { name: 'リアルタイム通知' }).click();
    await page.locator('#live-status[data-state="open"]').waitFor();
    const admin = await pages.open({ width: 1024, height: 768 });
    await signIn(admin, STAFF.kagaAdmin.email);
    await admin.goto(`${nodes.issuer}/manager/alerts/`);
    await admin.locator('#live-status[data-state="open"]').waitFor();

    const id = randomUUID();
    const started = Date.now();
    const answer = await kiosk.call('POST', '/api/kiosk/checkins/qr', { json: { id, token: 'not-a-pass-qr-code' } });
    expect(answer.body).toMatchObject({ result: 'rejected', reason: 'qr_invalid' });
    const item = page.locator(`[data-alert="${id}"]`);
    await item.waitFor({ timeout: 2000 });
    const latency = Date.now() - started;
    expect(latency).toBeLessThan(2000);
    expect(await item.locator('.m-alert-reason').textContent()).toBe('無効なQRコード');
    await admin.locator(`[data-alert="${id}"]`).waitFor({ timeout: 2000 });
    await shot(page, 'alert-arrived');

    await item.getByRole('button', { name: '確認済みにする' }).click();
    await item.getByTestId('ack-state').waitFor();
    expect(await item.getByTestId('ack-state').textContent()).toContain(STAFF.niconico.email);
    // The other staff member's page learns it from the stream, without a reload.
    await admin.locator(`[data-alert="${id}"][data-acked="true"]`).waitFor({ timeout: 2000 });
    expect(await admin.locator(`[data-alert="${id}"]`).getByTestId('ack-state').textContent()).toContain(STAFF.niconico.email);
    await shot(admin, 'alert-acked-elsewhere');
    console.info(`refused check-in → open Manager page${crossNode ? ' (kiosk and Manager on different nodes)' : ''}: ${latency} ms`);
  });

  test("the guardian of a child at the facility, shown on request", async () => {
    const page = staffPage;
    await page.getByRole('navigation').getByRole('link', { name: '保護者の確認' }).click();
    const table = page.getByTestId('guardian-candidates');
    await table.waitFor();
    expect(await table.locator('tbody tr').count()).toBe(1);
    expect(await table.textContent()).toContain('加賀　そら');
    expect(await page.content()).not.toContain(TARO_PHONE);
    await shot(page, 'guardian-list');
    await table.getByRole('button', { name: '保護者の連絡先を表示' }).click();
    await page.getByTestId('guardian').waitFor();
    expect(await page.getByTestId('guardian-name').textContent()).toBe('加賀　太郎');
    expect(await page.getByTestId('guardian-phone').textContent()).toBe('090-1111-2222');
    expect(await page.getByTestId('guardian-phone').getAttribute('href')).toBe(`tel:${TARO_PHONE}`);
    expect(await page.locator('h1').textContent()).toBe('保護者の確認');
    await shot(page, 'guardian-shown');
  });

  test('English by the switch or by the browser, and a tablet layout', async () => {
    const page = staffPage;
    await page.getByRole('link', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Guardian lookup', level: 1 }).waitFor();
    await page.getByRole('navigation').getByRole('link', { name: 'Check-in history' }).click();
    await page.getByRole('heading', { name: 'Check-in history', level: 1 }).waitFor();
    expect(await page.getByRole('button', { name: 'Search' }).count()).toBe(1);
    await shot(page, 'history-en');
    await page.getByRole('link', { name: '日本語' }).click();
    await page.getByRole('heading', { name: 'チェックイン履歴', level: 1 }).waitFor();

    const english = await pages.open({ locale: 'en-US' });
    await english.goto(`${nodes.issuer}/manager/`);
    await english.getByRole('link', { name: 'Sign in with PASS ID' }).waitFor();
    await signIn(english, STAFF.kagaAdmin.email, { lang: 'en' });
    await english.getByRole('heading', { name: 'Home', level: 1 }).waitFor();
    expect(await english.getByTestId('facilities').textContent()).toContain('Kaga Niko Niko Park');

    const tablet = await pages.open({ width: 768, height: 1024 });
    await signIn(tablet, STAFF.niconico.email);
    await tablet.goto(`${nodes.issuer}/manager/history/`);
    await tablet.getByTestId('history-table').waitFor();
    // The navigation sits above the content on a tablet in portrait, and the page does not scroll sideways.
    const nav = await tablet.getByRole('navigation', { name: 'メニュー' }).boundingBox();
    const main = await tablet.locator('main').boundingBox();
    expect(nav!.y + nav!.height).toBeLessThanOrEqual(main!.y + 1);
    expect(await tablet.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    await shot(tablet, 'history-tablet');
    expect(pages.problems).toEqual([]);
  });
});
