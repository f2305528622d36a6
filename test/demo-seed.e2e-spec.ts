import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { DEMO_ADMIN, DEMO_GUIDES, DEMO_TRAVELERS } from '../src/cli/demo-seed.data';
import { createTestApp, databaseEnvOf, TEST_JWT_SECRET, TestApp } from './support/test-app';
import { S3TestServer } from './support/s3';
import { signIn } from './support/users';

// the seed runs as `npm run seed:demo` does: src/cli/main.ts in a process of its own (ts-node)
jest.setTimeout(180_000);

const ROOT = resolve(__dirname, '..');
const STORIES = 8;

const TABLES = [
  'users',
  'guides',
  'guide_regions',
  'regions',
  'stories',
  'story_tags',
  'media',
  'story_likes',
  'comments',
  'matching_requests',
  'reviews',
  'chat_rooms',
  'chat_room_members',
  'chat_messages',
  'reports',
  'notifications',
];

async function seed(
  t: TestApp,
  env: Record<string, string> = {},
  stories = STORIES,
): Promise<{ code: number | null; output: string }> {
  const child = spawn(
    process.execPath,
    [
      '-r',
      'ts-node/register/transpile-only',
      join(ROOT, 'src/cli/main.ts'),
      'seed-demo',
      '--stories',
      String(stories),
      '--photo-width',
      '96',
    ],
    {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        DOTENV_CONFIG_PATH: '/nonexistent',
        NODE_ENV: 'development',
        UPLOAD_DIR: t.uploadDir,
        ...databaseEnvOf(t),
        ...env,
      },
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, output };
}

async function rowCounts(t: TestApp): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of TABLES) {
    const [row] = await t.dataSource.query(`SELECT COUNT(*) AS n FROM ${table}`);
    counts[table] = Number((row as { n: number | string }).n);
  }
  return counts;
}

describe('npm run seed:demo', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  it('fills a fresh database once: a second run adds no row', async () => {
    const first = await seed(t);
    expect(first.output).toContain('Demo data in place');
    expect(first.code).toBe(0);
    // it says whom to sign in as, and how
    for (const person of [DEMO_ADMIN, ...DEMO_GUIDES, ...DEMO_TRAVELERS]) {
      expect(first.output).toContain(person.kakaoId);
    }
    expect(first.output).toContain('POST /api/v1/auth/dev-login');
    const afterFirst = await rowCounts(t);
    expect(afterFirst).toMatchObject({
      users: 1 + DEMO_GUIDES.length + DEMO_TRAVELERS.length,
      guides: DEMO_GUIDES.length,
      stories: STORIES,
      matching_requests: 2,
      reviews: 1,
      chat_rooms: 2, // the completed request kept its room
      reports: 1,
    });
    for (const table of ['media', 'story_likes', 'comments', 'chat_messages']) {
      expect(afterFirst[table]).toBeGreaterThan(0);
    }

    const second = await seed(t);
    expect(second.code).toBe(0);
    expect(second.output).toContain('added now: nothing');
    expect(await rowCounts(t)).toEqual(afterFirst);
  });

  it('lists the demo stories with thumbnails that serve image bytes', async () => {
    const res = await t.http().get('/api/v1/stories?limit=50').expect(200);
    const items = res.body.items as { title: string; thumbnailUrl: string | null }[];
    expect(items).toHaveLength(STORIES);
    for (const story of items) {
      expect(story.thumbnailUrl).toMatch(/\/uploads\/thumbnails\/[0-9a-f]+\.jpg$/);
      const image = await t
        .http()
        .get(new URL(story.thumbnailUrl as string, t.baseUrl).pathname)
        .buffer(true)
        .parse((response, done) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => done(null, Buffer.concat(chunks)));
        })
        .expect(200);
      expect(image.headers['content-type']).toMatch(/^image\/jpeg/);
      const meta = await sharp(image.body as Buffer).metadata();
      expect(meta).toMatchObject({ format: 'jpeg', width: 96, height: 64 });
    }
  });

  it('signs in with dev-login as the printed people: an admin with a pending report, a traveller with a chat', async () => {
    const admin = await signIn(t, { kakaoId: DEMO_ADMIN.kakaoId, nickname: 'someone' });
    const me = await t.http().get('/api/v1/users/me').set(admin.auth).expect(200);
    expect(me.body).toMatchObject({ role: 'admin', nickname: DEMO_ADMIN.nickname });
    const reports = await t.http().get('/api/v1/admin/reports').set(admin.auth).expect(200);
    expect(reports.body.items).toHaveLength(1);
    expect(reports.body.items[0]).toMatchObject({ status: 'pending' });

    const traveler = await signIn(t, {
      kakaoId: DEMO_TRAVELERS[0].kakaoId,
      nickname: 'another-name',
    });
    const rooms = await t.http().get('/api/v1/chat/rooms').set(traveler.auth).expect(200);
    expect(rooms.body.items).toHaveLength(1);
    const messages = await t
      .http()
      .get(`/api/v1/chat/rooms/${rooms.body.items[0].id}/messages`)
      .set(traveler.auth)
      .expect(200);
    expect(messages.body.items.length).toBeGreaterThanOrEqual(6);
  });

  it('is refused in production, changing nothing', async () => {
    const before = await rowCounts(t);
    const run = await seed(t, {
      NODE_ENV: 'production',
      JWT_SECRET: TEST_JWT_SECRET,
      ALLOW_SQLITE_IN_PRODUCTION: 'true',
    });
    expect(run.code).toBe(1);
    expect(run.output).toContain('seed-demo refuses to run in production');
    expect(await rowCounts(t)).toEqual(before);
  });
});

describe('npm run seed:demo with object storage (STORAGE_DRIVER=s3)', () => {
  const s3 = new S3TestServer();
  let t: TestApp;

  beforeAll(async () => {
    await s3.start();
    t = await createTestApp(s3.env());
  });
  afterAll(async () => {
    await t?.close();
    await s3.stop();
  });

  it('puts the photos and thumbnails into the bucket, served through /uploads like uploads', async () => {
    const run = await seed(t, s3.env(), 3);
    expect(run.output).toContain('Demo data in place (3 stories)');
    expect(run.code).toBe(0);
    const keys = await s3.keys();
    const res = await t.http().get('/api/v1/stories').expect(200);
    const items = res.body.items as { thumbnailUrl: string }[];
    expect(items).toHaveLength(3);
    for (const { thumbnailUrl } of items) {
      const key = thumbnailUrl.replace(/^.*\/uploads\//, '');
      expect(keys).toContain(key);
      // /uploads/<key> sends the client to the bucket, which answers the JPEG
      const image = await fetch(new URL(thumbnailUrl, t.baseUrl));
      expect(image.status).toBe(200);
      const meta = await sharp(Buffer.from(await image.arrayBuffer())).metadata();
      expect(meta).toMatchObject({ format: 'jpeg', width: 96, height: 64 });
    }
  });
});
