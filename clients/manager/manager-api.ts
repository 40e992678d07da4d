/**
 * PASS Manager's calls to PASS's own API (/api/manager/..., /api/kiosk/admin/..., /api/admin/...),
 * made on the server with the staff member's access token from the console session: the browser
 * never holds the token. JSON answers come back as data (PassApi: refusals are not exceptions);
 * `raw` hands back the response itself for bodies that are passed through as they arrive (CSV
 * downloads, the alert event stream).
 */
import type { Lang } from '../../src/http/i18n.ts';
import { PassApi, refusalText, type ApiAnswer } from '../app/pass-api.ts';

export type { ApiAnswer };

export class ManagerApi {
  readonly #issuer: string;
  readonly #token: string;
  readonly #lang: Lang;
  readonly #api: PassApi;

  constructor(issuer: string, token: string, lang: Lang) {
    this.#issuer = issuer;
    this.#token = token;
    this.#lang = lang;
    this.#api = new PassApi(issuer);
  }

  /** `query` values that are undefined or empty are left out. */
  get<T = Record<string, unknown>>(path: string, query: Record<string, string | undefined> = {}): Promise<ApiAnswer<T>> {
    return this.#api.call<T>(this.#token, 'GET', withQuery(path, query));
  }

  post<T = Record<string, unknown>>(path: string, json: unknown = {}): Promise<ApiAnswer<T>> {
    return this.#api.call<T>(this.#token, 'POST', path, { json });
  }

  delete<T = Record<string, unknown>>(path: string): Promise<ApiAnswer<T>> {
    return this.#api.call<T>(this.#token, 'DELETE', path);
  }

  /** The response as it comes (status, headers, a streamed body); `signal` ends it early. */
  raw(path: string, init: { query?: Record<string, string | undefined>; headers?: Record<string, string>; signal?: AbortSignal } = {}): Promise<Response> {
    return fetch(new URL(withQuery(path, init.query ?? {}), this.#issuer), {
      headers: { authorization: `Bearer ${this.#token}`, 'accept-language': this.#lang, ...init.headers },
      ...(init.signal ? { signal: init.signal } : {}),
    });
  }

  /** The API's own refusal text in the staff member's language, else the fallback. */
  refusal(answer: ApiAnswer<unknown>, fallback: string): string {
    return refusalText(answer, this.#lang, fallback);
  }
}

export function withQuery(path: string, query: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== '') params.set(key, value);
  const search = params.toString();
  return search ? `${path}${path.includes('?') ? '&' : '?'}${search}` : path;
}
