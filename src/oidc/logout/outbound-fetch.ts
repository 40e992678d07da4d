/**
 * oidc-provider's outgoing requests (back-channel logout, jwks_uri, sector_identifier_uri) carry
 * its SSRF protection: connections to loopback and private addresses are cut. PASS keeps that for
 * every URL registered by others, and lifts it only for PASS's own origin, where the demo relying
 * party (/demo/booking) receives back-channel logout in development.
 */
export function outboundFetch(issuer: string): (url: URL | string, options: RequestInit & { dispatcher?: unknown }) => Promise<Response> {
  const own = new URL(issuer).origin;
  return (url, options) => {
    if (new URL(url).origin !== own) return fetch(url, options);
    const { dispatcher: _ssrfGuard, ...rest } = options;
    return fetch(url, rest);
  };
}
