/**
 * The card's user-authentication proof over a PASS challenge, as identity takes it when it binds a
 * card to a person: verified in full by src/jpki, refused as `card_revoked` or `card_invalid`
 * (the words a resident reads for the card they hold), an outage of revocation data passed on.
 */
import { ForbiddenError, InvalidInputError, PassError } from '../../core/errors.ts';
import type { AuthenticationVerification, JpkiVerifier } from '../../jpki/index.ts';
import type { CardCertificate } from './card-links.ts';

export interface SignedProof {
  certificate: Uint8Array;
  signature: Uint8Array;
}

export async function verifyCardAuthentication(verifier: JpkiVerifier, proof: SignedProof, challenge: Uint8Array): Promise<AuthenticationVerification> {
  try {
    return await verifier.verifyAuthenticationProof({ certificate: proof.certificate, signature: proof.signature, challenge });
  } catch (error) {
    if (!(error instanceof PassError) || error.code === 'unavailable') throw error;
    if (error.reason === 'certificate_revoked') throw new ForbiddenError('card_revoked', 'the user-authentication certificate is revoked');
    throw new InvalidInputError('card_invalid', `the card's user-authentication proof was refused: ${error.reason}`);
  }
}

export function cardCertificateOf(v: AuthenticationVerification): CardCertificate {
  return {
    issuer: v.certificate.issuer,
    serialNumber: v.certificate.serialNumber,
    fingerprint: v.certificate.sha256,
    notBefore: v.certificate.notBefore,
    notAfter: v.certificate.notAfter,
  };
}
