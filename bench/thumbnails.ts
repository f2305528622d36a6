/**
 * Thumbnail and ingest timings for MediaService with real sharp and ffmpeg.
 *
 *   npx ts-node --transpile-only bench/thumbnails.ts [runs]
 *
 * Generates a 12-megapixel JPEG (4000×3000, noisy like a phone photo) and a 1080p 10 s H.264
 * MP4, then ingests each `runs` times (default 7) as if freshly uploaded. Results go to
 * docs/benchmarks/thumbnails.md by hand.
 */
import { Logger } from '@nestjs/common';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import { loadConfig } from '../src/config/app-config';
import { extractVideoFrame, probeVideo } from '../src/media/ffmpeg';
import { LocalDiskStorage, mediaTempDir } from '../src/media/media-storage';
import { MediaWorkLimiter } from '../src/media/media-work-limiter';
import { MediaService, THUMBNAIL_BOX } from '../src/media/media.service';
import { makePhoto } from './lib/photo';

const RUNS = Number(process.argv[2] ?? 7);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const ms = (value: number) => `${value.toFixed(0)} ms`;

async function time(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

async function main(): Promise<void> {
  Logger.overrideLogger(['error']);
  const root = mkdtempSync(join(tmpdir(), 'thumb-bench-'));
  const config = loadConfig({ UPLOAD_DIR: join(root, 'uploads') });
  const service = new MediaService(
    config,
    new LocalDiskStorage(config),
    new MediaWorkLimiter(config),
  );
  service.onModuleInit();
  const ffmpeg = (await service.ffmpegInUse())?.path;
  if (!ffmpeg) throw new Error('no ffmpeg 5.0 or newer found');
  const tempDir = mediaTempDir(config);
  mkdirSync(tempDir, { recursive: true });

  try {
    const photo = join(root, 'photo.jpg');
    const video = join(root, 'video.mp4');
    await makePhoto(photo);
    execFileSync(ffmpeg, [
      ...['-hide_banner', '-loglevel', 'error', '-y'],
      ...['-f', 'lavfi', '-i', 'testsrc2=duration=10:size=1920x1080:rate=30'],
      ...['-vf', 'noise=alls=12:allf=t', '-pix_fmt', 'yuv420p'],
      ...['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', video],
    ]);

    /** A fresh "upload" of `source` in the temp dir, as the interceptor leaves it. */
    const upload = (source: string) => {
      const path = join(tempDir, randomBytes(16).toString('hex'));
      copyFileSync(source, path);
      return { path, originalname: source };
    };

    const photoThumb: number[] = [];
    const photoIngest: number[] = [];
    const videoThumb: number[] = [];
    const videoIngest: number[] = [];
    let peakRss = 0;
    const sampleRss = () => (peakRss = Math.max(peakRss, process.memoryUsage().rss));

    for (let run = 0; run < RUNS; run++) {
      // The thumbnail step alone, the same pipeline MediaService runs.
      photoThumb.push(
        await time(() =>
          sharp(photo, { failOn: 'truncated' })
            .rotate()
            .resize(THUMBNAIL_BOX, THUMBNAIL_BOX, { fit: 'inside', withoutEnlargement: true })
            .flatten({ background: '#ffffff' })
            .jpeg({ quality: 80 })
            .toFile(join(root, 'thumb.jpg')),
        ),
      );
      sampleRss();
      // Everything: type detection, metadata, decode + thumbnail, moves into storage.
      let keys: (string | null)[] = [];
      photoIngest.push(
        await time(async () => {
          const [media] = await service.ingest([upload(photo)]);
          keys = [media.storageKey, media.thumbnailKey];
        }),
      );
      sampleRss();
      await service.remove(keys);

      videoThumb.push(
        await time(async () => {
          await probeVideo(ffmpeg, video, 30_000);
          const frame = await extractVideoFrame(
            ffmpeg,
            video,
            join(root, 'frame.jpg'),
            1,
            THUMBNAIL_BOX,
            30_000,
          );
          if (!frame.ok) throw new Error(`no frame: ${frame.detail}`);
        }),
      );
      // Upload (probe) plus the job (metadata stripped by a remux, frame at 1 s).
      videoIngest.push(
        await time(async () => {
          const [media] = await service.ingest([upload(video)]);
          const processed = await service.processVideo(media.storageKey);
          if (!processed.ok || !processed.thumbnailKey) throw new Error('video not processed');
          keys = [media.storageKey, processed.storageKey, processed.thumbnailKey];
        }),
      );
      sampleRss();
      await service.remove(keys);
    }

    const mb = (path: string) => `${(statSync(path).size / 1024 / 1024).toFixed(1)} MB`;
    console.error(
      `node ${process.version}, sharp ${sharp.versions.sharp} (libvips ${sharp.versions.vips}), ffmpeg ${ffmpeg}`,
    );
    console.error(
      `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${RUNS} runs each, medians:`,
    );
    console.error(
      `JPEG 4000×3000 (${mb(photo)}): thumbnail ${ms(median(photoThumb))}, ingest ${ms(median(photoIngest))}`,
    );
    console.error(
      `MP4 1920×1080 10 s H.264 (${mb(video)}): probe + frame ${ms(median(videoThumb))}, ingest ${ms(median(videoIngest))}`,
    );
    console.error(`peak RSS ${(peakRss / 1024 / 1024).toFixed(0)} MB`);
    console.error(
      `all runs (ms): photo thumb ${photoThumb.map((v) => v.toFixed(0)).join(' ')}; photo ingest ${photoIngest.map((v) => v.toFixed(0)).join(' ')}; video thumb ${videoThumb.map((v) => v.toFixed(0)).join(' ')}; video ingest ${videoIngest.map((v) => v.toFixed(0)).join(' ')}`,
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
