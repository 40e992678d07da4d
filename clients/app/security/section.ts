import type { HomeSection, SectionEnv } from '../sections.ts';
import type { PassApi } from '../pass-api.ts';
import type { RpSession } from '../../shared/relying-party.ts';

/** GET /api/account/security, as the contract gives it. */
export interface SecurityOverview {
  passkeys: Array<{ id: string; name: string | null; created_at: string; last_used_at: string | null; backed_up: boolean; device_type: 'singleDevice' | 'multiDevice' }>;
  totp: { enrolled: boolean; confirmed_at: string | null };
  devices: Array<{ id: string; label: string | null; factor: 'sms' | 'otp'; created_at: string; last_used_at: string | null; expires_at: string }>;
  phone: { masked: string | null; verified: boolean };
  /** Has a passkey or a confirmed authenticator app: may open PASS Manager if staff. */
  strong: boolean;
  remember_days: number;
}

/** This feature's state in the app session (key SECURITY_FLOW). */
export interface SecurityFlow {
  /** An authenticator app enrollment started and not confirmed yet: what the setup page shows again. */
  totp?: { secret: string; uri: string };
  /** 「あとで」 on the passkey offer: hidden for the rest of this app session. */
  offerDismissed?: boolean;
}

export const SECURITY_FLOW = 'security';
export const SECURITY_BASE = '/app/account/security';

/** The account's sign-in factors, or undefined when PASS does not answer (the home screen shows what it can). */
export async function loadSecurity(api: PassApi, token: string): Promise<SecurityOverview | undefined> {
  try {
    const answer = await api.call<SecurityOverview>(token, 'GET', '/api/account/security');
    return answer.ok && Array.isArray(answer.body.passkeys) ? answer.body : undefined;
  } catch {
    return undefined;
  }
}

/** The home tile: パスキー登録済み once the account has one; the page itself is always there. */
export async function securitySection(session: RpSession, env: SectionEnv): Promise<HomeSection> {
  const tile = { id: 'security', titleKey: 'section.security', textKey: 'section.security.text', href: SECURITY_BASE };
  const overview = env.security ? await env.security() : await loadSecurity(env.api, session.tokens!.accessToken);
  if (!overview) return { ...tile, status: { key: 'security.tile.manage', active: false } };
  return overview.passkeys.length > 0
    ? { ...tile, status: { key: 'security.tile.passkey', active: true } }
    : { ...tile, status: { key: 'security.tile.nopasskey', active: false } };
}

/**
 * Whether the home screen (right after sign-up, and later) offers a passkey: while the account has
 * none and the resident has not said 「あとで」 in this app session. Nothing is cached across requests.
 */
export function offersPasskey(overview: SecurityOverview | undefined, session: RpSession): boolean {
  const flow = (session as RpSession & { [SECURITY_FLOW]?: SecurityFlow })[SECURITY_FLOW];
  return overview !== undefined && overview.passkeys.length === 0 && flow?.offerDismissed !== true;
}
