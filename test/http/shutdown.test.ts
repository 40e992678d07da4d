import net from 'node:net';
import { createStorage, startPass } from '../helpers/pass.ts';

/** Resolves when a connection to the port is refused: the server has stopped listening. */
async function refused(port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = net.connect(port, '127.0.0.1');
    probe.once('connect', () => (probe.destroy(), reject(new Error('the server still accepts connections'))));
    probe.once('error', () => resolve());
  });
}

test('shutdown lets a request in flight finish, then refuses new connections', async () => {
  const storage = await createStorage('embedded');
  const pass = await startPass(storage.env);
  const { port } = new URL(pass.issuer);
  try {
    const body = 'grant_type=client_credentials&client_id=nobody';
    const socket = net.connect(Number(port), '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    let response = '';
    socket.on('data', (d: Buffer) => (response += d.toString()));
    const ended = new Promise((r) => socket.once('close', r));
    const requestStarted = new Promise((r) => pass.server.once('request', r));
    // Half a request is on the wire when shutdown starts…
    socket.write(`POST /token HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 10)}`);
    await requestStarted;
    const closing = pass.close();
    await refused(Number(port));
    // …and the rest arrives after it: the request is still answered in full.
    socket.write(body.slice(10));
    await ended;
    expect(response).toMatch(/^HTTP\/1\.1 401 /);
    expect(response).toContain('invalid_client');
    await closing;
    await expect(fetch(`${pass.issuer}/healthz`)).rejects.toThrow();
  } finally {
    await pass.close();
    await storage.cleanup();
  }
});

test('errors never leak a stack trace; every response carries a request id and strict headers', async () => {
  const storage = await createStorage('embedded');
  const pass = await startPass(storage.env);
  try {
    const response = await fetch(`${pass.issuer}/token`, { method: 'POST', body: 'grant_type=%ZZ', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    const text = await response.text();
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(text).not.toMatch(/\bat .+\.(ts|js):\d+/);
    const health = await fetch(`${pass.issuer}/healthz`, { headers: { 'x-request-id': 'trace-1234567890' } });
    expect(health.headers.get('x-request-id')).toBe('trace-1234567890');
    expect(health.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(health.headers.get('x-content-type-options')).toBe('nosniff');
  } finally {
    await pass.close();
    await storage.cleanup();
  }
});
