/** Object identifiers used by the JPKI profile (../shared/jpki/JPKI.md §2, §3). */

export const OID = {
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha256WithRSAEncryption: '1.2.840.113549.1.1.11',

  countryName: '2.5.4.6',
  organizationName: '2.5.4.10',
  organizationalUnitName: '2.5.4.11',
  commonName: '2.5.4.3',
  localityName: '2.5.4.7',
  stateOrProvinceName: '2.5.4.8',

  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  issuerAltName: '2.5.29.18',
  basicConstraints: '2.5.29.19',
  cRLNumber: '2.5.29.20',
  cRLReason: '2.5.29.21',
  deltaCRLIndicator: '2.5.29.27',
  issuingDistributionPoint: '2.5.29.28',
  certificateIssuer: '2.5.29.29',
  cRLDistributionPoints: '2.5.29.31',
  certificatePolicies: '2.5.29.32',
  authorityKeyIdentifier: '2.5.29.35',
  invalidityDate: '2.5.29.24',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
} as const;

/** SAN otherName arc carrying the basic four (JPKI.md §2.3). */
export const BASIC_FOUR_OID = {
  name: '1.2.392.200149.8.5.5.1',
  nameSubstitutionFlags: '1.2.392.200149.8.5.5.2',
  sex: '1.2.392.200149.8.5.5.3',
  dateOfBirth: '1.2.392.200149.8.5.5.4',
  address: '1.2.392.200149.8.5.5.5',
  addressSubstitutionFlags: '1.2.392.200149.8.5.5.6',
} as const;

export const BASIC_FOUR_ARC = '1.2.392.200149.8.5.5.';

export const JPKI_POLICY = {
  /** 署名用電子証明書, production cards. */
  signatureProduction: '1.2.392.200149.8.5.1.1.20',
  /** 署名用電子証明書, J-LIS test cards and the PASS development CA. */
  signatureTest: '1.2.392.200149.8.5.1.0.20',
  /** 利用者証明用電子証明書, production cards. */
  authenticationProduction: '1.2.392.200149.8.5.1.3.30',
  /**
   * Test-card policy for the user-authentication certificate. ASSUMPTION: J-LIS does not publish it;
   * by analogy with the signature pair (…1.1.20 / …1.0.20) PASS uses …1.2.30 for development
   * certificates. Never in the production allow-list.
   */
  authenticationTest: '1.2.392.200149.8.5.1.2.30',
} as const;

export type CertificateType = 'signature' | 'user_authentication';

export function productionPolicyFor(type: CertificateType): string {
  return type === 'signature' ? JPKI_POLICY.signatureProduction : JPKI_POLICY.authenticationProduction;
}

export function testPolicyFor(type: CertificateType): string {
  return type === 'signature' ? JPKI_POLICY.signatureTest : JPKI_POLICY.authenticationTest;
}
