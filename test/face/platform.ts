// Shared setup for the face tests that run whole PASS instances (API, galleries across nodes, no models).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { REPO_ROOT, startPass } from '../helpers/pass.ts';
import { authorize, exchangeCode } from '../helpers/browserless.ts';

export const SHARED_MODELS = path.resolve(REPO_ROOT, '../shared/models');
export const SHARED_FACES = path.resolve(REPO_ROOT, '../shared/faces');
export const PASSWORD = 'correct horse battery staple';
const REDIRECT = 'http://127.0.0.1:9/face-app-cb';

export type Pass = Awaited<ReturnType<typeof startPass>>;

/** One inference worker per instance: enough for tests, and light on a 2-core machine. */
export function faceEnv(env: Record<string, string>, extra: Record<string, string> = {}): Record<string, string> {
  return { ...env, PASS_MODELS_DIR: SHARED_MODELS, FACE_WORKERS: '1', ...extra };
}

export function photo(person: string, n: number): Promise<Buffer> {
  return readFile(path.join(SHARED_FACES, person, `${n}.jpg`));
}

/** A resident account and a PASS API access token for it (code flow, resource `${issuer}/api`, scope pass:api). */
export async function residentToken(pass: Pass, email: string): Promise<{ accountId: string; token: string }> {
  const account = await pass.platform.accounts.create({ email, password: PASSWORD, verified: true });
  const clientId = 'face-app-test';
  if (!(await pass.oidc.clients.find(clientId))) {
    await pass.oidc.clients.create({ clientId, name: 'face app (test)', redirectUris: [REDIRECT], tokenEndpointAuthMethod: 'none' });
  }
  const { issuer } = pass;
  const flow = await authorize({ issuer, clientId, redirectUri: REDIRECT, login: email, password: PASSWORD, scope: 'openid pass:api', resource: `${issuer}/api` });
  const tokens = await exchangeCode(issuer, clientId, REDIRECT, flow.code, flow.verifier);
  return { accountId: account.id, token: String(tokens.access_token) };
}

export interface ApiAnswer {
  status: number;
  headers: Headers;
  text: string;
  body: Record<string, any>;
}

export async function faceApi(pass: Pass, method: string, token: string | undefined, body?: Uint8Array, contentType = 'image/jpeg'): Promise<ApiAnswer> {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  if (body) headers['content-type'] = contentType;
  const response = await fetch(new URL('/api/face/enrollment', pass.issuer), { method, headers, ...(body ? { body } : {}) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, body: text ? (JSON.parse(text) as Record<string, any>) : {} };
}

export async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}
