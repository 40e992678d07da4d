// Two PASS processes behind the test proxy, sharing PostgreSQL and Redis, with the proxy's address
// as their one issuer. What a resident, a kiosk or an operator does on one node holds on the other:
// a sign-in started on one finishes on the other, a face enrolled or deleted through one is what the
// other's kiosks match against, and a key rotated by the CLI signs on both at once.
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { passCli } from '../helpers/cli.ts';
import { NODE_HEADER } from '../helpers/cluster.ts';
import { REPO_ROOT } from '../helpers/pass.ts';
import { startDeployment, type Deployment } from './fixture.ts';
import { login, Recorder } from './load.ts';

const MODELS = path.resolve(REPO_ROOT, '../shared/models');
const FACES = path.resolve(REPO_ROOT, '../shared/faces');
const on = (node: number) => ({ [NODE_HEADER]: String(node) });
let deployment: Deployment;

beforeAll(async () => {
  deployment = await startDeployment({ nodes: 2, kiosks: 1, residents: 2, gallery: true, env: { PASS_MODELS_DIR: MODELS, FACE_WORKERS: '1', KEY_REFRESH_SECONDS: '3600' } });
}, 120_000);

afterAll(async () => {
  await deployment?.close();
});

async function idToken(node: number): Promise<string> {
  const rec = new Recorder();
  const tokens = await login(rec, deployment, deployment.residents[0]!, { scope: 'openid', route: () => on(node) });
  expect(rec.problems).toEqual([]);
  return String(tokens?.id_token);
}

async function jwksOf(node: number): Promise<JSONWebKeySet> {
  return (await (await fetch(`${deployment.issuer}/jwks`, { headers: on(node) })).json()) as JSONWebKeySet;
}

test('a sign-in started on one node finishes on the other, both ways', async () => {
  for (const [first, rest] of [[0, 1], [1, 0]] as const) {
    const rec = new Recorder();
    const tokens = await login(rec, deployment, deployment.residents[1]!, { scope: 'openid email', route: (step) => on(step === 0 ? first : rest) });
    expect(rec.problems).toEqual([]);
    const verified = await jwtVerify(String(tokens?.id_token), createLocalJWKSet(await jwksOf(first)), { issuer: deployment.issuer, audience: deployment.app.clientId });
    expect(verified.payload.sub).toBe(deployment.residents[1]!.accountId);
  }
  // Every node really answered (the proxy counts what each served).
  expect(deployment.proxy.served[0]).toBeGreaterThan(0);
  expect(deployment.proxy.served[1]).toBeGreaterThan(0);
});

test('a face enrolled through one node is matched by a kiosk on the other; deleted through that one, it no longer matches on the first', async () => {
  const [kiosk] = deployment.kiosks;
  const resident = deployment.residents[0]!;
  const photo = (n: number) => readFile(path.join(FACES, 'guido_van_rossum', `${n}.jpg`));
  const checkIn = async (node: number) => {
    const url = `${deployment.issuer}/api/kiosk/checkins/face?id=${randomUUID()}`;
    const response = await fetch(url, {
      method: 'POST',
      headers: { ...on(node), authorization: `DPoP ${kiosk!.accessToken}`, DPoP: await kiosk!.proof('POST', url.split('?')[0]!, kiosk!.accessToken), 'content-type': 'image/jpeg' },
      body: await photo(2),
    });
    expect(response.status).toBe(201);
    return (await response.json()) as { result: string; reason?: string };
  };
  const enrollment = (node: number, method: string, body?: Buffer) =>
    fetch(`${deployment.issuer}/api/face/enrollment`, { method, headers: { ...on(node), authorization: `Bearer ${resident.apiToken}`, ...(body ? { 'content-type': 'image/jpeg' } : {}) }, ...(body ? { body } : {}) });

  expect(await checkIn(1)).toMatchObject({ result: 'rejected', reason: 'no_match' });
  expect((await enrollment(0, 'POST', await photo(1))).status).toBe(201);
  // Node 1 learns of it over Redis; a kiosk there matches at once (a short wait for the message).
  let seen = await checkIn(1);
  for (let i = 0; i < 20 && seen.result !== 'accepted'; i += 1) seen = await checkIn(1);
  expect(seen.result).toBe('accepted');

  expect((await enrollment(1, 'DELETE')).status).toBe(204);
  let after = await checkIn(0);
  for (let i = 0; i < 20 && after.result !== 'rejected'; i += 1) after = await checkIn(0);
  expect(after).toMatchObject({ result: 'rejected', reason: 'no_match' });
}, 60_000);

test('a key rotated with the CLI signs on every node at once, and both keys stay published', async () => {
  const before = await idToken(0);
  const oldKid = decodeProtectedHeader(before).kid;
  const rotated = await passCli(['keys', 'rotate', '--json'], deployment.env);
  expect(rotated.code).toBe(0);
  const newKid = (JSON.parse(rotated.stdout) as Array<{ kid: string; alg: string; status: string }>).find((k) => k.alg === 'ES256' && k.status === 'current')!.kid;
  expect(newKid).not.toBe(oldKid);
  // KEY_REFRESH_SECONDS is an hour: only the Redis message can bring the new key this fast.
  for (const node of [0, 1]) {
    let kid = decodeProtectedHeader(await idToken(node)).kid;
    for (let i = 0; i < 25 && kid !== newKid; i += 1) {
      await new Promise((r) => setTimeout(r, 200));
      kid = decodeProtectedHeader(await idToken(node)).kid;
    }
    expect({ node, kid }).toEqual({ node, kid: newKid });
    const kids = (await jwksOf(node)).keys.map((k) => k.kid);
    expect(kids).toEqual(expect.arrayContaining([oldKid, newKid]));
    await expect(jwtVerify(before, createLocalJWKSet(await jwksOf(node)), { issuer: deployment.issuer, audience: deployment.app.clientId })).resolves.toBeDefined();
  }
}, 60_000);
