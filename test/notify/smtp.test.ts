import { createStorage, startPass, type TestStorage } from '../helpers/pass.ts';
import { MailCapture, textOf } from '../helpers/mail-capture.ts';
import { storageModes } from '../helpers/services.ts';
import { latestCode, Visitor, REDIRECT, type Pass } from '../identity/flow.ts';

const mode = storageModes().at(-1)!;

describe(`verification mail over real SMTP (${mode})`, () => {
  let storage: TestStorage;
  let pass: Pass;
  const mail = new MailCapture();
  const received = mail.received;

  beforeAll(async () => {
    await mail.start();
    storage = await createStorage(mode);
    pass = await startPass({ ...storage.env, MAIL_TRANSPORT: 'smtp', SMTP_URL: mail.smtpUrl, MAIL_FROM: 'PASS <no-reply@pass.example.jp>' });
    await pass.oidc.clients.create({ clientId: 'smtp-rp', name: 'RP', redirectUris: [REDIRECT], tokenEndpointAuthMethod: 'none' });
  });

  afterAll(async () => {
    await pass?.close();
    await storage?.cleanup();
    await mail.close();
  });

  test('the SMTP server receives the Japanese verification mail, and its code confirms the address', async () => {
    const v = await new Visitor(pass.issuer, 'ja').startSignIn('smtp-rp');
    await v.get(`/interaction/${v.uid}/signup`);
    await v.post(`/interaction/${v.uid}/signup`, { email: 'smtp.user@example.jp', password: 'katayamazu onsen' });
    expect(v.status).toBe(303);
    const sent = received.find((m) => m.to.includes('smtp.user@example.jp'));
    expect(sent).toBeDefined();
    expect(sent!.raw).toMatch(/^From: PASS <no-reply@pass\.example\.jp>/m);
    const text = textOf(sent!.raw);
    expect(text).toContain('PASS の確認コードは');
    const code = /(\d{6})/.exec(text)![1]!;
    // Mail went to SMTP, not to the outbox.
    await expect(latestCode(pass, 'smtp.user@example.jp')).rejects.toThrow('no code sent');

    await v.follow();
    await v.post(`/interaction/${v.uid}/signup/email`, { code });
    expect(v.status).toBe(303);
    await v.follow();
    expect(v.html).toContain('name="phone"');
  });
});
