/**
 * PASS Manager's staff screens at the size staff tested them (1366×768, Chromium), with the real
 * kiosk page in the same browser: every column of the check-in history can be reached inside its
 * own scrolling region, its header in view; only a minor's row links to the guardian; a kiosk is
 * connected from the Manager, renamed, and its check-ins show on the home figures; a new alert puts
 * 「(1) 」 before the tab's title until the page is looked at; a kiosk page that closes shows as
 * closed within a second and online again when it reopens; 「停止する」 asks first, and cancelling
 * changes nothing. Screenshots are kept as test artifacts; no CSP violation anywhere.
 */
import type { Page } from 'playwright-core';
import { createStorage, startPass, type TestStorage } from '../helpers/pass.ts';
import { storageModes } from '../helpers/services.ts';
import { browserAvailable, screenshotter } from '../browser/browser.ts';
import { signInToManager } from '../browser/journey-helpers.ts';
import { WatchedPages } from '../browser/watched-pages.ts';
import { PASSWORD, staffMember } from './helpers.ts';
import { checkIn, familyEnvOn, managerWorldOn, refusedCheckIn, register, type ManagerWorld } from './fixtures.ts';

const mode = storageModes().at(-1)!;
const run = browserAvailable() ? describe : describe.skip;
const PARK = 'kaga-niconico-park';
const ADMIN = 'admin@niconico.example.jp';
const VIEWPORT = { width: 1366, height: 768 };

