/**
 * Issues a simulated My Number Card the way a municipal counter would, from PASS's development
 * keys: the JPKI-AP's two key pairs and certificates from the development JPKI CA (the same
 * issuance as src/identity/proofing/dev-cards.ts: one validity start, one serial number for both,
 * so card-pair.ts reads them as one card's), the 券面事項入力補助AP's files signed with the
 * development text-AP issuer key (text-ap-files.ts), and the 券面AP's surface record around a
 * caller-supplied JPEG 2000 photo. PIN rules and retry counts are JPKI.md §1.1's: signature password
 * 6–16 capital letters and digits, 5 tries; user-authentication PIN 4 digits, 3 tries; the text AP's
 * 4-digit PIN 3 tries (the count is not in JPKI.md; 3 is what the municipal pages and the issue
 * state). The 券面AP's verification numbers' counts are UNCONFIRMED; 3 here.
 * Development and tests only: production refuses the development CA and issuer key.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { generateRsaKeyPair, type ResidentFacts } from '../../jpki/dev-ca.ts';
import { parseCertificate } from '../../jpki/certificate.ts';
import type { DevelopmentCas } from '../../identity/proofing/dev-pki.ts';
import { JPKI_AID, JPKI_EF } from '../jpki-ap.ts';
import { SURFACE_AP_AID, SURFACE_AP_EF } from '../surface-ap.ts';
import { TEXT_AP_AID, TEXT_AP_EF } from '../text-ap.ts';
import { application, secret, type SimulatedApplication } from './card-file-system.ts';
import { SimulatedCard, type SimulatedCardBehaviour } from './simulated-card.ts';
import { buildSurfaceRecord } from './surface-files.ts';
import { buildTextApFiles, type TextApIssuerKey } from './text-ap-files.ts';

export const SIGNATURE_PASSWORD_TRIES = 5;
export const AUTHENTICATION_PIN_TRIES = 3;
export const TEXT_AP_PIN_TRIES = 3;
export const VERIFICATION_CODE_TRIES = 3;

export const DEFAULT_SIGNATURE_PASSWORD = 'PASS1234';
export const DEFAULT_PIN = '1234';

/** The surface record must fit what READ BINARY can address (15-bit offsets), with room for the other fields. */
export const MAX_PHOTO_BYTES = 30_000;

export interface SimulatedCardIssuers {
  /** The development JPKI CAs (dev-pki.ts `loadDevelopmentCas`, or DevJpkiCa.create in tests). */
  cas: DevelopmentCas;
  /** The development text-AP issuer key (households/text-ap/dev-card.ts `loadDevTextApIssuer`). */
  textAp: TextApIssuerKey;
}

export interface SimulatedCardSpec {
  resident: ResidentFacts;
  /** The face photo, JPEG 2000 (JP2 or J2K); opaque to the simulator. */
  photo: Uint8Array;
  signaturePassword?: string;
  authenticationPin?: string;
  textApPin?: string;
  /** 12 digits; a random one with a valid check digit when absent. */
  myNumber?: string;
  /** The 4-digit security code printed on the card face. */
  securityCode?: string;
  /** The card's expiry, ISO date. */
  cardExpiry?: string;
  notBefore?: Date;
  notAfter?: Date;
  /** A card of a child under 15: no signature certificate, key or password. */
  withoutSignatureCertificate?: boolean;
  behaviour?: SimulatedCardBehaviour;
}

export interface IssuedSimulatedCard {
  card: SimulatedCard;
  signatureCertificate: Uint8Array | undefined;
  authenticationCertificate: Uint8Array;
  /** Uppercase hex, shared by both certificates. */
  serialNumber: string;
  signaturePassword: string;
  authenticationPin: string;
  textApPin: string;
  myNumber: string;
  /** 照合番号B as the simulator takes it: era YYMMDD + expiry YYYY + security code (14 digits, the form myna-card measured). */
  codeB: string;
}

