import type { HomeSection, SectionEnv } from '../sections.ts';
import type { RpSession } from '../../shared/relying-party.ts';
import { SELF_FACE } from './paths.ts';

/** The home tile of the face: 登録済み, 未登録, or 利用停止中 when the models are not installed. */
export async function faceSection(session: RpSession, { api }: SectionEnv): Promise<HomeSection> {
  const tile = { id: 'face', titleKey: 'section.face', textKey: 'section.face.text', href: SELF_FACE.base };
  try {
    const answer = await api.call<{ available?: boolean; enrolled?: boolean; current?: boolean }>(session.tokens!.accessToken, 'GET', SELF_FACE.apiPath);
    if (answer.ok && answer.body.available === false) return { ...tile, status: { key: 'face.tile.unavailable', active: false } };
    if (answer.ok && answer.body.enrolled && answer.body.current !== false) return { ...tile, status: { key: 'face.tile.enrolled', active: true } };
  } catch {
    // The home screen shows what it can; the face screen says what went wrong.
  }
  return { ...tile, status: { key: 'status.todo', active: false } };
}
