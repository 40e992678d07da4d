import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigurationError } from '../../src/core/errors.ts';
import { DevJpkiCa } from '../../src/jpki/dev-ca.ts';
import {
  assertProductionTrustAnchors,
  loadTrustAnchors,
  parseTrustAnchors,
} from '../../src/jpki/trust-anchors.ts';
import { T0, TARO, createPki, realRootPaths } from './fixtures.ts';
import type { Pki } from './fixtures.ts';

let pki: Pki;
let dir: string;
beforeAll(() => {
  pki = createPki(1);
  dir = mkdtempSync(join(tmpdir(), 'pass-anchors-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('real J-LIS roots', () => {
  test('all four load as production anchors with the J-LIS profile', () => {
    const anchors = loadTrustAnchors(realRootPaths(), { productionOnly: true });
    expect(anchors).toHaveLength(4);
    const byFile = Object.fromEntries(anchors.map((a) => [a.source.split('/').pop(), a]));
    expect(byFile['sign_ca_2023.pem']).toMatchObject({
      kind: 'signature',
      environment: 'production',
      sha256: 'd227f6cde11d35c5252178f106f843d24651944975413b539fa2fb68dbfa365f',
      name: 'OU=Japan Agency for Local Authority Information Systems,OU=JPKI for digital signature,O=JPKI,C=JP',
    });
    expect(byFile['sign_ca_2015.pem']!.sha256).toBe('19645405a1fe14377434bd55957628ac4038557c542403a2243f21c706fc9355');
    expect(byFile['auth_ca_2023.pem']!.kind).toBe('user_authentication');
    expect(byFile['auth_ca_2015.pem']!.kind).toBe('user_authentication');
    for (const a of anchors) {
      const c = a.certificate;
      expect(c.extensions.basicConstraints).toEqual({ ca: true, pathLength: undefined });
      expect([...c.extensions.keyUsage!].sort()).toEqual(['cRLSign', 'keyCertSign']);
      expect(c.publicKeyInfo).toEqual({ algorithm: '1.2.840.113549.1.1.1', modulusBits: 2048, exponent: 65537n });
      expect(c.extensions.crlDistributionPoints.directoryNames[0]).toEqual(c.subject.der);
      expect(c.subject.rdns.map((r) => r[0]!.value)).toEqual(['JP', 'JPKI', expect.stringMatching(/^JPKI for /), 'Japan Agency for Local Authority Information Systems']);
    }
    expect(byFile['sign_ca_2023.pem']!.certificate.serialNumber).toBe('067C6A21');
    expect(byFile['sign_ca_2023.pem']!.certificate.notAfter.toISOString()).toBe('2033-07-15T14:59:59.000Z');
    expect(() => assertProductionTrustAnchors(anchors)).not.toThrow();
  });
});

describe('development and foreign anchors', () => {
  test('the dev CA is told apart from production and refused in production mode', () => {
    const path = join(dir, 'dev.pem');
    writeFileSync(path, pki.signCa.toPem().certificatePem);
    const [dev] = loadTrustAnchors([path]);
    expect(dev).toMatchObject({ kind: 'signature', environment: 'development' });
    expect(() => assertProductionTrustAnchors([dev!])).toThrow(ConfigurationError);
    expect(() => loadTrustAnchors([path, ...realRootPaths()], { productionOnly: true })).toThrow(/development anchor refused/);
  });

  test('a root carrying the J-LIS name but another key is refused', () => {
    const fake = DevJpkiCa.create({
      keyPair: pki.keys[0]!,
      subject: [['C', 'JP'], ['O', 'JPKI'], ['OU', 'JPKI for digital signature'], ['OU', 'Japan Agency for Local Authority Information Systems']],
    });
    expect(() => parseTrustAnchors([{ source: 'fake', data: fake.certificateDer }])).toThrow(/not a pinned J-LIS root/);
  });

  test('a leaf certificate is not an anchor; all problems are reported together', () => {
    const leaf = pki.signCa.issueSignatureCertificate(TARO, { publicKey: pki.keys[0]!.publicKey });
    try {
      parseTrustAnchors([
        { source: 'leaf', data: leaf },
        { source: 'empty', data: '' },
      ]);
      throw new Error('expected a ConfigurationError');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigurationError);
      expect((err as ConfigurationError).problems).toEqual([
        expect.stringMatching(/^trust anchor leaf: not a CA certificate/),
        'trust anchor empty: no certificate found',
      ]);
    }
  });

  test('unreadable paths are configuration errors', () => {
    expect(() => loadTrustAnchors([join(dir, 'missing.pem')])).toThrow(ConfigurationError);
  });
});

describe('dev CA persistence', () => {
  test('loadOrCreate saves PEM once and loads the same CA afterwards', () => {
    const caDir = join(dir, 'ca');
    const a = DevJpkiCa.loadOrCreate(caDir, { kind: 'user_authentication', now: T0 });
    const b = DevJpkiCa.loadOrCreate(caDir, { kind: 'user_authentication' });
    expect(Buffer.from(b.certificateDer)).toEqual(Buffer.from(a.certificateDer));
    expect(b.kind).toBe('user_authentication');
    expect(readFileSync(join(caDir, 'user_authentication-ca.key.pem'), 'utf8')).toContain('BEGIN PRIVATE KEY');
    // The loaded CA still issues certificates that chain to the saved root.
    const [anchor] = parseTrustAnchors([{ source: 'saved', data: readFileSync(join(caDir, 'user_authentication-ca.crt.pem')) }]);
    expect(anchor!.environment).toBe('development');
    expect(b.name).toEqual(a.name);
  });
});
