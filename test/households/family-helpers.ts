/** Shared setup for the household and registration tests: PASS, the catalog, residents and their cards. */
import { readCatalog } from '../../src/facilities/facility-service.ts';
import type { DevTextApCards } from '../../src/households/text-ap/dev-card.ts';
import type { ResidentFacts } from '../../src/jpki/dev-ca.ts';
import type { StorageMode } from '../helpers/services.ts';
import { api, appToken, countRows, newAccount, proveAndConfirm, startEnv, type ApiResult, type Env } from '../jpki/proofing-helpers.ts';

export { api, countRows, stopEnv, TARO, HANAKO, PASSWORD, RP_REDIRECT } from '../jpki/proofing-helpers.ts';
export type { Env, ApiResult } from '../jpki/proofing-helpers.ts';

export const SORA = { name: '加賀　そら', address: '石川県加賀市作見町ル２５番地１', birthdate: '2019-05-01', sex: '3' as const };
export const ICHIRO: ResidentFacts = { name: '加賀　一郎', birthdate: '1952-11-23', sex: '1', address: '石川県加賀市大聖寺地方町１－２－３', prefecture: 'Ishikawa-ken', municipality: 'Kaga-shi' };

export interface FamilyEnv extends Env {
  text: DevTextApCards;
}

export async function startFamilyEnv(mode: StorageMode): Promise<FamilyEnv> {
  const env = await startEnv(mode);
  await env.pass.platform.facilities.importCatalog(readCatalog());
  const text = env.pass.provided.households?.devTextCards;
  if (!text) throw new Error('the development text-AP cards are not available');
  return Object.assign(env, { text });
}

/** A new account proofed with its own signature card; returns its PASS API token. */
export async function proofedResident(env: Env, email: string, facts: ResidentFacts, cardId: string): Promise<{ accountId: string; token: string }> {
  await env.cards.issue(facts, { id: cardId });
  const accountId = await newAccount(env, email);
  const token = await appToken(env, email);
  const confirmed = await proveAndConfirm(env, token, cardId);
  if (confirmed.status !== 200) throw new Error(`proofing failed: ${JSON.stringify(confirmed.body)}`);
  return { accountId, token };
}

/** What the app does to add a member: challenge, the member's card, verify (returns the verify answer). */
export async function verifyMember(env: FamilyEnv, token: string, relation: 'child' | 'parent', card: { signature: string } | { text: string; pin?: string }): Promise<ApiResult> {
  const method = 'signature' in card ? 'jpki_signature' : 'jpki_text_ap';
  const challenge = await api(env, token, 'POST', '/api/households/members/challenge', { method });
  if (challenge.status !== 200) return challenge;
  const bytes = new Uint8Array(Buffer.from(challenge.body.challenge as string, 'base64'));
  if ('signature' in card) {
    const { card: c, signPin } = await env.cards.open(card.signature);
    const read = await c.read('signature', signPin, bytes);
    return api(env, token, 'POST', '/api/households/members/verify', {
      method,
      relation,
      challenge_id: challenge.body.challenge_id,
      certificate: Buffer.from(read.certificate).toString('base64'),
      signature: Buffer.from(read.signature).toString('base64'),
    });
  }
  const read = await api(env, token, 'POST', `/api/households/dev/text-cards/${card.text}/read`, { pin: card.pin ?? '1234', challenge: challenge.body.challenge });
  if (read.status !== 200) return read;
  return api(env, token, 'POST', '/api/households/members/verify', {
    method,
    relation,
    challenge_id: challenge.body.challenge_id,
    text_ap: { ef0002: read.body.ef0002, ef0003: read.body.ef0003, ef0004: read.body.ef0004, ef0007: read.body.ef0007, signature: read.body.signature },
  });
}

export async function addMember(env: FamilyEnv, token: string, relation: 'child' | 'parent', card: { signature: string } | { text: string; pin?: string }): Promise<ApiResult> {
  const verified = await verifyMember(env, token, relation, card);
  if (verified.status !== 200) return verified;
  return api(env, token, 'POST', '/api/households/members/confirm', { verification_id: verified.body.verification_id });
}

/** Rows that household rules must leave untouched when they refuse. */
export async function familyRows(env: Env): Promise<Record<string, number>> {
  const tables = ['persons', 'households', 'household_members', 'person_identities', 'identity_verifications', 'registrations', 'audit_log'];
  const out: Record<string, number> = {};
  for (const t of tables) out[t] = await countRows(env, t);
  return out;
}

