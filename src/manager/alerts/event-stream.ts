/**
 * Server-Sent Events responses (text/event-stream) that end cleanly: each stream is tracked, a
 * comment every HEARTBEAT_MS keeps proxies from closing an idle connection (and finds dead ones),
 * and drain() ends them all at once when shutdown begins, so they never hold the server's close.
 */
import { PassThrough } from 'node:stream';
import type { Context } from 'koa';

const HEARTBEAT_MS = 15_000;
/** How long a browser waits before reconnecting after the stream ends. */
const RETRY_MS = 2_000;

export interface EventStream {
  send(event: string, data: unknown, id?: string): void;
  close(): void;
  readonly closed: boolean;
  /** Called once when the stream ends, whoever ended it. */
  onClose(listener: () => void): void;
}

export class EventStreams {
  readonly #open = new Set<EventStream>();
  #draining = false;

  get size(): number {
    return this.#open.size;
  }

  open(ctx: Context): EventStream {
    const body = new PassThrough();
    const listeners: Array<() => void> = [];
    let closed = false;
    const heartbeat = setInterval(() => body.write(': ping\n\n'), HEARTBEAT_MS);
    heartbeat.unref();
    const stream: EventStream = {
      send(event, data, id) {
        if (closed) return;
        body.write(`${id ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      },
      close: () => {
        if (closed) return;
        closed = true;
        clearInterval(heartbeat);
        this.#open.delete(stream);
        body.end();
        for (const listener of listeners) listener();
      },
      get closed() {
        return closed;
      },
      onClose(listener) {
        listeners.push(listener);
      },
    };
    ctx.req.socket.setTimeout(0);
    ctx.req.socket.setNoDelay(true);
    ctx.res.once('close', () => stream.close());
    ctx.status = 200;
    ctx.type = 'text/event-stream; charset=utf-8';
    ctx.set('Cache-Control', 'no-store');
    // Reverse proxies (nginx) must pass events on as they come.
    ctx.set('X-Accel-Buffering', 'no');
    ctx.body = body;
    body.write(`retry: ${RETRY_MS}\n\n`);
    if (this.#draining) stream.close();
    else this.#open.add(stream);
    return stream;
  }

  /** Shutdown: end every stream now (browsers reconnect to another node). */
  drain(): void {
    this.#draining = true;
    for (const stream of [...this.#open]) stream.close();
  }
}
