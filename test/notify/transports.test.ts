import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpSmsTransport } from '../../src/notify/http-sms.ts';
import { Outbox } from '../../src/notify/outbox.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { createStorage, startPass, type TestStorage } from '../helpers/pass.ts';
import { storageModes } from '../helpers/services.ts';

describe('SMS over the HTTP gateway', () => {
  let server: http.Server;
  let url: string;
  const requests: Array<{ auth: string | undefined; body: unknown }> = [];
  let answer = 202;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        requests.push({ auth: req.headers.authorization, body: JSON.parse(body) });
        res.writeHead(answer).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sms`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test('posts the number and text as JSON with the bearer token', async () => {
    await httpSmsTransport(url, 'gateway-secret').send({ to: '+819012345678', text: 'PASS 確認コード: 123456' });
    expect(requests.at(-1)).toEqual({ auth: 'Bearer gateway-secret', body: { to: '+819012345678', text: 'PASS 確認コード: 123456' } });
  });

  test('a refusing or unreachable gateway is a typed "unavailable" error', async () => {
    answer = 500;
    await expect(httpSmsTransport(url, undefined).send({ to: '+819012345678', text: 'x' })).rejects.toMatchObject({ code: 'unavailable', reason: 'sms_gateway_refused' });
    await expect(httpSmsTransport('http://127.0.0.1:9/sms', undefined).send({ to: '+819012345678', text: 'x' })).rejects.toMatchObject({
      code: 'unavailable',
      reason: 'sms_gateway_unreachable',
    });
  });
});

describe('the development outbox', () => {
  test('keeps the newest messages first', async () => {
    const outbox = new Outbox();
    await outbox.mailTransport().send({ to: 'a@example.jp', subject: 's', text: 'one' });
    await outbox.smsTransport().send({ to: '+819000000000', text: 'two' });
    expect(outbox.list().map((m) => [m.channel, m.text])).toEqual([
      ['sms', 'two'],
      ['mail', 'one'],
    ]);
  });

  test('production refuses the outbox transports', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', MAIL_TRANSPORT: 'outbox', SMS_TRANSPORT: 'outbox' }, '/nonexistent')).toThrow(
      /MAIL_TRANSPORT: the outbox is development-only[\s\S]*SMS_TRANSPORT: the outbox is development-only/,
    );
  });

  describe('the outbox page is not served when real transports are configured', () => {
    let storage: TestStorage;
    let pass: Awaited<ReturnType<typeof startPass>>;

    beforeAll(async () => {
      storage = await createStorage(storageModes().at(-1)!);
      pass = await startPass({ ...storage.env, MAIL_TRANSPORT: 'smtp', SMTP_URL: 'smtp://127.0.0.1:9', SMS_TRANSPORT: 'http', SMS_GATEWAY_URL: 'http://127.0.0.1:9/sms' });
    });

    afterAll(async () => {
      await pass?.close();
      await storage?.cleanup();
    });

    test('/dev/outbox answers 404', async () => {
      expect((await fetch(`${pass.issuer}/dev/outbox`)).status).toBe(404);
      expect((await fetch(`${pass.issuer}/dev/outbox.json`)).status).toBe(404);
    });
  });
});
