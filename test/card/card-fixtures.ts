/**
 * Shared setup for the card tests: the development JPKI CAs and text-AP issuer key (as the
 * installation's dev-pki.ts holds them), PASS's real JPKI verifier wired to those CAs with their
 * CRLs, a JPEG 2000 card photo made from a face in ../shared/faces, and simulated cards.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { ApduChannel, type ApduChannelOptions } from '../../src/card/index.ts';
import { issueSimulatedCard, type IssuedSimulatedCard, type SimulatedCardIssuers, type SimulatedCardSpec } from '../../src/card/simulator/index.ts';
import { DEV_TEXT_AP_KEY_ID } from '../../src/households/text-ap/dev-card.ts';
import { DevJpkiCa } from '../../src/jpki/dev-ca.ts';
import { CachingCrlProvider } from '../../src/jpki/revocation/crl-provider.ts';
import { CrlRevocationChecker } from '../../src/jpki/revocation/crl-revocation-checker.ts';
import { parseTrustAnchors } from '../../src/jpki/trust-anchors.ts';
import { createJpkiVerifier, type JpkiVerifier } from '../../src/jpki/verify.ts';
// The JPKI tests' resident: the cards here carry the same facts the verifier tests check.
import { TARO } from '../jpki/fixtures.ts';

const REPO_ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
const FACE = path.resolve(REPO_ROOT, '../shared/faces/obama/1.jpg');

export interface Pki {
  issuers: SimulatedCardIssuers;
  textApIssuerPublicKey: KeyObject;
  verifier: JpkiVerifier;
}

/** The development CAs and text-AP issuer, and a verifier that trusts exactly them. */
export function createPki(): Pki {
  const signature = DevJpkiCa.create({ kind: 'signature', now: new Date(Date.now() - 86_400_000) });
  const authentication = DevJpkiCa.create({ kind: 'user_authentication', now: new Date(Date.now() - 86_400_000) });
  const textAp = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 65537 });
  const anchors = parseTrustAnchors([
    { source: 'dev-sign', data: signature.certificateDer },
    { source: 'dev-auth', data: authentication.certificateDer },
  ]);
  const crl = (ca: DevJpkiCa) => ca.issueCrl({ thisUpdate: new Date(Date.now() - 60_000), nextUpdate: new Date(Date.now() + 86_400_000) });
  const provider = new CachingCrlProvider({
    sources: [
      { kind: 'bytes', name: 'sign.crl', data: crl(signature) },
      { kind: 'bytes', name: 'auth.crl', data: crl(authentication) },
    ],
    issuers: anchors.map((a) => a.certificate),
  });
  const verifier = createJpkiVerifier({
    trustAnchors: anchors,
    revocation: new CrlRevocationChecker({ provider, maxCrlAgeMs: 86_400_000 }),
    allowTestPolicies: true,
  });
  return {
    issuers: { cas: { signature, authentication }, textAp: { keyId: DEV_TEXT_AP_KEY_ID, privateKey: textAp.privateKey } },
    textApIssuerPublicKey: textAp.publicKey,
    verifier,
  };
}

export interface CardPhoto {
  /** The JPEG 2000 codestream as the card holds it. */
  j2k: Uint8Array;
  /** The greyscale pixels it encodes (lossless), to compare after decoding. */
  pixels: Uint8Array;
  width: number;
  height: number;
}

interface OpenJpeg {
  J2KEncoder: new () => {
    getDecodedBuffer(info: { width: number; height: number; bitsPerSample: number; componentCount: number; isSigned: boolean }): Uint8Array;
    encode(): void;
    getEncodedBuffer(): Uint8Array;
  };
  J2KDecoder: new () => {
    getEncodedBuffer(length: number): Uint8Array;
    decode(): void;
    getDecodedBuffer(): Uint8Array;
    getFrameInfo(): { width: number; height: number; componentCount: number; bitsPerSample: number };
  };
}

let openJpeg: Promise<OpenJpeg> | undefined;

/** OpenJPEG in WebAssembly (@cornerstonejs/codec-openjpeg), quiet. */
export function loadOpenJpeg(): Promise<OpenJpeg> {
  const require = createRequire(import.meta.url);
  const factory = require('@cornerstonejs/codec-openjpeg/wasmjs') as (options: object) => Promise<OpenJpeg>;
  openJpeg ??= factory({ print: () => {}, printErr: () => {} });
  return openJpeg;
}

let photo: Promise<CardPhoto> | undefined;

/**
 * A card-sized greyscale face photo encoded losslessly as a JPEG 2000 codestream, from
 * ../shared/faces (the repo ships no photos); a synthetic gradient if that folder is absent.
 */
export function cardPhoto(): Promise<CardPhoto> {
  photo ??= (async () => {
    const width = 144;
    const height = 180;
    const pixels = existsSync(FACE)
      ? new Uint8Array(await sharp(FACE).resize(width, height, { fit: 'cover' }).greyscale().raw().toBuffer())
      : Uint8Array.from({ length: width * height }, (_, i) => (i * 7) & 0xff);
    const codec = await loadOpenJpeg();
    const encoder = new codec.J2KEncoder();
    encoder.getDecodedBuffer({ width, height, bitsPerSample: 8, componentCount: 1, isSigned: false }).set(pixels);
    encoder.encode();
    return { j2k: encoder.getEncodedBuffer().slice(), pixels, width, height };
  })();
  return photo;
}

export async function decodeJ2k(j2k: Uint8Array): Promise<{ pixels: Uint8Array; width: number; height: number }> {
  const codec = await loadOpenJpeg();
  const decoder = new codec.J2KDecoder();
  decoder.getEncodedBuffer(j2k.length).set(j2k);
  decoder.decode();
  const info = decoder.getFrameInfo();
  return { pixels: new Uint8Array(decoder.getDecodedBuffer()), width: info.width, height: info.height };
}

export async function issueCard(pki: Pki, spec: Partial<SimulatedCardSpec> = {}): Promise<IssuedSimulatedCard> {
  return issueSimulatedCard(pki.issuers, { resident: TARO, photo: (await cardPhoto()).j2k, ...spec });
}

export function channelTo(card: IssuedSimulatedCard['card'], options: ApduChannelOptions = {}): ApduChannel {
  return new ApduChannel(card, { timeoutMs: 2000, ...options });
}

export const challenge = (text = 'PASS-JPKI-CHALLENGE/1\npurpose=user_authentication\nnonce=test') => new TextEncoder().encode(text);

/** The error's card reason, or 'ok'. */
export async function reasonOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (error) {
    const reason = (error as { reason?: unknown }).reason;
    if (typeof reason === 'string') return reason;
    throw error;
  }
}
