/**
 * The claims catalog (BRIEF.md): what a facility can ask for and a resident can consent to. The
 * unit of consent is a catalog entry (`name` covers name, family_name and given_name; `email`
 * covers email and email_verified); a policy and a registration list entries, never raw claims.
 */

/** The ages a facility may test without learning the birthdate (`age_over_N`). */
export const AGE_THRESHOLDS = [3, 6, 12, 13, 15, 16, 18, 20, 60, 65, 70, 75] as const;

export const IDENTITY_UNITS = ['name', 'birthdate', 'gender', 'address'] as const;
export const ACCOUNT_UNITS = ['email', 'phone_number'] as const;
export const DERIVED_UNITS = ['age', 'resident_of', 'guardian', ...AGE_THRESHOLDS.map((n) => `age_over_${n}` as const)] as const;
export const CLAIM_UNITS: readonly string[] = [...IDENTITY_UNITS, ...ACCOUNT_UNITS, ...DERIVED_UNITS, 'verified_claims'];

export type IdentityUnit = (typeof IDENTITY_UNITS)[number];

/** The claims each consent unit releases. */
export function claimsOfUnit(unit: string): string[] {
  switch (unit) {
    case 'name':
      return ['name', 'family_name', 'given_name'];
    case 'email':
      return ['email', 'email_verified'];
    case 'phone_number':
      return ['phone_number', 'phone_number_verified'];
    default:
      return [unit];
  }
}

/** The consent unit a claim belongs to. */
export function unitOfClaim(claim: string): string {
  if (claim === 'family_name' || claim === 'given_name') return 'name';
  if (claim === 'email_verified') return 'email';
  if (claim === 'phone_number_verified') return 'phone_number';
  return claim;
}

export function isClaimUnit(value: string): boolean {
  return CLAIM_UNITS.includes(value);
}

/**
 * oidc-provider `claims` entries for the derived claims: the `resident` scope asks for all of
 * them at once (the facility still receives only what was consented); each can also be asked for
 * one by one with the claims parameter.
 */
export const RESIDENT_SCOPE = 'resident';
export const DERIVED_CLAIMS_CONFIG: Readonly<Record<string, readonly string[]>> = { [RESIDENT_SCOPE]: [...DERIVED_UNITS] };

/** What the review screen shows for each unit, Japanese first. */
export const UNIT_LABELS: Readonly<Record<string, { ja: string; en: string }>> = {
  name: { ja: '氏名', en: 'Name' },
  birthdate: { ja: '生年月日', en: 'Date of birth' },
  gender: { ja: '性別', en: 'Gender' },
  address: { ja: '住所', en: 'Address' },
  email: { ja: 'メールアドレス', en: 'E-mail address' },
  phone_number: { ja: '携帯電話番号', en: 'Mobile number' },
  age: { ja: '年齢', en: 'Age' },
  resident_of: { ja: '住民である市区町村（コードのみ）', en: 'Municipality of residence (code only)' },
  guardian: { ja: '保護者の連絡先', en: "Guardian's contact" },
  verified_claims: { ja: '本人確認の証明（OpenID IDA）', en: 'Proof of identity verification (OpenID IDA)' },
  ...Object.fromEntries(AGE_THRESHOLDS.map((n) => [`age_over_${n}`, { ja: `${n}歳以上かどうか`, en: `Whether aged ${n} or over` }])),
};
