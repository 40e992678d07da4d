/**
 * Server-side verification of a card's signature over a PASS challenge (JPKI.md §4). The order is
 * deliberate: cheap structural checks first, then the challenge signature, the chain to a
 * configured anchor, validity, the basic four, and last the revocation check (the only step that
 * may touch the network). Every refusal is a typed error with its own reason; nothing is stored
 * here — persisting evidence is the caller's job, and only after this returns.
 */
import { basicFourToClaims, extractBasicFour } from './basic-four.ts';
import type { BasicFour, BasicFourClaims } from './basic-four.ts';
import { assertLeafProfile } from './certificate-profile.ts';
import { DEFAULT_MAX_CERTIFICATE_BYTES, parseCertificate } from './certificate.ts';
import type { JpkiCertificate } from './certificate.ts';
import { assertChainValidAt, buildChain } from './chain.ts';
import { verifyChallengeSignature } from './challenge-signature.ts';
import { formatName } from './distinguished-name.ts';
import { JpkiForbiddenError, JpkiInputError } from './errors.ts';
import type { CertificateType } from './oids.ts';
import type { RevocationChecker, RevocationStatus } from './revocation/revocation-checker.ts';
import type { AnchorEnvironment, TrustAnchor } from './trust-anchors.ts';

export interface JpkiVerifierConfig {
  /** From loadTrustAnchors; production passes only the pinned J-LIS roots. */
  trustAnchors: readonly TrustAnchor[];
  revocation: RevocationChecker;
  /** false in production: test-card / development certificates are refused. */
  allowTestPolicies: boolean;
  /** Override the accepted production policy OIDs per certificate type. */
  allowedPolicies?: Partial<Record<CertificateType, readonly string[]>>;
  now?: () => Date;
  maxCertificateBytes?: number;
  maxIntermediates?: number;
}

export interface ProofInput {
  /** The leaf certificate DER as read from the card (EF 0001 or EF 000A). */
  certificate: Uint8Array;
  /** The card's signature (256 bytes for RSA-2048). */
  signature: Uint8Array;
  /** Exactly the bytes the server issued; see challenge-format.ts. */
  challenge: Uint8Array;
  /** Optional untrusted intermediates; JPKI has none. The card's CA copy must not be passed as an anchor. */
  intermediates?: readonly Uint8Array[];
}

export interface JpkiVerification {
  type: CertificateType;
  verifiedAt: Date;
  certificate: {
    serialNumber: string;
    /** RFC 4514 issuer DN. */
    issuer: string;
    subject: string;
    notBefore: Date;
    notAfter: Date;
    sha256: string;
    policy: string;
    testPolicy: boolean;
  };
  anchor: { sha256: string; name: string; environment: AnchorEnvironment };
  revocation: RevocationStatus;
}

export interface SignatureVerification extends JpkiVerification {
  type: 'signature';
  basicFour: BasicFour;
  claims: BasicFourClaims;
}

export interface AuthenticationVerification extends JpkiVerification {
  type: 'user_authentication';
}

export interface JpkiVerifier {
  /** 署名用電子証明書: identity proofing, yields the basic four. */
  verifySignatureProof(input: ProofInput): Promise<SignatureVerification>;
  /** 利用者証明用電子証明書: card-only authentication, no personal facts. */
  verifyAuthenticationProof(input: ProofInput): Promise<AuthenticationVerification>;
}

const MAX_INTERMEDIATES_INPUT = 4;

export function createJpkiVerifier(config: JpkiVerifierConfig): JpkiVerifier {
  const clock = config.now ?? (() => new Date());
  const maxBytes = config.maxCertificateBytes ?? DEFAULT_MAX_CERTIFICATE_BYTES;

  const parse = (der: Uint8Array): JpkiCertificate => {
    if (der.length > maxBytes) throw new JpkiInputError('input_too_large', `certificate larger than ${maxBytes} bytes`);
    return parseCertificate(der, { maxBytes });
  };

  async function run(type: CertificateType, input: ProofInput) {
    const now = clock();
    if (input.signature.length > 1024) throw new JpkiInputError('input_too_large', 'signature too large');
    if ((input.intermediates?.length ?? 0) > MAX_INTERMEDIATES_INPUT) {
      throw new JpkiInputError('input_too_large', 'too many intermediate certificates');
    }
    const leaf = parse(input.certificate);
    const intermediates = (input.intermediates ?? []).map(parse);
    const allowed = config.allowedPolicies?.[type];
    const profile = assertLeafProfile(leaf, type, {
      allowTestPolicies: config.allowTestPolicies,
      ...(allowed ? { allowedPolicies: allowed } : {}),
    });
    verifyChallengeSignature(leaf, input.challenge, input.signature);
    const chain = buildChain(leaf, {
      anchors: config.trustAnchors,
      intermediates,
      ...(config.maxIntermediates !== undefined ? { maxIntermediates: config.maxIntermediates } : {}),
    });
    if (chain.anchor.kind !== type) {
      throw type === 'signature'
        ? new JpkiForbiddenError('not_signature_certificate', 'certificate was issued by the user-authentication CA')
        : new JpkiForbiddenError('not_authentication_certificate', 'certificate was issued by the signature CA');
    }
    assertChainValidAt(chain, now);
    const basicFour = type === 'signature' ? extractBasicFour(leaf, { now }) : undefined;
    const revocation = await config.revocation.check(leaf, chain.leafIssuer);
    if (revocation.status === 'revoked') {
      throw new JpkiForbiddenError(
        'certificate_revoked',
        `certificate was revoked${revocation.reason ? ` (${revocation.reason})` : ''}`,
      );
    }
    const result: JpkiVerification = {
      type,
      verifiedAt: now,
      certificate: {
        serialNumber: leaf.serialNumber,
        issuer: formatName(leaf.issuer),
        subject: formatName(leaf.subject),
        notBefore: leaf.notBefore,
        notAfter: leaf.notAfter,
        sha256: leaf.sha256,
        policy: profile.policy,
        testPolicy: profile.testPolicy,
      },
      anchor: { sha256: chain.anchor.sha256, name: chain.anchor.name, environment: chain.anchor.environment },
      revocation,
    };
    return { result, basicFour };
  }

  return {
    async verifySignatureProof(input) {
      const { result, basicFour } = await run('signature', input);
      return { ...result, type: 'signature', basicFour: basicFour!, claims: basicFourToClaims(basicFour!) };
    },
    async verifyAuthenticationProof(input) {
      const { result } = await run('user_authentication', input);
      return { ...result, type: 'user_authentication' };
    },
  };
}
