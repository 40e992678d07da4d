import { SMTPServer } from 'smtp-server';
import { createStorage, freePort, startPass, type TestStorage } from '../helpers/pass.ts';
import { storageModes } from '../helpers/services.ts';
import { latestCode, Visitor, REDIRECT, type Pass } from '../identity/flow.ts';

const mode = storageModes().at(-1)!;

interface Received {
  to: string[];
  raw: string;
}

/** The text part of a simple MIME message: quoted-printable or base64, as nodemailer writes it. */
function textOf(raw: string): string {
  const [head = '', ...rest] = raw.split(/\r?\n\r?\n/);
  const body = rest.join('\n\n');
  const encoding = /content-transfer-encoding:\s*([\w-]+)/i.exec(head)?.[1]?.toLowerCase();
  if (encoding === 'base64') return Buffer.from(body.replace(/\s/g, ''), 'base64').toString('utf8');
  if (encoding === 'quoted-printable') {
    const bytes = body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_m, hex: string) => `%${hex}`);
    return decodeURIComponent(bytes);
  }
  return body;
}

describe(`verification mail over real SMTP (${mode})`, () => {
  let storage: TestStorage;
  let pass: Pass;
  let smtp: SMTPServer;
  const received: Received[] = [];

  beforeAll(async () => {
    const port = await freePort();
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          received.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(port, '127.0.0.1', resolve));
    storage = await createStorage(mode);
    pass = await startPass({ ...storage.env, MAIL_TRANSPORT: 'smtp', SMTP_URL: `smtp://127.0.0.1:${port}`, MAIL_FROM: 'PASS <no-reply@pass.example.jp>' });
    await pass.oidc.clients.create({ clientId: 'smtp-rp', name: 'RP', redirectUris: [REDIRECT], tokenEndpointAuthMethod: 'none' });
  });

  afterAll(async () => {
    await pass?.close();
    await storage?.cleanup();
    await new Promise<void>((resolve) => smtp?.close(() => resolve()));
  });

  test('the SMTP server receives the Japanese verification mail, and its code confirms the address', async () => {
    const v = await new Visitor(pass.issuer, 'ja').startSignIn('smtp-rp');
    await v.get(`/interaction/${v.uid}/signup`);
    await v.post(`/interaction/${v.uid}/signup`, { email: 'smtp.user@example.jp', password: 'katayamazu onsen' });
    expect(v.status).toBe(303);
    const mail = received.find((m) => m.to.includes('smtp.user@example.jp'));
    expect(mail).toBeDefined();
    expect(mail!.raw).toMatch(/^From: PASS <no-reply@pass\.example\.jp>/m);
    const text = textOf(mail!.raw);
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
