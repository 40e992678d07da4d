import { createStorage, startPass, type TestStorage } from '../helpers/pass.ts';
import { storageModes } from '../helpers/services.ts';
import { REASON_MESSAGES } from '../../src/identity/interactions/reason-messages.ts';
import { latestCode, outboxCount, snapshot, Visitor, REDIRECT, type Pass } from './flow.ts';

// One storage mode is enough here (the services are the same SQL in each): the most realistic one.
const mode = storageModes().at(-1)!;

function says(lang: 'ja' | 'en', reason: string, n?: number): string {
  return REASON_MESSAGES[`reason.${reason}`]![lang].replace('{n}', String(n ?? ''));
}

describe.each(['ja', 'en'] as const)('sign-up refusals in %s (' + mode + ')', (lang) => {
  let storage: TestStorage;
  let pass: Pass;
  const email = `hanako.${lang}@example.jp`;
  const phone = lang === 'ja' ? '09011112222' : '08033334444';

  beforeAll(async () => {
    storage = await createStorage(mode);
    // Rate limits have their own test; here every refusal must come from the input itself.
    pass = await startPass({ ...storage.env, RATE_LIMIT_PER_ACCOUNT: '100' });
    await pass.oidc.clients.create({ clientId: 'signup-rp', name: 'テスト施設', redirectUris: [REDIRECT], tokenEndpointAuthMethod: 'none' });
    await pass.platform.accounts.create({ email: 'taken@example.jp', password: 'an existing password', verified: true });
  });

  afterAll(async () => {
    await pass?.close();
    await storage?.cleanup();
  });

  /** Posts a bad input and checks the message, the status and that the database did not change. */
  async function refused(v: Visitor, path: string, form: Record<string, string>, reason: string, n?: number): Promise<void> {
    const before = await snapshot(pass.platform.db);
    const sent = await outboxCount(pass);
    await v.post(path, form);
    expect(v.status).toBeGreaterThanOrEqual(400);
    expect(v.html).toContain(`<html lang="${lang}">`);
    if (reason === 'resend_wait') {
      // The wait counts down while the test runs: any second of the last 15 is the right message.
      const possible = Array.from({ length: 16 }, (_, i) => says(lang, reason, (n ?? 60) - i));
      expect(possible).toContain(v.alert());
    } else {
      expect(v.alert()).toBe(says(lang, reason, n));
    }
    expect(await snapshot(pass.platform.db)).toBe(before);
    expect(await outboxCount(pass)).toBe(sent);
  }

  test('each bad input shows its message in the page language and changes nothing', async () => {
    const v = await new Visitor(pass.issuer, lang).startSignIn('signup-rp');
    expect(v.html).toContain(`<html lang="${lang}">`);
    await v.get(`/interaction/${v.uid}/signup`);
    const start = `/interaction/${v.uid}/signup`;

    await refused(v, start, { email, password: 'password' }, 'password_common');
    // A weak password: the password field is the one marked and focused, the address is kept.
    const focused = (html: string) => /<input id="(\w+)"[^>]*\bautofocus\b/.exec(html)?.[1];
    expect(focused(v.html)).toBe('password');
    expect(v.html).toMatch(/<input id="password"[^>]*aria-invalid="true"/);
    expect(v.html).not.toMatch(/<input id="email"[^>]*aria-invalid/);
    expect(v.html).toContain(`value="${email}"`);
    await refused(v, start, { email, password: '1234567' }, 'password_too_short');
    await refused(v, start, { email, password: 'aaaaaaaaaa' }, 'password_common');
    await refused(v, start, { email: 'not-an-address', password: 'a long enough phrase' }, 'invalid_email');
    expect(focused(v.html)).toBe('email');
    await refused(v, start, { email: 'Taken@Example.jp', password: 'a long enough phrase' }, 'email_taken');

    // A good start: the code goes to the outbox, the page asks for it.
    await v.post(start, { email, password: 'sakura blooms in april' });
    expect(v.status).toBe(303);
    await v.follow();
    expect(v.html).toContain('name="code"');
    const emailCode = await latestCode(pass, email);
    const codePath = `/interaction/${v.uid}/signup/email`;

    await refused(v, `/interaction/${v.uid}/signup/resend`, {}, 'resend_wait', 60);
    await refused(v, codePath, { code: '12345' }, 'code_format');
    const wrong = emailCode === '000000' ? '111111' : '000000';
    await refused(v, codePath, { code: wrong }, 'code_wrong', 4);

    await v.post(codePath, { code: emailCode });
    expect(v.status).toBe(303);
    await v.follow();
    expect(v.html).toContain('name="phone"');

    // The same code again: already used.
    await refused(v, codePath, { code: emailCode }, 'code_used');

    const phonePath = `/interaction/${v.uid}/signup/phone`;
    // Hyphens and spaces are fine (see the completed sign-up below); what is left must still be a mobile number.
    await refused(v, phonePath, { phone: '090-1111-222' }, 'phone_invalid');
    await refused(v, phonePath, { phone: '090-1111-2222 内線3' }, 'phone_invalid');
    await refused(v, phonePath, { phone: '03-1234-5678' }, 'phone_not_mobile');
    await refused(v, phonePath, { phone: '0312345678' }, 'phone_not_mobile');
    await refused(v, phonePath, { phone: '0612345678' }, 'phone_not_mobile');
    await refused(v, phonePath, { phone: '05012345678' }, 'phone_not_mobile');
    await refused(v, phonePath, { phone: '0901111222' }, 'phone_invalid');

    await v.post(phonePath, { phone });
    expect(v.status).toBe(303);
    await v.follow();
    const smsCode = await latestCode(pass, `+81${phone.slice(1)}`);
    const smsPath = `/interaction/${v.uid}/signup/sms`;

    // Too many wrong codes: after five, even the right code is refused until a new one is sent.
    const bad = smsCode === '999999' ? '888888' : '999999';
    for (let left = 4; left >= 1; left -= 1) await refused(v, smsPath, { code: bad }, 'code_wrong', left);
    await v.post(smsPath, { code: bad });
    expect(v.alert()).toBe(says(lang, 'code_attempts'));
    await refused(v, smsPath, { code: smsCode }, 'code_attempts');

    // An expired code: the same words whatever the code.
    await pass.platform.db('verification_codes').update({ expires_at: new Date(Date.now() - 1000), attempts: 0 });
    await refused(v, smsPath, { code: smsCode }, 'code_expired');
    expect(await pass.platform.db('accounts').where({ email }).first()).toBeUndefined();
  });

  test('a completed sign-up creates one account with both contacts confirmed, amr and acr recorded', async () => {
    const v = await new Visitor(pass.issuer, lang).startSignIn('signup-rp');
    const other = `complete.${lang}@example.jp`;
    const mobile = lang === 'ja' ? '07055556666' : '07077778888';
    await v.get(`/interaction/${v.uid}/signup`);
    await v.post(`/interaction/${v.uid}/signup`, { email: other, password: 'kaga onsen and crabs' });
    await v.follow();
    await v.post(`/interaction/${v.uid}/signup/email`, { code: await latestCode(pass, other) });
    await v.follow();
    // Full-width digits and hyphens are fine (a Japanese keyboard may give them): 070－5555－6666.
    const typed = `${mobile.slice(0, 3)}-${mobile.slice(3, 7)}-${mobile.slice(7)}`;
    await v.post(`/interaction/${v.uid}/signup/phone`, { phone: typed.replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d))).replace(/-/g, '－') });
    await v.follow();
    await v.post(`/interaction/${v.uid}/signup/sms`, { code: await latestCode(pass, `+81${mobile.slice(1)}`) });
    expect(v.status).toBe(303);
    await v.follow();
    expect(v.html).toMatch(/action="\/interaction\/[^/]+\/consent"/);

    const account = await pass.platform.db('accounts').where({ email: other }).first();
    expect(account).toMatchObject({ phone_e164: `+81${mobile.slice(1)}`, role: 'resident' });
    expect(account.email_verified_at).toBeInstanceOf(Date);
    expect(account.phone_verified_at).toBeInstanceOf(Date);
    expect(account.password_hash).toMatch(/^\$argon2id\$/);
    expect(await pass.platform.db('signups').where({ email: other }).first()).toBeUndefined();
    const codes = await pass.platform.db('verification_codes').select('code_hash');
    for (const row of codes) expect(row.code_hash).toMatch(/^[0-9a-f]{64}$/);
    const events = await pass.platform.db('authentication_events').where({ account_id: account.id });
    expect(events).toEqual([expect.objectContaining({ event: 'sign_up', amr: 'pwd otp sms mfa', acr: 'urn:pass:acr:mfa' })]);
  });
});
