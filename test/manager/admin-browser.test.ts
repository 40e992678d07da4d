/**
 * PASS Manager's management screens in Chromium (PC and tablet sizes), with screenshots kept as
 * test artifacts: a facility admin edits the claim policy, registers a relying party (its secret
 * shown once), narrows its claims, issues a new secret, registers its public keys (a private key
 * is refused), is stopped from shrinking the policy below what the relying party receives,
 * connects a kiosk by the code on its screen and revokes it, assigns and removes staff; facility
 * staff see the screens read-only and cannot open the relying parties; a municipal admin cannot
 * remove the last municipal admin; Japanese first, English by switch; no CSP violation anywhere.
 */
import { exportJWK, generateKeyPair } from 'jose';
import type { Page } from 'playwright-core';
import { createStorage, startPass, type TestStorage } from '../helpers/pass.ts';
import { storageModes } from '../helpers/services.ts';
import { browserAvailable, screenshotter } from '../browser/browser.ts';
import { signInToManager } from '../browser/journey-helpers.ts';
import { WatchedPages } from '../browser/watched-pages.ts';
import { TestKiosk } from '../kiosk/helpers.ts';
import { PASSWORD, STAFF, staffMember, staffWorld, strongAccount, type Pass } from './helpers.ts';

const mode = storageModes().at(-1)!;
const run = browserAvailable() ? describe : describe.skip;
const ADMIN = 'admin@niconico.example.jp';
const NEWCOMER = 'newcomer@example.jp';
const PARK = 'kaga-niconico-park';

