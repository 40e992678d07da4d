import type { HomeSection, SectionEnv } from '../sections.ts';
import type { RpSession } from '../../shared/relying-party.ts';

/** The home tile of the family: 登録済み once the household has members. */
export async function familySection(session: RpSession, { api }: SectionEnv): Promise<HomeSection> {
  const tile = { id: 'family', titleKey: 'section.family', textKey: 'section.family.text', href: '/app/family/' };
  try {
    const answer = await api.call<{ members?: Array<{ relation: string }> }>(session.tokens!.accessToken, 'GET', '/api/households/me');
    if (answer.ok && answer.body.members?.some((m) => m.relation !== 'representative')) return { ...tile, status: { key: 'family.tile.members', active: true } };
  } catch {
    // The home screen shows what it can.
  }
  return { ...tile, status: { key: 'status.todo', active: false } };
}

/** The home tile of facilities: 利用中 while a registration is active. */
export async function facilitiesSection(session: RpSession, { api }: SectionEnv): Promise<HomeSection> {
  const tile = { id: 'facilities', titleKey: 'section.facilities', textKey: 'section.facilities.text', href: '/app/facilities/' };
  try {
    const answer = await api.call<{ registrations?: Array<{ status: string }> }>(session.tokens!.accessToken, 'GET', '/api/registrations');
    if (answer.ok && answer.body.registrations?.some((r) => r.status === 'active')) return { ...tile, status: { key: 'facilities.tile.active', active: true } };
  } catch {
    // The home screen shows what it can.
  }
  return { ...tile, status: { key: 'status.todo', active: false } };
}
