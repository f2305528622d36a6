import request from 'supertest';
import { DataSource } from 'typeorm';
import { isDependencyUnavailable } from '../src/database/dependency-errors';
import { runInTransaction } from '../src/database/transaction';
import { approvedGuide, storyOf } from './support/fixtures';
import { emitAck, openChatRoom, SocketPool } from './support/sockets';
import { ProxyMode, TcpProxy } from './support/tcp-proxy';
import { createTestApp, TestApp } from './support/test-app';
import { expectError, signIn, SignedIn } from './support/users';

/**
 * docs/api.md, Operations, dependencies that stall: with the database or Redis behind a TCP proxy that
 * drops every byte (or resets every connection), requests answer 503 SERVICE_UNAVAILABLE
 * with Retry-After within DB_QUERY_TIMEOUT_MS, /health answers within 3 s and says what is
 * down, and once the dependency answers again everything works again without a restart.
 */

const DB_TIMEOUT_MS = 1500;
/** A request under a stall may wait for a connection and then for one statement; never more. */
const REQUEST_BOUND_MS = 3 * DB_TIMEOUT_MS;
const HEALTH_BOUND_MS = 3000;
/** How soon after the dependency answers again requests must succeed. */
const RECOVERY_DEADLINE_MS = 5000;
/** More requests at once than the pool has connections (10). */
const PARALLEL = 12;
const REDIS = new URL(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');

interface Answer {
  status: number;
  body: Record<string, unknown>;
  retryAfter: string | undefined;
  ms: number;
}

/** Sends `req` and measures it; a hang becomes a failed request, not a hung suite. */
async function timed(req: request.Test): Promise<Answer> {
  const started = Date.now();
  const res = await req.timeout(REQUEST_BOUND_MS + 5000).ok(() => true);
  return {
    status: res.status,
    body: res.body as Record<string, unknown>,
    retryAfter: res.headers['retry-after'] as string | undefined,
    ms: Date.now() - started,
  };
}

/** Calls `attempt` every 100 ms until it returns true; resolves with the time that took. */
async function until(attempt: () => Promise<boolean>, deadlineMs: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await attempt()) return Date.now() - started;
    if (Date.now() - started > deadlineMs) {
      throw new Error(`not recovered within ${deadlineMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function expectUnavailable(answer: Answer): void {
  expect({ status: answer.status, code: answer.body.code }).toEqual({
    status: 503,
    code: 'SERVICE_UNAVAILABLE',
  });
  expectError(answer.body, 503, 'SERVICE_UNAVAILABLE');
  expect(answer.retryAfter).toMatch(/^[1-9]\d*$/);
  expect(answer.ms).toBeLessThan(REQUEST_BOUND_MS);
}

const max = (answers: Answer[]) => Math.max(...answers.map((a) => a.ms));

const describeMysql = process.env.DATABASE_URL ? describe : describe.skip;
const describeSqlite = process.env.DATABASE_URL ? describe.skip : describe;

describeMysql('a database that stalls or goes away (MySQL/MariaDB behind a TCP proxy)', () => {
  let proxy: TcpProxy;
  let t: TestApp;
  let user: SignedIn;
  const sockets = new SocketPool();

  beforeAll(async () => {
    const server = new URL(process.env.DATABASE_URL as string);
    proxy = await new TcpProxy({
      host: server.hostname,
      port: Number(server.port || 3306),
    }).start();
    t = await createTestApp({ DB_QUERY_TIMEOUT_MS: String(DB_TIMEOUT_MS) }, { via: proxy });
    user = await signIn(t);
    await storyOf(t, await approvedGuide(t));
  });

  afterEach(() => {
    sockets.closeAll();
    proxy.setMode('pass');
  });

  afterAll(async () => {
    proxy?.setMode('pass');
    await t?.close();
    await proxy?.stop();
  });

  /** Authenticated and public reads, PARALLEL of each at once. */
  const burst = () =>
    Promise.all(
      Array.from({ length: PARALLEL }).flatMap(() => [
        timed(t.http().get('/api/v1/users/me').set(user.auth)),
        timed(t.http().get('/api/v1/stories')),
      ]),
    );

  const allOk = async () => (await burst()).every((answer) => answer.status === 200);

  async function expectDownThenRecovered(mode: ProxyMode): Promise<void> {
    expect(await allOk()).toBe(true);
    proxy.setMode(mode);

    const first = await burst();
    first.forEach(expectUnavailable);
    // and again: the connections that did not answer were replaced, none is stuck for good
    const second = await burst();
    second.forEach(expectUnavailable);

    const health = await timed(request(t.baseUrl).get('/health'));
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ error: { database: { status: 'down' } } });
    expect(health.ms).toBeLessThan(HEALTH_BOUND_MS);

    proxy.setMode('pass');
    const recovered = await until(allOk, RECOVERY_DEADLINE_MS);
    const healthy = await timed(request(t.baseUrl).get('/health'));
    expect(healthy.status).toBe(200);
    expect(healthy.body).toMatchObject({ info: { database: { status: 'up' } } });

    console.log(
      `database ${mode} (DB_QUERY_TIMEOUT_MS=${DB_TIMEOUT_MS}, ${2 * PARALLEL} requests at once):` +
        ` 503 within ${max(first)} ms (first burst), ${max(second)} ms (second);` +
        ` /health 503 in ${health.ms} ms; all 200 again ${recovered} ms after the database answered`,
    );
  }

  it('answers 503 with Retry-After within the bound while every byte is dropped, then recovers by itself', async () => {
    await expectDownThenRecovered('blackhole');
  });

  it('answers 503 while connections are reset and refused, then recovers by itself', async () => {
    await expectDownThenRecovered('close');
  });

  it('ends a transaction whose connection stalls within the bound; COMMIT and ROLLBACK on it fail at once', async () => {
    const runner = t.dataSource.createQueryRunner();
    await runner.startTransaction();
    await runner.query('SELECT 1');
    proxy.setMode('blackhole');
    let started = Date.now();
    await expect(runner.commitTransaction()).rejects.toMatchObject({ code: 'DB_QUERY_TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(REQUEST_BOUND_MS);
    // the connection was dropped: what follows on it fails at once instead of queueing
    started = Date.now();
    await expect(runner.query('SELECT 1')).rejects.toThrow();
    await expect(runner.rollbackTransaction()).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(DB_TIMEOUT_MS); // not a statement timeout
    await runner.release();

    // a new transaction while the stall lasts: BEGIN is bounded too
    started = Date.now();
    const failed: unknown = await runInTransaction(t.dataSource, (manager) =>
      manager.query('SELECT 1'),
    ).catch((error: unknown) => error);
    expect(isDependencyUnavailable(failed)).toBe(true);
    expect(Date.now() - started).toBeLessThan(REQUEST_BOUND_MS);

    proxy.setMode('pass');
    await until(
      () =>
        runInTransaction(t.dataSource, (manager) => manager.query('SELECT 1')).then(
          () => true,
          () => false,
        ),
      RECOVERY_DEADLINE_MS,
    );
  });

  it('acks a socket event that needs the stalled database with SERVICE_UNAVAILABLE', async () => {
    const room = await openChatRoom(t);
    const socket = await sockets.connect(t.baseUrl, room.traveler.accessToken);
    proxy.setMode('blackhole');
    const started = Date.now();
    const ack = await emitAck(socket, 'message:send', { roomId: room.roomId, content: 'hello?' });
    expect(ack).toEqual({
      ok: false,
      error: { code: 'SERVICE_UNAVAILABLE', message: expect.any(String) },
    });
    expect(Date.now() - started).toBeLessThan(REQUEST_BOUND_MS);
    proxy.setMode('pass');
    await until(async () => {
      const retry = await emitAck(socket, 'message:send', {
        roomId: room.roomId,
        content: 'hello again',
      });
      return retry.ok;
    }, RECOVERY_DEADLINE_MS);
  });
});

describeSqlite('a database locked by another process (SQLite)', () => {
  let t: TestApp;
  let user: SignedIn;
  let other: DataSource | undefined;
  const sockets = new SocketPool();

  beforeAll(async () => {
    t = await createTestApp({ DB_QUERY_TIMEOUT_MS: String(DB_TIMEOUT_MS) });
    user = await signIn(t);
  });

  afterEach(async () => {
    sockets.closeAll();
    await other?.destroy();
    other = undefined;
  });

  afterAll(async () => {
    await t?.close();
  });

  /** A second connection to the app's database file (another process, say), holding its write lock. */
  async function lockForWriting(): Promise<{ release(): Promise<unknown> }> {
    const db = t.config.database;
    if (db.type !== 'sqlite') throw new Error('SQLite only');
    const connection = new DataSource({ type: 'better-sqlite3', database: db.path });
    other = await connection.initialize();
    await connection.query('BEGIN IMMEDIATE');
    return { release: () => connection.query('COMMIT') };
  }

  it('answers a write 503 with Retry-After within the bound, and the write succeeds once the lock is gone', async () => {
    const lock = await lockForWriting();
    const locked = await timed(
      t.http().patch('/api/v1/users/me').set(user.auth).send({ bio: 'written while locked' }),
    );
    expectUnavailable(locked);

    await lock.release();
    const unlocked = await timed(
      t.http().patch('/api/v1/users/me').set(user.auth).send({ bio: 'written after' }),
    );
    expect(unlocked.status).toBe(200);
    expect(unlocked.body).toMatchObject({ bio: 'written after' });
    console.log(`SQLite write lock: 503 in ${locked.ms} ms (DB_QUERY_TIMEOUT_MS=${DB_TIMEOUT_MS})`);
  });

  it('acks a socket send that cannot write with SERVICE_UNAVAILABLE', async () => {
    const room = await openChatRoom(t);
    const socket = await sockets.connect(t.baseUrl, room.traveler.accessToken);
    const lock = await lockForWriting();
    const ack = await emitAck(socket, 'message:send', { roomId: room.roomId, content: 'hello?' });
    expect(ack).toEqual({
      ok: false,
      error: { code: 'SERVICE_UNAVAILABLE', message: expect.any(String) },
    });
    await lock.release();
    const retry = await emitAck(socket, 'message:send', { roomId: room.roomId, content: 'hi' });
    expect(retry).toMatchObject({ ok: true });
  });
});

describe('a Redis that stalls or goes away (behind a TCP proxy)', () => {
  let proxy: TcpProxy;
  let t: TestApp;
  const sockets = new SocketPool();

  beforeAll(async () => {
    proxy = await new TcpProxy({
      host: REDIS.hostname,
      port: Number(REDIS.port || 6379),
    }).start();
    t = await createTestApp({ REDIS_URL: `redis://${proxy.host}:${proxy.port}` });
  });

  afterEach(() => {
    sockets.closeAll();
    proxy.setMode('pass');
  });

  afterAll(async () => {
    proxy?.setMode('pass');
    await t?.close();
    await proxy?.stop();
  });

  const health = () => timed(request(t.baseUrl).get('/health'));
  const redisUp = async () => {
    const answer = await health();
    return answer.status === 200 && answer.body.info !== undefined;
  };

  async function expectDownThenUp(mode: ProxyMode): Promise<void> {
    const before = await health();
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({ info: { redis: { status: 'up' } } });

    proxy.setMode(mode);
    const down = await health();
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({
      info: { database: { status: 'up' } },
      error: { redis: { status: 'down' } },
    });
    expect(down.ms).toBeLessThan(HEALTH_BOUND_MS);
    // still down, still answering in time, a while into the outage
    const stillDown = await health();
    expect(stillDown.status).toBe(503);
    expect(stillDown.ms).toBeLessThan(HEALTH_BOUND_MS);

    proxy.setMode('pass');
    const recovered = await until(redisUp, RECOVERY_DEADLINE_MS);
    const after = await health();
    expect(after.body).toMatchObject({ info: { redis: { status: 'up' } } });
    console.log(
      `redis ${mode}: /health 503 in ${Math.max(down.ms, stillDown.ms)} ms;` +
        ` redis up again ${recovered} ms after it answered`,
    );
  }

  it('reports redis down within 3 s while every byte is dropped, and up again soon after', async () => {
    await expectDownThenUp('blackhole');
  });

  it('reports redis down while connections are reset, and up again soon after', async () => {
    await expectDownThenUp('close');
  });

  it('still acks chat sends while Redis does not answer', async () => {
    const room = await openChatRoom(t);
    const socket = await sockets.connect(t.baseUrl, room.traveler.accessToken);
    expect((await emitAck(socket, 'room:join', { roomId: room.roomId })).ok).toBe(true);
    proxy.setMode('blackhole');
    const started = Date.now();
    const ack = await emitAck(socket, 'message:send', { roomId: room.roomId, content: 'hi' });
    expect(ack).toMatchObject({ ok: true });
    expect(Date.now() - started).toBeLessThan(REQUEST_BOUND_MS);
  });
});
