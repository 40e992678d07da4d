/** The JPKI end-entity profile (JPKI.md §2, §2.5, §4 step 2), checked before any signature work. */
import { isSelfIssued } from './certificate.ts';
import type { JpkiCertificate } from './certificate.ts';
import { JpkiForbiddenError } from './errors.ts';
import { JPKI_POLICY, OID, productionPolicyFor, testPolicyFor } from './oids.ts';
import type { CertificateType } from './oids.ts';

export interface PolicyOptions {
  /**
   * Accept the J-LIS test-card / PASS development policy. Production configuration leaves this
   * false, so a test card can never prove identity there whatever anchors are configured.
   */
  allowTestPolicies: boolean;
  /** Production policy OIDs to accept; defaults to the one J-LIS production policy for the type. */
  allowedPolicies?: readonly string[];
}

export interface LeafProfile {
  policy: string;
  testPolicy: boolean;
}

const MIN_RSA_BITS = 2048;
// Bounds the cost of verifying with an attacker-chosen key.
const MAX_RSA_BITS = 4096;

export function assertLeafProfile(cert: JpkiCertificate, type: CertificateType, options: PolicyOptions): LeafProfile {
  const ext = cert.extensions;
  if (ext.unknownCritical.length > 0) {
    throw new JpkiForbiddenError(
      'unsupported_critical_extension',
      `certificate has unsupported critical extension(s): ${ext.unknownCritical.join(', ')}`,
    );
  }
  if (ext.basicConstraints?.ca || ext.keyUsage?.has('keyCertSign') || ext.keyUsage?.has('cRLSign') || isSelfIssued(cert)) {
    throw new JpkiForbiddenError('leaf_is_ca', 'a CA or self-issued certificate cannot be used as a resident certificate');
  }
  if (cert.signatureAlgorithm !== OID.sha256WithRSAEncryption) {
    throw new JpkiForbiddenError('unsupported_algorithm', 'certificate must be signed with sha256WithRSAEncryption');
  }
  assertRsaKey(cert);
  const profile = assertPolicy(cert, type, options);
  assertKeyUsage(cert, type);
  return profile;
}

export function assertRsaKey(cert: JpkiCertificate): void {
  const key = cert.publicKeyInfo;
  if (key.algorithm !== OID.rsaEncryption) {
    throw new JpkiForbiddenError('unsupported_key', 'certificate key must be RSA');
  }
  if (key.modulusBits < MIN_RSA_BITS) {
    throw new JpkiForbiddenError('weak_key', `RSA key of ${key.modulusBits} bits is below the 2048-bit minimum`);
  }
  if (key.modulusBits > MAX_RSA_BITS || key.exponent !== 65537n) {
    throw new JpkiForbiddenError('unsupported_key', 'RSA key must be 2048–4096 bits with exponent 65537');
  }
}

function otherType(type: CertificateType): CertificateType {
  return type === 'signature' ? 'user_authentication' : 'signature';
}

function assertPolicy(cert: JpkiCertificate, type: CertificateType, options: PolicyOptions): LeafProfile {
  const policies = cert.extensions.policies;
  const other = otherType(type);
  if (policies.includes(productionPolicyFor(other)) || policies.includes(testPolicyFor(other))) {
    throw type === 'signature'
      ? new JpkiForbiddenError('not_signature_certificate', 'this is a user-authentication certificate, not a signature certificate')
      : new JpkiForbiddenError('not_authentication_certificate', 'this is a signature certificate, not a user-authentication certificate');
  }
  const test = testPolicyFor(type);
  if (policies.includes(test)) {
    if (!options.allowTestPolicies) {
      throw new JpkiForbiddenError('test_policy_refused', 'test-card certificates are not accepted here');
    }
    return { policy: test, testPolicy: true };
  }
  const allowed = options.allowedPolicies ?? [productionPolicyFor(type)];
  const policy = policies.find((p) => allowed.includes(p) && !isTestPolicy(p));
  if (!policy) {
    throw new JpkiForbiddenError('policy_not_allowed', 'certificate policy is not an accepted JPKI policy');
  }
  return { policy, testPolicy: false };
}

export function isTestPolicy(oid: string): boolean {
  return oid === JPKI_POLICY.signatureTest || oid === JPKI_POLICY.authenticationTest;
}

function assertKeyUsage(cert: JpkiCertificate, type: CertificateType): void {
  const ku = cert.extensions.keyUsage;
  const ok =
    ku !== undefined &&
    ku.has('digitalSignature') &&
    (type === 'user_authentication' || ku.has('nonRepudiation'));
  if (!ok) {
    throw new JpkiForbiddenError(
      'wrong_key_usage',
      type === 'signature'
        ? 'signature certificate must have keyUsage digitalSignature and nonRepudiation'
        : 'user-authentication certificate must have keyUsage digitalSignature',
    );
  }
}
