import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { sign } from 'node:crypto';
import { parseDer, DerError } from '../../src/jpki/der.ts';
import { parseCertificate } from '../../src/jpki/certificate.ts';
import { encodePem } from '../../src/jpki/pem.ts';
import { createChallenge } from '../../src/jpki/challenge-format.ts';
import { cardSignature } from '../helpers/simulated-card-proofs.ts';
import { DAY, T0, TARO, createPki, harness, reasonOf } from './fixtures.ts';
import type { Pki } from './fixtures.ts';

let pki: Pki;
let der: Uint8Array;
beforeAll(() => {
  pki = createPki(1);
  der = pki.signCa.issueSignatureCertificate(TARO, {
    publicKey: pki.keys[0]!.publicKey,
    notBefore: new Date(T0.getTime() - DAY),
    notAfter: new Date(T0.getTime() + 365 * DAY),
  });
});

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);
const concat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(Buffer.concat(parts));

function reason(input: Uint8Array): string {
  try {
    parseCertificate(input);
    return 'ok';
  } catch (err) {
    return (err as { reason: string }).reason;
  }
}

describe('strict DER reader', () => {
  test.each([
    ['indefinite length', bytes(0x30, 0x80, 0x02, 0x01, 0x01, 0x00, 0x00)],
    ['non-minimal long length', bytes(0x30, 0x81, 0x03, 0x02, 0x01, 0x01)],
    ['length with leading zero', bytes(0x30, 0x82, 0x00, 0x03, 0x02, 0x01, 0x01)],
    ['constructed OCTET STRING (BER)', bytes(0x24, 0x03, 0x04, 0x01, 0x41)],
    ['non-minimal INTEGER', bytes(0x02, 0x02, 0x00, 0x01)],
    ['BOOLEAN other than 00/FF', bytes(0x01, 0x01, 0x01)],
    ['BIT STRING with non-zero padding', bytes(0x03, 0x02, 0x01, 0x01)],
    ['UTCTime without seconds', Uint8Array.from(Buffer.from('\x17\x0b2604010000Z', 'latin1'))],
    ['unsorted SET OF', bytes(0x31, 0x06, 0x02, 0x01, 0x02, 0x02, 0x01, 0x01)],
    ['trailing bytes', bytes(0x05, 0x00, 0x00)],
    ['truncated value', bytes(0x04, 0x05, 0x41)],
    ['invalid UTF8String', bytes(0x0c, 0x02, 0xc3, 0x28)],
    ['end-of-contents at top level', bytes(0x00, 0x00)],
  ])('refuses %s', (_name, input) => {
    expect(() => parseDer(input)).toThrow(DerError);
  });

  test('accepts canonical encodings', () => {
    expect(parseDer(bytes(0x31, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02)).tagNumber).toBe(17);
    expect(parseDer(bytes(0x02, 0x02, 0x00, 0x80)).content.length).toBe(2);
  });

  test('enforces the size limit', () => {
    expect(() => parseDer(new Uint8Array(100), { maxBytes: 10 })).toThrow('input too large');
  });
});

describe('malformed leaf certificates', () => {
  test('the untouched certificate parses', () => {
    expect(reason(der)).toBe('ok');
  });

  test('truncated at several points', () => {
    for (const cut of [1, 4, 100, der.length - 1]) expect(reason(der.subarray(0, cut))).toBe('malformed_certificate');
  });

  test('trailing garbage', () => {
    expect(reason(concat(der, bytes(0x00)))).toBe('malformed_certificate');
    expect(reason(concat(der, der))).toBe('malformed_certificate');
  });

  test('BER indefinite-length outer SEQUENCE', () => {
    expect(der[0]).toBe(0x30);
    expect(der[1]).toBe(0x82);
    const ber = concat(bytes(0x30, 0x80), der.subarray(4), bytes(0, 0));
    expect(reason(ber)).toBe('malformed_certificate');
  });

  test('non-minimal outer length', () => {
    expect(reason(concat(bytes(0x30, 0x83, 0x00), der.subarray(2)))).toBe('malformed_certificate');
  });

  test('BER BOOLEAN in the critical flag', () => {
    const i = Buffer.from(der).indexOf(Buffer.from([0x01, 0x01, 0xff]));
    expect(i).toBeGreaterThan(0);
    const bad = der.slice();
    bad[i + 2] = 0x01;
    expect(reason(bad)).toBe('malformed_certificate');
  });

  test('PEM text, empty input and random bytes', () => {
    expect(reason(new TextEncoder().encode(encodePem('CERTIFICATE', der)))).toBe('malformed_certificate');
    expect(reason(new Uint8Array())).toBe('malformed_certificate');
    expect(reason(Uint8Array.from({ length: 600 }, (_, i) => (i * 37) & 0xff))).toBe('malformed_certificate');
  });

  test('v1 certificate (no version, no extensions), correctly signed', () => {
    const cert = pkijs.Certificate.fromBER(der);
    cert.version = 0;
    delete (cert as { extensions?: unknown }).extensions;
    const tbs = new Uint8Array((cert.toSchema(true) as asn1js.Sequence).valueBlock.value[0]!.toBER(false));
    cert.tbsView = tbs;
    cert.signatureValue = new asn1js.BitString({ valueHex: new Uint8Array(sign('sha256', tbs, pki.signCa.privateKey)) });
    const v1 = new Uint8Array(cert.toSchema().toBER(false));
    expect(v1[4]).not.toBe(0xa0);
    expect(reason(v1)).toBe('malformed_certificate');
  });

  test('through the verifier: oversized input and garbage get their own reasons', async () => {
    const { verifier } = harness(pki);
    const key = pki.keys[0]!;
    const challenge = createChallenge({ purpose: 'identity_proofing', client: 'c', account: 'a', issuedAt: T0 });
    const signature = await cardSignature({ privateKey: key.privateKey, certificate: der }, challenge);
    expect(await reasonOf(verifier.verifySignatureProof({ certificate: der, challenge, signature }))).toBe('ok');
    expect(await reasonOf(verifier.verifySignatureProof({ certificate: new Uint8Array(100_000), challenge, signature }))).toBe('input_too_large');
    expect(await reasonOf(verifier.verifySignatureProof({ certificate: der.subarray(0, 500), challenge, signature }))).toBe('malformed_certificate');
    expect(await reasonOf(verifier.verifySignatureProof({ certificate: der, challenge, signature: new Uint8Array(5000) }))).toBe('input_too_large');
  });
});