run(`PASS Manager's staff screens at 1366×768 (${mode})`, () => {
  let storage: TestStorage;
  let world: ManagerWorld;
  let pages: WatchedPages;
  let admin: Page;
  let kioskPage: Page;
  let issuer: string;
  const shot = screenshotter('manager-staff');

  beforeAll(async () => {
    storage = await createStorage(mode);
    const pass = await startPass(storage.env);
    issuer = pass.issuer;
    [world, pages] = await Promise.all([familyEnvOn(pass, storage).then(managerWorldOn), WatchedPages.launch(VIEWPORT)]);
    const { env, taro, soraId } = world;
    await staffMember(env.pass, ADMIN, 'facility_admin', { facilityId: PARK });
    await register(env, taro.token, PARK, soraId, ['name', 'age', 'resident_of', 'guardian', 'birthdate']);
    await register(env, taro.token, PARK, taro.personId, ['name', 'age', 'resident_of', 'guardian', 'gender']);
    await checkIn(env, PARK, soraId);
    await checkIn(env, PARK, taro.personId);
    // Enough rows for the table to scroll both ways.
    for (let i = 0; i < 30; i += 1) await refusedCheckIn(env, PARK, { occurredAt: new Date(Date.now() - 3600_000 - i * 60_000) });
  }, 180_000);

  afterAll(async () => {
    await pages?.close();
    await world?.env.pass.close();
    await storage?.cleanup();
  });

  const nav = (page: Page, name: string) => page.getByRole('navigation').getByRole('link', { name, exact: true }).click();
  const kioskRow = async () => (await world.env.pass.platform.db('kiosks').where({ facility_id: PARK }).first()) as Record<string, any>;
  const stateInList = (page: Page) => page.getByTestId('kiosks-table').getByTestId('kiosk-state').first();
  const inside = (box: { x: number; y: number; width: number; height: number }, outer: { x: number; y: number; width: number; height: number }) =>
    box.x >= outer.x - 1 && box.y >= outer.y - 1 && box.x + box.width <= outer.x + outer.width + 1 && box.y + box.height <= outer.y + outer.height + 1;

  test('every history column is reachable in its own region with the header in view; only the minor has a guardian link', async () => {
    admin = await pages.open();
    await signInToManager(admin, issuer, ADMIN, PASSWORD);
    await nav(admin, 'チェックイン履歴');
    const region = admin.getByTestId('history-region');
    await region.waitFor();
    // The page itself never scrolls sideways: the table does, inside its region.
    expect(await admin.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    const viewport = { x: 0, y: 0, ...VIEWPORT };
    const headers = region.locator('thead th');
    const names = await headers.allTextContents();
    expect(names).toEqual(['日時', 'キオスク', '方法', '結果', '氏名', 'PASS ID', 'メールアドレス', '性別', '生年月日', '区分', '保護者']);
    for (let i = 0; i < names.length; i += 1) {
      const header = headers.nth(i);
      await header.scrollIntoViewIfNeeded();
      const [box, area] = [await header.boundingBox(), await region.boundingBox()];
      expect({ column: names[i], inRegion: inside(box!, area!), inViewport: inside(box!, viewport) }).toEqual({ column: names[i], inRegion: true, inViewport: true });
    }
    await shot(admin, 'history-scrolled-right');
    // Scrolled to the last row, the header row is still at the top of the region.
    await region.evaluate((el) => el.scrollTo(0, el.scrollHeight));
    const [guardianHeader, area] = [await headers.last().boundingBox(), await region.boundingBox()];
    expect(Math.abs(guardianHeader!.y - area!.y)).toBeLessThanOrEqual(2);
    expect(await region.evaluate((el) => el.scrollHeight > el.clientHeight && el.scrollWidth > el.clientWidth)).toBe(true);
    await shot(admin, 'history-scrolled-down');

    const rows = admin.getByTestId('history-table').locator('tbody tr');
    const row = (name: string) => rows.filter({ has: admin.locator('[data-col="name"]', { hasText: name }) });
    expect(await row('加賀　太郎').count()).toBe(1);
    expect(await row('加賀　太郎').getByRole('link').count()).toBe(0);
    const link = row('加賀　そら').getByRole('link', { name: '加賀　そら の保護者' });
    expect(await link.count()).toBe(1);
    await link.click();
    await admin.getByRole('heading', { name: '保護者の確認', level: 1 }).waitFor();
  });

  test('a kiosk page is connected from the Manager and renamed; a bad name is refused with the reason', async () => {
    kioskPage = await pages.open({ width: 1024, height: 768 });
    await kioskPage.goto(`${issuer}/kiosk`);
    const code = (await kioskPage.getByTestId('user-code').filter({ hasText: /\w{4}-\w{4}/ }).textContent())!;
    await nav(admin, 'キオスク');
    await admin.getByLabel('キオスクに表示されているコード（8文字）').fill(code);
    await admin.getByRole('button', { name: '次へ' }).click();
    await admin.getByRole('button', { name: '接続する' }).click();
    await kioskPage.getByTestId('facility-name').filter({ hasText: 'かがにこにこパーク' }).waitFor({ timeout: 20_000 });
    await admin.reload();
    expect(await stateInList(admin).getAttribute('data-state')).toBe('online');
    expect(await stateInList(admin).textContent()).toContain('稼働中');

    await admin.getByRole('link', { name: 'キオスク「PASS Face」の名前を変更' }).click();
    await admin.getByRole('heading', { name: 'キオスクの名前の変更', level: 1 }).waitFor();
    await admin.getByLabel('新しい名前（40文字まで）').fill('   ');
    await admin.getByRole('button', { name: '名前を保存' }).click();
    expect(await admin.locator('.m-error[role="alert"]').textContent()).toBe('キオスクの名前は1〜40文字で、改行を含めずに入力してください。');
    await admin.getByLabel('新しい名前（40文字まで）').fill('入口タブレット');
    await admin.getByRole('button', { name: '名前を保存' }).click();
    expect(await admin.locator('.m-notice[role="status"]').textContent()).toBe('キオスクの名前を変更しました。');
    expect(await admin.getByTestId('kiosks-table').locator('tbody tr').first().textContent()).toContain('入口タブレット');
    expect((await kioskRow()).name).toBe('入口タブレット');
    await shot(admin, 'kiosk-renamed');
  });

  test("a new alert puts 「(1) 」 before the tab's title until the page is looked at; the home shows today's figures", async () => {
    const home = await pages.open();
    await signInToManager(home, issuer, ADMIN, PASSWORD);
    const figure = async (name: string) => Number(await home.locator(`[data-total="${name}"]`).textContent());
    const qrRefused = async () => Number(await home.getByTestId('today-by-method').locator('[data-method="qr"] [data-result="rejected"]').textContent());
    const before = { accepted: await figure('accepted'), rejected: await figure('rejected'), alerts: await figure('alerts'), qr: await qrRefused() };
    expect(before.accepted).toBe(2);

    await nav(admin, 'リアルタイム通知');
    await admin.locator('#live-status[data-state="open"]').waitFor();
    const title = await admin.title();
    // Polled from here: the page's CSP rightly refuses a string to evaluate.
    const titleIs = async (expected: string) => {
      for (let i = 0; i < 100 && (await admin.title()) !== expected; i += 1) await admin.waitForTimeout(50);
      expect(await admin.title()).toBe(expected);
    };
    expect(title).toBe('リアルタイム通知 | PASS Manager');

    // A real check-in at the kiosk page: a QR code that is not PASS's is refused, and staff are alerted.
    await kioskPage.locator('#go-qr').click();
    // The staff's manual entry (residents show the code to the camera).
    const staffEntry = async () => {
      if ((await kioskPage.locator('#qr-staff').getAttribute('open')) === null) await kioskPage.locator('#qr-staff summary').click();
    };
    await staffEntry();
    await kioskPage.locator('#qr-text').fill('not-a-pass-qr-code');
    await kioskPage.locator('#qr-form button[type="submit"]').click();
    await kioskPage.getByTestId('result-title').filter({ hasText: 'もう一度' }).waitFor();
    await admin.locator('#alerts li[data-acked="false"].m-new').first().waitFor();
    await titleIs(`(1) ${title}`);
    await shot(admin, 'alert-title');
    await kioskPage.locator('#result-ok').click();
    await kioskPage.locator('#go-qr').click();
    await staffEntry();
    await kioskPage.locator('#qr-text').fill('still-not-a-pass-qr-code');
    await kioskPage.locator('#qr-form button[type="submit"]').click();
    await titleIs(`(2) ${title}`);
    // Seen: a click on the page clears it.
    await admin.locator('h1').click();
    await titleIs(title);
    await kioskPage.locator('#result-ok').click();

    await home.reload();
    expect(await figure('accepted')).toBe(before.accepted);
    expect(await figure('rejected')).toBe(before.rejected + 2);
    expect(await figure('alerts')).toBe(before.alerts + 2);
    expect(await qrRefused()).toBe(before.qr + 2);
    const health = home.getByTestId('kiosk-health').locator('tbody tr');
    expect(await health.count()).toBe(1);
    expect(await health.first().textContent()).toContain('入口タブレット');
    expect(await health.first().getAttribute('data-state')).toBe('online');
    expect(await home.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    await shot(home, 'home-figures');
  });

  test('a kiosk page that closes shows as closed within a second, and online again when it reopens', async () => {
    await nav(admin, 'キオスク');
    expect(await stateInList(admin).getAttribute('data-state')).toBe('online');
    const context = kioskPage.context();
    const started = Date.now();
    await kioskPage.close({ runBeforeUnload: true });
    for (;;) {
      await admin.reload();
      if ((await stateInList(admin).getAttribute('data-state')) === 'closed') break;
      if (Date.now() - started > 5000) throw new Error('the closed kiosk still shows as running');
    }
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThan(1000);
    expect(await stateInList(admin).textContent()).toContain('終了');
    await shot(admin, 'kiosk-closed');
    console.info(`kiosk page closed → shown closed in PASS Manager: ${elapsed} ms`);

    // The same tablet opens the page again: it is still connected, and running.
    kioskPage = await context.newPage();
    await kioskPage.goto(`${issuer}/kiosk`);
    await kioskPage.getByTestId('facility-name').filter({ hasText: 'かがにこにこパーク' }).waitFor();
    for (let i = 0; (await kioskRow()).closed_at !== null; i += 1) {
      if (i > 50) throw new Error('the reopened kiosk still shows as closed');
      await kioskPage.waitForTimeout(100);
    }
    await admin.reload();
    expect(await stateInList(admin).getAttribute('data-state')).toBe('online');
  });

  test('「停止する」 asks first: cancelling changes nothing, confirming revokes the kiosk', async () => {
    const revoke = () => admin.getByRole('link', { name: 'キオスク「入口タブレット」を停止する' }).click();
    await revoke();
    await admin.getByRole('heading', { name: 'キオスクの停止の確認', level: 1 }).waitFor();
    expect(await admin.getByTestId('revoke-lead').textContent()).toBe('キオスク「入口タブレット」を停止しますか？');
    await shot(admin, 'kiosk-revoke-confirm');
    await admin.getByRole('link', { name: 'キャンセル' }).click();
    await admin.getByTestId('kiosks-table').waitFor();
    expect((await kioskRow()).revoked_at).toBeNull();
    expect(await stateInList(admin).getAttribute('data-state')).toBe('online');
    expect(await world.env.pass.platform.db('audit_log').where({ action: 'manager.kiosk_revoked' })).toHaveLength(0);

    await revoke();
    await admin.getByRole('button', { name: '停止する' }).click();
    expect(await admin.locator('.m-notice[role="status"]').textContent()).toContain('キオスクを停止しました');
    expect(await stateInList(admin).getAttribute('data-state')).toBe('revoked');
    expect((await kioskRow()).revoked_at).not.toBeNull();
    expect(pages.problems).toEqual([]);
  });
});
