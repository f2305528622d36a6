import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';

/** Real media made on the spot for upload tests (nothing binary is committed). */

export function png(width = 64, height = 48): Promise<Buffer> {
  return sharp({
    create: { width, height, channels: 3, background: { r: 200, g: 80, b: 40 } },
  })
    .png()
    .toBuffer();
}

export function jpeg(width = 64, height = 48): Promise<Buffer> {
  return sharp({
    create: { width, height, channels: 3, background: { r: 30, g: 120, b: 200 } },
  })
    .jpeg()
    .toBuffer();
}

/** What a phone camera leaves in a photo: where it was taken and whose camera it was. */
export const PHOTO_SECRETS = {
  artist: 'Hong Gildong Secret Owner',
  serial: 'SN-4242-PRIVATE',
  latitude: [37, 33, 59],
  longitude: [126, 58, 40],
};

/**
 * A JPEG as a phone writes it: stored landscape (`width`×`height`) with EXIF orientation 6
 * (show it turned a quarter clockwise), the owner's name, the camera serial and GPS position.
 */
export function jpegWithExif(width = 80, height = 40): Promise<Buffer> {
  return sharp({
    create: { width, height, channels: 3, background: { r: 30, g: 160, b: 90 } },
  })
    .jpeg()
    .withExif({
      IFD0: { Artist: PHOTO_SECRETS.artist, Copyright: PHOTO_SECRETS.artist },
      IFD2: { BodySerialNumber: PHOTO_SECRETS.serial },
      IFD3: {
        GPSLatitudeRef: 'N',
        GPSLatitude: PHOTO_SECRETS.latitude.map((n) => `${n}/1`).join(' '),
        GPSLongitudeRef: 'E',
        GPSLongitude: PHOTO_SECRETS.longitude.map((n) => `${n}/1`).join(' '),
      },
    })
    .withMetadata({ orientation: 6 })
    .toBuffer();
}

/** Debian's ffmpeg, or FFMPEG_PATH: the same binary the app finds on this machine. */
export function ffmpegBinary(): string {
  return process.env.FFMPEG_PATH || 'ffmpeg';
}

const run = promisify(execFile);

/** Runs ffmpeg with `args` (the output file named `out` inside a temp dir) and reads the result. */
async function made(ext: string, args: (out: string) => string[]): Promise<Buffer> {
  const dir = mkdtempSync(join(tmpdir(), 'storybook-media-'));
  const out = join(dir, `clip.${ext}`);
  try {
    await run(ffmpegBinary(), ['-hide_banner', '-loglevel', 'error', '-y', ...args(out)], {
      maxBuffer: 16 * 1024 * 1024,
    });
    return readFileSync(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const cache = new Map<string, Promise<Buffer>>();
function once(key: string, make: () => Promise<Buffer>): Promise<Buffer> {
  if (!cache.has(key)) cache.set(key, make());
  return cache.get(key) as Promise<Buffer>;
}

/** A 2 s, 320×240 H.264 MP4 made with ffmpeg's test source. */
export function mp4(): Promise<Buffer> {
  return once('mp4', () =>
    made('mp4', (out) => [
      '-f',
      'lavfi',
      '-i',
      'testsrc=duration=2:size=320x240:rate=25',
      '-pix_fmt',
      'yuv420p',
      '-c:v',
      'libx264',
      out,
    ]),
  );
}

export const VIDEO_SECRETS = { location: '+37.5665+126.9780/', make: 'SecretPhone 15 Pro' };

/**
 * A 2 s 320×240 MP4 with sound as a phone writes it: a location atom (`©xyz`), the device
 * make, and a display matrix saying "turn a quarter" (so it plays as 240×320).
 */
export function mp4WithLocation(): Promise<Buffer> {
  return once('mp4WithLocation', async () => {
    const plain = await made('mp4', (out) => [
      '-f',
      'lavfi',
      '-i',
      'testsrc=duration=2:size=320x240:rate=25',
      '-f',
      'lavfi',
      '-i',
      'sine=duration=2',
      '-pix_fmt',
      'yuv420p',
      '-c:v',
      'libx264',
      '-c:a',
      'aac',
      '-shortest',
      out,
    ]);
    const dir = mkdtempSync(join(tmpdir(), 'storybook-media-'));
    try {
      const input = join(dir, 'plain.mp4');
      writeFileSync(input, plain);
      // ffmpeg 5.1 writes a rotation tag as the track's display matrix when stream copying
      return await made('mp4', (out) => [
        '-i',
        input,
        '-c',
        'copy',
        '-metadata',
        `location=${VIDEO_SECRETS.location}`,
        '-metadata',
        `make=${VIDEO_SECRETS.make}`,
        '-movflags',
        'use_metadata_tags',
        '-metadata:s:v:0',
        'rotate=90',
        out,
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

/**
 * A tiny H.264 file that is expensive to decode: 3840×2160 at 600 fps with a single keyframe
 * (a thumbnail at 1 s would decode 600 4K frames).
 */
export function mp4At600Fps(): Promise<Buffer> {
  return once('mp4At600Fps', () =>
    made('mp4', (out) => [
      '-f',
      'lavfi',
      '-i',
      // a tenth of a second is enough: the rate is in the header whatever the length
      'color=c=black:s=3840x2160:r=600:d=0.1',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-g',
      '100000',
      '-pix_fmt',
      'yuv420p',
      out,
    ]),
  );
}

/** 5000×64 pixels: wider than the 4096 px any accepted video may be. */
export function mp4TooWide(): Promise<Buffer> {
  return once('mp4TooWide', () =>
    made('mp4', (out) => [
      '-f',
      'lavfi',
      '-i',
      'color=c=blue:s=5000x64:r=5:d=1',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-pix_fmt',
      'yuv420p',
      out,
    ]),
  );
}

/** A `seconds` long, 64×64, 1 fps clip: cheap to make, long by the clock. */
export function mp4Long(seconds: number): Promise<Buffer> {
  return once(`mp4Long${seconds}`, () =>
    made('mp4', (out) => [
      '-f',
      'lavfi',
      '-i',
      `color=c=red:s=64x64:r=1:d=${seconds}`,
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-pix_fmt',
      'yuv420p',
      out,
    ]),
  );
}

/** What `ffmpeg -i` says of a file: its streams, metadata and side data. */
export async function describeVideo(file: string): Promise<string> {
  try {
    await run(ffmpegBinary(), ['-hide_banner', '-nostdin', '-i', file]);
    return '';
  } catch (error) {
    // ffmpeg exits 1 without an output file, after describing the input on stderr
    return String((error as { stderr?: string }).stderr ?? '');
  }
}
