/**
 * The two JPKI card sessions PASS's server checks (docs/jpki.md): what a kiosk or reader sends to
 * `/verify` or a card check-in. Each verifies the PIN the careful way (the counter first, the PIN
 * once), reads the certificate and signs DigestInfo(SHA-256(challenge)) — so the signature is an
 * RSASSA-PKCS1-v1_5/SHA-256 signature over exactly the challenge bytes the server issued.
 */
import type { ApduChannel } from './apdu-channel.ts';
import { sha256DigestInfo } from './digest-info.ts';
import { JpkiAp } from './jpki-ap.ts';

export interface CardProof {
  /** DER of EF 0001 (signature) or EF 000A (user authentication). */
  certificate: Uint8Array;
  /** 256 bytes. */
  signature: Uint8Array;
}

/** Card check-in: the user-authentication certificate and its key's signature (4-digit PIN). */
export async function readAuthenticationProof(channel: ApduChannel, input: { pin: string; challenge: Uint8Array }): Promise<CardProof> {
  const digestInfo = await sha256DigestInfo(input.challenge);
  const ap = await JpkiAp.select(channel);
  await ap.verifyAuthenticationPin(input.pin);
  const certificate = await ap.readAuthenticationCertificate();
  const signature = await ap.signWithAuthenticationKey(digestInfo);
  return { certificate, signature };
}

/**
 * Identity proofing: the signature certificate and its key's signature, and — with `authenticationPin`
 * — the user-authentication proof over the same challenge from the same card session (the card
 * pair of docs/jpki.md, issue 15).
 */
export async function readSignatureProof(
  channel: ApduChannel,
  input: { password: string; challenge: Uint8Array; authenticationPin?: string },
): Promise<{ signature: CardProof; authentication?: CardProof }> {
  const digestInfo = await sha256DigestInfo(input.challenge);
  const ap = await JpkiAp.select(channel);
  await ap.verifySignaturePassword(input.password);
  const signature = { certificate: await ap.readSignatureCertificate(), signature: await ap.signWithSignatureKey(digestInfo) };
  if (input.authenticationPin === undefined) return { signature };
  await ap.verifyAuthenticationPin(input.authenticationPin);
  const authentication = { certificate: await ap.readAuthenticationCertificate(), signature: await ap.signWithAuthenticationKey(digestInfo) };
  return { signature, authentication };
}
