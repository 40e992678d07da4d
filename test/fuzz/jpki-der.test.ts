// Hostile input to the JPKI library: mutated DER derived from the real J-LIS roots and from
// certificates of the development CA, fed to certificate parsing, the whole verification (profile,
// challenge signature, chain, basic four, revocation) and CRL parsing. Every case must end in a
// typed refusal a client would see as a 4xx (or a pass, when the mutation changed nothing that
// matters), within a time bound; never a TypeError, a RangeError or any untyped failure.
import { readFileSync } from 'node:fs';
import { sign } from 'node:crypto';
import { PassError } from '../../src/core/errors.ts';
import { HTTP_STATUS } from '../../src/http/errors.ts';
import { parseCertificate } from '../../src/jpki/certificate.ts';
import { assertLeafProfile } from '../../src/jpki/certificate-profile.ts';
import { extractBasicFour } from '../../src/jpki/basic-four.ts';
import { createChallenge } from '../../src/jpki/challenge-format.ts';
import { CrlError, parseCrl } from '../../src/jpki/revocation/crl.ts';
import { derBlocks } from '../../src/jpki/pem.ts';
import { parseTrustAnchors } from '../../src/jpki/trust-anchors.ts';
import { authenticationProofOf, signatureProofOf, testCard } from '../helpers/simulated-card-proofs.ts';
import type { DevJpkiCa } from '../../src/jpki/dev-ca.ts';
import { DAY, T0, TARO, createPki, harness, realRootPaths, type Harness, type Pki } from '../jpki/fixtures.ts';
import { fail, fuzz, fuzzPlan, type CaseLog, type Rng } from './fuzz-kit.ts';
import { DER_AWARE, derBitString, derHeaders, derSequence, mutate } from './mutate-bytes.ts';

// Each case is cheap (microseconds to a few ms of RSA): thousands fit well within the time budget.
const plan = fuzzPlan('pass-jpki-1', 12000);
/** Parsing a 2 KB certificate takes microseconds; a case this slow means a pathological input. */
const SLOW_MS = 500;

let pki: Pki;
let h: Harness;
const seeds: { name: string; der: Uint8Array }[] = [];
let signLeaf: Uint8Array;
let authLeaf: Uint8Array;
/** The card's signatures over the two fixed challenges, read once through the APDU sequence. */
let signed: { signature: Uint8Array; authentication: Uint8Array };
let crl: Uint8Array;
const challenge = createChallenge({ purpose: 'identity_proofing', client: 'pass-app', account: 'fuzz', issuedAt: T0 });
const authChallenge = createChallenge({ purpose: 'user_authentication', client: 'kiosk-1', account: '', issuedAt: T0 });
const validity = { notBefore: new Date(T0.getTime() - 30 * DAY), notAfter: new Date(T0.getTime() + 4 * 365 * DAY) };

beforeAll(async () => {
  pki = createPki(1);
  h = harness(pki);
  const key = pki.keys[0]!;
  signLeaf = pki.signCa.issueSignatureCertificate(TARO, { publicKey: key.publicKey, ...validity });
  authLeaf = pki.authCa.issueUserAuthenticationCertificate({ publicKey: key.publicKey, ...validity });
  const card = testCard({
    signature: { privateKey: key.privateKey, certificate: signLeaf, pin: 'FUZZ1234' },
    authentication: { privateKey: key.privateKey, certificate: authLeaf, pin: '1234' },
  });
  signed = {
    signature: (await signatureProofOf(card, challenge, 'FUZZ1234')).signature,
    authentication: (await authenticationProofOf(card, authChallenge, '1234')).signature,
  };
  crl = pki.signCa.issueCrl({ thisUpdate: new Date(T0.getTime() - 3600_000), nextUpdate: new Date(T0.getTime() + DAY), revoked: [{ serialNumber: 12345n }] });
  for (const path of realRootPaths()) seeds.push({ name: path.split('/').at(-1)!, der: derBlocks(readFileSync(path), 'CERTIFICATE')[0]! });
  seeds.push({ name: 'dev-sign-ca', der: pki.signCa.certificateDer }, { name: 'dev-auth-ca', der: pki.authCa.certificateDer });
  seeds.push({ name: 'sign-leaf', der: signLeaf }, { name: 'auth-leaf', der: authLeaf });
}, 60_000);

/** A refusal is fine when it is typed and maps to a 4xx; anything else is a finding. */
function expectRefusal(error: unknown, what: string): void {
  if (error instanceof PassError) {
    const status = HTTP_STATUS[error.code];
    if (status >= 400 && status < 500) return;
    fail(`${what}: ${error.code}/${error.reason} would be a ${status}: ${error.message}`);
  }
  fail(`${what}: untyped ${error instanceof Error ? `${error.name}: ${error.message}\n${error.stack}` : String(error)}`);
}

async function timed<T>(what: string, run: () => T | Promise<T>): Promise<T | undefined> {
  const started = performance.now();
  try {
    return await run();
  } catch (error) {
    expectRefusal(error, what);
    return undefined;
  } finally {
    const ms = performance.now() - started;
    // A pathological input is slow every time; a busy machine (CI's two shared cores) only once.
    if (ms > SLOW_MS) {
      const again = performance.now();
      await Promise.resolve()
        .then(run)
        .catch(() => undefined);
      const retried = performance.now() - again;
      if (retried > SLOW_MS) fail(`${what} took ${Math.round(ms)} ms, then ${Math.round(retried)} ms again (limit ${SLOW_MS})`);
    }
  }
}

