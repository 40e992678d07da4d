/** Shared setup for the proofing API tests: a running PASS, an app client, tokens and virtual cards. */
import { createStorage, startPass, type TestStorage } from '../helpers/pass.ts';
import type { StorageMode } from '../helpers/services.ts';
import { authorize, exchangeCode } from '../helpers/browserless.ts';
import type { DevCardStore } from '../../src/identity/proofing/index.ts';
import type { PassServer } from '../../src/server.ts';

export const APP_REDIRECT = 'http://127.0.0.1:9/app-cb';
export const RP_REDIRECT = 'http://127.0.0.1:9/rp-cb';
export const PASSWORD = 'correct horse battery staple';

export { TARO, HANAKO } from './fixtures.ts';

export type Pass = PassServer & { issuer: string };

export interface Env {
  storage: TestStorage;
  pass: Pass;
  cards: DevCardStore;
}

export async function startEnv(mode: StorageMode, extra: Record<string, string> = {}): Promise<Env> {
  const storage = await createStorage(mode);
  const pass = await startPass({ ...storage.env, ...extra });
  await pass.oidc.clients.create({ clientId: 'pass-app-test', name: 'PASS app (test)', redirectUris: [APP_REDIRECT], tokenEndpointAuthMethod: 'none' });
  await pass.oidc.clients.create({ clientId: 'city-rp', name: '加賀市 テストRP', redirectUris: [RP_REDIRECT], tokenEndpointAuthMethod: 'none' });
  const cards = pass.provided.proofing?.pki.dev;
  if (!cards) throw new Error('the development CA is not in use');
  return { storage, pass, cards };
}

export async function stopEnv(env: Env | undefined): Promise<void> {
  await env?.pass.close();
  await env?.storage.cleanup();
}

export async function newAccount(env: Env, email: string): Promise<string> {
  const account = await env.pass.platform.accounts.create({ email, password: PASSWORD, verified: true });
  return account.id;
}

/** An access token for PASS's own API, from the code flow with resource `${issuer}/api`. */
export async function appToken(env: Env, email: string, clientId = 'pass-app-test'): Promise<string> {
  const { issuer } = env.pass;
  const flow = await authorize({ issuer, clientId, redirectUri: APP_REDIRECT, login: email, password: PASSWORD, scope: 'openid pass:api', resource: `${issuer}/api` });
  const tokens = await exchangeCode(issuer, clientId, APP_REDIRECT, flow.code, flow.verifier);
  return String(tokens.access_token);
}

export interface ApiResult {
  status: number;
  body: Record<string, any>;
}

export async function api(env: Env, token: string, method: string, path: string, body?: unknown): Promise<ApiResult> {
  const response = await fetch(new URL(path, env.pass.issuer), {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, any>) : {} };
}

export const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

/** What the app does: challenge, then the card signs it, then verify. Returns the verify answer. */
export async function prove(env: Env, token: string, cardId: string, tamper?: (c: { challenge: Uint8Array; signature: Uint8Array; certificate: Uint8Array }) => void): Promise<ApiResult> {
  const challenge = await api(env, token, 'POST', '/api/identity/jpki/challenge');
  if (challenge.status !== 200) return challenge;
  const { card, signPin } = await env.cards.open(cardId);
  const bytes = new Uint8Array(Buffer.from(challenge.body.challenge as string, 'base64'));
  const read = await card.read('signature', signPin, bytes);
  const parts = { challenge: bytes, signature: read.signature, certificate: read.certificate };
  tamper?.(parts);
  return api(env, token, 'POST', '/api/identity/jpki/verify', {
    challenge_id: challenge.body.challenge_id,
    certificate: b64(parts.certificate),
    signature: b64(parts.signature),
  });
}

/** prove + confirm. */
export async function proveAndConfirm(env: Env, token: string, cardId: string): Promise<ApiResult> {
  const verified = await prove(env, token, cardId);
  if (verified.status !== 200) return verified;
  return api(env, token, 'POST', '/api/identity/jpki/confirm', { verification_id: verified.body.verification_id });
}

export async function countRows(env: Env, table: string): Promise<number> {
  const [row] = (await env.pass.platform.db(table).count({ n: '*' })) as Array<{ n: string | number }>;
  return Number(row!.n);
}
