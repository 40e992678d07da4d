/**
 * The card bridge's HTTP API, on 127.0.0.1 only, for the kiosk page of one PASS origin
 * (docs/card.md, "Readers"). Every request must name this bridge by a loopback host (a page on
 * another domain cannot reach it by DNS rebinding) and carry exactly the configured Origin
 * (others get 403 and no CORS header, so their page cannot read anything); all but the two
 * pairing requests need the paired token (pairing.ts). The bridge carries bytes: the kiosk page
 * runs the card library, and the bridge neither reads nor changes what goes to the card.
 *
 *   POST /pair/nonce                       → {nonce, expires_at}: for PASS to sign into its answer
 *   POST /pair     {assertion}             → {token, kiosk: {id, name}}
 *   GET  /status                           → {reader, card_present}
 *   POST /apdu     {apdu} | {apdus: [...]} → {response} | {responses: [...]}   (hex)
 *   POST /release                          → 204, the card is reset (its PIN state ends)
 * and, on the development simulator's reader only (PASS's development start):
 *   GET  /simulator/cards                  → {cards: [{id, label, revoked}], holding}
 *   POST /simulator/put  {id}              → 204, that demo card is on the reader
 *   POST /simulator/take                   → 204, no card on the reader
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { PassError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { textOf } from '../../core/reasons.ts';
import { fromHex, toHex } from '../bytes.ts';
import { parseCommand } from '../command-apdu.ts';
import { CARD_REASONS } from '../reasons.ts';
import { commandForLog, responseForLog } from './apdu-log.ts';
import type { BridgeSession } from './card-session.ts';
import type { BridgeConfig } from './config.ts';
import type { Pairing } from './pairing.ts';
import { BRIDGE_REASONS, type BridgeReason } from './reasons.ts';

/** A batch is one card sequence's worth (a check-in is about 10 commands); a body well under what the longest batch needs. */
export const MAX_BODY_BYTES = 16 * 1024;
export const MAX_APDUS_PER_REQUEST = 32;
/** The longest command the card library builds is a 51-byte signature input; extended reads carry no data. */
export const MAX_APDU_BYTES = 1024;

const hexApdu = z
  .string()
  .regex(/^(?:[0-9A-Fa-f]{2})+$/, 'hex')
  .max(MAX_APDU_BYTES * 2)
  .transform((hex, ctx) => {
    const bytes = fromHex(hex);
    if (!parseCommand(bytes)) ctx.addIssue({ code: 'custom', message: 'not a command APDU' });
    return bytes;
  });

const apduBody = z.union([z.strictObject({ apdu: hexApdu }), z.strictObject({ apdus: z.array(hexApdu).min(1).max(MAX_APDUS_PER_REQUEST) })]);
const pairBody = z.strictObject({ assertion: z.string().min(1).max(4096) });
const putBody = z.strictObject({ id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/) });

/** The development simulator's reader: which demo cards there are, and a hand that puts one on or takes it off. */
export interface SimulatorControl {
  cards(): Promise<Array<{ id: string; label: string; revoked: boolean }>>;
  holding(): string | undefined;
  put(id: string): Promise<void>;
  take(): void;
}

export interface BridgeServerOptions {
  config: BridgeConfig;
  session: BridgeSession;
  pairing: Pairing;
  log: Logger;
  /** Only where the session is the development simulator's reader. */
  simulator?: SimulatorControl;
}

interface Route {
  method: 'GET' | 'POST';
  json: boolean;
  /** Pairing itself is the one thing done without the token. */
  open?: boolean;
  run(body: unknown, res: http.ServerResponse): Promise<void>;
}

const refuse = (reason: BridgeReason, description?: string) => BRIDGE_REASONS.refuse(reason, description);

