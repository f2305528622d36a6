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
import { InProcessJobQueue } from '../jobs/in-process-job-queue';
import { LocalDiskStorage, mediaTempDir, MediaStorage } from './media-storage';
import { MediaWorkLimiter } from './media-work-limiter';
import { MediaService, UploadedMediaFile } from './media.service';
import {
  describeVideo,
  mp4At600Fps,
  mp4Long,
  mp4TooWide,
  mp4WithLocation,
  VIDEO_SECRETS,
} from '../../test/support/media';

const ffmpeg = process.env.FFMPEG_PATH || 'ffmpeg';

/** A service as the module makes it, ffmpeg looked up as at start. */
async function makeService(
  config: AppConfig,
  storage: MediaStorage = new LocalDiskStorage(config),
): Promise<MediaService> {
  const service = new MediaService(config, storage, new MediaWorkLimiter(config));
  service.onModuleInit();
  await service.ffmpegInUse();
  return service;
}

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

  beforeEach(async () => {
    root = mkdtempSync(join(tmpdir(), 'media-spec-'));
    uploadDir = join(root, 'uploads');
    config = loadConfig({ UPLOAD_DIR: uploadDir, MAX_IMAGE_BYTES: String(200 * 1024) });
    service = await makeService(config);
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

  it('stores images upright and without metadata, with upright thumbnails', async () => {
    const files = [
      upload(fixtures.orientedJpeg, 'holiday.JPG'),
      upload(fixtures.png, 'x.png'),
      upload(fixtures.webp, '../../etc/passwd'),
    ];
    const media = await service.ingest(files);

    expect(
      media.map((m) => [m.type, m.status, m.mimeType, m.width, m.height, m.durationSec]),
    ).toEqual([
      ['image', 'ready', 'image/jpeg', 320, 640, null],
      ['image', 'ready', 'image/png', 300, 200, null],
      ['image', 'ready', 'image/webp', 1000, 500, null],
    ]);
    expect(media[0].storageKey).toMatch(/^stories\/[0-9a-f]{32}\.jpg$/);
    expect(media[1].storageKey).toMatch(/^stories\/[0-9a-f]{32}\.png$/);
    expect(media[2].storageKey).toMatch(/^stories\/[0-9a-f]{32}\.webp$/);
    for (const m of media) expect(m.thumbnailKey).toMatch(/^thumbnails\/[0-9a-f]{32}\.jpg$/);

    // the stored original: turned upright in its pixels, no EXIF left (camera make included)
    const stored = join(uploadDir, media[0].storageKey);
    const original = await sharp(stored).metadata();
    expect([original.format, original.width, original.height]).toEqual(['jpeg', 320, 640]);
    expect(original.orientation).toBeUndefined();
    expect(original.exif).toBeUndefined();
    expect(readFileSync(stored).includes('TestCam')).toBe(false);
    // size, width and height describe the stored file
    expect(media[0].size).toBe(readFileSync(stored).length);
    const png = await sharp(join(uploadDir, media[1].storageKey)).metadata();
    expect([png.format, png.width, png.height, png.hasAlpha]).toEqual(['png', 300, 200, true]);

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

    // Only the stored files are left: no upload or temp file stays behind.
    expect(filesUnder(uploadDir)).toEqual(
      media.flatMap((m) => [m.storageKey, m.thumbnailKey as string]).sort(),
    );
    expect(files.every((f) => !existsSync(f.path))).toBe(true);
  });

  it('keeps an ICC colour profile while dropping the rest', async () => {
    const withProfile = await sharp(fixtures.noisyJpeg)
      .withIccProfile('p3')
      .withExif({ IFD0: { Artist: 'Somebody' } })
      .toBuffer();
    const [image] = await service.ingest([upload(withProfile, 'p3.jpg')]);

    const stored = await sharp(join(uploadDir, image.storageKey)).metadata();
    expect(stored.icc).toBeDefined();
    expect(stored.exif).toBeUndefined();
  });

  it('takes a video after reading its header only, then processes it apart', async () => {
    const [video] = await service.ingest([upload(fixtures.mp4, 'clip.mp4')]);

    // answered at once: probed, stored where nothing is served, no thumbnail yet
    expect(video).toMatchObject({
      type: 'video',
      status: 'processing',
      mimeType: 'video/mp4',
      width: 320,
      height: 240,
      thumbnailKey: null,
    });
    expect(video.durationSec).toBeCloseTo(2, 1);
    expect(video.storageKey).toMatch(/^incoming\/[0-9a-f]{32}\.mp4$/);
    expect(filesUnder(uploadDir)).toEqual([video.storageKey]);

    const processed = await service.processVideo(video.storageKey);
    if (!processed.ok) throw new Error(processed.reason);
    expect(processed.storageKey).toMatch(/^stories\/[0-9a-f]{32}\.mp4$/);
    expect([processed.width, processed.height]).toEqual([320, 240]);
    expect(processed.durationSec).toBeCloseTo(2, 1);
    expect(processed.size).toBe(readFileSync(join(uploadDir, processed.storageKey)).length);
    const thumb = await sharp(join(uploadDir, processed.thumbnailKey as string)).metadata();
    expect([thumb.format, thumb.width, thumb.height]).toEqual(['jpeg', 320, 240]);
    // the upload itself is the caller's to delete, once its row points at the new key
    expect(filesUnder(uploadDir).sort()).toEqual(
      [video.storageKey, processed.storageKey, processed.thumbnailKey as string].sort(),
    );
  });

  it('records a rotated clip upright and thumbnails its first frame when shorter than 1 s', async () => {
    const [video] = await service.ingest([upload(fixtures.portraitMp4, 'portrait.mp4')]);
    expect([video.width, video.height]).toEqual([240, 320]);

    const processed = await service.processVideo(video.storageKey);
    if (!processed.ok) throw new Error(processed.reason);
    expect([processed.width, processed.height]).toEqual([240, 320]);
    expect(processed.durationSec).toBeCloseTo(0.5, 1);
    const thumb = await sharp(join(uploadDir, processed.thumbnailKey as string)).metadata();
    expect([thumb.width, thumb.height]).toEqual([240, 320]);
  });

  describe('ffmpeg lookup', () => {
    let fakeDir: string;
    let path: string | undefined;

    /** An ffmpeg that answers `-version` like the 2018 build of @ffmpeg-installer did. */
    function oldFfmpeg(): string {
      const fake = join(fakeDir, 'ffmpeg-4.1');
      writeFileSync(
        fake,
        '#!/bin/sh\necho "ffmpeg version 4.1.3-static Copyright (c) 2000-2019"\n' +
          'echo "libavcodec     58. 42.100 / 58. 42.100"\n',
        { mode: 0o755 },
      );
      return fake;
    }

    beforeEach(() => {
      fakeDir = mkdtempSync(join(tmpdir(), 'ffmpeg-fake-'));
      path = process.env.PATH;
    });
    afterEach(() => {
      process.env.PATH = path;
      rmSync(fakeDir, { recursive: true, force: true });
    });

    it('passes over an ffmpeg older than 5.0 for the next one in order', async () => {
      config = loadConfig({ UPLOAD_DIR: uploadDir, FFMPEG_PATH: oldFfmpeg() });
      service = await makeService(config);

      const ffmpeg = await service.ffmpegInUse();
      expect(ffmpeg).toMatchObject({ source: 'PATH', version: expect.any(String) });
      expect(Number(ffmpeg?.version.split('.')[0])).toBeGreaterThanOrEqual(5);
    });

    it('answers 503 for videos (and still takes photos) when no usable ffmpeg exists', async () => {
      config = loadConfig({ UPLOAD_DIR: uploadDir, FFMPEG_PATH: oldFfmpeg() });
      process.env.PATH = fakeDir; // no ffmpeg on PATH either
      service = await makeService(config);
      expect(await service.ffmpegInUse()).toBeNull(); // the search at start is over
      process.env.PATH = path;

      const error = await refusal(service.ingest([upload(fixtures.mp4, 'clip.mp4')]));
      expect(error.getStatus()).toBe(503);
      expect(error.code).toBe('SERVICE_UNAVAILABLE');
      expect(error.retryAfterSeconds).toBeGreaterThan(0);
      expect(filesUnder(uploadDir)).toEqual([]);
      const [photo] = await service.ingest([upload(fixtures.png, 'x.png')]);
      expect(photo.status).toBe('ready');
    });
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
    service = await makeService(config);

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
    service = await makeService(config, storage);

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
    expect(filesUnder(uploadDir)).toHaveLength(3); // the video has no thumbnail yet

    await service.remove([...keys, null]);
    expect(filesUnder(uploadDir)).toEqual([]);
    await expect(service.remove(keys)).resolves.toBeUndefined();
  });

  it('queues a deletion the storage refused, and the job deletes the files', async () => {
    // a storage that fails its next delete, as a bucket that does not answer would
    class FlakyStorage extends LocalDiskStorage {
      failures = 1;
      deletes: string[][] = [];
      override async delete(keys: readonly string[]): Promise<void> {
        this.deletes.push([...keys]);
        if (this.failures > 0) {
          this.failures -= 1;
          throw new Error('storage did not answer');
        }
        return super.delete(keys);
      }
    }
    const storage = new FlakyStorage(config);
    const jobs = new InProcessJobQueue();
    const flaky = new MediaService(config, storage, new MediaWorkLimiter(config), jobs);
    flaky.onModuleInit();
    jobs.onApplicationBootstrap();
    try {
      const [photo] = await flaky.ingest([upload(fixtures.png, 'c.png')]);
      const keys = [photo.storageKey, photo.thumbnailKey as string];
      expect(filesUnder(uploadDir).sort()).toEqual([...keys].sort());

      await expect(flaky.remove(keys)).resolves.toBeUndefined(); // committed: never thrown
      const completed = async () => (await jobs.list('completed', 10)).items;
      for (let i = 0; i < 200 && (await completed()).length === 0; i++) {
        await new Promise((r) => setTimeout(r, 25));
      }
      expect(await completed()).toMatchObject([
        { name: 'media.delete-files', attempts: 1, data: { keys } },
      ]);
      expect(filesUnder(uploadDir)).toEqual([]);
      expect(storage.deletes).toEqual([keys, keys]); // refused at once, then done by the job
    } finally {
      await jobs.beforeApplicationShutdown();
    }
  });

  it('builds public URLs from PUBLIC_BASE_URL, else root-relative', async () => {
    expect(service.url('stories/abc.jpg')).toBe('/uploads/stories/abc.jpg');
    expect(service.url(null)).toBeNull();

    const withBase = loadConfig({
      UPLOAD_DIR: uploadDir,
      PUBLIC_BASE_URL: 'https://cdn.example.com/',
    });
    const other = await makeService(withBase);
    expect(other.url('thumbnails/abc.jpg')).toBe(
      'https://cdn.example.com/uploads/thumbnails/abc.jpg',
    );
  });

  it('copies a video without its location, device and other tags, still playing upright', async () => {
    const [video] = await service.ingest([upload(await mp4WithLocation(), 'phone.mp4')]);
    const incoming = readFileSync(join(uploadDir, video.storageKey));
    expect(incoming.includes(VIDEO_SECRETS.location)).toBe(true); // what the phone wrote

    const processed = await service.processVideo(video.storageKey);
    if (!processed.ok) throw new Error(processed.reason);
    const file = join(uploadDir, processed.storageKey);
    const bytes = readFileSync(file);
    expect(bytes.includes(VIDEO_SECRETS.location)).toBe(false);
    expect(bytes.includes(VIDEO_SECRETS.make)).toBe(false);
    expect(bytes.includes('\u00a9xyz', 'latin1')).toBe(false);
    const described = await describeVideo(file);
    expect(described).toMatch(/displaymatrix: rotation of -?90/);
    expect(described).toMatch(/Audio: aac/); // sound kept, not re-encoded
    expect(described).not.toMatch(/location/i);
    expect([processed.width, processed.height]).toEqual([240, 320]);
  });

  describe('bounded work', () => {
    let bin: string;

    /**
     * FFMPEG_PATH for these tests: a wrapper around the real ffmpeg that notes, for every
     * run, its arguments and how many runs were going on when it started.
     */
    function countingFfmpeg(): string {
      bin = mkdtempSync(join(tmpdir(), 'ffmpeg-wrapper-'));
      const wrapper = join(bin, 'ffmpeg');
      writeFileSync(
        wrapper,
        [
          '#!/bin/sh',
          `d="${bin}"`,
          'mkdir "$d/run.$$"',
          'echo "$(ls -d "$d"/run.* | wc -l) $*" >> "$d/runs"',
          `"${ffmpeg}" "$@"`,
          'rc=$?',
          'rmdir "$d/run.$$"',
          'exit $rc',
          '',
        ].join('\n'),
        { mode: 0o755 },
      );
      return wrapper;
    }

    function runs(): { concurrent: number; args: string }[] {
      const log = join(bin, 'runs');
      if (!existsSync(log)) return [];
      return readFileSync(log, 'utf8')
        .trim()
        .split('\n')
        .map((line) => {
          const [count, ...args] = line.trim().split(' ');
          return { concurrent: Number(count), args: args.join(' ') };
        })
        .filter((run) => !run.args.includes('-version'));
    }

    afterEach(() => rmSync(bin, { recursive: true, force: true }));

    it('refuses a 600 fps 4K clip from its header, without decoding a frame', async () => {
      config = loadConfig({ UPLOAD_DIR: uploadDir, FFMPEG_PATH: countingFfmpeg() });
      service = await makeService(config);

      const error = await refusal(service.ingest([upload(await mp4At600Fps(), 'fast.mp4')]));
      expect(error.getStatus()).toBe(415);
      expect(error.message).toMatch(/600 frames per second; at most 120/);
      // one run, the header probe (no output file, no frame written)
      expect(runs()).toHaveLength(1);
      expect(runs()[0].args).not.toMatch(/-frames:v|image2/);
      expect(filesUnder(uploadDir)).toEqual([]);
    });

    it('refuses videos wider than 4096 px and longer than MAX_VIDEO_SECONDS', async () => {
      config = loadConfig({ UPLOAD_DIR: uploadDir, MAX_VIDEO_SECONDS: '3' });
      service = await makeService(config);

      const wide = await refusal(service.ingest([upload(await mp4TooWide(), 'wide.mp4')]));
      expect(wide.code).toBe('UNSUPPORTED_MEDIA_TYPE');
      expect(wide.message).toMatch(/5000×64; videos may be at most 4096 pixels/);
      const long = await refusal(service.ingest([upload(await mp4Long(5), 'long.mp4')]));
      expect(long.code).toBe('UNSUPPORTED_MEDIA_TYPE');
      expect(long.message).toMatch(/5 s long; videos may be at most 3 s/);
      const [short] = await service.ingest([upload(fixtures.mp4, 'ok.mp4')]);
      expect(short.status).toBe('processing');
    });

    it('runs at most MEDIA_CONCURRENCY ffmpeg processes at once', async () => {
      config = loadConfig({
        UPLOAD_DIR: uploadDir,
        FFMPEG_PATH: countingFfmpeg(),
        MEDIA_CONCURRENCY: '1',
      });
      service = await makeService(config);
      const videos = await Promise.all(
        [1, 2, 3, 4].map((i) => service.ingest([upload(fixtures.mp4, `v${i}.mp4`)])),
      );
      const processed = await Promise.all(
        videos.map(([video]) => service.processVideo(video.storageKey)),
      );

      expect(processed.every((p) => p.ok)).toBe(true);
      // 4 probes at upload, then per video: remux, probe, thumbnail
      expect(runs()).toHaveLength(16);
      expect(Math.max(...runs().map((r) => r.concurrent))).toBe(1);
    });

    it('kills an ffmpeg run after MEDIA_FFMPEG_TIMEOUT_MS and reports the video failed', async () => {
      const [video] = await service.ingest([upload(fixtures.mp4, 'clip.mp4')]);
      config = loadConfig({
        UPLOAD_DIR: uploadDir,
        FFMPEG_PATH: countingFfmpeg(),
        MEDIA_FFMPEG_TIMEOUT_MS: '100',
      });
      // the wrapper sleeps before every run but the version check: the run outlives its bound
      writeFileSync(
        join(bin, 'ffmpeg'),
        `#!/bin/sh\ncase "$*" in *-version*) exec "${ffmpeg}" "$@";; esac\nsleep 5\nexec "${ffmpeg}" "$@"\n`,
        { mode: 0o755 },
      );
      service = await makeService(config);

      const started = Date.now();
      const processed = await service.processVideo(video.storageKey);
      expect(processed).toEqual({
        ok: false,
        reason: expect.stringMatching(/ffmpeg ran longer than 100 ms/),
      });
      expect(Date.now() - started).toBeLessThan(4000);
      // nothing half-made is left: only the upload, for the caller to keep or delete
      expect(filesUnder(uploadDir)).toEqual([video.storageKey]);
    });
  });
});
