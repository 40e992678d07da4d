// The embedded database shared on a Unix socket (src/db/embedded-share.ts): real PGlite, real pg
// clients over a real socket. PGlite is one session, also used by the process's own knex: the
// tests show that a socket client's transaction and knex's never mix, that neither side starves
// the other, and that a client that stalls or vanishes mid-transaction cannot wedge the session.
import { mkdirSync } from 'node:fs';
import { connect as connectSocket } from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { createDatabase, type Database } from '../../src/db/database.ts';
import { shareEmbeddedDatabase, type EmbeddedShare, type ShareTiming } from '../../src/db/embedded-share.ts';
import { createLogger } from '../../src/core/logger.ts';
import { configFor } from '../helpers/pass.ts';
import { tempDir } from '../helpers/services.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const dir = tempDir('pass-share-');
const socketDir = path.join(dir.path, 's');
const LONG = 60_000;
let db: Database;
let share: EmbeddedShare | undefined;

async function serve(timing: Partial<ShareTiming> = {}): Promise<void> {
  share = await shareEmbeddedDatabase(db, path.join(socketDir, '.s.PGSQL.5432'), createLogger('silent'), { holdIdleMs: LONG, idleMs: LONG, maxClients: 4, ...timing });
}

async function connect(): Promise<pg.Client> {
  const client = new pg.Client({ host: socketDir, port: 5432, user: 'postgres', database: 'postgres' });
  client.on('error', () => {});
  await client.connect();
  return client;
}

const count = async (): Promise<number> => Number(((await db('shared_t').count('* as n').first()) as { n: number | string }).n);

/** Resolves with what `work` gave and whether it was still waiting after `ms`. */
async function stillWaitingAfter<T>(ms: number, work: Promise<T>): Promise<{ waited: boolean; result: () => Promise<T> }> {
  let settled = false;
  void work.then(() => (settled = true), () => (settled = true));
  await sleep(ms);
  return { waited: !settled, result: () => work };
}

beforeAll(async () => {
  mkdirSync(socketDir, { mode: 0o700 });
  db = createDatabase(configFor({ PASS_DATA_DIR: dir.path }));
  await db.raw('create table shared_t (x int)');
}, 60_000);

afterEach(async () => {
  await share?.close();
  share = undefined;
  await db('shared_t').delete();
});

afterAll(async () => {
  await db?.destroy();
  dir.remove();
});

test("knex's own query waits for a socket client's transaction and never runs inside it", async () => {
  await serve();
  const client = await connect();
  try {
    await client.query('begin');
    await client.query('insert into shared_t values (1)');
    const inProcess = await stillWaitingAfter(300, count());
    expect(inProcess.waited).toBe(true);
    await client.query('rollback');
    // Run inside the client's transaction, it would have counted the row the client then rolled back.
    expect(await inProcess.result()).toBe(0);
  } finally {
    await client.end();
  }
});

test("a socket client waits for knex's own transaction and never runs inside it", async () => {
  await serve();
  const client = await connect();
  try {
    const trx = await db.transaction();
    await trx('shared_t').insert({ x: 2 });
    const fromSocket = await stillWaitingAfter(300, client.query('select count(*)::int as n from shared_t'));
    expect(fromSocket.waited).toBe(true);
    await trx.rollback();
    expect((await fromSocket.result()).rows[0]).toEqual({ n: 0 });
  } finally {
    await client.end();
  }
});

test('a busy socket client and knex take turns: neither waits for the other to finish', async () => {
  await serve();
  const client = await connect();
  try {
    let clientDone = 0;
    const loop = (async () => {
      for (let i = 0; i < 300; i += 1) {
        await client.query('insert into shared_t values ($1)', [i]);
        clientDone += 1;
      }
    })();
    await sleep(50);
    const latencies: number[] = [];
    for (let i = 0; i < 10; i += 1) {
      const started = Date.now();
      await db.raw('select 1');
      latencies.push(Date.now() - started);
    }
    const doneWhenKnexFinished = clientDone;
    await loop;
    expect(doneWhenKnexFinished).toBeLessThan(300);
    expect(Math.max(...latencies)).toBeLessThan(2000);
    expect(await count()).toBe(300);
  } finally {
    await client.end();
  }
});

test('a client that vanishes mid-transaction (a crashed CLI) is rolled back and the session is free at once', async () => {
  await serve();
  const client = await connect();
  await client.query('begin');
  await client.query('insert into shared_t values (3)');
  // A failed statement leaves the extended protocol waiting for Sync as well.
  await expect(client.query('select $1::int', ['not a number'])).rejects.toThrow();
  (client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
  const started = Date.now();
  expect(await count()).toBe(0);
  expect(Date.now() - started).toBeLessThan(LONG / 2);
});

test('a client that stalls inside a transaction is cut off after holdIdleMs and rolled back', async () => {
  await serve({ holdIdleMs: 400 });
  const client = await connect();
  await client.query('begin');
  await client.query('insert into shared_t values (4)');
  const started = Date.now();
  expect(await count()).toBe(0);
  expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  await expect(client.query('select 1')).rejects.toThrow();
});

test("a client's session settings do not outlive it; idle clients are closed; the number of clients is bounded", async () => {
  await serve({ idleMs: 400, maxClients: 1 });
  const first = await connect();
  await first.query("set timezone to 'Asia/Tokyo'");
  await expect(connect()).rejects.toThrow(/at most 1 socket clients/);
  const ended = new Promise<void>((resolve) => first.once('end', () => resolve()));
  await ended; // closed by the server after 400 ms of silence
  let zone = '';
  for (let i = 0; i < 20 && zone !== 'UTC'; i += 1) {
    zone = ((await db.raw('show timezone')) as { rows: Array<{ TimeZone: string }> }).rows[0]!.TimeZone;
    if (zone !== 'UTC') await sleep(100);
  }
  expect(zone).toBe('UTC');
  const second = await connect();
  expect((await second.query('select 41 + 1 as n')).rows[0]).toEqual({ n: 42 });
  await second.end();
});

test('the startup as libpq may send it: SSL refused with N, protocol 3.2 and _pq_ options negotiated down to 3.0', async () => {
  await serve();
  const socket = connectSocket(path.join(socketDir, '.s.PGSQL.5432'));
  const received: Buffer[] = [];
  socket.on('data', (d: Buffer) => received.push(d));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  const ssl = Buffer.alloc(8);
  ssl.writeInt32BE(8, 0);
  ssl.writeInt32BE(80877103, 4);
  const params = Buffer.from('user\0someone\0database\0anything\0_pq_.future\0on\0\0');
  const startup = Buffer.alloc(8);
  startup.writeInt32BE(8 + params.length, 0);
  startup.writeInt32BE((3 << 16) | 2, 4);
  socket.write(Buffer.concat([ssl, startup, params]));
  const all = async () => {
    for (let i = 0; i < 50 && !Buffer.concat(received).includes(Buffer.from([0x5a, 0, 0, 0, 5, 0x49])); i += 1) await sleep(50);
    return Buffer.concat(received);
  };
  const reply = await all();
  socket.destroy();
  expect(reply.subarray(0, 1).toString()).toBe('N');
  expect(reply[1]).toBe(0x76); // NegotiateProtocolVersion
  expect(reply.readInt32BE(6)).toBe(0); // newest minor version: 0
  expect(reply.subarray(14, 26).toString()).toBe('_pq_.future\0');
  expect(reply[reply.length - 6]).toBe(0x5a); // ReadyForQuery, idle
});
