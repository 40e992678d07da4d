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
  openssl('x509', '-req', '-in', `${spec.name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', spec.serial, '-days', '30', '-sha256',
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

function verifier(crl: Uint8Array) {
  const issuers = pki.anchors.map((a) => a.certificate);
  const provider = new CachingCrlProvider({ sources: [{ kind: 'bytes', name: 'openssl.crl', data: crl }], issuers });
  return createJpkiVerifier({
    trustAnchors: pki.anchors,
    revocation: new CrlRevocationChecker({ provider, maxCrlAgeMs: DAY }),
    allowTestPolicies: true,
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
