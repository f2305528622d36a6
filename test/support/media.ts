import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { resolveFfmpeg } from '../../src/media/ffmpeg';

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

function ffmpegBinary(): string {
  // the same lookup as the app (FFMPEG_PATH, ffmpeg-static, @ffmpeg-installer, PATH)
  return resolveFfmpeg({ configured: process.env.FFMPEG_PATH || null }).path;
}

let cachedMp4: Buffer | null = null;

/** A 2 s, 320×240 H.264 MP4 made with ffmpeg's test source. */
export async function mp4(): Promise<Buffer> {
  if (cachedMp4) return cachedMp4;
  const dir = mkdtempSync(join(tmpdir(), 'storybook-mp4-'));
  const out = join(dir, 'clip.mp4');
  try {
    await promisify(execFile)(ffmpegBinary(), [
      '-hide_banner',
      '-loglevel',
      'error',
      '-f',
      'lavfi',
      '-i',
      'testsrc=duration=2:size=320x240:rate=25',
      '-pix_fmt',
      'yuv420p',
      '-c:v',
      'libx264',
      '-y',
      out,
    ]);
    cachedMp4 = readFileSync(out);
    return cachedMp4;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
