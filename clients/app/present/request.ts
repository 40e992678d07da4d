/**
 * The OpenID4VP 1.0 authorization request as the PASS app's wallet takes it (its authorization
 * endpoint is /app/wallet/present): passed by value, unsigned, asking with a DCQL query for SD-JWT
 * VCs, from either of two verifiers: one identified by the `redirect_uri:` client identifier
 * prefix, answered by `direct_post` to its response URI; or a PASS kiosk (`pass-kiosk:<id>`,
 * PASS's own offline profile, `response_mode=qr`), answered by a QR code on the phone's screen for
 * the kiosk's camera — no network on either side, so no response URI and no state. Anything else is refused with a problem the page words in
 * Japanese and English — before the resident sees a single fact. What PASS's wallet cannot answer
 * faithfully (nested claim paths, value matching, credential or claim sets, several presentations
 * of one query) is refused too, rather than answered with something other than what was asked.
 */
export const CLIENT_ID_PREFIX = 'redirect_uri:';
/** A PASS kiosk's client identifier prefix: the kiosk is the audience its own key-binding check expects. */
export const KIOSK_CLIENT_ID_PREFIX = 'pass-kiosk:';
/** The response mode of PASS's offline profile: the answer is shown as a QR code for the kiosk's camera. */
export const QR_RESPONSE_MODE = 'qr';
export const SD_JWT_FORMAT = 'dc+sd-jwt';

export type RequestProblem =
  | 'present.bad.parameters'
  | 'present.bad.signed'
  | 'present.bad.response_type'
  | 'present.bad.response_mode'
  | 'present.bad.response_uri'
  | 'present.bad.client_id'
  | 'present.bad.kiosk'
  | 'present.bad.nonce_state'
  | 'present.bad.client_metadata'
  | 'present.bad.dcql'
  | 'present.bad.dcql_unsupported';

export interface CredentialQuery {
  /** The DCQL credential query id: names the presentation in the vp_token. */
  id: string;
  vcts: string[];
  /** The top-level claims asked for. */
  claims: string[];
}

export interface PresentationRequest {
  /** `direct_post`: posted to the response URI; `qr`: shown as a QR code for a PASS kiosk's camera. */
  mode: 'direct_post' | 'qr';
  clientId: string;
  /** direct_post only. */
  responseUri?: string;
  /** direct_post only: what the resident is shown as the receiver, the response URI's origin (the only thing the prefix proves). */
  origin?: string;
  nonce: string;
  /** Always for direct_post; a kiosk's request has none (its nonce is its one-time value). */
  state?: string;
  queries: CredentialQuery[];
  /** The verifier's own name for itself, by language (self-asserted: not checked by anyone). */
  names: { ja?: string; en?: string; default?: string };
}

export type ReadRequest = { ok: true; request: PresentationRequest } | { ok: false; problem: RequestProblem };

const MAX_JSON = 4096;
const MAX_QUERIES = 4;
const MAX_CLAIMS = 16;
const NONCE_OR_STATE = /^[\x21-\x7e]{16,256}$/;
const QUERY_ID = /^[A-Za-z0-9_-]{1,64}$/;
const CLAIM_NAME = /^[A-Za-z0-9_]{1,64}$/;
const VCT = /^[\x21-\x7e]{1,256}$/;
const NAME_MAX = 80;
const KIOSK_CLIENT_ID = /^pass-kiosk:[A-Za-z0-9._-]{1,128}$/;

type Query = Record<string, string | string[] | undefined>;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function parseJson(text: string | undefined): unknown {
  if (text === undefined || text.length > MAX_JSON) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** https (http only for a development PASS), no credentials in the URL, no fragment. */
function responseUriOf(value: string | undefined, allowHttp: boolean): URL | undefined {
  if (value === undefined || value.length > 2048) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && !(allowHttp && url.protocol === 'http:')) return undefined;
  if (url.username || url.password || url.hash || url.href !== value) return undefined;
  return url;
}

