/**
 * The bus's OpenID4VP 1.0 authorization request: "aged 65 or over" and nothing else, as a DCQL
 * query for PASS's age credential. The client identifier prefix `redirect_uri:` makes the client id
 * the response URI itself, so the request is passed by value and unsigned (OpenID4VP 1.0 §5.9.3):
 * the wallet shows the resident that origin, and the answer can go nowhere else.
 */
export const AGE_VCT = 'urn:pass:vct:age:1';
/** The one fact the discount needs. */
export const AGE_CLAIM = 'age_over_65';
/** The DCQL credential query id, which names the presentation in the vp_token. */
export const AGE_QUERY_ID = 'age';

export const DCQL_QUERY = {
  credentials: [{ id: AGE_QUERY_ID, format: 'dc+sd-jwt', meta: { vct_values: [AGE_VCT] }, claims: [{ path: [AGE_CLAIM] }] }],
} as const;

/** How long a request may be answered. */
export const REQUEST_TTL_SECONDS = 300;

/** The verifier's metadata passed with the request: its name in both languages, and the one format and algorithms it verifies. */
export const CLIENT_METADATA = {
  client_name: '加賀市コミュニティバス',
  'client_name#ja': '加賀市コミュニティバス',
  'client_name#en': 'Kaga City Community Bus',
  vp_formats_supported: { 'dc+sd-jwt': { 'sd-jwt_alg_values': ['ES256'], 'kb-jwt_alg_values': ['ES256'] } },
} as const;

export const CLIENT_ID_PREFIX = 'redirect_uri:';

export function clientIdFor(responseUri: string): string {
  return `${CLIENT_ID_PREFIX}${responseUri}`;
}

/** The request's parameters, each a string as they go in the URL. */
export function authorizationRequest(responseUri: string, nonce: string, state: string): Record<string, string> {
  return {
    client_id: clientIdFor(responseUri),
    response_type: 'vp_token',
    response_mode: 'direct_post',
    response_uri: responseUri,
    nonce,
    state,
    dcql_query: JSON.stringify(DCQL_QUERY),
    client_metadata: JSON.stringify(CLIENT_METADATA),
  };
}

/**
 * The request at the wallet's authorization endpoint. PASS's wallet is a web app, so the endpoint
 * is an https page of it; a native wallet would be reached with the `openid4vp://` scheme instead.
 */
export function requestUrl(walletEndpoint: string, parameters: Record<string, string>): string {
  return `${walletEndpoint}?${new URLSearchParams(parameters).toString()}`;
}
