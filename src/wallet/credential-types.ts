/**
 * The three kinds of credential PASS issues (issue 19): OpenID4VCI `credential_configuration_id`
 * → SD-JWT VC `vct`, which claims each carries, which of them a holder may leave out, and the words
 * a wallet shows. The values come from the claims engine at issue time (src/wallet/issuance.ts).
 */
import { AGE_THRESHOLDS } from '../claims/catalog.ts';
import type { Config } from '../config/load-config.ts';

export const CREDENTIAL_FORMAT = 'dc+sd-jwt';
export const CREDENTIAL_ALG = 'ES256';

export const CONFIGURATION_IDS = ['pass_verified_resident', 'pass_age', 'pass_residency'] as const;
export type ConfigurationId = (typeof CONFIGURATION_IDS)[number];

export function isConfigurationId(value: unknown): value is ConfigurationId {
  return typeof value === 'string' && (CONFIGURATION_IDS as readonly string[]).includes(value);
}

interface Words {
  ja: string;
  en: string;
}

export interface CredentialType {
  id: ConfigurationId;
  vct: string;
  display: Words;
  /** The top-level claims, each with the words a wallet shows; `disclosable` ones are selectively disclosable. */
  claims: ReadonlyArray<{ name: string; display: Words; disclosable: boolean }>;
}

const AGE_CLAIMS = AGE_THRESHOLDS.map((n) => ({ name: `age_over_${n}`, display: { ja: `${n}歳以上`, en: `Aged ${n} or over` }, disclosable: true }));

export const CREDENTIAL_TYPES: Readonly<Record<ConfigurationId, CredentialType>> = {
  pass_verified_resident: {
    id: 'pass_verified_resident',
    vct: 'urn:pass:vct:verified-resident:1',
    display: { ja: '本人確認済みの基本情報', en: 'Verified basic information' },
    claims: [
      { name: 'name', display: { ja: '氏名', en: 'Name' }, disclosable: true },
      { name: 'birthdate', display: { ja: '生年月日', en: 'Date of birth' }, disclosable: true },
      { name: 'gender', display: { ja: '性別', en: 'Gender' }, disclosable: true },
      { name: 'address', display: { ja: '住所', en: 'Address' }, disclosable: true },
      // How the facts were verified is what makes them worth trusting: never left out.
      { name: 'verification', display: { ja: '確認の方法', en: 'How this was verified' }, disclosable: false },
    ],
  },
  pass_age: {
    id: 'pass_age',
    vct: 'urn:pass:vct:age:1',
    display: { ja: '年齢の証明', en: 'Proof of age' },
    claims: AGE_CLAIMS,
  },
  pass_residency: {
    id: 'pass_residency',
    vct: 'urn:pass:vct:residency:1',
    display: { ja: '住民であることの証明', en: 'Proof of residency' },
    claims: [{ name: 'resident_of', display: { ja: '住民である市区町村（団体コード）', en: 'Municipality of residence (code)' }, disclosable: true }],
  },
};

/** How long a credential of this type is valid, in seconds (WALLET_*_DAYS). */
export function validitySeconds(config: Config, id: ConfigurationId): number {
  const days = { pass_verified_resident: config.wallet.validityDays.verifiedResident, pass_age: config.wallet.validityDays.age, pass_residency: config.wallet.validityDays.residency }[id];
  return days * 86400;
}
