import exifReader from 'exif-reader';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { StoryMedia } from '../src/stories/entities/story-media.entity';
import { Story } from '../src/stories/entities/story.entity';
import { approvedGuide, GuideFixture, regionByCode } from './support/fixtures';
import {
  describeVideo,
  ffmpegBinary,
  jpegWithExif,
  mp4,
  mp4At600Fps,
  mp4Long,
  mp4TooWide,
  mp4WithLocation,
  PHOTO_SECRETS,
  png,
  VIDEO_SECRETS,
} from './support/media';
import { nextEvent, SocketPool } from './support/sockets';
import { createTestApp, TestApp } from './support/test-app';
import { expectError } from './support/users';

/** Long enough for ffmpeg on a busy CI machine; the event usually comes within a second. */
const PROCESSING_TIMEOUT_MS = 20_000;

/**
 * docs/api.md, Stories and media "Privacy of originals", "Bounded work" and "Video processing is a job", through the
 * real API with real sharp and Debian's ffmpeg: what is served carries no metadata the
 * uploader did not mean to publish.
 */
describe('media: privacy of originals, bounded work, video jobs', () => {
  let t: TestApp;
  let guide: GuideFixture;
  let regionId: number;
  let wrapperDir: string;
  const sockets = new SocketPool();

  beforeAll(async () => {
    // the real ffmpeg, except that a remux fails while the file `fail-remux` exists
    wrapperDir = mkdtempSync(join(tmpdir(), 'storybook-ffmpeg-'));
    const wrapper = join(wrapperDir, 'ffmpeg');
    writeFileSync(
      wrapper,
      [
        '#!/bin/sh',
        `if [ -e "${wrapperDir}/fail-remux" ]; then`,
        '  case "$*" in *"-c copy"*) echo "remux refused by the test" >&2; exit 1;; esac',
        'fi',
        `exec "${ffmpegBinary()}" "$@"`,
        '',
      ].join('\n'),
    );
    chmodSync(wrapper, 0o755);
    t = await createTestApp({ FFMPEG_PATH: wrapper, MAX_VIDEO_SECONDS: '3' });
    guide = await approvedGuide(t, 'privacyguide');
    regionId = (await regionByCode(t, 'seoul')).id;
  });
  afterAll(async () => {
    await t.close();
    rmSync(wrapperDir, { recursive: true, force: true });
  });
  afterEach(() => sockets.closeAll());

  const fileOf = (url: string) => join(t.uploadDir, url.replace(/^\/uploads\//, ''));
  const storedFiles = () =>
    ['stories', 'thumbnails', 'incoming', '.tmp']
      .flatMap((dir) => {
        const path = join(t.uploadDir, dir);
        return existsSync(path) ? readdirSync(path).map((name) => `${dir}/${name}`) : [];
      })
      .sort();

  function post(files: { content: Buffer; name: string }[]) {
    const req = t
      .http()
      .post('/api/v1/stories')
      .set(guide.auth)
      .field('title', 'Where we went')
      .field('content', 'A day out.')
      .field('category', 'nature')
      .field('regionId', String(regionId));
    for (const file of files) req.attach('media', file.content, file.name);
    return req;
  }

  it('serves a photo without EXIF (GPS, owner, serial), turned upright in its pixels', async () => {
    const upload = await jpegWithExif(80, 40);
    // what the phone wrote really is in the upload
    const sent = exifReader((await sharp(upload).metadata()).exif as Buffer);
    expect(sent.GPSInfo?.GPSLatitude).toEqual(PHOTO_SECRETS.latitude);
    expect(sent.Image?.Artist).toBe(PHOTO_SECRETS.artist);
    expect(upload.includes(PHOTO_SECRETS.serial)).toBe(true);

    const res = await post([{ content: upload, name: 'IMG_0001.JPG' }]).expect(201);
    const [photo] = res.body.media;
    expect(photo).toMatchObject({ status: 'ready', width: 40, height: 80 });

    const served = await t.http().get(photo.url).buffer(true).expect(200);
    const body = served.body as Buffer;
    expect(body.includes(PHOTO_SECRETS.artist)).toBe(false);
    expect(body.includes(PHOTO_SECRETS.serial)).toBe(false);
    const meta = await sharp(body).metadata();
    expect(meta.exif).toBeUndefined();
    expect(meta.xmp).toBeUndefined();
    expect(meta.iptc).toBeUndefined();
    expect(meta.orientation).toBeUndefined();
    expect([meta.width, meta.height]).toEqual([40, 80]);
    // size describes the stored file
    expect(photo.size).toBe(body.length);
  });

  it('processes a video as a job: nothing served until its location and device tags are gone', async () => {
    const socket = await sockets.connect(t.baseUrl, guide.accessToken);
    const ready = nextEvent(socket, 'media:ready', PROCESSING_TIMEOUT_MS);
    const upload = await mp4WithLocation();
    expect(upload.includes(VIDEO_SECRETS.location)).toBe(true);

    const res = await post([{ content: upload, name: 'phone.mp4' }]).expect(201);
    const [video] = res.body.media;
    expect(video).toMatchObject({ status: 'processing', url: null, thumbnailUrl: null });
    // the upload waits where nothing is served, even to someone who guessed its name
    const row = await t.dataSource.getRepository(StoryMedia).findOneByOrFail({ id: video.id });
    if (row.status === 'processing') {
      expect(row.storageKey).toMatch(/^incoming\//);
      await t.http().get(`/uploads/${row.storageKey}`).expect(404);
    }

    expect(await ready).toMatchObject({ storyId: res.body.id, mediaId: video.id, status: 'ready' });
    const detail = await t.http().get(`/api/v1/stories/${res.body.id}`).expect(200);
    const done = detail.body.media[0];
    expect(done).toMatchObject({ status: 'ready', width: 240, height: 320 });
    const served = await t.http().get(done.url).buffer(true).expect(200);
    const body = served.body as Buffer;
    expect(body.includes(VIDEO_SECRETS.location)).toBe(false);
    expect(body.includes(VIDEO_SECRETS.make)).toBe(false);
    expect(done.size).toBe(body.length);
    const described = await describeVideo(fileOf(done.url));
    expect(described).not.toMatch(/location|make/i);
    expect(described).toMatch(/displaymatrix: rotation of -?90/); // still plays upright
    const thumb = await sharp(fileOf(done.thumbnailUrl)).metadata();
    expect([thumb.width, thumb.height]).toEqual([240, 320]);
    expect(readdirSync(join(t.uploadDir, 'incoming'))).toEqual([]);
  });

  it("the story's thumbnail is its first ready media's", async () => {
    const socket = await sockets.connect(t.baseUrl, guide.accessToken);
    const ready = nextEvent<{ thumbnailUrl: string }>(socket, 'media:ready', PROCESSING_TIMEOUT_MS);
    const res = await post([
      { content: await mp4(), name: 'first.mp4' },
      { content: await png(200, 100), name: 'second.png' },
    ]).expect(201);
    const [video, photo] = res.body.media;
    if (video.status === 'processing') expect(res.body.thumbnailUrl).toBe(photo.thumbnailUrl);

    const { thumbnailUrl } = await ready;
    const list = await t.http().get(`/api/v1/stories?guideId=${guide.guideId}`).expect(200);
    const summary = list.body.items.find((s: { id: number }) => s.id === res.body.id);
    expect(summary.thumbnailUrl).toBe(thumbnailUrl);
  });

  it('a video whose metadata cannot be removed ends `failed`: kept, never served', async () => {
    const socket = await sockets.connect(t.baseUrl, guide.accessToken);
    const event = nextEvent(socket, 'media:ready', PROCESSING_TIMEOUT_MS);
    writeFileSync(join(wrapperDir, 'fail-remux'), '');
    try {
      const res = await post([{ content: await mp4(), name: 'clip.mp4' }]).expect(201);
      const [video] = res.body.media;
      expect(await event).toEqual({
        storyId: res.body.id,
        mediaId: video.id,
        status: 'failed',
        thumbnailUrl: null,
      });
      const detail = await t.http().get(`/api/v1/stories/${res.body.id}`).expect(200);
      expect(detail.body.media[0]).toMatchObject({
        status: 'failed',
        url: null,
        thumbnailUrl: null,
      });
      const row = await t.dataSource.getRepository(StoryMedia).findOneByOrFail({ id: video.id });
      expect(existsSync(join(t.uploadDir, row.storageKey))).toBe(true);
      await t.http().get(`/uploads/${row.storageKey}`).expect(404);
    } finally {
      rmSync(join(wrapperDir, 'fail-remux'), { force: true });
    }
  });

  it.each([
    ['a 600 fps 4K clip', mp4At600Fps, /600 frames per second/],
    ['a 5000 px wide clip', mp4TooWide, /at most 4096 pixels/],
    ['a clip longer than MAX_VIDEO_SECONDS', () => mp4Long(5), /at most 3 s/],
  ])('refuses %s with 415 from its header, storing nothing', async (_name, make, message) => {
    const stories = await t.dataSource.getRepository(Story).count();
    const media = await t.dataSource.getRepository(StoryMedia).count();
    const files = storedFiles();
    const res = await post([
      { content: await png(), name: 'fine.png' },
      { content: await make(), name: 'clip.mp4' },
    ]).expect(415);
    expectError(res.body, 415, 'UNSUPPORTED_MEDIA_TYPE');
    expect(res.body.message).toMatch(message);
    expect(res.body.details).toEqual([{ field: 'media', index: 1, errors: [expect.any(String)] }]);
    expect(await t.dataSource.getRepository(Story).count()).toBe(stories);
    expect(await t.dataSource.getRepository(StoryMedia).count()).toBe(media);
    expect(storedFiles()).toEqual(files);
  });
});
