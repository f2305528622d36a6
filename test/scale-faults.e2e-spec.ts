import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { JobQueue } from '../src/jobs/job-queue';
import { DELETE_MEDIA_FILES } from '../src/media/media.service';
import { Story } from '../src/stories/entities/story.entity';
import { approvedGuide, GuideFixture, regionByCode } from './support/fixtures';
import { jpeg, mp4 } from './support/media';
import { S3TestServer } from './support/s3';
import { waitFor } from './support/server-process';
import { ProxyMode, TcpProxy } from './support/tcp-proxy';
import { createTestApp, TEST_REDIS_URL, TestApp } from './support/test-app';
import { expectError } from './support/users';

const HEALTH_BOUND_MS = 3000;

async function timed<T>(work: Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await work;
  return { value, ms: Date.now() - started };
}

function upload(t: TestApp, guide: GuideFixture, regionId: number, title: string) {
  return async (file: Buffer, name: string) =>
    t
      .http()
      .post('/api/v1/stories')
      .set(guide.auth)
      .field('title', title)
      .field('content', 'Whatever the weather.')
      .field('category', 'nature')
      .field('regionId', String(regionId))
      .attach('media', file, name);
}

/**
 * docs/api.md, Operations faults: a bucket that stalls or refuses connections makes uploads a clear 503
 * (with Retry-After) and stores nothing, and /health names the bucket; a Redis that is gone
 * loses no job of an acknowledged upload.
 */
describe('a media bucket that stalls or goes away (behind a TCP proxy)', () => {
  const s3 = new S3TestServer();
  let proxy: TcpProxy;
  let t: TestApp;
  let guide: GuideFixture;
  let regionId: number;

  beforeAll(async () => {
    await s3.start();
    proxy = await new TcpProxy({ host: '127.0.0.1', port: s3.port }).start();
    t = await createTestApp({ ...s3.envVia(proxy), S3_TIMEOUT_MS: '800' });
    guide = await approvedGuide(t);
    regionId = (await regionByCode(t)).id;
  });

  afterEach(() => proxy.setMode('pass'));

  afterAll(async () => {
    await t?.close();
    await proxy?.stop();
    await s3.stop();
  });

  it.each<ProxyMode>(['blackhole', 'close'])(
    '%s: upload 503 with Retry-After, nothing stored, /health names the bucket',
    async (mode) => {
      const title = `Rain (${mode})`;
      proxy.setMode(mode);
      const { value: res, ms } = await timed(
        upload(t, guide, regionId, title)(await jpeg(320, 240), 'rain.jpg'),
      );
      expect(res.status).toBe(503);
      expectError(res.body, 503, 'SERVICE_UNAVAILABLE');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      expect(ms).toBeLessThan(10_000);

      const health = await timed(request(t.baseUrl).get('/health'));
      expect(health.value.status).toBe(503);
      expect(health.ms).toBeLessThan(HEALTH_BOUND_MS);
      expect(health.value.body.error).toMatchObject({ storage: { status: 'down' } });
      expect(health.value.body.info).toMatchObject({ database: { status: 'up' } });

      proxy.setMode('pass');
      expect(await t.dataSource.getRepository(Story).countBy({ title })).toBe(0);
      expect(await s3.keys()).toEqual([]);
      expect(readdirSync(join(t.uploadDir, '.tmp'))).toEqual([]);

      // and once the bucket answers again, uploads work without a restart
      await waitFor(
        async () => (await request(t.baseUrl).get('/health')).status === 200,
        'the bucket to be up again',
        10_000,
      );
      const ok = await upload(t, guide, regionId, `${title}, later`)(await jpeg(), 'sun.jpg');
      expect(ok.status).toBe(201);
      expect(await s3.keys()).toHaveLength(2);
      await t.http().delete(`/api/v1/stories/${ok.body.id}`).set(guide.auth).expect(204);
      expect(await s3.keys()).toEqual([]);
    },
    30_000,
  );

  it('a withdrawal does not wait for a stalled bucket: answered at once, its files left to a job', async () => {
    const leaving = await approvedGuide(t);
    const res = await upload(t, leaving, regionId, 'Last story')(await jpeg(), 'last.jpg');
    expect(res.status).toBe(201);
    const name = (res.body.media[0].url as string).split('/').pop() as string;
    expect((await s3.keys()).some((key) => key.endsWith(name))).toBe(true);

    proxy.setMode('blackhole');
    const { value: gone, ms } = await timed(
      t.http().delete('/api/v1/users/me').set(leaving.auth),
    );
    expect(gone.status).toBe(204);
    // the bucket would have held it for S3_TIMEOUT_MS (800 ms) before giving up
    expect(ms).toBeLessThan(800);
    proxy.setMode('pass');

    const queue = t.app.get(JobQueue);
    const runs = (
      await Promise.all(
        (['waiting', 'active', 'delayed', 'completed'] as const).map((state) =>
          queue.list(state, 200),
        ),
      )
    ).flatMap((page) => page.items);
    const deletion = runs.find(
      (run) =>
        run.name === DELETE_MEDIA_FILES.name &&
        (run.data as { keys: string[] }).keys.some((key) => key.endsWith(name)),
    );
    expect((deletion?.data as { keys: string[] }).keys).toHaveLength(2); // the photo, its thumbnail
  });
});

describe('a Redis that goes away while videos are uploaded (BullMQ behind a TCP proxy)', () => {
  let proxy: TcpProxy;
  let t: TestApp;
  let guide: GuideFixture;
  let regionId: number;

  beforeAll(async () => {
    const redis = new URL(TEST_REDIS_URL);
    proxy = await new TcpProxy({ host: redis.hostname, port: Number(redis.port || 6379) }).start();
    t = await createTestApp({ REDIS_URL: `redis://${proxy.host}:${proxy.port}` });
    guide = await approvedGuide(t);
    regionId = (await regionByCode(t)).id;
  });

  afterAll(async () => {
    proxy?.setMode('pass');
    await t?.close();
    await proxy?.stop();
  });

  it('the upload is acknowledged, and its video is processed once Redis is back', async () => {
    proxy.setMode('close');
    const { value: res, ms } = await timed(
      upload(t, guide, regionId, 'Fog')(await mp4(), 'fog.mp4'),
    );
    expect(res.status).toBe(201);
    expect(ms).toBeLessThan(8000);
    const [video] = res.body.media;
    expect(video.status).toBe('processing');
    await new Promise((r) => setTimeout(r, 1000));
    const during = await t.http().get(`/api/v1/stories/${res.body.id}`).expect(200);
    expect(during.body.media[0].status).toBe('processing');

    proxy.setMode('pass');
    await waitFor(
      async () => {
        const now = await t.http().get(`/api/v1/stories/${res.body.id}`).expect(200);
        return now.body.media[0].status === 'ready';
      },
      'the video to be processed after Redis came back',
      30_000,
    );
  }, 45_000);
});