export function createBridgeServer({ config, session, pairing, log, simulator }: BridgeServerOptions): http.Server {
  const server = http.createServer((req, res) => {
    const started = performance.now();
    handle(req, res)
      .catch((error: unknown) => answerError(res, error))
      .finally(() => log.info({ method: req.method, path: req.url?.split('?')[0], status: res.statusCode, ms: Math.round(performance.now() - started) }, 'card bridge request'));
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 60_000;

  const allowedHosts = () => {
    const port = (server.address() as AddressInfo | null)?.port;
    return new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  };

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    if (!allowedHosts().has(req.headers.host ?? '')) throw refuse('host_not_allowed');
    if (req.headers.origin !== config.origin) throw refuse('origin_not_allowed');
    res.setHeader('Access-Control-Allow-Origin', config.origin);
    res.setHeader('Vary', 'Origin');
    if (req.method === 'OPTIONS') return preflight(req, res);

    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const route = Object.hasOwn(ROUTES, path) ? ROUTES[path] : undefined;
    if (!route) throw refuse('not_found');
    if (req.method !== route.method) {
      res.setHeader('Allow', route.method);
      throw refuse('method_not_allowed');
    }
    if (!route.open && !pairing.admits(req.headers.authorization)) throw refuse('not_paired');
    const body = route.json ? await readJson(req) : undefined;
    await route.run(body, res);
  }

  const ROUTES: Record<string, Route> = {
    '/pair/nonce': {
      method: 'POST',
      json: false,
      open: true,
      run: async (_body: unknown, res: http.ServerResponse) => {
        const { nonce, expiresAt } = pairing.nonce();
        answer(res, 200, { nonce, expires_at: new Date(expiresAt).toISOString() });
      },
    },
    '/pair': {
      method: 'POST',
      json: true,
      open: true,
      run: async (body: unknown, res: http.ServerResponse) => {
        const { assertion } = parse(pairBody, body);
        const paired = await pairing.pair(assertion);
        log.info({ kiosk: paired.kioskId }, 'the kiosk page paired with the card bridge');
        answer(res, 200, { token: paired.token, kiosk: { id: paired.kioskId, name: paired.kioskName ?? null } });
      },
    },
    '/status': {
      method: 'GET',
      json: false,
      run: async (_body: unknown, res: http.ServerResponse) => {
        const status = session.status();
        answer(res, 200, { reader: status.reader, card_present: status.cardPresent });
      },
    },
    '/apdu': {
      method: 'POST',
      json: true,
      run: async (body: unknown, res: http.ServerResponse) => {
        const request = parse(apduBody, body);
        const apdus = 'apdu' in request ? [request.apdu] : request.apdus;
        const responses = await session.transmit(apdus, (command, response) => log.debug({ command: commandForLog(command), response: responseForLog(response) }, 'apdu'));
        answer(res, 200, 'apdu' in request ? { response: toHex(responses[0]!) } : { responses: responses.map(toHex) });
      },
    },
    '/release': {
      method: 'POST',
      json: false,
      run: async (_body: unknown, res: http.ServerResponse) => {
        await session.release();
        res.writeHead(204).end();
      },
    },
    ...(simulator ? simulatorRoutes(simulator) : {}),
  };

  function simulatorRoutes(control: SimulatorControl): Record<string, Route> {
    return {
      '/simulator/cards': {
        method: 'GET',
        json: false,
        run: async (_body: unknown, res: http.ServerResponse) => answer(res, 200, { cards: await control.cards(), holding: control.holding() ?? null }),
      },
      '/simulator/put': {
        method: 'POST',
        json: true,
        run: async (body: unknown, res: http.ServerResponse) => {
          await control.put(parse(putBody, body).id);
          res.writeHead(204).end();
        },
      },
      '/simulator/take': {
        method: 'POST',
        json: false,
        run: async (_body: unknown, res: http.ServerResponse) => {
          control.take();
          res.writeHead(204).end();
        },
      },
    };
  }

  function preflight(req: http.IncomingMessage, res: http.ServerResponse): void {
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST');
    res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type');
    res.setHeader('Access-Control-Max-Age', '600');
    // Chrome asks before a public https page may call a loopback address (Private Network Access).
    if (req.headers['access-control-request-private-network'] === 'true') res.setHeader('Access-Control-Allow-Private-Network', 'true');
    res.writeHead(204).end();
  }

  function answerError(res: http.ServerResponse, error: unknown): void {
    if (res.headersSent) return void res.destroy();
    if (!(error instanceof PassError)) {
      log.error({ err: error }, 'card bridge failure');
      return answer(res, 500, { error: 'internal', reason: 'internal', error_description: 'internal error' });
    }
    const message = textOf(error.reason, [CARD_REASONS, BRIDGE_REASONS]);
    if (error.status >= 500) log.warn({ reason: error.reason, cause: (error as { cause?: unknown }).cause }, 'card bridge refusal');
    else log.info({ reason: error.reason }, 'card bridge refusal');
    // A refused request whose body was not read must not keep the connection for the next one.
    if (error.status === 413) res.setHeader('Connection', 'close');
    answer(res, error.status, { error: error.code, reason: error.reason, error_description: error.message, ...(message ? { message } : {}), ...(error.details ?? {}) });
  }

  return server;
}

function answer(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw refuse('invalid_request', `invalid request: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'body'} ${i.message}`).join('; ')}`);
  return parsed.data;
}

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const type = req.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') throw refuse('not_json');
  if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES) throw refuse('body_too_large');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw refuse('body_too_large');
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw refuse('invalid_request', 'the body is not JSON');
  }
}
