import type { PassApi } from '../pass-api.ts';

/** Whose face a screen is about, as the resident reads it. */
export interface FaceOwner {
  /** The person's verified name; undefined until they are proofed. */
  name: string | undefined;
  /** Only a proofed person can enroll a face; undefined when PASS could not be asked (the upload then finds out). */
  proofed: boolean | undefined;
}

/** The resident: the name their own proofing verified. */
export async function ownFaceOwner(api: PassApi, token: string): Promise<FaceOwner> {
  const answer = await api.call<{ verified?: boolean; claims?: { name?: string } }>(token, 'GET', '/api/identity/jpki/verification');
  if (!answer.ok) return { name: undefined, proofed: undefined };
  return { name: answer.body.claims?.name, proofed: answer.body.verified === true };
}

/** A member of the household the resident represents: their name as their card gave it. */
export async function memberFaceOwner(api: PassApi, token: string, personId: string): Promise<FaceOwner> {
  const answer = await api.call<{ members?: Array<{ person_id: string; name: string | null; method: string | null }> }>(token, 'GET', '/api/households/me');
  if (!answer.ok) return { name: undefined, proofed: undefined };
  const member = answer.body.members?.find((m) => m.person_id === personId);
  return { name: member?.name ?? undefined, proofed: Boolean(member?.method) };
}
