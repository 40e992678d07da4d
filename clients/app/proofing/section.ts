import type { HomeSection, SectionEnv } from '../sections.ts';
import type { PassApi } from '../pass-api.ts';
import type { RpSession } from '../../shared/relying-party.ts';

/** GET /api/identity/jpki/verification, as far as the home screen reads it. */
export interface Verification {
  verified: boolean;
  claims?: { name?: string };
}

/** The resident's proofing, or undefined when PASS does not answer (the home screen shows what it can). */
export async function loadVerification(api: PassApi, token: string): Promise<Verification | undefined> {
  try {
    const answer = await api.call<Verification>(token, 'GET', '/api/identity/jpki/verification');
    return answer.ok ? { verified: answer.body.verified === true, ...(answer.body.claims ? { claims: answer.body.claims } : {}) } : undefined;
  } catch {
    return undefined;
  }
}

/** The home tile of identity proofing: 確認済み once the basic four are bound, else 未登録. */
export async function proofingSection(session: RpSession, env: SectionEnv): Promise<HomeSection> {
  const tile = { id: 'proofing', titleKey: 'section.proofing', textKey: 'section.proofing.text', href: '/app/identity' };
  const verification = env.verification ? await env.verification() : await loadVerification(env.api, session.tokens!.accessToken);
  if (verification?.verified) return { ...tile, status: { key: 'proofing.tile.verified', active: true } };
  return { ...tile, status: { key: 'status.todo', active: false } };
}
