// Shared setup for kiosk-assisted enrollment (issue 16): a member's My Number Card issued by this
// PASS's development JPKI CA and text-AP issuer, with a card photo made from ../shared/faces; the
// APDU sequence the kiosk page runs with it; camera frames; a representative proofed through
// identity's verified-person writer.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { ResidentFacts } from '../../src/jpki/dev-ca.ts';
import type { BasicFourClaims } from '../../src/jpki/index.ts';
import { ApduChannel, readAuthenticationProof, readSurfaceWithTextPin, readTextApProof } from '../../src/card/index.ts';
import { issueSimulatedCard, type IssuedSimulatedCard } from '../../src/card/simulator/index.ts';
import { loadDevelopmentCas } from '../../src/identity/proofing/dev-pki.ts';
import { loadDevTextApIssuer } from '../../src/households/text-ap/dev-card.ts';
import { storeVerifiedPerson } from '../../src/identity/verified-persons.ts';
import { personHashKey, personKeyFor } from '../../src/identity/proofing/proofing-service.ts';
import { FaceStore } from '../../src/face/service/template-store.ts';
import { loadOpenJpeg } from '../card/card-fixtures.ts';
import { PASSWORD, type Pass } from './helpers.ts';

export const FACES = path.resolve(new URL('../../..', import.meta.url).pathname, 'shared/faces');
export const facesAvailable = () => existsSync(path.join(FACES, 'obama/1.jpg')) && existsSync(path.join(FACES, 'biden/2.jpg'));

/** 加賀 太郎's mother, as her card says (the demo resident kaga-taro was born in 1980). */
export const TOME: ResidentFacts = { name: '加賀　トメ', birthdate: '1950-04-01', sex: '2', address: '石川県加賀市大聖寺南町ニ１３', prefecture: 'Ishikawa-ken', municipality: 'Kaga-shi' };

/**
 * A card photo as the 券面AP holds it: a face from ../shared/faces as a small portrait, JPEG 2000
 * (lossless greyscale, so it stays under the simulator's photo limit), cropped to the face's region.
 */
export async function cardPhotoOf(face: string): Promise<Uint8Array> {
  const width = 192;
  const height = 240;
  const pixels = new Uint8Array(await sharp(path.join(FACES, face)).resize(width, height, { fit: 'cover', position: 'attention' }).greyscale().raw().toBuffer());
  const codec = await loadOpenJpeg();
  const encoder = new codec.J2KEncoder();
  encoder.getDecodedBuffer({ width, height, bitsPerSample: 8, componentCount: 1, isSigned: false }).set(pixels);
  encoder.encode();
  return encoder.getEncodedBuffer().slice();
}

/** A camera frame of 640 px, as the kiosk sends one. */
export async function frameOf(face: string): Promise<Uint8Array> {
  return new Uint8Array(await sharp(readFileSync(path.join(FACES, face))).resize({ width: 640, withoutEnlargement: true }).jpeg({ quality: 90 }).toBuffer());
}

/** The member's card, issued by this PASS's development CA and text-AP issuer. */
export async function memberCard(pass: Pass, resident: ResidentFacts, photoFace: string): Promise<IssuedSimulatedCard> {
  const { db, box } = pass.platform;
  const textAp = await loadDevTextApIssuer(db, box);
  return issueSimulatedCard({ cas: await loadDevelopmentCas(db, box), textAp: { keyId: textAp.keyId, privateKey: textAp.privateKey } }, { resident, photo: await cardPhotoOf(photoFace) });
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

/**
 * What the kiosk page reads in one card session, with the PIN typed once: the user-authentication
 * proof and the text AP over PASS's challenge, and the 券面AP's surface record (birthdate, sex, photo).
 */
export async function readForEnrollment(card: IssuedSimulatedCard['card'], challenge: string, pin = '1234') {
  card.insert();
  const channel = new ApduChannel(card, { timeoutMs: 5000 });
  const bytes = new Uint8Array(Buffer.from(challenge, 'base64'));
  const auth = await readAuthenticationProof(channel, { pin, challenge: bytes });
  const text = await readTextApProof(channel, { pin, challenge: bytes });
  const surface = await readSurfaceWithTextPin(channel, pin);
  return {
    authentication: { certificate: b64(auth.certificate), signature: b64(auth.signature) },
    textAp: { ef0002: b64(text.ef0002), ef0003: b64(text.ef0003), ef0004: b64(text.ef0004), ef0007: b64(text.ef0007), signature: b64(text.challengeSignature) },
    surface: { birthdate: surface.birthdate, sex: surface.sex, photo: b64(surface.photo) },
  };
}

/** An account proofed as `facts` through identity's writer (as the signature-certificate proofing stores it). */
export async function proofedAccount(pass: Pass, email: string, facts: ResidentFacts): Promise<{ accountId: string; personId: string }> {
  const account = await pass.platform.accounts.create({ email, password: PASSWORD, verified: true });
  const personId = await new FaceStore(pass.platform.db).selfPerson(account.id);
  const claims: BasicFourClaims = { name: facts.name, birthdate: facts.birthdate, gender: facts.sex === '1' ? 'male' : 'female', address: { formatted: facts.address, country_code: 'JPN' } };
  const key = personKeyFor({ name: facts.name, birthdate: facts.birthdate, sexCode: facts.sex, address: facts.address }, personHashKey(pass.platform.config.identityHashKey));
  const at = `${new Date().toISOString().slice(0, 19)}Z`;
  await pass.platform.db.transaction((trx) =>
    storeVerifiedPerson(trx, pass.platform.box, { personId, bound: false }, key, {
      accountId: account.id,
      clientId: 'test',
      method: 'jpki_signature',
      evidence: { issuer: 'CN=test', serialNumber: email, verifiedAt: at, revocation: { status: 'good', method: 'crl', checkedAt: at, source: 'test' } },
      claims,
      certificateNotAfter: new Date(Date.now() + 365 * 86_400_000),
      anchorEnvironment: 'development',
    }),
  );
  return { accountId: account.id, personId };
}
