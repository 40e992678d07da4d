import { createServer, type Server, type Socket } from 'node:net';
import type { PGlite } from '@electric-sql/pglite';
import type { Logger } from '../core/logger.ts';
import type { Database } from './database.ts';

/**
 * Serves the embedded database (PGlite, one PostgreSQL session in this process) to other local
 * processes — the admin CLI, psql — over a Unix socket, speaking the PostgreSQL wire protocol.
 *
 * PGlite has one session, which this process's own knex also uses. So a socket client gets the
 * session for one unit of work at a time: from its first message until PGlite answers
 * ReadyForQuery "idle" (outside any transaction, extended-protocol batch finished). It borrows the
 * session as knex's one pooled connection, so knex's own queries and transactions wait their turn
 * and never run inside a client's transaction (or a client's inside one of theirs), and the pool's
 * first-come order keeps either side from starving the other. A message-by-message relay such as
 * @electric-sql/pglite-socket cannot give that: it knows nothing of the in-process user.
 *
 * Who may connect is decided by the file system, like PostgreSQL's peer authentication: the socket
 * lives in a directory only this OS user can enter (see embedded-access.ts).
 */

export interface ShareTiming {
  /** A client holding the session (inside a transaction) that sends nothing this long is cut off and rolled back. */
  holdIdleMs: number;
  /** A connected client that sends nothing this long is disconnected (psql reconnects on its own). */
  idleMs: number;
  maxClients: number;
}

export const DEFAULT_SHARE_TIMING: ShareTiming = {
  // While a client holds the session, every request PASS serves waits: a client that stalls (a
  // crashed or stopped CLI, a person thinking inside BEGIN in psql) must not stall PASS for long.
  holdIdleMs: 10_000,
  idleMs: 5 * 60_000,
  maxClients: 8,
};

export interface EmbeddedShare {
  close(): Promise<void>;
}

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
const PROTOCOL_3 = 3;
/** Larger than anything PASS or an operator sends; bounds what one client can make this process buffer. */
const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
const MAX_STARTUP_BYTES = 10_000;

function typed(type: string, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.write(type, 0, 'latin1');
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}

function cstring(value: string): Buffer {
  return Buffer.from(`${value}\0`, 'utf8');
}

const SYNC = typed('S', Buffer.alloc(0));
const simpleQuery = (sql: string): Buffer => typed('Q', cstring(sql));

function errorResponse(code: string, message: string): Buffer {
  return typed('E', Buffer.concat([Buffer.from('S'), cstring('FATAL'), Buffer.from('V'), cstring('FATAL'), Buffer.from('C'), cstring(code), Buffer.from('M'), cstring(message), Buffer.from([0])]));
}

/** PGlite answers a startup with the same session whatever it names; what the client asked for is not applied. */
function startupMessage(): Buffer {
  const body = Buffer.concat([cstring('user'), cstring('postgres'), cstring('database'), cstring('postgres'), Buffer.from([0])]);
  const header = Buffer.alloc(8);
  header.writeInt32BE(body.length + 8, 0);
  header.writeInt32BE(PROTOCOL_3 << 16, 4);
  return Buffer.concat([header, body]);
}

/** The protocol options (`_pq_.*`) a startup asked for: this server knows none of them. */
function protocolOptions(startup: Buffer): string[] {
  const fields = startup.subarray(8).toString('utf8').split('\0');
  const names: string[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i]!.startsWith('_pq_.')) names.push(fields[i]!);
  return names;
}

/** A client asking for protocol 3.x (x > 0) is told to speak 3.0, as PostgreSQL's NegotiateProtocolVersion does. */
function negotiateProtocol(unrecognized: string[]): Buffer {
  const counts = Buffer.alloc(8);
  counts.writeInt32BE(0, 0);
  counts.writeInt32BE(unrecognized.length, 4);
  return typed('v', Buffer.concat([counts, ...unrecognized.map(cstring)]));
}

