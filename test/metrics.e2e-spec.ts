import { runInTransaction } from '../src/database/transaction';
import { defineJob, JobQueue } from '../src/jobs/job-queue';
import { AppMetrics } from '../src/metrics/app-metrics';
import { MetricFamily, parsePrometheusText, sampleValue } from './support/prometheus-text';
import { RawHttpConnection } from './support/raw-http';
import { waitFor } from './support/server-process';
import { emitAck, openChatRoom, SocketPool } from './support/sockets';
import {
  createSiblingApp,
  createTestApp,
  SiblingApp,
  TEST_REDIS_URL,
  TestApp,
} from './support/test-app';
import { expectError, signIn } from './support/users';

const TOKEN = 'scrape-token-for-the-metrics-suite';
const QUEUES = ['media', 'push', 'lifecycle', 'default'];

/** `GET /metrics` with the token, parsed (fails on anything Prometheus would refuse). */
async function scrape(
  app: Pick<TestApp, 'http'>,
  token: string | null = TOKEN,
): Promise<Map<string, MetricFamily>> {
  const req = app.http().get('/metrics');
  if (token) req.set('Authorization', `Bearer ${token}`);
  const res = await req.expect(200);
  // the text format's media type (parameters in any order)
  const [type, ...parameters] = String(res.headers['content-type']).split(/;\s*/);
  expect(type).toBe('text/plain');
  expect(parameters.sort()).toEqual(['charset=utf-8', 'version=0.0.4']);
  expect(res.headers['cache-control']).toBe('no-store');
  return parsePrometheusText(res.text);
}

