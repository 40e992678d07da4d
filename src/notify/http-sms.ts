import { UnavailableError } from '../core/errors.ts';
import type { SmsMessage, SmsTransport } from './messages.ts';

const TIMEOUT_MS = 10_000;

/**
 * SMS through an HTTP gateway: POST {"to": "+81…", "text": "…"} as JSON to SMS_GATEWAY_URL, with
 * `Authorization: Bearer SMS_GATEWAY_TOKEN` when set. Any 2xx is delivery accepted. Most Japanese
 * SMS aggregators take this shape or sit behind a small adapter that does.
 */
export function httpSmsTransport(url: string, token: string | undefined, fetchImpl: typeof fetch = fetch): SmsTransport {
  return {
    name: 'http',
    async send(message: SmsMessage) {
      let response: Response;
      try {
        response = await fetchImpl(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
          body: JSON.stringify({ to: message.to, text: message.text }),
          signal: AbortSignal.timeout(TIMEOUT_MS),
        });
      } catch (error) {
        throw new UnavailableError('sms_gateway_unreachable', `the SMS gateway cannot be reached (${(error as Error).name})`);
      }
      await response.arrayBuffer().catch(() => undefined);
      if (!response.ok) throw new UnavailableError('sms_gateway_refused', `the SMS gateway answered ${response.status}`);
    },
  };
}
