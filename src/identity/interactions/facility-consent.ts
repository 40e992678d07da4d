/**
 * Consent at login for a facility's relying party (issues #6, #7). The screen shows the facility's
 * claim policy — purpose, retention, each fact with the exact value it would receive — and the
 * resident's consent is their *registration* at the facility (src/registrations): created on the
 * first login, extended when the relying party asks for facts not yet consented, reused by every
 * later login in any browser (src/claims/oidc-plugin.ts loadExistingGrant), by the facility's
 * kiosks and by its other systems; withdrawn in the PASS app, it is asked for again.
 *
 * Facts outside the policy never reach the screen and are rejected in the grant. A resident whose
 * identity is not proofed yet cannot give identity facts: the login goes on, the facility gets
 * only its pairwise `sub`, and the screen says so.
 */
import type Provider from 'oidc-provider';
import type { Platform } from '../../platform.ts';
import type { Lang } from '../../http/i18n.ts';
import { translator } from '../../http/i18n.ts';
import type { ClaimsRuntime } from '../../claims/index.ts';
import { UNIT_LABELS } from '../../claims/catalog.ts';
import type { FacilityRequest } from '../../claims/facility-request.ts';
import { applyFacilityConsent, type GrantLike } from '../../claims/facility-grant.ts';
import type { ClaimPolicy } from '../../facilities/claim-policy.ts';
import { selfPersonOf } from '../persons.ts';
import { isVerified } from '../verified-persons.ts';
import { activeRegistrationClaims } from '../../registrations/active-claims.ts';
import type { RegistrationService } from '../../registrations/registration-service.ts';
import { MESSAGES } from './messages.ts';
import { parseClaimsParameter } from './claims-parameter.ts';
import type { Details } from './page.ts';

export interface ConsentRow {
  unit: string;
  label: string;
  value: string;
  required: boolean;
  /** Already part of the resident's registration at the facility. */
  consented: boolean;
  /** Asked for now and optional: the resident may leave it out (a checkbox, ticked). */
  choosable: boolean;
}

export interface FacilityConsentPlan {
  facilityId: string;
  facilityName: { ja: string; en: string };
  policy: ClaimPolicy;
  request: FacilityRequest;
  accountId: string;
  personId: string | undefined;
  registered: string[] | undefined;
  /** Units the screen shows, in policy order. */
  units: string[];
  /** Identity facts can be given (proofed), or none are needed. */
  canRegister: boolean;
  values: Record<string, unknown>;
}

/** Units that need the verified identity (everything but the account's own contact facts). */
const needsIdentity = (unit: string) => unit !== 'email' && unit !== 'phone_number';

/** A value as the screen shows it. */
export function displayValue(unit: string, value: unknown, lang: Lang): string {
  const t = translator(MESSAGES, lang);
  if (value === undefined || value === null) return t('consent.facility.none');
  if (typeof value === 'boolean') return t(value ? 'consent.facility.yes' : 'consent.facility.no');
  if (unit === 'gender' && (value === 'male' || value === 'female')) return t(`consent.facility.gender.${value}`);
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  const v = value as Record<string, unknown>;
  if (typeof v.formatted === 'string') return v.formatted;
  if (typeof v.method === 'string') return t(v.method === 'jpki_signature' ? 'consent.facility.verified.high' : 'consent.facility.verified.low');
  return Object.values(v).filter((x) => typeof x === 'string').join(' / ');
}

export class FacilityConsent {
  readonly #platform: Platform;
  readonly #claims: ClaimsRuntime;
  readonly #registrations: RegistrationService;

  constructor(platform: Platform, claims: ClaimsRuntime, registrations: RegistrationService) {
    this.#platform = platform;
    this.#claims = claims;
    this.#registrations = registrations;
  }

  /** The consent plan when the interaction's client belongs to a facility with a policy; else undefined. */
  async plan(details: Details): Promise<FacilityConsentPlan | undefined> {
    const accountId = details.session?.accountId;
    const clientId = String(details.params.client_id);
    const claims = this.#claims;
    const facility = accountId ? await claims.plugin.facilityPolicyOf(clientId) : undefined;
    if (!accountId || !facility) return undefined;
    const { policy, facilityId } = facility;
    const scopes = String(details.params.scope ?? '').split(' ').filter(Boolean);
    const request = claims.plugin.analyse(policy, scopes, parseClaimsParameter(details.params.claims));
    const db = this.#platform.db;
    const personId = await selfPersonOf(db, accountId);
    const registered = personId ? await activeRegistrationClaims(db, personId, facilityId) : undefined;
    const shown = new Set([...policy.required, ...request.units, ...(registered ?? [])]);
    const units = [...policy.required, ...policy.optional].filter((u) => shown.has(u));
    const proofed = personId ? await isVerified(db, personId) : false;
    const canRegister = Boolean(personId) && (proofed || !units.some(needsIdentity));
    const values = personId && canRegister ? await claims.engine.preview(personId, units) : {};
    const facilityRow = await this.#platform.facilities.find(facilityId);
    return {
      facilityId,
      facilityName: { ja: facilityRow?.nameJa ?? facilityId, en: facilityRow?.nameEn ?? facilityId },
      policy,
      request,
      accountId,
      personId,
      registered,
      units,
      canRegister,
      values,
    };
  }

  rows(plan: FacilityConsentPlan, lang: Lang): ConsentRow[] {
    return plan.units.map((unit) => {
      const required = plan.policy.required.includes(unit);
      const consented = plan.registered?.includes(unit) ?? false;
      return {
        unit,
        label: UNIT_LABELS[unit]?.[lang] ?? unit,
        value: displayValue(unit, plan.values[unit], lang),
        required,
        consented,
        choosable: !required && !consented && plan.request.units.includes(unit),
      };
    });
  }

  /**
   * The resident allowed: register (or extend the registration) with the required facts, the
   * optional ones they kept ticked and those already consented; then grant what that covers.
   */
  async allow(op: Provider, details: Details, plan: FacilityConsentPlan, chosen: readonly string[]): Promise<string> {
    const choosable = new Set(this.rows(plan, 'ja').filter((r) => r.choosable).map((r) => r.unit));
    const units = plan.units.filter((u) => plan.policy.required.includes(u) || plan.registered?.includes(u) || (choosable.has(u) && chosen.includes(u)));
    let consented = new Set<string>();
    if (plan.canRegister) {
      const registration = await this.#registrations.consentAtLogin(plan.accountId, plan.facilityId, units);
      consented = new Set(registration.claims);
    }
    const clientId = String(details.params.client_id);
    const grant = (details.grantId ? await op.Grant.find(details.grantId) : undefined) ?? new op.Grant({ accountId: plan.accountId, clientId });
    const promptDetails = details.prompt.details as { missingResourceScopes?: Record<string, string[]> };
    applyFacilityConsent(grant as unknown as GrantLike, {
      scopes: String(details.params.scope ?? '').split(' ').filter(Boolean),
      request: plan.request,
      consented,
      ...(promptDetails.missingResourceScopes ? { resourceScopes: promptDetails.missingResourceScopes } : {}),
    });
    return grant.save();
  }
}
