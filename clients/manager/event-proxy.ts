/**
 * Passes an event stream of the Manager API on to the browser as it arrives: the browser's
 * EventSource cannot carry the access token, so the console holds the upstream connection with
 * the session's token and forwards each byte. It ends with the browser, the upstream, or shutdown.
 */
import { PassThrough, Readable } from 'node:stream';
import type { ReadableStream } from 'node:stream/web';
import type { Context } from 'koa';
import type { ManagerEnv } from './sections.ts';

export async function proxyEventStream(ctx: Context, env: ManagerEnv, connect: (signal: AbortSignal) => Promise<Response>): Promise<void> {
  const abort = new AbortController();
  const upstream = await connect(abort.signal);
  if (!upstream.ok || !upstream.body) {
    abort.abort();
    ctx.status = upstream.status === 401 || upstream.status === 403 ? upstream.status : upstream.status === 400 ? 400 : 502;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { error: ctx.status === 401 ? 'unauthorized' : ctx.status === 403 ? 'forbidden' : ctx.status === 400 ? 'invalid_request' : 'unavailable' };
    return;
  }
  const source = Readable.fromWeb(upstream.body as ReadableStream);
  const body = new PassThrough();
  let forget = () => {};
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    forget();
    source.unpipe(body);
    source.destroy();
    body.end();
    abort.abort();
  };
  forget = env.untilShutdown(end);
  source.once('error', end);
  source.once('end', end);
  ctx.req.once('close', end);
  source.pipe(body);
  ctx.req.socket.setTimeout(0);
  ctx.req.socket.setNoDelay(true);
  ctx.status = 200;
  ctx.type = 'text/event-stream; charset=utf-8';
  ctx.set('Cache-Control', 'no-store');
  ctx.set('X-Accel-Buffering', 'no');
  ctx.body = body;
}
