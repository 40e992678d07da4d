/**
 * The PASS app's calls to PASS's own API (/api/...), made on the server with the resident's access
 * token from the app session: the browser never holds the token. Refusals come back as data
 * (status, reason, the ja/en message the API chose), never as exceptions, so screens can show them.
 */
import type { Lang } from '../../src/http/i18n.ts';

export interface ApiAnswer<T = Record<string, unknown>> {
  ok: boolean;
  status: number;
  body: T & ApiRefusal;
}

/** What every PASS API refusal carries (the proofing and face edges). */
export interface ApiRefusal {
  error?: string;
  reason?: string;
  message?: { ja: string; en: string };
}

const TIMEOUT_MS = 20_000;

export class PassApi {
  readonly #issuer: string;

  constructor(issuer: string) {
    this.#issuer = issuer;
  }

  async call<T = Record<string, unknown>>(
    token: string,
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    body?: { json: unknown } | { bytes: Uint8Array; type: string },
  ): Promise<ApiAnswer<T>> {
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' };
    let payload: string | Uint8Array | undefined;
    if (body && 'json' in body) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body.json);
    } else if (body) {
      headers['content-type'] = body.type;
      payload = body.bytes;
    }
    const response = await fetch(new URL(path, this.#issuer), { method, headers, ...(payload !== undefined ? { body: payload } : {}), signal: AbortSignal.timeout(TIMEOUT_MS) });
    const text = await response.text();
    let parsed: unknown = {};
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      parsed = { error: 'server_error' };
    }
    return { ok: response.ok, status: response.status, body: parsed as T & ApiRefusal };
  }

  /**
   * A credential offer (OpenID4VCI pre-authorized code) for the resident or a household member
   * they represent; the wallet page in the browser redeems it, so the credential's key binding is
   * the phone's own key and never the app server's.
   */
  walletOffer(token: string, credentialConfigurationId: string, personId?: string): Promise<ApiAnswer<{ credential_offer?: CredentialOffer }>> {
    return this.call(token, 'POST', '/api/wallet/offers', { json: { credential_configuration_id: credentialConfigurationId, ...(personId ? { personId } : {}) } });
  }
}

/** OpenID4VCI 1.0 credential offer, pre-authorized code grant. */
export interface CredentialOffer {
  credential_issuer: string;
  credential_configuration_ids: string[];
  grants: Record<string, { 'pre-authorized_code'?: string } | undefined>;
}

/** The text to show for a refusal: the API's own message in the page's language, else the fallback. */
export function refusalText(answer: ApiAnswer<unknown>, lang: Lang, fallback: string): string {
  const message = answer.body.message;
  return message && typeof message[lang] === 'string' ? message[lang] : fallback;
}