/** Mutates the TBS, then signs it again with the CA's key: the chain holds, so the deeper checks run. */
function resigned(rng: Rng, log: CaseLog, leaf: Uint8Array, ca: DevJpkiCa): Uint8Array {
  const [, tbs, alg] = derHeaders(leaf);
  if (!tbs || !alg) return leaf;
  const tbsBytes = leaf.slice(tbs.at, tbs.contentAt + tbs.length);
  const algBytes = leaf.slice(alg.at, alg.contentAt + alg.length);
  const mutated = mutate(rng, tbsBytes, log, DER_AWARE);
  return derSequence([mutated, algBytes, derBitString(new Uint8Array(sign('sha256', mutated, ca.privateKey)))]);
}

test(`mutated DER never escapes as an untyped error (${plan.cases} cases, seed ${plan.seed})`, async () => {
  const stats = { parsed: 0, verified: 0, refused: 0 };
  const result = await fuzz('jpki', plan, async (rng, log) => {
    const target = rng.weighted([
      [3, 'parse'],
      [3, 'verify-signature'],
      [2, 'verify-resigned'],
      [1, 'verify-authentication'],
      [1, 'signature-bytes'],
      [1, 'crl'],
      [1, 'anchor'],
    ] as const);
    log.note(target);
    if (target === 'parse') {
      const seed = rng.pick(seeds);
      log.note(seed.name);
      const der = mutate(rng, seed.der, log, DER_AWARE);
      const cert = await timed('parseCertificate', () => parseCertificate(der));
      if (!cert) return void (stats.refused += 1);
      stats.parsed += 1;
      // Whatever parsed must survive the profile and basic-four readers too.
      await timed('assertLeafProfile', () => assertLeafProfile(cert, 'signature', { allowTestPolicies: true }));
      await timed('extractBasicFour', () => extractBasicFour(cert, { now: T0 }));
    } else if (target === 'verify-signature' || target === 'verify-resigned' || target === 'verify-authentication') {
      const auth = target === 'verify-authentication';
      const leaf = auth ? authLeaf : signLeaf;
      const der = target === 'verify-resigned' ? resigned(rng, log, leaf, pki.signCa) : mutate(rng, leaf, log, DER_AWARE);
      const c = auth ? authChallenge : challenge;
      const signature = auth ? signed.authentication : signed.signature;
      const verified = await timed<unknown>('verify', () =>
        auth ? h.verifier.verifyAuthenticationProof({ certificate: der, signature, challenge: c }) : h.verifier.verifySignatureProof({ certificate: der, signature, challenge: c }),
      );
      // Not re-signed: any changed byte breaks the CA's signature or the structure, so nothing may pass.
      if (verified && target !== 'verify-resigned' && Buffer.compare(der, leaf) !== 0) fail('a certificate changed after signing was accepted');
      if (verified) stats.verified += 1;
      else stats.refused += 1;
    } else if (target === 'signature-bytes') {
      const signature = signed.signature;
      const bad = rng.chance(0.2) ? rng.bytes(rng.pick([0, 1, 255, 257, 512, 1025])) : mutate(rng, signature, log);
      const c = rng.chance(0.3) ? mutate(rng, challenge, log) : challenge;
      const verified = await timed('verify', () => h.verifier.verifySignatureProof({ certificate: signLeaf, signature: bad, challenge: c }));
      const changed = Buffer.compare(bad, signature) !== 0 || Buffer.compare(c, challenge) !== 0;
      if (verified && changed) fail('a changed signature or challenge was accepted');
      stats.refused += verified ? 0 : 1;
    } else if (target === 'crl') {
      const der = mutate(rng, crl, log, DER_AWARE);
      const started = performance.now();
      try {
        parseCrl(der);
      } catch (error) {
        // Operator-configured input: CrlError is the typed refusal (the provider then fails closed).
        if (!(error instanceof CrlError) && !(error instanceof PassError)) fail(`parseCrl: untyped ${(error as Error).name}: ${(error as Error).message}\n${(error as Error).stack}`);
      }
      if (performance.now() - started > SLOW_MS) fail('parseCrl was slow');
    } else {
      const seed = rng.pick(seeds.slice(0, 6));
      const der = mutate(rng, seed.der, log, DER_AWARE);
      const started = performance.now();
      try {
        parseTrustAnchors([{ source: 'fuzz', data: der }]);
      } catch (error) {
        if (!(error instanceof PassError)) fail(`parseTrustAnchors: untyped ${(error as Error).name}: ${(error as Error).message}\n${(error as Error).stack}`);
      }
      if (performance.now() - started > SLOW_MS) fail('parseTrustAnchors was slow');
    }
  });
  // The fuzzer must reach past the parser: some mutations parse, some proofs still verify.
  expect(result.cases).toBe(plan.only === undefined ? plan.cases : 1);
  if (plan.only === undefined) {
    expect(stats.parsed).toBeGreaterThan(plan.cases / 200);
    expect(stats.refused).toBeGreaterThan(plan.cases / 10);
  }
  console.log(`jpki fuzz: ${result.cases} cases in ${result.ms} ms`, stats);
}, 90_000);
