/**
 * The card bridge's settings, from its own environment (it runs on a kiosk machine, not beside
 * PASS's server, so it does not share PASS's schema). Validated once at start; every problem is
 * one line in Japanese and English, since the person who starts the bridge at a municipal kiosk
 * may read either.
 *
 *   CARD_BRIDGE_ORIGIN           the PASS origin whose kiosk page may call the bridge (required)
 *   CARD_BRIDGE_PORT             loopback port, default 47213 (0: any free port, for tests)
 *   CARD_BRIDGE_READER           the reader to use, by its exact PC/SC name (default: the first with a card)
 *   LOG_LEVEL                    as PASS's; default info
 *   NODE_ENV                     production refuses an http:// origin
 */
import { z } from 'zod';
import { ConfigurationError } from '../../core/errors.ts';

export const DEFAULT_BRIDGE_PORT = 47213;

export interface BridgeConfig {
  /** Serialised origin, e.g. "https://pass.example.jp". */
  origin: string;
  /** Always loopback: the bridge is for the browser on the same machine. */
  host: '127.0.0.1';
  port: number;
  reader: string | undefined;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  production: boolean;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test'], { error: 'development・production・test のいずれかにしてください / must be development, production or test' }).default('development'),
  CARD_BRIDGE_ORIGIN: z.string({ error: 'PASS のオリジン（例: https://pass.example.jp）を指定してください / set the PASS origin (e.g. https://pass.example.jp)' }),
  CARD_BRIDGE_PORT: z.coerce
    .number({ error: 'ポート番号は数字にしてください / must be a number' })
    .int('ポート番号は整数にしてください / must be an integer')
    .min(0, 'ポート番号は 0～65535 にしてください / must be 0 to 65535')
    .max(65535, 'ポート番号は 0～65535 にしてください / must be 0 to 65535')
    .default(DEFAULT_BRIDGE_PORT),
  CARD_BRIDGE_READER: z.string().min(1).max(200, '読み取り機の名前が長すぎます / the reader name is too long').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { error: 'fatal・error・warn・info・debug・trace・silent のいずれかにしてください / must be a pino level' }).default('info'),
});

/** The problem with an origin, or undefined when the bridge may be pinned to it. */
export function originProblem(value: string, production: boolean): string | undefined {
  if (!URL.canParse(value)) return 'URL として読み取れません / is not a URL';
  const url = new URL(value);
  const loopbackHttp = url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
  if (url.protocol !== 'https:' && !loopbackHttp) {
    return 'https:// のオリジン（開発時のみ http://localhost も可）にしてください / must be https:// (http://localhost only in development)';
  }
  if (loopbackHttp && production) return '本番では https:// のオリジンにしてください / must be https:// in production';
  if (url.username || url.password || url.search || url.hash || url.pathname !== '/') {
    return 'パスや問い合わせを含まないオリジン（https://ホスト[:ポート]）にしてください / must be an origin only (https://host[:port]), without path, query or credentials';
  }
  return undefined;
}

export function loadBridgeConfig(env: NodeJS.ProcessEnv = process.env): BridgeConfig {
  const raw = Object.fromEntries(Object.keys(schema.shape).flatMap((name) => (env[name] !== undefined && env[name] !== '' ? [[name, env[name]]] : [])));
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new ConfigurationError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  const v = parsed.data;
  const production = v.NODE_ENV === 'production';
  const problem = originProblem(v.CARD_BRIDGE_ORIGIN, production);
  if (problem) throw new ConfigurationError([`CARD_BRIDGE_ORIGIN: ${problem}`]);
  return {
    origin: new URL(v.CARD_BRIDGE_ORIGIN).origin,
    host: '127.0.0.1',
    port: v.CARD_BRIDGE_PORT,
    reader: v.CARD_BRIDGE_READER,
    logLevel: v.LOG_LEVEL,
    production,
  };
}
