import { Logger } from '@nestjs/common';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import sharp, { Sharp } from 'sharp';
import { DomainException } from '../common/errors/domain.exception';
import { AppConfig, loadConfig } from '../config/app-config';
import { resolveFfmpeg } from './ffmpeg';
import { LocalDiskStorage, mediaTempDir } from './media-storage';
import { MediaService, UploadedMediaFile } from './media.service';

const ffmpeg = resolveFfmpeg({ configured: process.env.FFMPEG_PATH ?? null }).path;

/** Every file under `dir`, relative to it. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

function noise(width: number, height: number): Sharp {
  return sharp(randomBytes(width * height * 3), { raw: { width, height, channels: 3 } });
}

describe('MediaService (real sharp and ffmpeg)', () => {
  let root: string;
  let uploadDir: string;
  let sources: string;
  let config: AppConfig;
  let service: MediaService;

  const fixtures: Record<string, Buffer> = {};

  beforeAll(async () => {
    Logger.overrideLogger(false);
    sources = mkdtempSync(join(tmpdir(), 'media-src-'));
    fixtures.orientedJpeg = await sharp({
      create: { width: 640, height: 320, channels: 3, background: '#3366cc' },
    })
      .jpeg()
      .withExif({ IFD0: { Make: 'TestCam', Model: 'Spec 1' } })
      .withMetadata({ orientation: 6 })
      .toBuffer();
    fixtures.png = await sharp({
      create: {
        width: 300,
        height: 200,
        channels: 4,
        background: { r: 0, g: 128, b: 0, alpha: 0.5 },
      },
    })
      .png()
      .toBuffer();
    fixtures.webp = await sharp({
      create: { width: 1000, height: 500, channels: 3, background: '#aa5500' },
    })
      .webp()
      .toBuffer();
    fixtures.noisyJpeg = await noise(400, 300).jpeg().toBuffer();

    const mp4 = join(sources, 'clip.mp4');
    execFileSync(ffmpeg, [
      ...['-hide_banner', '-loglevel', 'error', '-y'],
      ...['-f', 'lavfi', '-i', 'testsrc=duration=2:size=320x240:rate=25'],
      ...['-pix_fmt', 'yuv420p', '-c:v', 'libx264', mp4],
    ]);
    const short = join(sources, 'short.mp4');
    execFileSync(ffmpeg, [
      ...['-hide_banner', '-loglevel', 'error', '-y'],
      ...['-f', 'lavfi', '-i', 'testsrc=duration=0.5:size=320x240:rate=25'],
      ...['-pix_fmt', 'yuv420p', '-c:v', 'libx264', short],
    ]);
    // What a phone writes for a portrait clip: landscape pixels plus a rotation tag (set on a
    // remux; this ffmpeg ignores the tag while encoding).
    const rotated = join(sources, 'portrait.mp4');
    execFileSync(ffmpeg, [
      ...['-hide_banner', '-loglevel', 'error', '-y', '-i', short],
      ...['-c', 'copy', '-metadata:s:v:0', 'rotate=90', rotated],
    ]);
    fixtures.mp4 = readFileSync(mp4);
    fixtures.portraitMp4 = readFileSync(rotated);
  });

  afterAll(() => rmSync(sources, { recursive: true, force: true }));

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'media-spec-'));
    uploadDir = join(root, 'uploads');
    config = loadConfig({ UPLOAD_DIR: uploadDir, MAX_IMAGE_BYTES: String(200 * 1024) });
    service = new MediaService(config, new LocalDiskStorage(config));
  });

  afterEach(() => rmSync(root, { recursive: true, force: true }));

  /** Writes content where the upload interceptor would have: a random name in the temp dir. */
  function upload(content: Buffer, originalname: string): UploadedMediaFile {
    const dir = mediaTempDir(config);
    mkdirSync(dir, { recursive: true });
    const path = join(dir, randomBytes(16).toString('hex'));
    writeFileSync(path, content);
    return { path, originalname };
  }

  async function refusal(promise: Promise<unknown>): Promise<DomainException> {
    const error = await promise.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DomainException);
    return error as DomainException;
  }

  it('stores images with upright sizes and stripped, upright thumbnails', async () => {
    const files = [
      upload(fixtures.orientedJpeg, 'holiday.JPG'),
      upload(fixtures.png, 'x.png'),
      upload(fixtures.webp, '../../etc/passwd'),
    ];
    const media = await service.ingest(files);

    expect(media.map((m) => [m.type, m.mimeType, m.width, m.height, m.durationSec])).toEqual([
      ['image', 'image/jpeg', 320, 640, null],
      ['image', 'image/png', 300, 200, null],
      ['image', 'image/webp', 1000, 500, null],
    ]);
    expect(media[0].size).toBe(fixtures.orientedJpeg.length);
    expect(media[0].storageKey).toMatch(/^stories\/[0-9a-f]{32}\.jpg$/);
    expect(media[1].storageKey).toMatch(/^stories\/[0-9a-f]{32}\.png$/);
    expect(media[2].storageKey).toMatch(/^stories\/[0-9a-f]{32}\.webp$/);
    for (const m of media) expect(m.thumbnailKey).toMatch(/^thumbnails\/[0-9a-f]{32}\.jpg$/);

    const thumb = await sharp(join(uploadDir, media[0].thumbnailKey as string)).metadata();
    expect(thumb.format).toBe('jpeg');
    expect([thumb.width, thumb.height]).toEqual([240, 480]);
    expect(thumb.orientation).toBeUndefined();
    expect(thumb.exif).toBeUndefined();

    const webpThumb = await sharp(join(uploadDir, media[2].thumbnailKey as string)).metadata();
    expect([webpThumb.format, webpThumb.width, webpThumb.height]).toEqual(['jpeg', 480, 240]);
    // Small images are not blown up.
    const pngThumb = await sharp(join(uploadDir, media[1].thumbnailKey as string)).metadata();
    expect([pngThumb.width, pngThumb.height]).toEqual([300, 200]);

    // The original is stored byte for byte; the temp files were moved, not copied.
    expect(filesUnder(uploadDir)).toEqual(
      media.flatMap((m) => [m.storageKey, m.thumbnailKey as string]).sort(),
    );
    expect(files.every((f) => !existsSync(f.path))).toBe(true);
  });

  it('stores a video with its size, duration and a thumbnail from ffmpeg', async () => {
    const [video] = await service.ingest([upload(fixtures.mp4, 'clip.mp4')]);

    expect(video).toMatchObject({ type: 'video', mimeType: 'video/mp4', width: 320, height: 240 });
    expect(video.size).toBe(fixtures.mp4.length);
    expect(video.durationSec).toBeCloseTo(2, 1);
    expect(video.storageKey).toMatch(/^stories\/[0-9a-f]{32}\.mp4$/);
    const thumb = await sharp(join(uploadDir, video.thumbnailKey as string)).metadata();
    expect([thumb.format, thumb.width, thumb.height]).toEqual(['jpeg', 320, 240]);
  });

  it('records a rotated clip upright and thumbnails its first frame when shorter than 1 s', async () => {
    const [video] = await service.ingest([upload(fixtures.portraitMp4, 'portrait.mp4')]);

    expect([video.width, video.height]).toEqual([240, 320]);
    expect(video.durationSec).toBeCloseTo(0.5, 1);
    const thumb = await sharp(join(uploadDir, video.thumbnailKey as string)).metadata();
    expect([thumb.width, thumb.height]).toEqual([240, 320]);
  });

  it('stores a video without thumbnail when ffmpeg cannot run', async () => {
    config = loadConfig({ UPLOAD_DIR: uploadDir, FFMPEG_PATH: join(root, 'no-such-ffmpeg') });
    service = new MediaService(config, new LocalDiskStorage(config));

    const [video] = await service.ingest([upload(fixtures.mp4, 'clip.mp4')]);

    expect(video).toMatchObject({ type: 'video', thumbnailKey: null, width: null });
    expect(filesUnder(uploadDir)).toEqual([video.storageKey]);
  });

  it('refuses a text file named .jpg with 415 and keeps nothing', async () => {
    const file = upload(Buffer.from('just some text, not a picture\n'), 'cat.jpg');
    const error = await refusal(service.ingest([file]));

    expect(error.getStatus()).toBe(415);
    expect(error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(error.message).toContain('cat.jpg');
    expect(filesUnder(uploadDir)).toEqual([]);
  });

  it('refuses a truncated JPEG with 415', async () => {
    const half = fixtures.noisyJpeg.subarray(0, Math.floor(fixtures.noisyJpeg.length / 2));
    const error = await refusal(service.ingest([upload(half, 'half.jpg')]));

    expect(error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(error.message).toMatch(/could not be decoded/);
  });

  it('routes HEIC to the image decoder and says why it is refused when it cannot decode', async () => {
    const box = Buffer.alloc(24);
    box.writeUInt32BE(24, 0);
    box.write('ftypheic', 4, 'latin1');
    box.write('mif1heic', 16, 'latin1');
    const error = await refusal(
      service.ingest([upload(Buffer.concat([box, randomBytes(512)]), 'IMG_0001.HEIC')]),
    );

    expect(error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(error.message).toMatch(/IMG_0001\.HEIC.*could not be decoded as an image/);
    expect(filesUnder(uploadDir)).toEqual([]);
  });

  it('refuses a file with a video signature and no video inside with 415', async () => {
    const fake = Buffer.concat([fixtures.mp4.subarray(0, 32), randomBytes(4096)]);
    const error = await refusal(service.ingest([upload(fake, 'fake.mp4')]));

    expect(error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('refuses an image over MAX_IMAGE_BYTES with 413', async () => {
    const big = await noise(600, 600).png().toBuffer();
    expect(big.length).toBeGreaterThan(200 * 1024);
    const error = await refusal(service.ingest([upload(big, 'big.png')]));

    expect(error.getStatus()).toBe(413);
    expect(error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('refuses an image over the pixel limit with 413', async () => {
    config = loadConfig({ UPLOAD_DIR: uploadDir, MAX_IMAGE_PIXELS: '100000' });
    service = new MediaService(config, new LocalDiskStorage(config));

    const error = await refusal(service.ingest([upload(fixtures.orientedJpeg, 'wide.jpg')]));

    expect(error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(error.message).toMatch(/exceeds 0\.1 megapixels/);
  });

  it('stores nothing and leaves no temp file when one file of many is refused', async () => {
    const files = [
      upload(fixtures.orientedJpeg, 'a.jpg'),
      upload(fixtures.mp4, 'b.mp4'),
      upload(Buffer.from('%PDF-1.4 not media'), 'c.jpg'),
    ];
    const error = await refusal(service.ingest(files));

    expect(error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(error.message).toContain('media[2]');
    expect(filesUnder(uploadDir)).toEqual([]);
  });

  it('removes what it already stored when storing fails half way', async () => {
    const storage = new LocalDiskStorage(config);
    const put = storage.put.bind(storage);
    let calls = 0;
    storage.put = async (file, key) => {
      calls += 1;
      if (calls === 3) throw new Error('disk full');
      return put(file, key);
    };
    service = new MediaService(config, storage);

    await expect(
      service.ingest([upload(fixtures.png, 'a.png'), upload(fixtures.webp, 'b.webp')]),
    ).rejects.toThrow('disk full');
    expect(filesUnder(uploadDir)).toEqual([]);
  });

  it('remove deletes originals and thumbnails, and skips nulls and missing files', async () => {
    const media = await service.ingest([
      upload(fixtures.png, 'a.png'),
      upload(fixtures.mp4, 'b.mp4'),
    ]);
    const keys = media.flatMap((m) => [m.storageKey, m.thumbnailKey]);
    expect(filesUnder(uploadDir)).toHaveLength(4);

    await service.remove([...keys, null]);
    expect(filesUnder(uploadDir)).toEqual([]);
    await expect(service.remove(keys)).resolves.toBeUndefined();
  });

  it('builds public URLs from PUBLIC_BASE_URL, else root-relative', () => {
    expect(service.url('stories/abc.jpg')).toBe('/uploads/stories/abc.jpg');
    expect(service.url(null)).toBeNull();

    const withBase = loadConfig({
      UPLOAD_DIR: uploadDir,
      PUBLIC_BASE_URL: 'https://cdn.example.com/',
    });
    const other = new MediaService(withBase, new LocalDiskStorage(withBase));
    expect(other.url('thumbnails/abc.jpg')).toBe(
      'https://cdn.example.com/uploads/thumbnails/abc.jpg',
    );
  });
});
