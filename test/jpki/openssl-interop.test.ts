/**
 * Certificates, CRLs and signatures made by the openssl CLI — independently of PASS's builders —
 * must be judged the same way as the development CA's.
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createChallenge } from '../../src/jpki/challenge-format.ts';
import { CachingCrlProvider } from '../../src/jpki/revocation/crl-provider.ts';
import { CrlRevocationChecker } from '../../src/jpki/revocation/crl-revocation-checker.ts';
import { createJpkiVerifier } from '../../src/jpki/verify.ts';
import { decodePem } from '../../src/jpki/pem.ts';
import { loadTrustAnchors } from '../../src/jpki/trust-anchors.ts';
import { REPO_ROOT } from '../helpers/pass.ts';
import { DAY, createPki, reasonOf } from './fixtures.ts';
import type { Pki } from './fixtures.ts';

let pki: Pki;
let dir: string;
beforeAll(() => {
  pki = createPki(0);
  dir = mkdtempSync(join(tmpdir(), 'pass-openssl-'));
  const pem = pki.signCa.toPem();
  writeFileSync(join(dir, 'ca.pem'), pem.certificatePem);
  writeFileSync(join(dir, 'ca.key'), pem.privateKeyPem);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const openssl = (...args: string[]): Buffer => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });

const BASIC_FOUR = [
  'otherName.0 = 1.2.392.200149.8.5.5.4;FORMAT:UTF8,UTF8:118991201',
  'otherName.1 = 1.2.392.200149.8.5.5.1;FORMAT:UTF8,UTF8:作見　ハナ',
  'otherName.2 = 1.2.392.200149.8.5.5.3;FORMAT:UTF8,UTF8:2',
  'otherName.3 = 1.2.392.200149.8.5.5.5;FORMAT:UTF8,UTF8:石川県加賀市作見町ル１番地',
  'otherName.4 = 1.2.392.200149.8.5.5.6;FORMAT:UTF8,UTF8:0000000000000',
  'otherName.5 = 1.2.392.200149.8.5.5.2;FORMAT:UTF8,UTF8:00000',
];

interface LeafSpec {
  name: string;
  bits?: number;
  ext?: string[];
  san?: string[];
  serial: string;
  /** Another issuing CA (file prefix in the work dir) instead of the development CA. */
  ca?: string;
}

