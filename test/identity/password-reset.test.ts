import { createStorage, startPass, type TestStorage } from '../helpers/pass.ts';
import { storageModes } from '../helpers/services.ts';
import { REASON_MESSAGES } from '../../src/identity/interactions/reason-messages.ts';
import { snapshot, Visitor, REDIRECT, type Pass } from './flow.ts';

const mode = storageModes().at(-1)!;

describe(`password reset by e-mail link (${mode})`, () => {
  let storage: TestStorage;
  let pass: Pass;

  beforeAll(async () => {
    storage = await createStorage(mode);
    pass = await startPass(storage.env);
    await pass.oidc.clients.create({ clientId: 'reset-rp', name: 'RP', redirectUris: [REDIRECT], tokenEndpointAuthMethod: 'none' });
    await pass.platform.accounts.create({ email: 'forgetful@example.jp', password: 'the old password', verified: true });
  });

  afterAll(async () => {
    await pass?.close();
    await storage?.cleanup();
  });

  async function resetLink(to: string): Promise<string> {
    const entries = (await (await fetch(`${pass.issuer}/dev/outbox.json`)).json()) as Array<{ to: string; text: string }>;
    const link = /(http\S+\/password\/reset\?token=\S+)/.exec(entries.find((e) => e.to === to)?.text ?? '')?.[1];
    if (!link) throw new Error(`no reset mail to ${to}`);
    return link;
  }

  test('the link sets a new password once; weak passwords and reuse are refused in the page language and change nothing', async () => {
    const v = await new Visitor(pass.issuer, 'en').startSignIn('reset-rp');
    await v.get(`/interaction/${v.uid}/forgot`);
    await v.post(`/interaction/${v.uid}/forgot`, { email: 'nobody@example.jp' });
    expect(v.html).toContain('If the address is registered');
    await v.get(`/interaction/${v.uid}/forgot`);
    await v.post(`/interaction/${v.uid}/forgot`, { email: 'forgetful@example.jp' });
    expect(v.html).toContain('If the address is registered');
    const link = await resetLink('forgetful@example.jp');
    const stored = await pass.platform.db('password_resets').first();
    expect(link).not.toContain(stored.token_hash);

    await v.get(link);
    expect(v.html).toContain('forgetful@example.jp');
    const before = await snapshot(pass.platform.db);
    await v.post('/password/reset', { token: new URL(link).searchParams.get('token')!, password: 'password123' });
    expect(v.status).toBe(400);
    expect(v.alert()).toBe(REASON_MESSAGES['reason.password_common']!.en);
    expect(await snapshot(pass.platform.db)).toBe(before);

    await v.post('/password/reset', { token: new URL(link).searchParams.get('token')!, password: 'a brand new password' });
    expect(v.status).toBe(200);
    expect(v.html).toContain('Password changed');
    expect(await pass.platform.accounts.authenticate('forgetful@example.jp', 'a brand new password')).toBeDefined();
    expect(await pass.platform.accounts.authenticate('forgetful@example.jp', 'the old password')).toBeUndefined();

    // The same link again: used.
    const v2 = new Visitor(pass.issuer, 'ja');
    await v2.get(link);
    expect(v2.status).toBe(400);
    expect(v2.alert()).toBe(REASON_MESSAGES['reason.reset_used']!.ja);
  });
});