/** The My Number's check digit (個人番号の検査用数字, 総務省令第八十五号). */
export function myNumberCheckDigit(first11: string): number {
  let sum = 0;
  for (let n = 1; n <= 11; n++) {
    const p = Number(first11[11 - n]);
    const q = n <= 6 ? n + 1 : n - 5;
    sum += p * q;
  }
  const remainder = sum % 11;
  return remainder <= 1 ? 0 : 11 - remainder;
}

function randomMyNumber(): string {
  const first = Array.from({ length: 11 }, () => randomInt(10)).join('');
  return `${first}${myNumberCheckDigit(first)}`;
}

const ERA_STARTS: readonly [string, number][] = [['2019-05-01', 2019], ['1989-01-08', 1989], ['1926-12-25', 1926], ['1912-07-30', 1912], ['1868-01-25', 1868]];

/** YYMMDD in the Japanese era year, the first six digits of 照合番号B (myna-card). */
export function eraBirthdate(iso: string): string {
  const start = ERA_STARTS.find(([from]) => iso >= from);
  if (!start) throw new Error('date before Meiji');
  const year = Number(iso.slice(0, 4)) - start[1] + 1;
  return `${String(year).padStart(2, '0')}${iso.slice(5, 7)}${iso.slice(8, 10)}`;
}

/** A positive 128-bit serial shared by both certificates of one issuance (as dev-cards.ts does). */
function cardSerial(): bigint {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x10;
  return BigInt(`0x${bytes.toString('hex')}`);
}

