import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { approvedGuide, GuideFixture, regionByCode } from './support/fixtures';
import { jpeg, mp4WithLocation, VIDEO_SECRETS } from './support/media';
import { S3TestServer } from './support/s3';
import {
  ServerProcess,
  startWorkerProcess,
  waitFor,
  workerRunning,
} from './support/server-process';
import { emitAck, nextEvent, openChatRoom, SocketPool } from './support/sockets';
import {
  createSiblingApp,
  createTestApp,
  SiblingApp,
  siblingEnv,
  TEST_REDIS_URL,
  TestApp,
  uniqueRedisPrefix,
} from './support/test-app';
import { expectError, signIn } from './support/users';

/** Files below `dir`, temp folder included (empty folders do not count). */
function filesUnder(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) found.push(...filesUnder(path));
    else found.push(path);
  }
  return found;
}

/**
 * docs/api.md, Operations, the production topology on real engines: two API instances (PROCESS_ROLE=api,
 * each its own UPLOAD_DIR) and one worker process on one database (MariaDB with
 * DATABASE_URL, else one SQLite file), one Redis (BullMQ queues and rate-limit counters under
 * a prefix of this run's own) and one S3-protocol server (s3rver on loopback).
 */
describe('several instances: media in a bucket, jobs on Redis, shared limits', () => {
  const s3 = new S3TestServer();
  const prefix = uniqueRedisPrefix();
  const sockets = new SocketPool();
  let a: TestApp;
  let b: SiblingApp;
  let redis: Redis;
  let worker: ServerProcess | null = null;
  let workerDir: string;
  let guide: GuideFixture;
  let regionId: number;

  const env = () => ({
    REDIS_URL: TEST_REDIS_URL,
    REDIS_KEY_PREFIX: prefix,
    PROCESS_ROLE: 'api',
    JWT_SECRET: randomBytes(32).toString('hex'),
    RATE_LIMIT_ENABLED: 'true',
    RATE_LIMIT_WRITE: '6/60',
    RATE_LIMIT_CHAT: '3/60',
    RATE_LIMIT_AUTH: '1000/60',
    ...s3.env(),
  });

  beforeAll(async () => {
    await s3.start();
    a = await createTestApp(env());
    // B: A's configuration (database, secret, Redis prefix, bucket), another upload folder
    b = await createSiblingApp(a, {
      PROCESS_ROLE: 'api',
      RATE_LIMIT_ENABLED: 'true',
      RATE_LIMIT_WRITE: '6/60',
      RATE_LIMIT_CHAT: '3/60',
      RATE_LIMIT_AUTH: '1000/60',
      ...s3.env(),
    });
    redis = new Redis(TEST_REDIS_URL);
    workerDir = mkdtempSync(join(tmpdir(), 'storybook-worker-'));
    guide = await approvedGuide(a);
    regionId = (await regionByCode(a)).id;
  }, 60_000);

  afterEach(() => sockets.closeAll());

  afterAll(async () => {
    sockets.closeAll();
    if (worker) {
      worker.child.kill('SIGTERM');
      await worker.exited;
    }
    await b?.close();
    await a?.close();
    // this run's keys only: other suites and agents share the Redis
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    await s3.stop();
    rmSync(workerDir, { recursive: true, force: true });
  });

  const startWorker = async () => {
    worker = startWorkerProcess({
      ...siblingEnv(a, {
        PROCESS_ROLE: 'worker',
        LOG_LEVEL: 'info',
        UPLOAD_DIR: workerDir,
        RATE_LIMIT_ENABLED: 'true',
        ...s3.env(),
      }),
    });
    await workerRunning(worker);
  };

  const createStory = (via: { http(): ReturnType<typeof request> }, file: Buffer, name: string) =>
    via
      .http()
      .post('/api/v1/stories')
      .set(guide.auth)
      .field('title', `Story with ${name}`)
      .field('content', 'Streets and people.')
      .field('category', 'culture')
      .field('regionId', String(regionId))
      .attach('media', file, name);

  let imageStory: {
    id: number;
    media: { storageKey?: string; url: string; thumbnailUrl: string }[];
  };

  it('an image uploaded through A is in the bucket, not on A, and served through B', async () => {
    const photo = await jpeg(640, 480);
    const res = await createStory(a, photo, 'photo.jpg').expect(201);
    imageStory = res.body;
    const [media] = res.body.media;
    expect(media).toMatchObject({ type: 'image', status: 'ready' });
    expect(media.url).toMatch(/^\/uploads\/stories\/[0-9a-f]{32}\.jpg$/);
    expect(media.thumbnailUrl).toMatch(/^\/uploads\/thumbnails\/[0-9a-f]{32}\.jpg$/);
    const key = media.url.slice('/uploads/'.length);
    const thumbnailKey = media.thumbnailUrl.slice('/uploads/'.length);

    expect(await s3.keys()).toEqual([key, thumbnailKey].sort());
    const stored = await s3.get(key);
    expect(stored.contentType).toBe('image/jpeg');
    expect(stored.cacheControl).toContain('immutable');
    expect(filesUnder(a.uploadDir)).toEqual([]);

    // B never saw the upload: it redirects to a short-lived presigned GET of the object
    const redirect = await request(b.baseUrl).get(media.url).expect(302);
    expect(redirect.headers.location).toContain(`/${s3.bucket}/${key}?`);
    expect(redirect.headers.location).toContain('X-Amz-Signature=');
    expect(redirect.headers.location).toContain('X-Amz-Expires=300');
    const served = await fetch(redirect.headers.location);
    expect(served.status).toBe(200);
    const bytes = Buffer.from(await served.arrayBuffer());
    expect(bytes.equals(stored.body)).toBe(true);
    expect(bytes.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff]))).toBe(true);
    await request(b.baseUrl).get(media.thumbnailUrl).expect(302);

    // never a video still being processed, nor what is not a key of ours
    await request(b.baseUrl)
      .get(`/uploads/incoming/${'a'.repeat(32)}.mp4`)
      .expect(404);
    await request(b.baseUrl).get('/uploads/stories/../incoming/x.mp4').expect(404);
    await request(b.baseUrl).get('/uploads/stories/abc.jpg').expect(404);
  });

  it('a video waits in the queue while no worker runs, and is processed once one starts', async () => {
    const res = await createStory(a, await mp4WithLocation(), 'clip.mp4').expect(201);
    const storyId: number = res.body.id;
    const [video] = res.body.media;
    expect(video).toMatchObject({ type: 'video', status: 'processing', url: null });
    const incoming = (await s3.keys()).filter((k) => k.startsWith('incoming/'));
    expect(incoming).toHaveLength(1);
    expect(filesUnder(a.uploadDir)).toEqual([]);

    // the job is in Redis, waiting: API instances never run jobs
    const jobId = `stories.process-video.${video.id}`;
    await waitFor(
      async () => (await redis.lrange(`${prefix}:media:wait`, 0, -1)).includes(jobId),
      'the job in the wait list',
    );
    await new Promise((r) => setTimeout(r, 1500));
    const still = await b.http().get(`/api/v1/stories/${storyId}`).expect(200);
    expect(still.body.media[0].status).toBe('processing');

    // the owner's socket on B hears of it, though the worker has no sockets of its own
    const socket = await sockets.connect(b.baseUrl, guide.accessToken);
    const ready = nextEvent<Record<string, unknown>>(socket, 'media:ready', 60_000);
    await startWorker();
    expect(await ready).toMatchObject({ storyId, mediaId: video.id, status: 'ready' });

    const after = await a.http().get(`/api/v1/stories/${storyId}`).expect(200);
    const processed = after.body.media[0];
    expect(processed.status).toBe('ready');
    const key = processed.url.slice('/uploads/'.length);
    const keys = await s3.keys();
    expect(keys).toContain(key);
    expect(keys).toContain(processed.thumbnailUrl.slice('/uploads/'.length));
    expect(keys.filter((k) => k.startsWith('incoming/'))).toEqual([]);
    const { body } = await s3.get(key);
    expect(body.includes(VIDEO_SECRETS.location)).toBe(false);
    expect(body.includes(VIDEO_SECRETS.make)).toBe(false);
    expect(filesUnder(workerDir)).toEqual([]);
    expect(await redis.zscore(`${prefix}:media:completed`, jobId)).not.toBeNull();
    expect(worker?.output().stdout).not.toContain('S3RVER');
  }, 90_000);

  it('deleting a story deletes its objects', async () => {
    const before = await s3.keys();
    const media = imageStory.media[0];
    const keys = [media.url, media.thumbnailUrl].map((u) => u.slice('/uploads/'.length));
    expect(before).toEqual(expect.arrayContaining(keys));
    await b.http().delete(`/api/v1/stories/${imageStory.id}`).set(guide.auth).expect(204);
    const after = await s3.keys();
    for (const key of keys) expect(after).not.toContain(key);
    expect(after).toHaveLength(before.length - 2);
  });

  it('6 writes a minute hold across A and B together: the 7th on either is 429', async () => {
    const user = await signIn(a);
    const instances = [a, b, a, b, a, b];
    for (const [i, via] of instances.entries()) {
      await via
        .http()
        .patch('/api/v1/users/me')
        .set(user.auth)
        .send({ bio: `write ${i}` })
        .expect(200);
    }
    for (const via of [a, b]) {
      const res = await via
        .http()
        .patch('/api/v1/users/me')
        .set(user.auth)
        .send({ bio: 'one too many' })
        .expect(429);
      expectError(res.body, 429, 'RATE_LIMITED');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    }
    // the counters are in Redis, under this run's prefix
    expect((await redis.keys(`${prefix}:rate-limit:*user:${user.id}*`)).length).toBeGreaterThan(0);
  });

  it('the chat budget (3 a minute) holds across REST and sockets on A and B', async () => {
    const room = await openChatRoom(a);
    const onA = await sockets.connect(a.baseUrl, room.traveler.accessToken);
    const onB = await sockets.connect(b.baseUrl, room.traveler.accessToken);
    const send = { roomId: room.roomId, content: 'hello' };
    expect((await emitAck(onA, 'message:send', send)).ok).toBe(true);
    await b
      .http()
      .post(`/api/v1/chat/rooms/${room.roomId}/messages`)
      .set(room.traveler.auth)
      .send({ content: 'hello' })
      .expect(201);
    expect((await emitAck(onB, 'message:send', send)).ok).toBe(true);
    const refused = await emitAck(onA, 'message:send', send);
    expect(refused).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
    const rest = await a
      .http()
      .post(`/api/v1/chat/rooms/${room.roomId}/messages`)
      .set(room.traveler.auth)
      .send({ content: 'hello' })
      .expect(429);
    expectError(rest.body, 429, 'RATE_LIMITED');
  });

  it('signed every request to the bucket correctly (API instances, worker, presigned URLs)', () => {
    expect(s3.refused).toEqual([]);
  });

  it('/health reports the queue and the bucket', async () => {
    const res = await request(a.baseUrl).get('/health').expect(200);
    expect(res.body.info).toMatchObject({
      database: { status: 'up' },
      redis: { status: 'up' },
      queue: { status: 'up', driver: 'bullmq' },
      storage: { status: 'up' },
    });
  });
});