/** The transaction status of the last ReadyForQuery among the backend messages, if any. */
export function lastReadyStatus(output: Uint8Array): string | undefined {
  const view = Buffer.from(output.buffer, output.byteOffset, output.byteLength);
  let status: string | undefined;
  for (let at = 0; at + 5 <= view.length; at += 1 + view.readInt32BE(at + 1)) {
    if (view[at] === 0x5a /* Z */ && at + 5 < view.length) status = String.fromCharCode(view[at + 5]!);
  }
  return status;
}

interface Pool {
  acquireConnection(): Promise<PGlite>;
  releaseConnection(connection: PGlite): Promise<void>;
}

interface Message {
  bytes: Buffer;
  /** The startup packet: it opens the client's view of the session and changes nothing in it. */
  startup: boolean;
}

class ClientSession {
  readonly #socket: Socket;
  readonly #pool: Pool;
  readonly #timing: ShareTiming;
  readonly #log: Logger;
  #buffer: Buffer = Buffer.alloc(0);
  readonly #messages: Message[] = [];
  #started = false;
  #ranQueries = false;
  #held: PGlite | undefined;
  #pumping = false;
  #closed = false;
  #timer: NodeJS.Timeout | undefined;
  /** Settles once the session is handed back to knex and the socket is gone. */
  readonly done: Promise<void>;
  #finish!: () => void;