export function issueSimulatedCard(issuers: SimulatedCardIssuers, spec: SimulatedCardSpec): IssuedSimulatedCard {
  const signaturePassword = spec.signaturePassword ?? DEFAULT_SIGNATURE_PASSWORD;
  const authenticationPin = spec.authenticationPin ?? DEFAULT_PIN;
  const textApPin = spec.textApPin ?? DEFAULT_PIN;
  if (!/^[A-Z0-9]{6,16}$/.test(signaturePassword)) throw new Error('the signature password is 6–16 capital letters and digits');
  if (!/^[0-9]{4}$/.test(authenticationPin) || !/^[0-9]{4}$/.test(textApPin)) throw new Error('PINs are 4 digits');
  if (spec.photo.length === 0 || spec.photo.length > MAX_PHOTO_BYTES) throw new Error(`the photo must be 1–${MAX_PHOTO_BYTES} bytes`);
  const myNumber = spec.myNumber ?? randomMyNumber();
  if (!/^[0-9]{12}$/.test(myNumber)) throw new Error('the My Number is 12 digits');
  const securityCode = spec.securityCode ?? String(randomInt(10_000)).padStart(4, '0');
  const notBefore = spec.notBefore ?? new Date();
  const cardExpiry = spec.cardExpiry ?? `${notBefore.getUTCFullYear() + 10}-${spec.resident.birthdate.slice(5, 10)}`;

  // JPKI-AP: one issuance for both certificates (dev-cards.ts).
  const issuance = { notBefore, ...(spec.notAfter ? { notAfter: spec.notAfter } : {}), serialNumber: cardSerial() };
  const auth = generateRsaKeyPair();
  const authenticationCertificate = issuers.cas.authentication.issueUserAuthenticationCertificate({
    publicKey: auth.publicKey,
    ...issuance,
    ...(spec.resident.prefecture ? { prefecture: spec.resident.prefecture } : {}),
    ...(spec.resident.municipality ? { municipality: spec.resident.municipality } : {}),
  });
  const jpki = application('jpki', JPKI_AID);
  jpki.files.set(JPKI_EF.authenticationCertificate, { data: authenticationCertificate, read: 'always' });
  jpki.files.set(JPKI_EF.authenticationCaCertificate, { data: issuers.cas.authentication.certificateDer, read: 'always' });
  jpki.secrets.set(JPKI_EF.authenticationPin, secret(authenticationPin, AUTHENTICATION_PIN_TRIES));
  jpki.keys.set(JPKI_EF.authenticationKey, { privateKey: auth.privateKey, use: { verified: [JPKI_EF.authenticationPin] } });
  let signatureCertificate: Uint8Array | undefined;
  if (!spec.withoutSignatureCertificate) {
    const sig = generateRsaKeyPair();
    signatureCertificate = issuers.cas.signature.issueSignatureCertificate(spec.resident, { publicKey: sig.publicKey, ...issuance });
    const afterPassword = { verified: [JPKI_EF.signaturePin] };
    jpki.files.set(JPKI_EF.signatureCertificate, { data: signatureCertificate, read: afterPassword });
    jpki.files.set(JPKI_EF.signatureCaCertificate, { data: issuers.cas.signature.certificateDer, read: afterPassword });
    jpki.secrets.set(JPKI_EF.signaturePin, secret(signaturePassword, SIGNATURE_PASSWORD_TRIES));
    jpki.keys.set(JPKI_EF.signatureKey, { privateKey: sig.privateKey, use: afterPassword });
  }

  // 券面事項入力補助AP: the development issuer's files; the PIN opens EF 0001–0003.
  const dataKey = generateRsaKeyPair();
  const cardKey = generateRsaKeyPair();
  const birthdate = spec.resident.birthdate.replaceAll('-', '');
  const textFiles = buildTextApFiles({
    facts: { name: spec.resident.name, address: spec.resident.address, birthdate, sex: spec.resident.sex },
    myNumber,
    issuer: issuers.textAp,
    dataKey,
    cardKey,
  });
  const text = application('text', TEXT_AP_AID);
  const afterPin = { verified: [TEXT_AP_EF.pin] };
  text.files.set(TEXT_AP_EF.myNumber, { data: textFiles.ef0001, read: afterPin });
  text.files.set(TEXT_AP_EF.basicFour, { data: textFiles.ef0002, read: afterPin });
  text.files.set(TEXT_AP_EF.integrity, { data: textFiles.ef0003, read: afterPin });
  text.files.set(TEXT_AP_EF.dataKeyCertificate, { data: textFiles.ef0004, read: 'always' });
  text.files.set(TEXT_AP_EF.cardKey, { data: textFiles.ef0007, read: 'always' });
  text.secrets.set(TEXT_AP_EF.pin, secret(textApPin, TEXT_AP_PIN_TRIES));
  text.applicationKey = { privateKey: cardKey.privateKey, use: 'always' };

  // 券面AP: either verification number opens the surface record. The simulator reuses the text
  // AP's keys for the record's key and signature (the real AP has its own; PASS checks neither).
  const expiry = cardExpiry.replaceAll('-', '');
  const codeB = `${eraBirthdate(spec.resident.birthdate)}${expiry.slice(0, 4)}${securityCode}`;
  const surface = application('surface', SURFACE_AP_AID);
  surface.files.set(SURFACE_AP_EF.surface, {
    data: buildSurfaceRecord({ birthdate, sex: spec.resident.sex, expiry, photo: spec.photo, cardKey: cardKey.publicKey, signingKey: dataKey.privateKey }),
    read: { verified: [SURFACE_AP_EF.codeA, SURFACE_AP_EF.codeB] },
  });
  surface.secrets.set(SURFACE_AP_EF.codeA, secret(myNumber, VERIFICATION_CODE_TRIES));
  surface.secrets.set(SURFACE_AP_EF.codeB, secret(codeB, VERIFICATION_CODE_TRIES));

  const applications: SimulatedApplication[] = [jpki, text, surface];
  return {
    card: new SimulatedCard(applications, spec.behaviour),
    signatureCertificate,
    authenticationCertificate,
    serialNumber: parseCertificate(authenticationCertificate).serialNumber,
    signaturePassword,
    authenticationPin,
    textApPin,
    myNumber,
    codeB,
  };
}
