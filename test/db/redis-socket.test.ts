// A Redis on the same machine can be reached through its Unix socket (REDIS_URL=unix:///path.sock),
// which spares every command the TCP stack. Commands, the database number and the event bus's second
// connection (pub/sub) all go through the socket.
import { spawn, type ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Redis } from 'ioredis';
import { connectRedis } from '../../src/db/redis.ts';
import { RedisEventBus } from '../../src/core/event-bus.ts';
import { tempDir } from '../helpers/services.ts';

const run = promisify(execFile);
const PASSWORD = 'socket-test-password';
const dir = tempDir();
const socket = path.join(dir.path, 'redis.sock');
let server: ChildProcess;
let redis: Redis | undefined;

beforeAll(async () => {
  server = spawn('redis-server', ['--port', '0', '--unixsocket', socket, '--unixsocketperm', '700', '--requirepass', PASSWORD, '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  for (let i = 0; i < 100 && !existsSync(socket); i += 1) await new Promise((r) => setTimeout(r, 50));
});

afterAll(async () => {
  redis?.disconnect();
  server?.kill('SIGKILL');
  dir.remove();
});

test('commands reach the chosen database through the socket, and pub/sub works on the duplicate connection', async () => {
  redis = await connectRedis(`unix://${socket}?db=3&password=${PASSWORD}`, 5);
  await redis.set('pass:socket-test', 'ok');
  const { stdout } = await run('redis-cli', ['-s', socket, '-a', PASSWORD, '--no-auth-warning', '-n', '3', 'get', 'pass:socket-test']);
  expect(stdout.trim()).toBe('ok');
  const inZero = await run('redis-cli', ['-s', socket, '-a', PASSWORD, '--no-auth-warning', '-n', '0', 'exists', 'pass:socket-test']);
  expect(inZero.stdout.trim()).toBe('0');

  const bus = new RedisEventBus(redis);
  const heard = new Promise<string>((resolve) => void bus.subscribe('socket-test', resolve));
  await new Promise((r) => setTimeout(r, 100));
  await bus.publish('socket-test', 'hello');
  await expect(heard).resolves.toBe('hello');
  await bus.close();
});

test('a wrong password stops start-up without the password in the message', async () => {
  const attempt = connectRedis(`unix://${socket}?password=not-the-${PASSWORD}`, 2);
  await expect(attempt).rejects.toThrow(new RegExp(`^cannot reach Redis at ${socket}: WRONGPASS`));
  await expect(attempt).rejects.not.toThrow(PASSWORD);
});

test('a socket nobody listens on stops start-up with the path and the reason, not a hang', async () => {
  const missing = path.join(dir.path, 'absent.sock');
  await expect(connectRedis(`unix://${missing}`, 2)).rejects.toThrow(`cannot reach Redis at ${missing}: ENOENT`);
});
