/**
 * A real SMTP server on loopback that keeps what PASS sends, for tests of PASS configured with
 * MAIL_TRANSPORT=smtp (production has no development outbox), and the same mail served as an
 * outbox list (`outboxUrl`/dev/outbox.json) so the sign-in helpers read codes from it as they do
 * from the development outbox.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  to: string[];
  raw: string;
  at: Date;
}

/** The text part of a simple MIME message: quoted-printable or base64, as nodemailer writes it. */
export function textOf(raw: string): string {
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

export class MailCapture {
  readonly received: ReceivedMail[] = [];
  #smtp: SMTPServer | undefined;
  #outbox: http.Server | undefined;
  smtpUrl = '';
  outboxUrl = '';

  async start(): Promise<this> {
    this.#smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          this.received.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8'), at: new Date() });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => this.#smtp!.listen(0, '127.0.0.1', resolve));
    this.smtpUrl = `smtp://127.0.0.1:${(this.#smtp.server.address() as AddressInfo).port}`;
    this.#outbox = http.createServer((req, res) => {
      if (req.url !== '/dev/outbox.json') return void res.writeHead(404).end();
      const entries = [...this.received].reverse().flatMap((m) => m.to.map((to) => ({ channel: 'mail', to, text: textOf(m.raw), sentAt: m.at.toISOString() })));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(entries));
    });
    await new Promise<void>((resolve) => this.#outbox!.listen(0, '127.0.0.1', resolve));
    this.outboxUrl = `http://127.0.0.1:${(this.#outbox.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => (this.#outbox ? this.#outbox.close(() => resolve()) : resolve()));
    await new Promise<void>((resolve) => (this.#smtp ? this.#smtp.close(() => resolve()) : resolve()));
  }
}