function nameOf(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  // Control characters and bidirectional overrides could make a name read as another.
  const clean = value.replace(/[\u0000-\u001f\u007f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '').trim();
  return clean ? clean.slice(0, NAME_MAX) : undefined;
}

function readMetadata(text: string | undefined): { ok: true; names: PresentationRequest['names'] } | { ok: false } {
  if (text === undefined) return { ok: true, names: {} };
  const metadata = parseJson(text);
  if (!isObject(metadata)) return { ok: false };
  const formats = metadata.vp_formats_supported;
  if (formats !== undefined) {
    // A verifier that names the formats it takes must take ours, with ES256 where it lists algorithms.
    if (!isObject(formats) || !isObject(formats[SD_JWT_FORMAT])) return { ok: false };
    const sdJwt = formats[SD_JWT_FORMAT] as Record<string, unknown>;
    for (const key of ['sd-jwt_alg_values', 'kb-jwt_alg_values']) {
      const algs = sdJwt[key];
      if (algs !== undefined && !(Array.isArray(algs) && algs.includes('ES256'))) return { ok: false };
    }
  }
  return { ok: true, names: { ja: nameOf(metadata['client_name#ja']), en: nameOf(metadata['client_name#en']), default: nameOf(metadata.client_name) } };
}

function readDcql(text: string | undefined): { ok: true; queries: CredentialQuery[] } | { ok: false; problem: RequestProblem } {
  const dcql = parseJson(text);
  const bad = { ok: false, problem: 'present.bad.dcql' } as const;
  const unsupported = { ok: false, problem: 'present.bad.dcql_unsupported' } as const;
  if (!isObject(dcql) || !Array.isArray(dcql.credentials) || dcql.credentials.length === 0) return bad;
  if (dcql.credential_sets !== undefined) return unsupported;
  if (dcql.credentials.length > MAX_QUERIES) return unsupported;
  const queries: CredentialQuery[] = [];
  for (const credential of dcql.credentials as unknown[]) {
    if (!isObject(credential) || typeof credential.id !== 'string' || !QUERY_ID.test(credential.id) || typeof credential.format !== 'string') return bad;
    if (queries.some((q) => q.id === credential.id)) return bad;
    if (credential.format !== SD_JWT_FORMAT) return unsupported;
    if (credential.multiple !== undefined && credential.multiple !== false) return unsupported;
    if (credential.claim_sets !== undefined || credential.trusted_authorities !== undefined) return unsupported;
    if (credential.require_cryptographic_holder_binding === false) return unsupported;
    const meta = credential.meta;
    if (!isObject(meta) || !Array.isArray(meta.vct_values) || meta.vct_values.length === 0 || meta.vct_values.length > 8) return bad;
    if (!meta.vct_values.every((v): v is string => typeof v === 'string' && VCT.test(v))) return bad;
    // DCQL: no claims means the whole credential; PASS's wallet asks for the facts to be named.
    if (!Array.isArray(credential.claims) || credential.claims.length === 0) return unsupported;
    if (credential.claims.length > MAX_CLAIMS) return unsupported;
    const claims: string[] = [];
    for (const claim of credential.claims as unknown[]) {
      if (!isObject(claim) || !Array.isArray(claim.path) || claim.path.length === 0) return bad;
      if (claim.values !== undefined || claim.path.length !== 1) return unsupported;
      const [name] = claim.path;
      if (typeof name !== 'string' || !CLAIM_NAME.test(name)) return unsupported;
      if (!claims.includes(name)) claims.push(name);
    }
    queries.push({ id: credential.id, vcts: [...new Set(meta.vct_values)], claims });
  }
  return { ok: true, queries };
}

/**
 * Checks a request as its query parameters came (a repeated one as an array). The server runs it
 * before drawing the approval page, and the page runs it again on its own address (served to it as
 * a module), so the page works from the service worker's copy with no network.
 */
export function readPresentationRequest(query: Query, options: { allowHttp: boolean }): ReadRequest {
  const refuse = (problem: RequestProblem): ReadRequest => ({ ok: false, problem });
  // A parameter given twice has no one meaning.
  if (Object.values(query).some((value) => Array.isArray(value))) return refuse('present.bad.parameters');
  const q = query as Record<string, string | undefined>;
  if (q.request !== undefined || q.request_uri !== undefined) return refuse('present.bad.signed');
  if (q.response_type !== 'vp_token') return refuse('present.bad.response_type');
  const mode = q.response_mode;
  if (mode !== 'direct_post' && mode !== QR_RESPONSE_MODE) return refuse('present.bad.response_mode');
  let origin: string | undefined;
  if (mode === 'direct_post') {
    const responseUri = responseUriOf(q.response_uri, options.allowHttp);
    if (!responseUri) return refuse('present.bad.response_uri');
    if (q.client_id !== `${CLIENT_ID_PREFIX}${q.response_uri}`) return refuse('present.bad.client_id');
    origin = responseUri.origin;
  } else if (typeof q.client_id !== 'string' || !KIOSK_CLIENT_ID.test(q.client_id) || q.response_uri !== undefined || q.redirect_uri !== undefined) {
    // A QR answer goes to the kiosk that showed the request and nowhere else: no address may ride along.
    return refuse('present.bad.kiosk');
  }
  const stateOk = q.state === undefined ? mode === QR_RESPONSE_MODE : NONCE_OR_STATE.test(q.state);
  if (typeof q.nonce !== 'string' || !NONCE_OR_STATE.test(q.nonce) || !stateOk) return refuse('present.bad.nonce_state');
  if (q.scope !== undefined) return refuse('present.bad.dcql_unsupported');
  const dcql = readDcql(q.dcql_query);
  if (!dcql.ok) return refuse(dcql.problem);
  const metadata = readMetadata(q.client_metadata);
  if (!metadata.ok) return refuse('present.bad.client_metadata');
  const request: PresentationRequest = { mode, clientId: q.client_id!, nonce: q.nonce, queries: dcql.queries, names: metadata.names };
  if (mode === 'direct_post') Object.assign(request, { responseUri: q.response_uri, origin });
  if (q.state !== undefined) request.state = q.state;
  return { ok: true, request };
}

/** The query parameters of a URL's search part, a repeated one as an array (as the server's parser gives them). */
export function queryOf(search: string): Query {
  // No prototype, like the server's parser: a parameter named __proto__ is a parameter like any.
  const query = Object.create(null) as Record<string, string | string[]>;
  for (const [key, value] of new URLSearchParams(search)) {
    const seen = query[key];
    query[key] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return query;
}
