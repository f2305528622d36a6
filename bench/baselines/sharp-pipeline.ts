/**
 * The upload baseline: the image work of `POST /stories` done with sharp alone, in a process
 * of its own (run through {@link Worker}), as `MediaService.prepareImage` does it: read the
 * header (decode check, pixel limit), then in parallel the stored copy — upright (EXIF
 * orientation applied), metadata dropped but the ICC profile, JPEG quality 90 — and the
 * thumbnail inside 480×480, JPEG quality 80. Each run works on a fresh copy of the file (as
 * each upload lands in a new temp file), made before the clock starts.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import { serveWorker } from '../lib/processes';

// as the app (media.service.ts): no file cache, so no run reads another's result
sharp.cache({ files: 0 });

const THUMBNAIL_BOX = 480;
const MAX_PIXELS = 40_000_000;

export interface PipelineResult {
  ms: number[];
  width: number;
  height: number;
  thumbnailWidth: number;
  thumbnailHeight: number;
  size: number;
}

async function once(input: string, dir: string, n: number) {
  const options = { failOn: 'truncated', limitInputPixels: false } as const;
  const metadata = await sharp(input, options).metadata();
  if (!metadata.width || !metadata.height || metadata.width * metadata.height > MAX_PIXELS) {
    throw new Error('not an acceptable image');
  }
  const upright = sharp(input, { ...options, limitInputPixels: MAX_PIXELS }).rotate();
  const stored = upright
    .clone()
    .keepIccProfile()
    .flatten({ background: '#ffffff' })
    .jpeg({ quality: 90 });
  const thumbnail = upright
    .clone()
    .resize(THUMBNAIL_BOX, THUMBNAIL_BOX, { fit: 'inside', withoutEnlargement: true })
    .flatten({ background: '#ffffff' })
    .jpeg({ quality: 80 });
  const [info, thumb] = await Promise.all([
    stored.toFile(join(dir, `${n}.jpg`)),
    thumbnail.toFile(join(dir, `${n}.thumb.jpg`)),
  ]);
  return { info, thumb };
}

async function run(input: { file: string; runs: number }): Promise<PipelineResult> {
  const dir = mkdtempSync(join(tmpdir(), 'storybook-bench-sharp-'));
  try {
    const ms: number[] = [];
    let last: Awaited<ReturnType<typeof once>> | null = null;
    for (let n = 0; n < input.runs; n++) {
      const copy = join(dir, `upload-${n}`);
      copyFileSync(input.file, copy);
      const started = performance.now();
      last = await once(copy, dir, n);
      ms.push(performance.now() - started);
    }
    if (!last) throw new Error('no runs');
    return {
      ms,
      width: last.info.width,
      height: last.info.height,
      thumbnailWidth: last.thumb.width,
      thumbnailHeight: last.thumb.height,
      size: last.info.size,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) serveWorker({ run });
