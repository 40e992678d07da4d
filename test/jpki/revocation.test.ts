import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCertificate } from '../../src/jpki/certificate.ts';
import type { JpkiCertificate } from '../../src/jpki/certificate.ts';
import { encodePem } from '../../src/jpki/pem.ts';
import { CachingCrlProvider } from '../../src/jpki/revocation/crl-provider.ts';
import type { CrlSource } from '../../src/jpki/revocation/crl-provider.ts';
import { CrlRevocationChecker } from '../../src/jpki/revocation/crl-revocation-checker.ts';
import { parseCrl, CrlError } from '../../src/jpki/revocation/crl.ts';
import { DAY, HOUR, T0, TARO, createPki, reasonOf } from './fixtures.ts';
import type { Pki } from './fixtures.ts';

let pki: Pki;
let leaf: JpkiCertificate;
let issuer: JpkiCertificate;
let dir: string;
let server: Server;
let baseUrl: string;
const served = new Map<string, { status: number; body: string | Uint8Array }>();

beforeAll(async () => {
  pki = createPki(1);
  leaf = parseCertificate(
    pki.signCa.issueSignatureCertificate(TARO, {
      publicKey: pki.keys[0]!.publicKey,
      notBefore: new Date(T0.getTime() - DAY),
      notAfter: new Date(T0.getTime() + 365 * DAY),
    }),
  );
  issuer = pki.anchors.find((a) => a.kind === 'signature')!.certificate;
  dir = mkdtempSync(join(tmpdir(), 'pass-crl-'));
  server = createServer((req, res) => {
    const r = served.get(req.url ?? '');
    res.statusCode = r?.status ?? 404;
    res.end(r ? Buffer.from(r.body) : 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await new Promise((resolve) => server.close(resolve));
});

function setup(sources: CrlSource[], opts: { maxCrlAgeMs?: number; nextUpdateGraceMs?: number; refreshIntervalMs?: number } = {}) {
  const now = { value: T0 };
  const provider = new CachingCrlProvider({
    sources,
    issuers: pki.anchors.map((a) => a.certificate),
    now: () => now.value,
    retryIntervalMs: 0,
    ...(opts.refreshIntervalMs ? { refreshIntervalMs: opts.refreshIntervalMs } : {}),
  });
  const checker = new CrlRevocationChecker({
    provider,
    maxCrlAgeMs: opts.maxCrlAgeMs ?? 2 * DAY,
    now: () => now.value,
    ...(opts.nextUpdateGraceMs !== undefined ? { nextUpdateGraceMs: opts.nextUpdateGraceMs } : {}),
  });
  return { now, provider, checker };
}

const crl = (o: Parameters<Pki['signCa']['issueCrl']>[0] = {}) =>
  pki.signCa.issueCrl({ thisUpdate: new Date(T0.getTime() - HOUR), nextUpdate: new Date(T0.getTime() + DAY), ...o });

const revokeLeaf = { revoked: [{ serialNumber: '01' }, { serialNumber: BigInt(`0x${'AB'.repeat(8)}`), reason: 'superseded' as const }] };

describe('CRL parsing', () => {
  test('reads entries, reasons, numbers and the partition', () => {
    const parsed = parseCrl(
      crl({ revoked: [{ serialNumber: leaf.serialNumber, reason: 'keyCompromise' }], crlNumber: 42n, scope: { prefecture: 'Ishikawa-ken', municipality: 'Kaga-shi' } }),
    );
    expect(parsed.revoked.get(leaf.serialNumber)?.reason).toBe('keyCompromise');
    expect(parsed.crlNumber).toBe(42n);
    expect(parsed.scope).toHaveLength(1);
  });

  test('refuses trailing bytes and truncation', () => {
    const der = crl();
    expect(() => parseCrl(Uint8Array.from([...der, 0]))).toThrow(CrlError);
    expect(() => parseCrl(der.subarray(0, der.length - 3))).toThrow(CrlError);
  });
});

describe('CrlRevocationChecker', () => {
  test('good and revoked, from a file', async () => {
    const path = join(dir, 'good.crl');
    writeFileSync(path, crl(revokeLeaf));
    const { checker } = setup([{ kind: 'file', path }]);
    await expect(checker.check(leaf, issuer)).resolves.toMatchObject({ status: 'good', method: 'crl', source: path, checkedAt: T0 });

    const path2 = join(dir, 'revoked.crl');
    writeFileSync(path2, crl({ revoked: [{ serialNumber: leaf.serialNumber, reason: 'affiliationChanged', revokedAt: new Date(T0.getTime() - 2 * HOUR) }] }));
    const r = await setup([{ kind: 'file', path: path2 }]).checker.check(leaf, issuer);
    expect(r).toMatchObject({ status: 'revoked', reason: 'affiliationChanged', revokedAt: new Date(T0.getTime() - 2 * HOUR) });
  });

  test('from a URL, PEM or DER', async () => {
    served.set('/sign.crl', { status: 200, body: encodePem('X509 CRL', crl({ revoked: [{ serialNumber: leaf.serialNumber }] })) });
    const { checker } = setup([{ kind: 'url', url: `${baseUrl}/sign.crl` }]);
    await expect(checker.check(leaf, issuer)).resolves.toMatchObject({ status: 'revoked', source: `${baseUrl}/sign.crl` });
  });

  test('no CRL loadable (missing file, HTTP 404, garbage) fails closed', async () => {
    served.set('/garbage.crl', { status: 200, body: 'hello' });
    for (const source of [
      { kind: 'file', path: join(dir, 'absent.crl') },
      { kind: 'url', url: `${baseUrl}/absent.crl` },
      { kind: 'url', url: `${baseUrl}/garbage.crl` },
    ] as CrlSource[]) {
      const { checker, provider } = setup([source]);
      expect(await reasonOf(checker.check(leaf, issuer))).toBe('revocation_unavailable');
      expect(provider.status()[0]!.lastError).toBeTruthy();
    }
  });

  test('CRL older than the configured maximum age fails closed', async () => {
    const { checker, now } = setup([{ kind: 'bytes', name: 'old', data: crl({ nextUpdate: new Date(T0.getTime() + 30 * DAY) }) }], { maxCrlAgeMs: 12 * HOUR });
    expect(await reasonOf(checker.check(leaf, issuer))).toBe('ok');
    now.value = new Date(T0.getTime() + 12 * HOUR);
    expect(await reasonOf(checker.check(leaf, issuer))).toBe('revocation_unavailable');
  });

  test('CRL past nextUpdate fails closed unless a grace period is configured', async () => {
    const source: CrlSource = { kind: 'bytes', name: 'n', data: crl({ nextUpdate: new Date(T0.getTime() + HOUR) }) };
    const strict = setup([source]);
    strict.now.value = new Date(T0.getTime() + 2 * HOUR);
    expect(await reasonOf(strict.checker.check(leaf, issuer))).toBe('revocation_unavailable');
    const lenient = setup([source], { nextUpdateGraceMs: 6 * HOUR });
    lenient.now.value = new Date(T0.getTime() + 2 * HOUR);
    expect(await reasonOf(lenient.checker.check(leaf, issuer))).toBe('ok');
  });

  test('CRL with a bad signature is refused; so is one from another CA', async () => {
    const bad = crl();
    bad[bad.length - 5]! ^= 0xff;
    const a = setup([{ kind: 'bytes', name: 'bad', data: bad }]);
    expect(await reasonOf(a.checker.check(leaf, issuer))).toBe('revocation_unavailable');
    expect(a.provider.status()[0]!.lastError).toMatch(/signature/);

    const foreign = pki.otherCa.issueCrl({ thisUpdate: new Date(T0.getTime() - HOUR) });
    const b = setup([{ kind: 'bytes', name: 'foreign', data: foreign }]);
    expect(await reasonOf(b.checker.check(leaf, issuer))).toBe('revocation_unavailable');
  });

  test('refreshes when nextUpdate passes and picks up a new revocation', async () => {
    const path = join(dir, 'rolling.crl');
    writeFileSync(path, crl({ nextUpdate: new Date(T0.getTime() + HOUR) }));
    const { checker, now } = setup([{ kind: 'file', path }]);
    expect((await checker.check(leaf, issuer)).status).toBe('good');
    writeFileSync(path, crl({ thisUpdate: new Date(T0.getTime() + HOUR), nextUpdate: new Date(T0.getTime() + DAY), revoked: [{ serialNumber: leaf.serialNumber }] }));
    now.value = new Date(T0.getTime() + 30 * 60_000);
    expect((await checker.check(leaf, issuer)).status).toBe('good'); // cached: not due yet
    now.value = new Date(T0.getTime() + HOUR + 1000);
    expect((await checker.check(leaf, issuer)).status).toBe('revoked');
  });

  test('refreshes on the configured interval too', async () => {
    const path = join(dir, 'interval.crl');
    writeFileSync(path, crl());
    const { checker, now } = setup([{ kind: 'file', path }], { refreshIntervalMs: 10 * 60_000 });
    expect((await checker.check(leaf, issuer)).status).toBe('good');
    writeFileSync(path, crl({ thisUpdate: T0, revoked: [{ serialNumber: leaf.serialNumber }] }));
    now.value = new Date(T0.getTime() + 11 * 60_000);
    expect((await checker.check(leaf, issuer)).status).toBe('revoked');
  });

  test('a failed refresh keeps the previous good CRL; an older CRL never replaces a newer one', async () => {
    const path = join(dir, 'keep.crl');
    writeFileSync(path, crl({ revoked: [{ serialNumber: leaf.serialNumber }] }));
    const { checker, provider } = setup([{ kind: 'file', path }]);
    expect((await checker.check(leaf, issuer)).status).toBe('revoked');
    writeFileSync(path, 'broken');
    await provider.refresh();
    expect((await checker.check(leaf, issuer)).status).toBe('revoked');
    writeFileSync(path, crl({ thisUpdate: new Date(T0.getTime() - 10 * HOUR) }));
    await provider.refresh();
    expect(provider.status()[0]!.lastError).toMatch(/older/);
    expect((await checker.check(leaf, issuer)).status).toBe('revoked');
  });

  test('a partitioned CRL covers only its municipality', async () => {
    const other = setup([{ kind: 'bytes', name: 'sakai', data: crl({ scope: { prefecture: 'Fukui-ken', municipality: 'Sakai-shi' } }) }]);
    expect(await reasonOf(other.checker.check(leaf, issuer))).toBe('revocation_unavailable');
    const own = setup([
      { kind: 'bytes', name: 'sakai', data: crl({ scope: { prefecture: 'Fukui-ken', municipality: 'Sakai-shi' } }) },
      { kind: 'bytes', name: 'kaga', data: crl({ scope: { prefecture: 'Ishikawa-ken', municipality: 'Kaga-shi' }, revoked: [{ serialNumber: leaf.serialNumber }] }) },
    ]);
    await expect(own.checker.check(leaf, issuer)).resolves.toMatchObject({ status: 'revoked', source: 'kaga' });
  });

  test('a maximum age is required', () => {
    expect(() => new CrlRevocationChecker({ provider: setup([]).provider, maxCrlAgeMs: 0 })).toThrow();
  });
});
