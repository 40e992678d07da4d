// The kiosk's talk to PASS: the device authorization grant (RFC 8628) with DPoP-bound tokens,
// refresh, and kiosk API calls carrying `Authorization: DPoP` and a fresh proof each time. PASS
// wants its own recent nonce in every proof: the token endpoint and the kiosk API each hand one out
// (`DPoP-Nonce`), the kiosk keeps the latest of each, and a request refused with `use_dpop_nonce`
// is sent once more with the nonce that came with the refusal.
import { get, put, del } from './store.js';
import { newKey, proof } from './dpop.js';

const CLIENT_ID = 'pass-kiosk';
let issuer = location.origin;
let tokens;
/** The latest nonce of each server: the token endpoint (as) and the kiosk API (rs) are separate servers. */
const nonces = { as: undefined, rs: undefined };

function learnNonce(server, response) {
  const nonce = response.headers.get('DPoP-Nonce');
  if (nonce) nonces[server] = nonce;
  return Boolean(nonce);
}

/** RFC 9449 §8 (token endpoint: 400) and §9 (resource server: 401 with WWW-Authenticate). */
function askedForNonce(response, body) {
  if (response.status === 400) return body?.error === 'use_dpop_nonce';
  return response.status === 401 && /error="use_dpop_nonce"/.test(response.headers.get('WWW-Authenticate') ?? '');
}

export function setIssuer(value) {
  issuer = value;
}

export async function loadTokens() {
  tokens = await get('tokens');
  return tokens;
}

export async function forget() {
  tokens = undefined;
  await del('tokens');
  await del('kiosk');
}

async function tokenRequest(params) {
  const url = `${issuer}/token`;
  const send = async () => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', DPoP: await proof('POST', url, undefined, nonces.as) },
      body: new URLSearchParams({ client_id: CLIENT_ID, ...params }),
    });
    const body = await response.json();
    return { response, body };
  };
  let { response, body } = await send();
  if (askedForNonce(response, body) && learnNonce('as', response)) ({ response, body } = await send());
  else learnNonce('as', response);
  return { status: response.status, body };
}

async function keep(body) {
  tokens = { accessToken: body.access_token, refreshToken: body.refresh_token ?? tokens?.refreshToken, expiresAt: Date.now() + body.expires_in * 1000 };
  await put('tokens', tokens);
}

/** Starts provisioning: a new DPoP key and a device authorization request for the kiosk scope. */
export async function startDeviceAuthorization() {
  await newKey();
  const response = await fetch(`${issuer}/device/auth`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: CLIENT_ID, scope: 'kiosk offline_access', resource: `${issuer}/api` }),
  });
  if (!response.ok) throw new Error(`device authorization failed: ${response.status}`);
  return response.json();
}

/** Polls until approved ('approved'), refused or expired ('denied' / 'expired'). */
export async function pollDeviceToken(auth, signal) {
  let interval = (auth.interval ?? 5) * 1000;
  const deadline = Date.now() + auth.expires_in * 1000;
  while (Date.now() < deadline && !signal?.aborted) {
    await new Promise((r) => setTimeout(r, interval));
    const { status, body } = await tokenRequest({ grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: auth.device_code });
    if (status === 200) {
      await keep(body);
      return 'approved';
    }
    if (body.error === 'slow_down') interval += 5000;
    else if (body.error === 'access_denied') return 'denied';
    else if (body.error !== 'authorization_pending') return 'expired';
  }
  return 'expired';
}

async function refresh() {
  if (!tokens?.refreshToken) return false;
  const { status, body } = await tokenRequest({ grant_type: 'refresh_token', refresh_token: tokens.refreshToken });
  if (status !== 200) return false;
  await keep(body);
  return true;
}

/** A kiosk API call; `body` is JSON or a Blob. Network errors throw (the caller queues). */
export async function call(method, path, { json, blob } = {}) {
  if (!tokens) await loadTokens();
  if (tokens && tokens.expiresAt - Date.now() < 60_000) await refresh();
  const send = async () => {
    const url = `${issuer}${path}`;
    const headers = { authorization: `DPoP ${tokens?.accessToken}`, DPoP: await proof(method, url.split('?')[0], tokens?.accessToken, nonces.rs) };
    if (json !== undefined) headers['content-type'] = 'application/json';
    if (blob) headers['content-type'] = blob.type;
    const response = await fetch(url, { method, headers, body: json !== undefined ? JSON.stringify(json) : blob });
    const text = await response.text();
    const fresh = learnNonce('rs', response);
    return { status: response.status, body: text ? JSON.parse(text) : {}, retryWithNonce: fresh && askedForNonce(response) };
  };
  let answer = await send();
  if (answer.retryWithNonce) answer = await send();
  if (answer.status === 401 && answer.body.reason === 'invalid_token' && (await refresh())) answer = await send();
  if (answer.retryWithNonce) answer = await send();
  return { status: answer.status, body: answer.body };
}

/**
 * A call the page can still make while it unloads (the close on `pagehide`): a keepalive fetch,
 * since navigator.sendBeacon cannot carry the DPoP token and proof the kiosk API wants. Signing is
 * asynchronous and an unloading page gets no more turns, so the proof is made beforehand, with the
 * latest nonce (a proof and a nonce stay good for minutes; the heartbeat makes a fresh one).
 */
export async function prepareLastCall(method, path) {
  if (!tokens) return undefined;
  const url = `${issuer}${path}`;
  return { url, method, headers: { authorization: `DPoP ${tokens.accessToken}`, DPoP: await proof(method, url, tokens.accessToken, nonces.rs) } };
}

export function sendLastCall(prepared) {
  if (!prepared) return;
  fetch(prepared.url, { method: prepared.method, headers: prepared.headers, keepalive: true }).catch(() => {});
}