/** A self-signed CA made by openssl alone, with the subject given. */
function opensslCa(prefix: string, subject: string): void {
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${prefix}.key`, '-out', `${prefix}.pem`, '-days', '365',
    '-subj', subject, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
}

/** openssl x509 -req signs a leaf with the dev CA's key; openssl dgst signs the challenge. */
function opensslProof(spec: LeafSpec) {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: spec.bits ?? 2048 });
  writeFileSync(join(dir, `${spec.name}.key`), privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const ext = [
    '[v3]',
    ...(spec.ext ?? ['keyUsage = critical, digitalSignature, nonRepudiation', 'certificatePolicies = 1.2.392.200149.8.5.1.0.20']),
    'subjectAltName = @san',
    '[san]',
    ...(spec.san ?? BASIC_FOUR),
  ];
  writeFileSync(join(dir, `${spec.name}.cnf`), `${ext.join('\n')}\n`);
  openssl('req', '-new', '-key', `${spec.name}.key`, '-subj', '/C=JP/L=Ishikawa-ken/L=Kaga-shi/CN=OPENSSL0001', '-out', `${spec.name}.csr`);
  openssl('x509', '-req', '-in', `${spec.name}.csr`, '-CA', `${spec.ca ?? 'ca'}.pem`, '-CAkey', `${spec.ca ?? 'ca'}.key`, '-set_serial', spec.serial, '-days', '30', '-sha256',
    '-extfile', `${spec.name}.cnf`, '-extensions', 'v3', '-outform', 'DER', '-out', `${spec.name}.der`);
  const challenge = createChallenge({ purpose: 'identity_proofing', client: 'pass-app', account: 'acct-9', issuedAt: new Date() });
  writeFileSync(join(dir, `${spec.name}.challenge`), challenge);
  openssl('dgst', '-sha256', '-sign', `${spec.name}.key`, '-out', `${spec.name}.sig`, `${spec.name}.challenge`);
  return {
    certificate: new Uint8Array(readFileSync(join(dir, `${spec.name}.der`))),
    challenge,
    signature: new Uint8Array(readFileSync(join(dir, `${spec.name}.sig`))),
  };
}

/** A CRL made by `openssl ca -gencrl`, revoking the given serials. */
function opensslCrl(revokedSerials: string[]): Uint8Array {
  const index = revokedSerials
    .map((s) => `R\t301231000000Z\t250101000000Z,affiliationChanged\t${s}\tunknown\t/CN=x`)
    .join('\n');
  writeFileSync(join(dir, 'index.txt'), index ? `${index}\n` : '');
  writeFileSync(join(dir, 'crlnumber'), '01\n');
  writeFileSync(join(dir, 'ca.cnf'), [
    '[ca]', 'default_ca = dev', '[dev]', `dir = ${dir}`, 'database = $dir/index.txt', 'crlnumber = $dir/crlnumber',
    'certificate = $dir/ca.pem', 'private_key = $dir/ca.key', 'default_md = sha256', 'default_crl_days = 1', 'crl_extensions = crlext',
    '[crlext]', 'authorityKeyIdentifier = keyid:always',
  ].join('\n'));
  openssl('ca', '-config', 'ca.cnf', '-gencrl', '-out', 'dev.crl');
  return decodePem(readFileSync(join(dir, 'dev.crl'), 'utf8'))[0]!.der;
}

interface VerifierOptions {
  now?: Date;
  allowTestPolicies?: boolean;
  anchors?: Pki['anchors'];
}

function verifier(crl: Uint8Array, options: VerifierOptions = {}) {
  const anchors = options.anchors ?? pki.anchors;
  const issuers = anchors.map((a) => a.certificate);
  const now = options.now ? () => options.now! : undefined;
  const provider = new CachingCrlProvider({ sources: [{ kind: 'bytes', name: 'openssl.crl', data: crl }], issuers, ...(now ? { now } : {}) });
  return createJpkiVerifier({
    trustAnchors: anchors,
    revocation: new CrlRevocationChecker({ provider, maxCrlAgeMs: DAY, ...(now ? { now } : {}) }),
    ...(now ? { now } : {}),
    allowTestPolicies: options.allowTestPolicies ?? true,
  });
}

describe('openssl-built certificates and CRLs', () => {
  test('a valid openssl-built resident certificate is accepted, otherNames in any order', async () => {
    const v = await verifier(opensslCrl([])).verifySignatureProof(opensslProof({ name: 'ok', serial: '0x1001' }));
    expect(v.certificate.serialNumber).toBe('1001');
    expect(v.claims).toEqual({
      name: '作見　ハナ',
      family_name: '作見',
      given_name: 'ハナ',
      birthdate: '1899-12-01',
      gender: 'female',
      address: { formatted: '石川県加賀市作見町ル１番地', country_code: 'JPN' },
    });
  });

  test('revoked through an openssl CRL', async () => {
    const crl = opensslCrl(['1002']);
    expect(await reasonOf(verifier(crl).verifySignatureProof(opensslProof({ name: 'rev', serial: '0x1002' })))).toBe('certificate_revoked');
  });

  test.each([
    ['leaf with CA:TRUE', { ext: ['basicConstraints = critical, CA:TRUE', 'keyUsage = critical, digitalSignature, nonRepudiation', 'certificatePolicies = 1.2.392.200149.8.5.1.0.20'] }, 'leaf_is_ca'],
    ['RSA-1024', { bits: 1024 }, 'weak_key'],
    ['keyUsage without nonRepudiation', { ext: ['keyUsage = critical, digitalSignature', 'certificatePolicies = 1.2.392.200149.8.5.1.0.20'] }, 'wrong_key_usage'],
    ['no policy', { ext: ['keyUsage = critical, digitalSignature, nonRepudiation'] }, 'policy_not_allowed'],
    ['missing date of birth', { san: BASIC_FOUR.filter((l) => !l.includes('5.5.4;')) }, 'missing_basic_four'],
    ['repeated name', { san: [...BASIC_FOUR, 'otherName.6 = 1.2.392.200149.8.5.5.1;FORMAT:UTF8,UTF8:別人　太郎'] }, 'duplicate_basic_four'],
    ['Taisho date in the Meiji era', { san: BASIC_FOUR.map((l) => l.replace('118991201', '218991201')) }, 'invalid_basic_four'],
  ])('%s', async (name, spec, expected) => {
    const input = opensslProof({ name: name.replace(/\W+/g, '-'), serial: '0x2001', ...spec });
    expect(await reasonOf(verifier(opensslCrl([])).verifySignatureProof(input))).toBe(expected);
  });
});

describe('openssl-built proofs that must be refused, each with its own reason', () => {
  const later = (days: number) => new Date(Date.now() + days * DAY);
  let valid: ReturnType<typeof opensslProof>;
  let crl: Uint8Array;
  beforeAll(() => {
    valid = opensslProof({ name: 'base', serial: '0x3001' });
    crl = opensslCrl([]);
  });

  test('a tampered signature', async () => {
    const signature = valid.signature.slice();
    signature[10] = (signature[10] ?? 0) ^ 0xff;
    expect(await reasonOf(verifier(crl).verifySignatureProof({ ...valid, signature }))).toBe('signature_invalid');
  });

  test('a signature over another challenge', async () => {
    const challenge = createChallenge({ purpose: 'identity_proofing', client: 'pass-app', account: 'acct-9', issuedAt: new Date() });
    expect(await reasonOf(verifier(crl).verifySignatureProof({ ...valid, challenge }))).toBe('signature_invalid');
  });

  test('an expired and a not-yet-valid certificate', async () => {
    expect(await reasonOf(verifier(crl, { now: later(40) }).verifySignatureProof(valid))).toBe('certificate_expired');
    expect(await reasonOf(verifier(crl, { now: later(-2) }).verifySignatureProof(valid))).toBe('certificate_not_yet_valid');
  });

  test('a CRL older than the allowed age fails closed', async () => {
    expect(await reasonOf(verifier(crl, { now: later(2) }).verifySignatureProof(valid))).toBe('revocation_unavailable');
  });

  test('an issuer PASS does not trust', async () => {
    opensslCa('other', '/C=JP/O=Other CA/CN=Not JPKI');
    const proof = opensslProof({ name: 'foreign', serial: '0x3002', ca: 'other' });
    expect(await reasonOf(verifier(crl).verifySignatureProof(proof))).toBe('untrusted_chain');
  });

  test('the issuer name of a real JPKI root, signed by another key, under production anchors', async () => {
    opensslCa('fakejlis', '/C=JP/O=JPKI/OU=JPKI for digital signature/OU=Japan Agency for Local Authority Information Systems');
    const proof = opensslProof({ name: 'fake-jlis', serial: '0x3003', ca: 'fakejlis', ext: ['keyUsage = critical, digitalSignature, nonRepudiation', 'certificatePolicies = 1.2.392.200149.8.5.1.1.20'] });
    const roots = ['sign_ca_2015.pem', 'sign_ca_2023.pem'].map((f) => join(REPO_ROOT, '../shared/jpki/roots', f));
    const anchors = loadTrustAnchors(roots, { productionOnly: true });
    expect(await reasonOf(verifier(crl, { anchors, allowTestPolicies: false }).verifySignatureProof(proof))).toBe('untrusted_chain');
  });

  test('a test-policy certificate under production settings', async () => {
    expect(await reasonOf(verifier(crl, { allowTestPolicies: false }).verifySignatureProof(valid))).toBe('test_policy_refused');
  });

  test('truncated DER and oversized input', async () => {
    const truncated = valid.certificate.slice(0, valid.certificate.length - 20);
    expect(await reasonOf(verifier(crl).verifySignatureProof({ ...valid, certificate: truncated }))).toBe('malformed_certificate');
    const oversized = new Uint8Array(1024 * 1024).fill(0x30);
    expect(await reasonOf(verifier(crl).verifySignatureProof({ ...valid, certificate: oversized }))).toBe('input_too_large');
  });
});