run(`PASS Manager management screens in the browser (${mode})`, () => {
  let storage: TestStorage;
  let pass: Pass;
  let admin: Page;
  let clientId = '';
  let pages: WatchedPages;
  const shot = screenshotter('manager-admin');

  beforeAll(async () => {
    storage = await createStorage(mode);
    [pass, pages] = await Promise.all([startPass(storage.env), WatchedPages.launch()]);
    await staffWorld(pass);
    await staffMember(pass, ADMIN, 'facility_admin', { facilityId: PARK });
    await strongAccount(pass, NEWCOMER);
  }, 90_000);

  afterAll(async () => {
    await pages?.close();
    await pass?.close();
    await storage?.cleanup();
  });

  const signIn = (page: Page, email: string) => signInToManager(page, pass.issuer, email, PASSWORD);
  const nav = (page: Page, name: string) => page.getByRole('navigation').getByRole('link', { name, exact: true }).click();
  const notice = (page: Page) => page.locator('.m-notice[role="status"]').textContent();
  const error = (page: Page) => page.locator('.m-error[role="alert"]').textContent();

  test('a facility admin edits the claim policy of their facility', async () => {
    admin = await pages.open();
    await signIn(admin, ADMIN);
    const menu = await admin.getByRole('navigation').textContent();
    for (const item of ['避難所', '利用状況の分析', '施設とポリシー', 'キオスク', '連携システム', '職員と権限']) expect(menu).toContain(item);
    await nav(admin, '施設とポリシー');
    await admin.getByTestId('facilities-table').waitFor();
    expect(await admin.getByTestId('facilities-table').locator('tbody tr').count()).toBe(1);
    await shot(admin, 'facilities');
    await admin.getByRole('link', { name: /詳細・変更/ }).click();
    await admin.getByRole('heading', { name: 'かがにこにこパーク', level: 1 }).waitFor();
    // Sharing is the city's decision: disabled for a facility admin.
    expect(await admin.getByLabel('セクター').isDisabled()).toBe(true);
    await admin.getByLabel('メールアドレス', { exact: true }).selectOption('optional');
    await admin.getByLabel('保存期間（日）').fill('200');
    await admin.getByRole('button', { name: 'ポリシーを保存' }).click();
    expect(await notice(admin)).toBe('提供情報ポリシーを保存しました。');
    expect(await admin.getByLabel('メールアドレス', { exact: true }).inputValue()).toBe('optional');
    const saved = (await pass.platform.facilities.policies.find(PARK))!;
    expect([...saved.optional].sort()).toEqual(['birthdate', 'email', 'gender']);
    expect(saved.retentionDays).toBe(200);
    await shot(admin, 'policy-saved');
  });

  test('a relying party is registered within the policy; its secret is shown once, then rotated; keys are public only', async () => {
    await nav(admin, '連携システム');
    await admin.getByTestId('no-clients').waitFor();
    await admin.getByRole('link', { name: '連携システムを登録' }).click();
    await admin.getByLabel('名前', { exact: true }).fill('にこにこパーク 受付システム');
    await admin.getByLabel('リダイレクトURI（1行に1つ）').fill('https://reception.niconico.example.jp/callback');
    // Only the policy's items are offered.
    expect(await admin.getByRole('checkbox', { name: /住所/ }).count()).toBe(0);
    for (const item of ['氏名', '年齢', '性別']) await admin.getByRole('checkbox', { name: new RegExp(`^${item}`) }).check();
    await shot(admin, 'client-new');
    await admin.getByRole('button', { name: '登録する' }).click();
    const secret = (await admin.getByTestId('client-secret').textContent())!;
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await admin.locator('.m-warning').textContent()).toContain('今回だけ表示されます');
    clientId = (await admin.getByTestId('client-id').textContent())!;
    await shot(admin, 'client-secret-once');

    await admin.getByRole('link', { name: '設定' }).click();
    expect(await admin.content()).not.toContain(secret);
    expect(await admin.getByTestId('client-scope').textContent()).toContain('resident');
    // Without age, residence and guardian, nothing of the `resident` scope is left.
    for (const item of [/^年齢/, /^住民である市区町村/, /^保護者の連絡先/]) await admin.getByRole('checkbox', { name: item }).uncheck();
    await admin.getByRole('button', { name: '項目を保存' }).click();
    expect(await notice(admin)).toBe('受け取れる項目を保存しました。');
    expect(await admin.getByTestId('client-scope').textContent()).not.toContain('resident');

    const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
    await admin.getByLabel('公開鍵セット（JWKS の JSON）').fill(JSON.stringify({ keys: [{ ...(await exportJWK(privateKey)), kid: 'oops' }] }));
    await admin.getByRole('button', { name: '公開鍵を登録' }).click();
    expect(await error(admin)).toContain('秘密鍵が含まれています');
    await admin.getByLabel('公開鍵セット（JWKS の JSON）').fill(JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'reception-2026', alg: 'ES256' }] }));
    await admin.getByRole('button', { name: '公開鍵を登録' }).click();
    expect(await notice(admin)).toBe('公開鍵を登録しました。');
    expect(await admin.getByTestId('keys').textContent()).toContain('reception-2026');
    await shot(admin, 'client-detail');

    await admin.getByTestId('rotate-secret').click();
    const rotated = (await admin.getByTestId('client-secret').textContent())!;
    expect(rotated).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(rotated).not.toBe(secret);
    expect(await notice(admin)).toContain('古いシークレットはもう使えません');
    await shot(admin, 'client-secret-rotated');
  });

  test('the policy cannot drop what a relying party still receives: the page says which one', async () => {
    await admin.goto(`${pass.issuer}/manager/facilities/${PARK}`);
    await admin.getByLabel('性別', { exact: true }).selectOption('none');
    await admin.getByRole('button', { name: 'ポリシーを保存' }).click();
    expect(await error(admin)).toContain('連携システムが、外そうとしている項目をまだ受け取る設定です');
    expect(await admin.getByTestId('blocking').textContent()).toContain(clientId);
    // The form keeps what was typed.
    expect(await admin.getByLabel('性別', { exact: true }).inputValue()).toBe('none');
    await shot(admin, 'policy-in-use');
  });

  test('a kiosk is connected by the code on its screen, then revoked', async () => {
    const kiosk = await new TestKiosk(pass.issuer).init();
    const auth = await kiosk.deviceAuthorization();
    await nav(admin, 'キオスク');
    await admin.getByTestId('no-kiosks').waitFor();
    await admin.getByLabel('キオスクに表示されているコード（8文字）').fill('XXXX-XXXX');
    await admin.getByRole('button', { name: '次へ' }).click();
    expect(await error(admin)).toContain('コードが正しくないか、有効期限が切れています');
    await admin.getByLabel('キオスクに表示されているコード（8文字）').fill(String(auth.user_code).toLowerCase());
    await admin.getByRole('button', { name: '次へ' }).click();
    expect(await admin.getByTestId('device-code').textContent()).toBe(auth.user_code);
    await shot(admin, 'kiosk-confirm');
    await admin.getByRole('button', { name: '接続する' }).click();
    expect(await notice(admin)).toBe(`キオスクを接続しました（コード ${auth.user_code}）。キオスクの画面で施設を確認してください。`);
    const tokens = await kiosk.token({ grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: auth.device_code });
    expect(tokens.status).toBe(200);
    const activated = await kiosk.call('POST', '/api/kiosk/activation', { json: { name: '入口タブレット' } });
    expect(activated.body.facility.id).toBe(PARK);
    await admin.reload();
    const row = admin.getByTestId('kiosks-table').locator('tbody tr');
    expect(await row.count()).toBe(1);
    expect(await row.textContent()).toContain('入口タブレット');
    expect(await row.textContent()).toContain('稼働中');
    await shot(admin, 'kiosks');
    // 「停止する」 opens a confirmation that says what stopping does; nothing stops before its button.
    await admin.getByRole('link', { name: 'キオスク「入口タブレット」を停止する' }).click();
    await admin.getByRole('heading', { name: 'キオスクの停止の確認', level: 1 }).waitFor();
    await admin.getByRole('button', { name: '停止する' }).click();
    expect(await notice(admin)).toContain('キオスクを停止しました');
    expect(await row.textContent()).toContain('停止済み');
    expect((await kiosk.call('GET', '/api/kiosk/me')).status).toBe(401);
  });

  test('staff are assigned and removed within the facility', async () => {
    await nav(admin, '職員と権限');
    await admin.getByTestId('staff-table').waitFor();
    await admin.getByLabel('メールアドレス', { exact: true }).fill('nobody@example.jp');
    await admin.getByRole('button', { name: '割り当てる' }).click();
    expect(await error(admin)).toBe('このメールアドレスの PASS アカウントはありません。');
    await admin.getByLabel('メールアドレス', { exact: true }).fill(NEWCOMER);
    await admin.getByLabel('権限', { exact: true }).selectOption('facility_staff');
    await admin.getByRole('button', { name: '割り当てる' }).click();
    expect(await notice(admin)).toBe('権限を割り当てました。');
    expect(await admin.getByTestId('staff-table').textContent()).toContain(NEWCOMER);
    await shot(admin, 'staff');
    await admin.getByRole('button', { name: `${NEWCOMER} の権限を外す` }).click();
    expect(await notice(admin)).toBe('権限を外しました。');
    expect(await admin.getByTestId('staff-table').textContent()).not.toContain(NEWCOMER);
  });

  test('facility staff see the screens read-only; a tablet-sized municipal admin cannot remove the last admin; English', async () => {
    const staff = await pages.open({ width: 820, height: 1180 });
    await signIn(staff, STAFF.niconico.email);
    expect(await staff.getByRole('navigation').textContent()).not.toContain('連携システム');
    await staff.goto(`${pass.issuer}/manager/facilities/${PARK}`);
    expect(await staff.getByRole('note').first().textContent()).toContain('閲覧のみ');
    expect(await staff.getByRole('button', { name: 'ポリシーを保存' }).isDisabled()).toBe(true);
    await shot(staff, 'staff-readonly-policy-tablet');
    const refused = await staff.goto(`${pass.issuer}/manager/clients/`);
    expect(refused!.status()).toBe(403);
    await staff.goto(`${pass.issuer}/manager/staff/`);
    expect(await staff.getByTestId('assign-form').count()).toBe(0);

    const city = await pages.open({ width: 1024, height: 1366 });
    await signIn(city, STAFF.kagaAdmin.email);
    await nav(city, '職員と権限');
    const panel = city.getByTestId('admins-172065');
    await panel.getByRole('button', { name: `${STAFF.kagaAdmin.email} の権限を外す` }).click();
    expect(await error(city)).toBe('最後の市区町村管理者は外せません。先に別の管理者を割り当ててください。');
    await shot(city, 'last-admin-tablet');
    await city.getByRole('link', { name: 'Switch to English' }).click();
    await city.getByRole('heading', { name: 'Staff and roles', level: 1 }).waitFor();
    await shot(city, 'staff-english');
    expect(pages.problems).toEqual([]);
  });
});
