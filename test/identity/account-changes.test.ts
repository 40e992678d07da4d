// The account API of the PASS app (/api/account, src/identity/account-changes): a new e-mail
// address or mobile number changes only with the code sent to the NEW address or number, the old
// one is told; a mobile number may be typed with hyphens; the password changes only with the
// current one, and every remembered device is forgotten then (not on a number change). Each change
// is audited without the addresses; each refusal has its words in Japanese and English.
import { createStorage, startPass, type TestStorage } from '../helpers/pass.ts';
import { storageModes } from '../helpers/services.ts';
import { apiToken, PASSWORD } from '../kiosk/helpers.ts';
import { latestCode, type Pass } from './flow.ts';
import { ACCOUNT_REASONS } from '../../src/identity/account-changes/reasons.ts';
import { RememberedDevices } from '../../src/identity/factors/remembered-devices.ts';
import { mobileToE164 } from '../../src/identity/phone.ts';

const mode = storageModes().at(-1)!;

interface Outboxed {
  channel: 'mail' | 'sms';
  to: string;
  subject?: string;
  text: string;
}

describe(`changing the account's e-mail address, mobile number and password (${mode})`, () => {
  let storage: TestStorage;
  let pass: Pass;
  let token: string;
  let accountId: string;
  let devices: RememberedDevices;
  const email = 'hanako@change.example.jp';

  beforeAll(async () => {
    storage = await createStorage(mode);
    pass = await startPass({ ...storage.env, RATE_LIMIT_PER_ACCOUNT: '100' });
    accountId = (await pass.platform.accounts.create({ email, password: PASSWORD, phone: '09011112222', verified: true })).id;
    await pass.platform.accounts.create({ email: 'taken@change.example.jp', password: PASSWORD, phone: '08099990000', verified: true });
    token = await apiToken(pass, email);
    devices = new RememberedDevices(pass.platform.db, pass.platform.config.cookieKeys[0]!, 30);
  }, 60_000);

  afterAll(async () => {
    await pass?.close();
    await storage?.cleanup();
  });

  /** `bearer`: the resident's token unless given ('' for none). */
  async function call(method: string, path: string, body?: unknown, bearer?: string): Promise<{ status: number; body: Record<string, any> }> {
    bearer ??= token;
    const response = await fetch(`${pass.issuer}${path}`, {
      method,
      headers: { ...(bearer ? { authorization: `Bearer ${bearer}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, any>) : {} };
  }

  /** A refusal with its status, reason and the catalogue's words in both languages. */
  function refusal(answer: { status: number; body: Record<string, any> }, reason: Parameters<typeof ACCOUNT_REASONS.entry>[0]): void {
    const { status, ja, en } = ACCOUNT_REASONS.entry(reason);
    expect({ status: answer.status, reason: answer.body.reason, message: answer.body.message }).toEqual({ status, reason, message: { ja, en } });
  }

  async function outbox(): Promise<Outboxed[]> {
    return (await (await fetch(`${pass.issuer}/dev/outbox.json`)).json()) as Outboxed[];
  }

  async function account(): Promise<Record<string, any>> {
    return pass.platform.db('accounts').where({ id: accountId }).first();
  }

  async function auditActions(): Promise<Array<{ action: string; details: Record<string, unknown> }>> {
    const rows = (await pass.platform.db('audit_log').where({ actor_account_id: accountId }).orderBy('id').select('action', 'details')) as Array<{ action: string; details: unknown }>;
    return rows.map((r) => ({ action: r.action, details: (typeof r.details === 'string' ? JSON.parse(r.details) : r.details) as Record<string, unknown> }));
  }

  test('the overview, and no answer without a resident token', async () => {
    expect(await call('GET', '/api/account')).toEqual({
      status: 200,
      body: { email, phone_number: '+819011112222', phone_display: '090-1111-2222', phone_masked: '090-****-2222', phone_verified: true },
    });
    refusal(await call('GET', '/api/account', undefined, 'not-a-token'), 'invalid_token');
    refusal(await call('POST', '/api/account/email', { email: 'x@example.jp' }, ''), 'invalid_token');
  });

  test('a new e-mail address: a code to the new address, the change only with it, a notice to the old one', async () => {
    refusal(await call('POST', '/api/account/email', { email: 'not an address' }), 'invalid_email');
    refusal(await call('POST', '/api/account/email', { email: 'Hanako@Change.example.jp' }), 'email_unchanged');
    refusal(await call('POST', '/api/account/email', { email: 'taken@change.example.jp' }), 'email_taken');
    refusal(await call('POST', '/api/account/email', {}), 'invalid_request');

    const newEmail = 'hanako.new@change.example.jp';
    const started = await call('POST', '/api/account/email', { email: newEmail, lang: 'en' });
    expect(started).toEqual({ status: 202, body: { sent_to: 'ha******@change.example.jp' } });
    expect((await outbox())[0]).toMatchObject({ channel: 'mail', to: newEmail, subject: 'PASS: confirm your new e-mail address' });
    const code = await latestCode(pass, newEmail);
    // Nothing changes until the code comes back.
    expect((await account()).email).toBe(email);
    refusal(await call('POST', '/api/account/email', { email: 'another@change.example.jp' }), 'resend_wait');

    const wrong = code === '000000' ? '111111' : '000000';
    const refused = await call('POST', '/api/account/email/confirm', { email: newEmail, code: wrong });
    refusal(refused, 'code_wrong');
    expect(refused.body.attemptsLeft).toBe(4);
    // The code of one address cannot confirm another.
    refusal(await call('POST', '/api/account/email/confirm', { email: 'other@change.example.jp', code }), 'code_missing');
    refusal(await call('POST', '/api/account/email/confirm', { email: newEmail, code: '12' }), 'code_format');
    expect((await account()).email).toBe(email);

    const confirmed = await call('POST', '/api/account/email/confirm', { email: newEmail, code: ` ${code.slice(0, 3)} ${code.slice(3)} `, lang: 'en' });
    expect(confirmed).toEqual({ status: 200, body: { email: newEmail, notice_sent: true } });
    const row = await account();
    expect(row.email).toBe(newEmail);
    expect(row.email_verified_at).toBeInstanceOf(Date);
    const notice = (await outbox()).find((m) => m.to === email)!;
    expect(notice).toMatchObject({ channel: 'mail', subject: 'PASS: your e-mail address was changed' });
    expect(notice.text).toContain('ha******@change.example.jp');
    expect(notice.text).not.toContain(newEmail);
    refusal(await call('POST', '/api/account/email/confirm', { email: newEmail, code }), 'code_used');

    // The new address signs in; the old one no longer does.
    expect(await pass.platform.accounts.authenticate(newEmail, PASSWORD)).toMatchObject({ id: accountId });
    expect(await pass.platform.accounts.authenticate(email, PASSWORD)).toBeUndefined();
    const audit = (await auditActions()).filter((a) => a.action === 'account.email_changed');
    expect(audit).toEqual([{ action: 'account.email_changed', details: {} }]);
    expect(JSON.stringify(await pass.platform.db('audit_log').where({ actor_account_id: accountId }).select('details'))).not.toContain('change.example.jp');
  });

  test('a new mobile number typed with hyphens: an SMS code to the new number; remembered devices stay', async () => {
    const remembered = await devices.remember(accountId, 'sms', 'Mozilla/5.0 (Linux; Android 14) Chrome/126.0');
    const rememberedNow = (await devices.list(accountId)).length;
    refusal(await call('POST', '/api/account/phone', { phone: '03-1234-5678' }), 'phone_not_mobile');
    refusal(await call('POST', '/api/account/phone', { phone: '090-1234-567' }), 'phone_invalid');
    refusal(await call('POST', '/api/account/phone', { phone: '080-9999-0000' }), 'phone_taken');
    refusal(await call('POST', '/api/account/phone', { phone: '090 1111 2222' }), 'phone_unchanged');

    const started = await call('POST', '/api/account/phone', { phone: '090-2468-1357' });
    expect(started).toEqual({ status: 202, body: { sent_to: '090-****-1357' } });
    const sms = (await outbox())[0]!;
    expect(sms).toMatchObject({ channel: 'sms', to: '+819024681357' });
    expect(sms.text).toContain('PASS 新しい電話番号の確認コード');
    expect((await account()).phone_e164).toBe('+819011112222');

    const code = await latestCode(pass, '+819024681357');
    // Typed the other way (full-width digits and spaces): the same number, the same code.
    const typed = '０９０ ２４６８ １３５７';
    const confirmed = await call('POST', '/api/account/phone/confirm', { phone: typed, code });
    expect(confirmed).toEqual({ status: 200, body: { phone_number: '+819024681357', phone_display: '090-2468-1357', remembered_devices: rememberedNow, notice_sent: true } });
    expect((await account()).phone_e164).toBe('+819024681357');
    // The old number and the e-mail address are told; the remembered device still works.
    expect((await outbox()).find((m) => m.to === '+819011112222')?.text).toContain('090-****-1357');
    expect((await outbox()).find((m) => m.channel === 'mail' && m.subject === '【PASS】携帯電話番号が変更されました')).toBeDefined();
    expect(await devices.recognise(remembered!.cookie, accountId)).toBe('sms');
    expect((await auditActions()).map((a) => a.action)).toContain('account.phone_changed');
    // The new number signs in, typed with hyphens.
    expect(await pass.platform.accounts.authenticate('090-2468-1357', PASSWORD)).toMatchObject({ id: accountId });
  });

  test('a new password: the current one first, the policy, then every remembered device forgotten', async () => {
    const remembered = await devices.remember(accountId, 'otp', 'Mozilla/5.0 (iPhone) Safari/605.1');
    const rememberedNow = (await devices.list(accountId)).length;
    expect(rememberedNow).toBeGreaterThanOrEqual(2);
    refusal(await call('POST', '/api/account/password', { current_password: 'not my password', new_password: 'kaga onsen and crabs' }), 'current_password_wrong');
    refusal(await call('POST', '/api/account/password', { current_password: PASSWORD, new_password: 'password' }), 'password_common');
    refusal(await call('POST', '/api/account/password', { current_password: PASSWORD, new_password: 'short' }), 'password_too_short');
    refusal(await call('POST', '/api/account/password', { current_password: PASSWORD, new_password: PASSWORD }), 'password_unchanged');
    expect(await devices.recognise(remembered!.cookie, accountId)).toBe('otp');

    const changed = await call('POST', '/api/account/password', { current_password: PASSWORD, new_password: 'kaga onsen and crabs' });
    expect(changed).toEqual({ status: 200, body: { remembered_devices_revoked: rememberedNow, notice_sent: true } });
    expect(await devices.list(accountId)).toEqual([]);
    expect(await devices.recognise(remembered!.cookie, accountId)).toBeUndefined();
    const row = await account();
    expect(await pass.platform.accounts.authenticate(row.email, 'kaga onsen and crabs')).toMatchObject({ id: accountId });
    expect(await pass.platform.accounts.authenticate(row.email, PASSWORD)).toBeUndefined();
    expect((await outbox()).find((m) => m.to === row.email && m.subject === '【PASS】パスワードが変更されました')).toBeDefined();
    expect((await auditActions()).filter((a) => a.action === 'account.password_changed')).toEqual([{ action: 'account.password_changed', details: { remembered_devices_revoked: rememberedNow } }]);
  });

  test('every refusal of the catalogue has words in both languages, the English without Japanese punctuation', () => {
    for (const reason of ACCOUNT_REASONS.reasons) {
      const { ja, en } = ACCOUNT_REASONS.entry(reason);
      expect({ reason, ja: ja.length > 0, en: /[\u3000-\u303f\uff01-\uff60\u3040-\u30ff\u4e00-\u9fff]/.test(en) }).toEqual({ reason, ja: true, en: false });
    }
    expect(mobileToE164('090-2468-1357')).toBe('+819024681357');
  });
});