  constructor(socket: Socket, pool: Pool, timing: ShareTiming, log: Logger) {
    this.#socket = socket;
    this.#pool = pool;
    this.#timing = timing;
    this.#log = log;
    this.done = new Promise((resolve) => (this.#finish = resolve));
    socket.on('data', (data: Buffer) => this.#receive(data));
    socket.on('error', () => this.end());
    socket.on('close', () => this.end());
    this.#arm();
  }

  /**
   * Disconnects the client (after `reply`, when given); whatever it left open in the session is
   * rolled back before knex gets the session again.
   */
  end(reply?: Buffer): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#messages.length = 0;
    // Destroyed once the reply is out: a client that never closes its side must not keep the socket open.
    if (reply) this.#socket.end(reply, () => this.#socket.destroy());
    else this.#socket.destroy();
    if (!this.#pumping) void this.#restore();
  }

  #arm(): void {
    clearTimeout(this.#timer);
    if (this.#closed) return;
    const holding = this.#held !== undefined;
    this.#timer = setTimeout(() => {
      if (holding) this.#log.warn({ holdIdleMs: this.#timing.holdIdleMs }, 'embedded database: a socket client stalled inside a transaction; disconnected it and rolled back');
      this.end();
    }, holding ? this.#timing.holdIdleMs : this.#timing.idleMs);
    this.#timer.unref();
  }

  #refuse(code: string, message: string): void {
    this.end(errorResponse(code, message));
  }

  #receive(data: Buffer): void {
    if (this.#closed) return;
    clearTimeout(this.#timer);
    this.#buffer = this.#buffer.length ? Buffer.concat([this.#buffer, data]) : data;
    while (!this.#closed) {
      const message = this.#started ? this.#nextTyped() : this.#nextStartup();
      if (message === undefined) break;
      if (message !== null) this.#messages.push(message);
    }
    if (this.#buffer.length > MAX_MESSAGE_BYTES) this.#refuse('54000', 'message too large for the embedded database socket');
    void this.#pump();
  }

  /** A whole startup-phase packet, null for one handled here, undefined until more bytes come. */
  #nextStartup(): Message | null | undefined {
    if (this.#buffer.length < 8) return undefined;
    const length = this.#buffer.readInt32BE(0);
    const code = this.#buffer.readInt32BE(4);
    if (length < 8 || length > MAX_STARTUP_BYTES) {
      this.#refuse('08P01', 'invalid startup packet');
      return undefined;
    }
    if (this.#buffer.length < length) return undefined;
    const packet = this.#buffer.subarray(0, length);
    this.#buffer = this.#buffer.subarray(length);
    if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
      // The socket is local and private: there is nothing for encryption to protect.
      this.#socket.write('N');
      return null;
    }
    if (code === CANCEL_REQUEST) {
      // PGlite cannot interrupt a running statement; PostgreSQL answers a cancel with nothing either.
      this.end();
      return undefined;
    }
    if (code >> 16 !== PROTOCOL_3) {
      this.#refuse('0A000', `unsupported frontend protocol ${code >> 16}.${code & 0xffff}: the embedded database speaks 3.0`);
      return undefined;
    }
    this.#started = true;
    const options = protocolOptions(packet);
    if ((code & 0xffff) > 0 || options.length > 0) this.#socket.write(negotiateProtocol(options));
    return { bytes: startupMessage(), startup: true };
  }

  #nextTyped(): Message | undefined {
    if (this.#buffer.length < 5) return undefined;
    const length = this.#buffer.readInt32BE(1);
    if (length < 4) {
      this.#refuse('08P01', 'invalid message length');
      return undefined;
    }
    if (this.#buffer.length < length + 1) return undefined;
    const bytes = this.#buffer.subarray(0, length + 1);
    this.#buffer = this.#buffer.subarray(length + 1);
    if (bytes[0] === 0x58 /* X: Terminate */) {
      this.end();
      return undefined;
    }
    return { bytes, startup: false };
  }

  async #run(message: Message): Promise<Uint8Array> {
    const db = (this.#held ??= await this.#pool.acquireConnection());
    // Gone while it waited for its turn: nothing of its is run.
    if (this.#closed) return new Uint8Array();
    if (!message.startup) this.#ranQueries = true;
    const bytes = new Uint8Array(message.bytes.buffer, message.bytes.byteOffset, message.bytes.byteLength);
    // Holding knex's connection already keeps knex out; the mutex also keeps out any other PGlite user.
    return db.runExclusive(() => db.execProtocolRaw(bytes));
  }

  async #release(): Promise<void> {
    const held = this.#held;
    this.#held = undefined;
    if (held) await this.#pool.releaseConnection(held);
  }

  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (this.#messages.length > 0 && !this.#closed) {
        const output = await this.#run(this.#messages.shift()!);
        if (!this.#closed && output.length > 0) this.#socket.write(output);
        // Idle: no transaction, no extended-protocol batch half done. knex may have the session now.
        if (lastReadyStatus(output) === 'I') await this.#release();
      }
    } catch (error) {
      this.#log.warn({ err: error }, 'embedded database: serving a socket client failed; disconnected it');
      this.end();
    } finally {
      this.#pumping = false;
    }
    if (this.#closed) await this.#restore();
    else this.#arm();
  }

  /** Leaves the session as knex expects it: no half-done extended query, no open transaction, no client settings. */
  async #restore(): Promise<void> {
    try {
      if (this.#held || this.#ranQueries) {
        const db = (this.#held ??= await this.#pool.acquireConnection());
        await db.runExclusive(async () => {
          const status = lastReadyStatus(await db.execProtocolRaw(SYNC));
          if (status !== 'I') await db.execProtocolRaw(simpleQuery('ROLLBACK'));
          if (this.#ranQueries) await db.execProtocolRaw(simpleQuery('DISCARD ALL'));
        });
      }
    } catch (error) {
      this.#log.error({ err: error }, 'embedded database: could not restore the session after a socket client');
    } finally {
      await this.#release().catch(() => {});
      this.#finish();
    }
  }
}

/** Starts serving; `socketPath` must lie in a directory only this OS user can enter. */
export async function shareEmbeddedDatabase(db: Database, socketPath: string, log: Logger, timing: ShareTiming = DEFAULT_SHARE_TIMING): Promise<EmbeddedShare> {
  const pool = db.client as unknown as Pool;
  const sessions = new Set<ClientSession>();
  const server: Server = createServer((socket) => {
    if (sessions.size >= timing.maxClients) {
      socket.on('error', () => {});
      socket.end(errorResponse('53300', `the embedded database serves at most ${timing.maxClients} socket clients at a time`), () => socket.destroy());
      return;
    }
    const session = new ClientSession(socket, pool, timing, log);
    sessions.add(session);
    void session.done.then(() => sessions.delete(session));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error) => log.error({ err: error }, 'embedded database socket failed'));
  return {
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const session of sessions) session.end();
      await Promise.all([...sessions].map((s) => s.done));
      await closed;
    },
  };
}
