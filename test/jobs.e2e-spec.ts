import Redis from 'ioredis';
import request from 'supertest';
import { defineJob, JobQueue } from '../src/jobs/job-queue';
import { waitFor } from './support/server-process';
import {
  createSiblingApp,
  createTestApp,
  SiblingApp,
  TEST_REDIS_URL,
  TestApp,
} from './support/test-app';
import { expectError, signIn, SignedIn } from './support/users';

const ADMIN_KAKAO_ID = '770000001';

/**
 * The job seam on both runners (docs/api.md, Operations): a handler that throws is retried with backoff,
 * then lands in the failed list (the dead letter) with its error, and an admin retries it;
 * a schedule runs once per tick. BullMQ on Redis under a prefix of this suite's own, and the
 * embedded in-process runner.
 */
describe.each([
  ['BullMQ on Redis', { REDIS_URL: TEST_REDIS_URL }],
  ['the in-process runner', {} as Record<string, string>],
])('jobs on %s', (runner, env) => {
  const bullmq = 'REDIS_URL' in env;
  let t: TestApp;
  let admin: SignedIn;
  let redis: Redis | null = null;

  beforeAll(async () => {
    t = await createTestApp({ ...env, ADMIN_KAKAO_IDS: ADMIN_KAKAO_ID });
    admin = await signIn(t, { kakaoId: ADMIN_KAKAO_ID });
    if (bullmq) redis = new Redis(TEST_REDIS_URL);
  });

  afterAll(async () => {
    await t?.close();
    if (redis) {
      const keys = await redis.keys(`${t.config.redisKeyPrefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    }
  });

  const jobs = (state: string) =>
    t.http().get(`/api/v1/admin/jobs?state=${state}`).set(admin.auth).expect(200);

  it('retries a throwing handler, keeps it failed with its error, and an admin retries it', async () => {
    const FLAKY = defineJob<{ order: number }>(`test.flaky-${bullmq ? 'bull' : 'local'}`);
    const calls: number[] = [];
    let healthy = false;
    t.app.get(JobQueue).register(
      FLAKY,
      async ({ order }) => {
        calls.push(Date.now());
        if (!healthy) throw new Error(`the printer is on fire (order ${order})`);
      },
      { attempts: 3, backoffMs: 200 },
    );
    await t.app.get(JobQueue).enqueue(FLAKY, { order: 7 });

    let failed: Record<string, unknown> | undefined;
    await waitFor(async () => {
      const res = await jobs('failed');
      failed = res.body.items.find((j: { name: string }) => j.name === FLAKY.name);
      return failed !== undefined;
    }, 'the job in the failed list');
    expect(calls).toHaveLength(3);
    // exponential backoff: 200 ms, then 400 ms
    expect(calls[1] - calls[0]).toBeGreaterThanOrEqual(180);
    expect(calls[2] - calls[1]).toBeGreaterThanOrEqual(380);
    expect(failed).toMatchObject({
      id: expect.stringMatching(/^default:/),
      name: FLAKY.name,
      queue: 'default',
      state: 'failed',
      attempts: 3,
      failedReason: 'the printer is on fire (order 7)',
      data: { order: 7 },
      createdAt: expect.any(String),
      finishedAt: expect.any(String),
    });
    const id = String(failed?.id);
    if (redis) {
      // the dead letter is BullMQ's failed set in Redis
      const score = await redis.zscore(`${t.config.redisKeyPrefix}:default:failed`, id.slice(8));
      expect(score).not.toBeNull();
    }

    // not an admin: 403; a job that is not failed: 409; no such job: 404
    const user = await signIn(t);
    await t.http().get('/api/v1/admin/jobs').set(user.auth).expect(403);
    await t.http().post(`/api/v1/admin/jobs/${id}/retry`).set(user.auth).expect(403);
    const missing = await t
      .http()
      .post('/api/v1/admin/jobs/default:nope-404/retry')
      .set(admin.auth)
      .expect(404);
    expectError(missing.body, 404, 'NOT_FOUND');
    await t.http().post('/api/v1/admin/jobs/nonsense/retry').set(admin.auth).expect(400);
    await t.http().get('/api/v1/admin/jobs?state=lost').set(admin.auth).expect(400);

    healthy = true;
    const retried = await t
      .http()
      .post(`/api/v1/admin/jobs/${id}/retry`)
      .set(admin.auth)
      .expect(200);
    expect(retried.body).toMatchObject({ id, name: FLAKY.name });
    await waitFor(async () => {
      const res = await jobs('completed');
      return res.body.items.some((j: { id: string }) => j.id === id);
    }, 'the retried job to complete');
    expect(calls).toHaveLength(4);
    expect((await jobs('failed')).body.items.map((j: { id: string }) => j.id)).not.toContain(id);
    const again = await t.http().post(`/api/v1/admin/jobs/${id}/retry`).set(admin.auth).expect(409);
    expectError(again.body, 409, 'CONFLICT');
  });

  it('pages the list with limit and cursor', async () => {
    const MANY = defineJob<{ n: number }>(`test.many-${bullmq ? 'bull' : 'local'}`);
    t.app.get(JobQueue).register(
      MANY,
      async ({ n }) => {
        throw new Error(`no ${n}`);
      },
      { attempts: 1 },
    );
    for (let n = 0; n < 5; n += 1) await t.app.get(JobQueue).enqueue(MANY, { n });
    await waitFor(async () => {
      const res = await jobs('failed');
      return res.body.items.filter((j: { name: string }) => j.name === MANY.name).length === 5;
    }, 'five failed runs');
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: request.Response = await t
        .http()
        .get('/api/v1/admin/jobs')
        .query({ state: 'failed', limit: 2, ...(cursor ? { cursor } : {}) })
        .set(admin.auth)
        .expect(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.items.map((j: { id: string }) => j.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBeGreaterThanOrEqual(5);
    await t.http().get('/api/v1/admin/jobs?cursor=bm9wZQ').set(admin.auth).expect(400);
  });

  it('runs a delayed job no sooner than asked, listed as delayed meanwhile, once per key', async () => {
    const LATER = defineJob<{ n: number }>(`test.later-${bullmq ? 'bull' : 'local'}`);
    const runs: number[] = [];
    t.app.get(JobQueue).register(LATER, async () => {
      runs.push(Date.now());
    });
    const queued = Date.now();
    await t.app.get(JobQueue).enqueue(LATER, { n: 1 }, { key: 'once', delayMs: 800 });
    await t.app.get(JobQueue).enqueue(LATER, { n: 2 }, { key: 'once', delayMs: 800 });
    const delayed = await jobs('delayed');
    expect(delayed.body.items.filter((j: { name: string }) => j.name === LATER.name)).toEqual([
      expect.objectContaining({ state: 'delayed', data: { n: 1 } }),
    ]);
    await waitFor(() => runs.length > 0, 'the delayed run');
    expect(runs[0] - queued).toBeGreaterThanOrEqual(780);
    await new Promise((r) => setTimeout(r, 300));
    expect(runs).toHaveLength(1);
  });

  it('/health reports the runner', async () => {
    const res = await request(t.baseUrl).get('/health').expect(200);
    expect(res.body.info.queue).toMatchObject({
      status: 'up',
      driver: bullmq ? 'bullmq' : 'in-process',
    });
    expect(res.body.info.queue.failed).toBeGreaterThanOrEqual(1);
  });

  describe('a schedule', () => {
    let sibling: SiblingApp | null = null;
    afterAll(async () => {
      await sibling?.close();
    });

    it(`runs once per tick${bullmq ? ', however many instances schedule it' : ''}`, async () => {
      const TICK = defineJob<{ from: string }>(`test.tick-${bullmq ? 'bull' : 'local'}`);
      const runs: { at: number; from: string }[] = [];
      const handler = async ({ from }: { from: string }) => {
        runs.push({ at: Date.now(), from });
      };
      const queues = [t.app.get(JobQueue)];
      if (bullmq) {
        sibling = await createSiblingApp(t);
        queues.push(sibling.app.get(JobQueue));
      }
      const started = Date.now();
      for (const [i, queue] of queues.entries()) {
        queue.register(TICK, handler);
        queue.schedule(TICK, { everyMs: 500 }, { from: `instance ${i}` });
      }
      await new Promise((r) => setTimeout(r, 3200));
      const elapsed = Date.now() - started;
      const ticks = Math.floor(elapsed / 500) + 1;
      // one run per tick (the first right away); twice as many would mean each instance ran it
      expect(runs.length).toBeGreaterThanOrEqual(ticks - 2);
      expect(runs.length).toBeLessThanOrEqual(ticks + 1);
      if (redis) {
        const schedulers = await redis.zrange(`${t.config.redisKeyPrefix}:default:repeat`, 0, -1);
        expect(schedulers).toEqual([TICK.name]);
      }
    });
  });

  if (bullmq) {
    it('still queues what is enqueued while its workers stop (a push from a run finishing)', async () => {
      const LATE = defineJob<{ n: number }>('test.late-bull');
      const stopping = await createSiblingApp(t);
      try {
        const queue = stopping.app.get(JobQueue) as JobQueue & {
          beforeApplicationShutdown(): Promise<void>;
        };
        await queue.beforeApplicationShutdown(); // the shutdown has begun: workers closed
        await queue.enqueue(LATE, { n: 1 });
        // in Redis soon (it may wait behind the schedules the sibling's start still offers)
        const inRedis = async () => {
          const keys = await (redis as Redis).keys(`${t.config.redisKeyPrefix}:default:*`);
          const names = await Promise.all(
            keys.map((key) => (redis as Redis).hget(key, 'name').catch(() => null)),
          );
          return names.includes(LATE.name);
        };
        await waitFor(inRedis, 'the job in Redis', 10_000);
      } finally {
        await stopping.close();
      }
    });
  }

  it(`is what the app runs with (${runner})`, () => {
    expect(t.app.get(JobQueue).constructor.name).toBe(
      bullmq ? 'BullJobQueue' : 'InProcessJobQueue',
    );
  });
});
