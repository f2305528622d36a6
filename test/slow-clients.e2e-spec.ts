import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  utimesSync,
  watch,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MediaTempSweeper } from '../src/media/media-temp-sweeper';
import { approvedGuide, GuideFixture, regionByCode } from './support/fixtures';
import { png } from './support/media';
import { RAW_WAIT_MS, RawHttpConnection } from './support/raw-http';
import { createTestApp, TestApp } from './support/test-app';
import { expectError } from './support/users';

/**
 * Clients that are slow on purpose or by accident (docs/api.md, Operations): headers that never end, uploads
 * that stop sending, one user running many uploads, temp files a crash left behind.
 */

const BOUNDARY = 'slow-client-boundary-7f3a';

/** A story upload as multipart bytes: fields, one image, and last a text field `content`. */
function storyUpload(regionId: number, image: Buffer, content: string): Buffer {
  const field = (name: string, value: string) =>
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  return Buffer.concat([
    Buffer.from(
      field('title', 'A slow upload') +
        field('category', 'culture') +
        field('regionId', String(regionId)) +
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="media"; filename="photo.png"\r\n` +
        'Content-Type: image/png\r\n\r\n',
    ),
    image,
    Buffer.from(`\r\n${field('content', content)}--${BOUNDARY}--\r\n`),
  ]);
}

function uploadHead(token: string, contentLength: number): string {
  return (
    'POST /api/v1/stories HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
    `Authorization: Bearer ${token}\r\n` +
    `Content-Type: multipart/form-data; boundary=${BOUNDARY}\r\n` +
    `Content-Length: ${contentLength}\r\n\r\n`
  );
}

/** Resolves once `dir` holds at least `count` entries (watching it, not polling). */
async function untilEntries(dir: string, count: number, timeoutMs = RAW_WAIT_MS): Promise<void> {
  const watcher = watch(dir);
  try {
    await new Promise<void>((resolve, reject) => {
      const check = () => {
        if (readdirSync(dir).length < count) return;
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(
        () => reject(new Error(`${dir} did not reach ${count} entries: ${readdirSync(dir)}`)),
        timeoutMs,
      );
      watcher.on('change', check);
      check(); // what arrived before the watcher was in place
    });
  } finally {
    watcher.close();
  }
}

describe('slow clients (docs/api.md, Operations)', () => {
  let t: TestApp;
  let port: number;
  let tempDir: string;
  let guide: GuideFixture;
  let regionId: number;
  let image: Buffer;
  const connections: RawHttpConnection[] = [];

  async function connection(): Promise<RawHttpConnection> {
    const opened = await RawHttpConnection.open(port);
    connections.push(opened);
    return opened;
  }

  beforeAll(async () => {
    t = await createTestApp({
      HTTP_HEADERS_TIMEOUT_MS: '1000',
      UPLOAD_STALL_TIMEOUT_MS: '1000',
      UPLOADS_PER_USER: '3',
      SHUTDOWN_TIMEOUT_MS: '2000',
    });
    port = Number(new URL(t.baseUrl).port);
    tempDir = join(t.uploadDir, '.tmp');
    guide = await approvedGuide(t);
    regionId = (await regionByCode(t)).id;
    image = await png(320, 240);
  });
  afterEach(() => {
    for (const opened of connections.splice(0)) opened.destroy();
  });
  afterAll(async () => t.close());

  describe('headers that do not arrive in time', () => {
    it('are answered 408 in the contract shape, and the connection is closed', async () => {
      const slow = await connection();
      const startedAt = Date.now();
      await slow.write('GET /api/v1/regions HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Never-Ends: ');

      const res = await slow.response(5000);
      expect(res.status).toBe(408);
      expect(res.headers.connection).toBe('close');
      expect(res.headers['x-request-id']).toEqual(expect.any(String));
      expectError(JSON.parse(res.body), 408, 'REQUEST_TIMEOUT');
      await slow.untilClosed(3000);
      const after = (slow.closedAt as number) - startedAt;
      expect(after).toBeGreaterThanOrEqual(900);
      expect(after).toBeLessThan(3000);
    });

    it('a connection that sends nothing at all is closed', async () => {
      const silent = await connection();
      const startedAt = Date.now();
      await silent.untilClosed(3000);
      expect((silent.closedAt as number) - startedAt).toBeGreaterThanOrEqual(900);
      expect(silent.text()).toBe('');
    });

    it('headers that come in pieces, all within the timeout, are served', async () => {
      const client = await connection();
      await client.write('GET /api/v1/regions HTTP/1.1\r\n');
      await new Promise((resolve) => setTimeout(resolve, 500)); // a slow line, not a stalled one
      await client.write('Host: 127.0.0.1\r\nConnection: close\r\n\r\n');
      const res = await client.response();
      expect(res.status).toBe(200);
      expect(Array.isArray(JSON.parse(res.body))).toBe(true);
    });
  });

  describe('an upload that stalls', () => {
    it('is answered 408 with Connection: close, and its temp file is removed', async () => {
      const body = storyUpload(regionId, image, 'Never finished.');
      const cut = body.indexOf(image) + Math.floor(image.length / 2); // half the image
      const upload = await connection();
      await upload.write(uploadHead(guide.accessToken, body.length));
      await upload.write(body.subarray(0, cut));
      await untilEntries(tempDir, 1); // the half-written image
      const stalledAt = Date.now();

      const res = await upload.response(5000);
      expect(res.status).toBe(408);
      expect(res.headers.connection).toBe('close');
      const error = expectError(JSON.parse(res.body), 408, 'REQUEST_TIMEOUT');
      expect(error.path).toBe('/api/v1/stories');
      await upload.untilClosed(3000);
      expect((upload.closedAt as number) - stalledAt).toBeLessThan(3000);
      expect(readdirSync(tempDir)).toEqual([]);
    });

    it('does not hold back an upload that keeps sending, however slowly', async () => {
      const body = storyUpload(regionId, image, 'Sent a little at a time.');
      const upload = await connection();
      await upload.write(uploadHead(guide.accessToken, body.length));
      // in pieces, each well within the stall timeout, for longer than the timeout in all
      const pieces = 8;
      const size = Math.ceil(body.length / pieces);
      for (let i = 0; i < pieces; i++) {
        await upload.write(body.subarray(i * size, (i + 1) * size));
        if (i < pieces - 1) await new Promise((resolve) => setTimeout(resolve, 200));
      }
      const res = await upload.response();
      expect(res.status).toBe(201);
      expect(JSON.parse(res.body)).toMatchObject({ title: 'A slow upload', media: [{}] });
    });
  });

  describe('uploads per user', () => {
    it('3 run at once; the 4th is 429 RATE_LIMITED without touching the disk', async () => {
      // three uploads whose last field trickles in, a byte every 100 ms
      const running = await Promise.all(
        [0, 1, 2].map(async (i) => {
          const body = storyUpload(regionId, image, `Upload ${i} `.padEnd(400, '.'));
          const upload = await connection();
          await upload.write(uploadHead(guide.accessToken, body.length));
          const sentUpTo = body.indexOf('Upload ') + 1;
          await upload.write(body.subarray(0, sentUpTo));
          let sent = sentUpTo;
          const trickle = setInterval(() => {
            if (sent < body.length - 1) void upload.write(body.subarray(sent, ++sent));
          }, 100);
          return {
            upload,
            finish: async () => {
              clearInterval(trickle);
              await upload.write(body.subarray(sent));
            },
            stop: () => clearInterval(trickle),
          };
        }),
      );
      try {
        await untilEntries(tempDir, 3); // each has its image on disk: all three are running

        const body = storyUpload(regionId, image, 'One too many.');
        const fourth = await connection();
        await fourth.write(uploadHead(guide.accessToken, body.length));
        await fourth.write(body.subarray(0, body.indexOf(image) + 100));
        const refused = await fourth.response();
        expect(refused.status).toBe(429);
        expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
        expectError(JSON.parse(refused.body), 429, 'RATE_LIMITED');
        expect(readdirSync(tempDir)).toHaveLength(3); // the 4th wrote nothing

        // someone else uploads meanwhile, unaffected
        const other = await approvedGuide(t);
        await t
          .http()
          .post('/api/v1/stories')
          .set(other.auth)
          .field('title', 'Not held back')
          .field('content', 'Another guide, another limit.')
          .field('category', 'food')
          .field('regionId', String(regionId))
          .attach('media', image, 'photo.png')
          .expect(201);
        for (const { upload } of running) expect(upload.text()).toBe(''); // still running

        // the three finish, and the user may upload again
        await Promise.all(running.map(({ finish }) => finish()));
        for (const { upload } of running) expect((await upload.response()).status).toBe(201);
        await t
          .http()
          .post('/api/v1/stories')
          .set(guide.auth)
          .field('title', 'After the others')
          .field('content', 'A slot is free again.')
          .field('category', 'food')
          .field('regionId', String(regionId))
          .attach('media', image, 'photo.png')
          .expect(201);
      } finally {
        for (const { stop } of running) stop();
      }
    });

    it('a slot is given back when its upload fails or its client leaves', async () => {
      // three uploads that stall (408) and are gone: the next one is accepted
      await Promise.all(
        [0, 1, 2].map(async () => {
          const body = storyUpload(regionId, image, 'Stalls.');
          const upload = await connection();
          await upload.write(uploadHead(guide.accessToken, body.length));
          await upload.write(body.subarray(0, body.indexOf(image) + 10));
          expect((await upload.response(5000)).status).toBe(408);
          await upload.untilClosed();
        }),
      );
      // and three whose clients hang up mid-body
      const body = storyUpload(regionId, image, 'Hangs up.');
      await Promise.all(
        [0, 1, 2].map(async () => {
          const upload = await connection();
          await upload.write(uploadHead(guide.accessToken, body.length));
          await upload.write(body.subarray(0, body.indexOf(image) + 10));
          return upload;
        }),
      ).then(async (uploads) => {
        await untilEntries(tempDir, 3);
        for (const upload of uploads) upload.destroy();
        await Promise.all(uploads.map((upload) => upload.closed));
      });

      await t
        .http()
        .post('/api/v1/stories')
        .set(guide.auth)
        .field('title', 'Slots are free')
        .field('content', 'Nothing is still counted.')
        .field('category', 'food')
        .field('regionId', String(regionId))
        .attach('media', image, 'photo.png')
        .expect(201);
    });
  });

  describe('upload temp files', () => {
    it('left by an earlier process are removed at start', async () => {
      const uploadDir = mkdtempSync(join(tmpdir(), 'storybook-crashed-'));
      const leftovers = join(uploadDir, '.tmp');
      mkdirSync(leftovers, { recursive: true });
      writeFileSync(join(leftovers, 'a'.repeat(32)), Buffer.alloc(64 * 1024));
      writeFileSync(join(leftovers, 'b'.repeat(32)), Buffer.alloc(1024));
      const yesterday = new Date(Date.now() - 86_400_000);
      utimesSync(join(leftovers, 'b'.repeat(32)), yesterday, yesterday);

      const restarted = await createTestApp({ UPLOAD_DIR: uploadDir });
      try {
        expect(readdirSync(leftovers)).toEqual([]);
      } finally {
        await restarted.close();
        rmSync(uploadDir, { recursive: true, force: true });
      }
    });

    it('untouched for an hour are removed by the hourly sweep; newer ones stay', async () => {
      const stale = join(tempDir, 'c'.repeat(32));
      const fresh = join(tempDir, 'd'.repeat(32));
      writeFileSync(stale, Buffer.alloc(1024));
      writeFileSync(fresh, Buffer.alloc(1024));
      const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000);
      utimesSync(stale, twoHoursAgo, twoHoursAgo);
      const fiftyMinutesAgo = new Date(Date.now() - 50 * 60_000);
      utimesSync(fresh, fiftyMinutesAgo, fiftyMinutesAgo);

      await expect(t.app.get(MediaTempSweeper).sweepStale()).resolves.toBe(1);
      expect(readdirSync(tempDir)).toEqual(['d'.repeat(32)]);
      rmSync(fresh);
    });
  });
});
