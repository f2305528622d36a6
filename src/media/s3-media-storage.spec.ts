import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3TestServer } from '../../test/support/s3';
import { DomainException } from '../common/errors/domain.exception';
import { loadConfig } from '../config/app-config';
import { newMediaKey } from './media-storage';
import { S3MediaStorage } from './s3-media-storage';

/** S3MediaStorage against a real S3-protocol server (s3rver on loopback). */
describe('S3MediaStorage', () => {
  const s3 = new S3TestServer();
  let dir: string;
  let storage: S3MediaStorage;

  beforeAll(async () => {
    await s3.start();
    dir = mkdtempSync(join(tmpdir(), 'storybook-s3-spec-'));
    storage = new S3MediaStorage(loadConfig({ UPLOAD_DIR: dir, ...s3.env() }));
  });

  afterAll(async () => {
    storage.onApplicationShutdown();
    await s3.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const file = (bytes: Buffer) => {
    const path = join(dir, randomBytes(8).toString('hex'));
    writeFileSync(path, bytes);
    return path;
  };

  it.each([
    ['a small file (one PUT)', 1000],
    ['a file of several parts (multipart upload)', 17 * 1024 * 1024 + 5],
  ])('round-trips %s byte for byte, and removes the local file', async (_label, size) => {
    const bytes = randomBytes(size);
    const local = file(bytes);
    const key = newMediaKey('stories', 'mp4');
    await storage.put(local, key);
    expect(existsSync(local)).toBe(false);
    const stored = await s3.get(key);
    // no aws-chunked framing or checksum trailer kept inside the object
    expect(stored.body.length).toBe(size);
    expect(stored.body.equals(bytes)).toBe(true);
    expect(stored.contentType).toBe('video/mp4');
    const copied = await storage.withLocalCopy(key, join(dir, '.tmp'), async (path) =>
      readFileSync(path),
    );
    expect(copied.equals(bytes)).toBe(true);
    await storage.delete([key]);
  });

  it('removes the temp copy made for ffmpeg, also when the work fails', async () => {
    const key = newMediaKey('incoming', 'mp4');
    await storage.put(file(randomBytes(100)), key);
    let seen = '';
    await expect(
      storage.withLocalCopy(key, join(dir, '.tmp'), async (path) => {
        seen = path;
        throw new Error('ffmpeg failed');
      }),
    ).rejects.toThrow('ffmpeg failed');
    expect(seen).not.toBe('');
    expect(existsSync(seen)).toBe(false);
    await storage.delete([key]);
  });

  it('serves through presigned GET URLs and public URLs under /uploads', async () => {
    const bytes = randomBytes(2048);
    const key = newMediaKey('thumbnails', 'jpg');
    await storage.put(file(bytes), key);
    expect(storage.publicUrl(key)).toBe(`/uploads/${key}`);
    const url = await storage.presignedGetUrl(key);
    expect(url).toContain('X-Amz-Expires=300');
    const res = await fetch(url);
    expect(s3.refused).toEqual([]);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
    await storage.delete([key]);
  });

  it('deletes objects, missing ones included, and refuses keys that are not ours', async () => {
    const key = newMediaKey('stories', 'jpg');
    await storage.put(file(randomBytes(10)), key);
    expect(await s3.keys()).toContain(key);
    await storage.delete([key, newMediaKey('stories', 'jpg')]);
    expect(await s3.keys()).not.toContain(key);
    await expect(storage.delete(['../etc/passwd'])).rejects.toThrow();
    await expect(storage.put(file(randomBytes(1)), 'stories/../x.jpg')).rejects.toThrow(
      /Not a media storage key/,
    );
  });

  it('checks the bucket, and says which problem a missing bucket is', async () => {
    await expect(storage.check(1500)).resolves.toBeUndefined();
    const other = new S3MediaStorage(
      loadConfig({ UPLOAD_DIR: dir, ...s3.env(), S3_BUCKET: 'no-such-bucket' }),
    );
    try {
      await expect(other.check(1500)).rejects.toThrow(/NotFound|404/);
      // an upload the bucket does not take: 503 with Retry-After, the local file kept
      const local = file(randomBytes(10));
      const error = await other.put(local, newMediaKey('stories', 'jpg')).catch((e) => e);
      expect(error).toBeInstanceOf(DomainException);
      expect((error as DomainException).getStatus()).toBe(503);
      expect((error as DomainException).retryAfterSeconds).toBe(30);
      expect(existsSync(local)).toBe(true);
    } finally {
      other.onApplicationShutdown();
    }
  });

  it('signs every request: a wrong secret is refused, the right one never was', async () => {
    const wrong = new S3MediaStorage(
      loadConfig({ UPLOAD_DIR: dir, ...s3.env(), S3_SECRET_ACCESS_KEY: 'not-the-secret' }),
    );
    try {
      await expect(wrong.check(1500)).rejects.toThrow(/403/);
      const error = await wrong
        .put(file(randomBytes(10)), newMediaKey('stories', 'jpg'))
        .catch((e) => e);
      expect((error as DomainException).getStatus()).toBe(503);
    } finally {
      wrong.onApplicationShutdown();
    }
    expect(s3.refused.length).toBeGreaterThanOrEqual(2);
    expect(s3.refused.every((why) => why.endsWith('signature does not match'))).toBe(true);
  });

  it('uses MEDIA_PUBLIC_BASE_URL for media URLs when set', () => {
    const cdn = new S3MediaStorage(
      loadConfig({
        UPLOAD_DIR: dir,
        ...s3.env(),
        MEDIA_PUBLIC_BASE_URL: 'https://cdn.example.com',
      }),
    );
    expect(cdn.publicUrl('stories/abc.jpg')).toBe('https://cdn.example.com/stories/abc.jpg');
    cdn.onApplicationShutdown();
  });
});
