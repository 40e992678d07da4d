import type { Middleware } from 'koa';
import { koaBody } from 'koa-body';
import { PassError } from '../core/errors.ts';
import { HTTP_STATUS } from './errors.ts';

export interface RefusalOptions {
  /** The resident-facing text for a reason code, in Japanese and English. */
  message(reason: string): { ja: string; en: string } | undefined;
  /** Detail keys that are safe and useful to the app; nothing else leaves the server. */
  exposedDetails: string[];
  /** What the log line calls a refusal of this API. */
  logMessage: string;
}

/**
 * The edge of a JSON API of PASS: a typed refusal becomes `{ error, reason, error_description,
 * message: { ja, en }, ...details, request_id }`, the message being what the app shows. Internal
 * errors go on to the platform's handler (a plain 500).
 */
export function apiRefusals({ message, exposedDetails, logMessage }: RefusalOptions): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      if (!(error instanceof PassError) || (HTTP_STATUS[error.code] >= 500 && error.code !== 'unavailable')) throw error;
      ctx.status = HTTP_STATUS[error.code];
      const details = Object.fromEntries(Object.entries(error.details ?? {}).filter(([k]) => exposedDetails.includes(k)));
      ctx.body = {
        error: error.code,
        reason: error.reason,
        error_description: error.message,
        message: message(error.reason),
        ...details,
        request_id: ctx.state.requestId,
      };
      if (error.code === 'unavailable') ctx.set('Retry-After', '30');
      ctx.state.log?.info({ reason: error.reason, path: ctx.path }, logMessage);
    }
  };
}

export const jsonBody = koaBody({ json: true, urlencoded: false, multipart: false, text: false, jsonLimit: '64kb', jsonStrict: true });
