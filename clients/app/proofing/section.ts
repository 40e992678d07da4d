import type { HomeSection, SectionEnv } from '../sections.ts';
import type { RpSession } from '../../shared/relying-party.ts';

/** The home tile of identity proofing: 確認済み once the basic four are bound, else 未登録. */
export async function proofingSection(session: RpSession, { api }: SectionEnv): Promise<HomeSection> {
  const tile = { id: 'proofing', titleKey: 'section.proofing', textKey: 'section.proofing.text', href: '/app/identity' };
  try {
    const answer = await api.call<{ verified?: boolean }>(session.tokens!.accessToken, 'GET', '/api/identity/jpki/verification');
    if (answer.ok && answer.body.verified === true) return { ...tile, status: { key: 'proofing.tile.verified', active: true } };
  } catch {
    // The home screen shows what it can; the proofing screen says what went wrong.
  }
  return { ...tile, status: { key: 'status.todo', active: false } };
}