describe('Prometheus metrics at /metrics (METRICS_ENABLED, METRICS_TOKEN)', () => {
  let t: TestApp;
  const sockets = new SocketPool();

  beforeAll(async () => {
    t = await createTestApp({ METRICS_ENABLED: 'true', METRICS_TOKEN: TOKEN });
  });

  afterAll(async () => {
    sockets.closeAll();
    await t?.close();
  });

  it('answers 401 in the error shape without the token or with a wrong one', async () => {
    const missing = await t.http().get('/metrics').expect(401);
    expectError(missing.body, 401, 'UNAUTHORIZED');
    for (const header of [`Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(1)}`, TOKEN, 'Bearer ']) {
      const wrong = await t.http().get('/metrics').set('Authorization', header).expect(401);
      expectError(wrong.body, 401, 'UNAUTHORIZED');
    }
    await scrape(t);
  });

  it('lives beside /health, outside the /api/v1 prefix', async () => {
    const res = await t
      .http()
      .get('/api/v1/metrics')
      .set('Authorization', `Bearer ${TOKEN}`)
      .expect(404);
    expectError(res.body, 404, 'NOT_FOUND');
  });

  it('times requests by method, route template and status; ids never become labels', async () => {
    const count = (metrics: Map<string, MetricFamily>, labels: Record<string, string>) =>
      sampleValue(metrics, 'http_request_duration_seconds_count', labels) ?? 0;
    const series = [
      { method: 'GET', route: '/api/v1/users/me', status: '200' },
      { method: 'POST', route: '/api/v1/auth/dev-login', status: '200' },
      { method: 'GET', route: '/api/v1/stories/:id', status: '404' },
      { method: 'GET', route: 'unmatched', status: '404' },
      { method: 'GET', route: '/health', status: '200' },
      { method: 'GET', route: '/uploads/*', status: '404' },
      { method: 'GET', route: '/docs/*', status: '200' },
    ];
    const before = await scrape(t);
    const user = await signIn(t);
    await t.http().get('/api/v1/users/me').set(user.auth).expect(200);
    await t.http().get('/api/v1/users/me').set(user.auth).expect(200);
    await t.http().get('/api/v1/stories/987654321').expect(404);
    await t.http().get('/api/v1/no/such/route/55555').expect(404);
    await t.http().get('/health').expect(200);
    await t.http().get('/uploads/stories/no-such-file-31337.jpg').expect(404);
    await t.http().get('/docs/swagger-ui.css').expect(200);

    const metrics = await scrape(t);
    const histogram = metrics.get('http_request_duration_seconds');
    expect(histogram?.type).toBe('histogram');
    expect(series.map((labels) => count(metrics, labels) - count(before, labels))).toEqual([
      2, 1, 1, 1, 1, 1, 1,
    ]);
    // every bucket series ends in +Inf with the count
    expect(
      sampleValue(metrics, 'http_request_duration_seconds_bucket', {
        route: '/api/v1/users/me',
        status: '200',
        le: '+Inf',
      }),
    ).toBe(count(metrics, series[0]));
    const routes = new Set(histogram?.samples.map((s) => s.labels.route));
    for (const route of routes) {
      expect(route).toMatch(/^(\/[a-z0-9:/*-]*|unmatched)$/);
      expect(route).not.toMatch(/987654321|55555|31337/);
    }
    expect(JSON.stringify([...metrics.values()])).not.toContain(user.accessToken);
  });

  it("labels a request whose client left before its answer as status 'aborted'", async () => {
    const aborted = (metrics: Map<string, MetricFamily>) =>
      sampleValue(metrics, 'http_request_duration_seconds_count', {
        method: 'POST',
        route: 'unmatched',
        status: 'aborted',
      }) ?? 0;
    const before = aborted(await scrape(t));
    // half a body: the body parser (before routing) is still reading it when the client goes
    const connection = await RawHttpConnection.open(Number(new URL(t.baseUrl).port));
    await connection.write(
      'POST /api/v1/auth/dev-login HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
        'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"kakaoId":',
    );
    connection.destroy();
    await waitFor(
      async () => aborted(await scrape(t)) === before + 1,
      'the aborted request in the histogram',
      10_000,
    );
  });

  it('counts the sockets connected to /chat and the chat messages stored', async () => {
    const room = await openChatRoom(t);
    const before = await scrape(t);
    const storedBefore = sampleValue(before, 'storybook_chat_messages_total') ?? NaN;
    expect(before.get('storybook_chat_messages_total')?.type).toBe('counter');
    expect(sampleValue(before, 'storybook_socket_connections', { namespace: '/chat' })).toBe(0);

    const traveler = await sockets.connect(t.baseUrl, room.traveler.accessToken);
    await sockets.connect(t.baseUrl, room.guide.accessToken);
    await sockets.connect(t.baseUrl, room.guide.accessToken);
    // a refused handshake is no connection
    await sockets.refusal(t.baseUrl, { token: 'not-a-token' });
    const connected = await scrape(t);
    expect(connected.get('storybook_socket_connections')?.type).toBe('gauge');
    expect(sampleValue(connected, 'storybook_socket_connections', { namespace: '/chat' })).toBe(3);

    const sent = await emitAck(traveler, 'message:send', {
      roomId: room.roomId,
      content: 'hello over the socket',
    });
    expect(sent.ok).toBe(true);
    const body = { content: 'hello over REST', clientMessageId: 'metrics-retry-1' };
    await t
      .http()
      .post(`/api/v1/chat/rooms/${room.roomId}/messages`)
      .set(room.guide.auth)
      .send(body)
      .expect(201);
    // a retry answers the first message: nothing new is stored
    await t
      .http()
      .post(`/api/v1/chat/rooms/${room.roomId}/messages`)
      .set(room.guide.auth)
      .send(body)
      .expect(200);
    expect(sampleValue(await scrape(t), 'storybook_chat_messages_total')).toBe(storedBefore + 2);

    sockets.closeAll();
    await waitFor(
      async () =>
        sampleValue(await scrape(t), 'storybook_socket_connections', { namespace: '/chat' }) === 0,
      'the gauge to drop to 0 after the sockets closed',
      10_000,
    );
  });

  it('shows every job queue by state, failed runs (the dead letter) included', async () => {
    const jobs = t.app.get(JobQueue);
    const FAILING = defineJob<Record<string, never>>('test.metrics-failing');
    const LATER = defineJob<Record<string, never>>('test.metrics-later', { queue: 'push' });
    jobs.register(
      FAILING,
      async () => {
        throw new Error('always fails');
      },
      { attempts: 1 },
    );
    jobs.register(LATER, async () => undefined);
    await jobs.enqueue(FAILING, {});
    await jobs.enqueue(LATER, {}, { delayMs: 600_000 });
    await waitFor(
      async () => (await jobs.list('failed', 10)).items.some((j) => j.name === FAILING.name),
      'the failing job in the failed state',
    );

    const metrics = await scrape(t);
    expect(metrics.get('storybook_job_queue_jobs')?.type).toBe('gauge');
    for (const queue of QUEUES) {
      for (const state of ['waiting', 'active', 'delayed', 'failed']) {
        expect(sampleValue(metrics, 'storybook_job_queue_jobs', { queue, state })).toEqual(
          expect.any(Number),
        );
      }
    }
    expect(
      sampleValue(metrics, 'storybook_job_queue_jobs', { queue: 'default', state: 'failed' }),
    ).toBe(1);
    expect(
      sampleValue(metrics, 'storybook_job_queue_jobs', { queue: 'push', state: 'delayed' }),
    ).toBe(1);
  });

  it("shows the database pool's use: connections in use, idle, and callers waiting", async () => {
    const pool = (metrics: Map<string, MetricFamily>) => ({
      max: sampleValue(metrics, 'storybook_db_pool_connections', { state: 'max' }),
      used: sampleValue(metrics, 'storybook_db_pool_connections', { state: 'used' }),
      idle: sampleValue(metrics, 'storybook_db_pool_connections', { state: 'idle' }),
      queued: sampleValue(metrics, 'storybook_db_pool_queued'),
    });
    expect((await scrape(t)).get('storybook_db_pool_connections')?.type).toBe('gauge');
    if (t.config.database.type === 'sqlite') {
      // the one connection counts as used while a transaction of the app runs on it, and the
      // transactions queued behind it as waiting
      expect(pool(await scrape(t))).toEqual({ max: 1, used: 0, idle: 1, queued: 0 });
      let finish!: () => void;
      const gate = new Promise<void>((resolve) => (finish = resolve));
      const first = runInTransaction(t.dataSource, () => gate);
      const second = runInTransaction(t.dataSource, async () => undefined);
      await waitFor(async () => pool(await scrape(t)).used === 1, 'the transaction to start');
      expect(pool(await scrape(t))).toEqual({ max: 1, used: 1, idle: 0, queued: 1 });
      finish();
      await Promise.all([first, second]);
      expect(pool(await scrape(t))).toEqual({ max: 1, used: 0, idle: 1, queued: 0 });
      return;
    }
    // MySQL/MariaDB: hold every connection of the pool (10), and ask for one more
    const held = Array.from({ length: 10 }, () => t.dataSource.createQueryRunner());
    await Promise.all(held.map((runner) => runner.connect()));
    const extra = t.dataSource.createQueryRunner();
    const waiting = extra.connect();
    try {
      expect(pool(await scrape(t))).toEqual({ max: 10, used: 10, idle: 0, queued: 1 });
    } finally {
      await Promise.all(held.map((runner) => runner.release()));
      await waiting;
      await extra.release();
    }
    const after = pool(await scrape(t));
    expect(after).toMatchObject({ max: 10, used: 0, queued: 0 });
    expect(after.idle).toBeGreaterThanOrEqual(10);
  });

  it("includes Node's process metrics", async () => {
    const metrics = await scrape(t);
    expect(metrics.get('process_cpu_user_seconds_total')?.type).toBe('counter');
    expect(metrics.get('nodejs_heap_size_used_bytes')?.type).toBe('gauge');
    expect(metrics.get('nodejs_eventloop_lag_seconds')?.type).toBe('gauge');
  });
});

describe('metrics with BullMQ: the queues as every API instance sees them in Redis', () => {
  let t: TestApp;
  let api: SiblingApp;

  beforeAll(async () => {
    t = await createTestApp({ METRICS_ENABLED: 'true', REDIS_URL: TEST_REDIS_URL });
    // an API instance that runs no jobs at all
    api = await createSiblingApp(t, { METRICS_ENABLED: 'true', PROCESS_ROLE: 'api' });
  });

  afterAll(async () => {
    await api?.close();
    await t?.close();
  });

  it('counts a job that failed elsewhere', async () => {
    const jobs = t.app.get(JobQueue);
    const FAILING = defineJob<Record<string, never>>('test.metrics-failing-bull', {
      queue: 'media',
    });
    jobs.register(
      FAILING,
      async () => {
        throw new Error('always fails');
      },
      { attempts: 1 },
    );
    await jobs.enqueue(FAILING, {});
    await waitFor(
      async () => (await jobs.list('failed', 10)).items.some((j) => j.name === FAILING.name),
      'the failing job in the failed state',
    );
    const metrics = await scrape(api, null);
    expect(
      sampleValue(metrics, 'storybook_job_queue_jobs', { queue: 'media', state: 'failed' }),
    ).toBe(1);
    for (const queue of QUEUES) {
      expect(sampleValue(metrics, 'storybook_job_queue_jobs', { queue, state: 'waiting' })).toEqual(
        expect.any(Number),
      );
    }
  });
});

describe('the exposition reader used here', () => {
  it('refuses what Prometheus would refuse', () => {
    const head = '# HELP x_total a counter\n# TYPE x_total counter\n';
    expect(sampleValue(parsePrometheusText(`${head}x_total{a="1",b="q\\""} 2\n`), 'x_total')).toBe(
      2,
    );
    expect(() => parsePrometheusText(`${head}x_total{a="1} 2\n`)).toThrow('not a sample line');
    expect(() => parsePrometheusText(`${head}x_total{1a="1"} 2\n`)).toThrow('not a sample line');
    expect(() => parsePrometheusText(`${head}y_total 2\n`)).toThrow('undeclared metric');
    expect(() => parsePrometheusText(`${head}x_total two\n`)).toThrow('not a number');
    expect(() => parsePrometheusText(`${head}x_total{a="1",a="2"} 2\n`)).toThrow('twice');
  });
});

describe('metrics off (the default)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });

  afterAll(async () => {
    await t?.close();
  });

  it('has no /metrics route and no registry', async () => {
    const res = await t.http().get('/metrics').expect(404);
    expectError(res.body, 404, 'NOT_FOUND');
    expect(t.app.get(AppMetrics).registry).toBeNull();
  });
});
