/**
 * A 12-megapixel JPEG through `POST /api/v1/stories` (multipart, an approved guide) vs the
 * bare sharp pipeline doing the same image work on the same file in a separate process.
 * Goal: app ≤ 1.2 × sharp.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { PipelineResult } from './baselines/sharp-pipeline';
import { Benchmark, BenchContext, interleave, ratioCell, spread } from './lib/bench';
import { say } from './lib/common';
import { httpRequest } from './lib/http';
import { makePhoto, PHOTO_HEIGHT, PHOTO_WIDTH } from './lib/photo';
import { Worker } from './lib/processes';
import { describeSeed, setUp } from './lib/setup';
import { fmt, median } from './lib/stats';
import { accessToken } from './lib/tokens';

/** Uploads per run (one at a time), and sharp runs per baseline run. */
const PER_RUN = 5;

function multipart(fields: Record<string, string>, file: Buffer): { body: Buffer; type: string } {
  const boundary = `----bench${randomBytes(8).toString('hex')}`;
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
      ),
    );
  }
  parts.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="media"; filename="photo.jpg"\r\n` +
        'Content-Type: image/jpeg\r\n\r\n',
    ),
    file,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  );
  return { body: Buffer.concat(parts), type: `multipart/form-data; boundary=${boundary}` };
}

interface UploadRun {
  ms: number[];
}

interface CreatedStory {
  media: { status: string; width: number; height: number; thumbnailUrl: string | null }[];
}

const benchmark: Benchmark = {
  name: 'upload-jpeg',
  title: '12 MP JPEG through POST /api/v1/stories vs bare sharp on the same file',
  summary: 'a 4000×3000 JPEG story upload end to end vs the same sharp work alone',
  defaultDbs: ['sqlite'],
  defaultDuration: PER_RUN,
  async run(ctx: BenchContext) {
    const { report } = ctx;
    const photo = ctx.dir.join('photo.jpg');
    await makePhoto(photo);
    const file = readFileSync(photo);
    const perRun = Math.max(1, Math.round(ctx.duration));
    report.describe(
      `A generated ${PHOTO_WIDTH}×${PHOTO_HEIGHT} JPEG (quality 90, gradients plus per-pixel noise like a phone ` +
        `photo, EXIF present; ${fmt(statSync(photo).size / 1024 / 1024, 1)} MB). **App**: \`POST /api/v1/stories\` as ` +
        'multipart/form-data (title, content, category, regionId, tags, the file in `media`) with an approved ' +
        "guide's token, one upload at a time, timed from the first byte sent to the end of the 201 (the response " +
        'must show the image `ready`, 4000×3000, with a thumbnail). **Sharp**: `bench/baselines/sharp-pipeline.ts` ' +
        "in its own process, the image work of the app's `prepareImage` on a fresh copy of the same file: header " +
        'read, then in parallel the upright copy without metadata (ICC kept) at JPEG quality 90 and the 480 px ' +
        'thumbnail at quality 80. Same sharp/libvips build, default libvips concurrency, file cache off in both.',
      `Each run is ${perRun} uploads (or ${perRun} pipelines); its value is their median. ${ctx.options.pairs} ` +
        'interleaved pairs after one warm-up each. Ratio app / sharp per pair (lower is better). Goal: ≤ 1.2×.',
    );
    const rows: (string | number)[][] = [];
    const raw: (string | number)[][] = [];
    for (const db of ctx.dbs) {
      say(`upload-jpeg on ${db}`);
      const setup = await setUp(ctx, db);
      const pipeline = Worker.start('baselines/sharp-pipeline');
      try {
        const guide = setup.fixture.guides[0];
        const token = accessToken(guide.userId, 'guide');
        let n = 0;
        const upload = async (): Promise<number> => {
          const { body, type } = multipart(
            {
              title: `Upload bench ${++n}`,
              content: 'A 12 MP photo from the benchmark.',
              category: 'nature',
              regionId: String(setup.fixture.regions[0]),
              tags: 'bench,photo',
            },
            file,
          );
          const started = performance.now();
          const response = await httpRequest(`${setup.app.url}/api/v1/stories`, {
            method: 'POST',
            headers: {
              authorization: `Bearer ${token}`,
              'content-type': type,
              'content-length': body.length,
            },
            body,
          });
          const ms = performance.now() - started;
          if (response.status !== 201)
            throw new Error(`upload answered ${response.status}: ${response.body}`);
          const media = (JSON.parse(response.body) as CreatedStory).media[0];
          if (
            media?.status !== 'ready' ||
            media.width !== PHOTO_WIDTH ||
            media.height !== PHOTO_HEIGHT ||
            !media.thumbnailUrl
          ) {
            throw new Error(`unexpected media in the 201: ${JSON.stringify(media)}`);
          }
          return ms;
        };
        const appRun = async (): Promise<UploadRun> => {
          const ms: number[] = [];
          for (let i = 0; i < perRun; i++) ms.push(await upload());
          return { ms };
        };
        const sharpRun = async (): Promise<UploadRun> => {
          const result = await pipeline.call<PipelineResult>('run', { file: photo, runs: perRun });
          if (
            result.width !== PHOTO_WIDTH ||
            result.height !== PHOTO_HEIGHT ||
            result.thumbnailWidth !== 480
          ) {
            throw new Error(`unexpected pipeline output: ${JSON.stringify(result)}`);
          }
          return { ms: result.ms };
        };
        await upload();
        await pipeline.call<PipelineResult>('run', { file: photo, runs: 1 });
        const result = await interleave(
          `upload/${db}`,
          ctx.options.pairs,
          appRun,
          sharpRun,
          (r) => `median ${fmt(median(r.ms))} ms (${r.ms.map((v) => fmt(v)).join(', ')})`,
          'sharp',
        );
        const medians = (rs: UploadRun[]) => rs.map((r) => median(r.ms));
        rows.push([
          db === 'sqlite' ? 'SQLite' : 'MariaDB',
          spread(medians(result.app)),
          spread(medians(result.baseline)),
          ratioCell(medians(result.app), medians(result.baseline)),
          '≤ 1.2×',
        ]);
        raw.push(
          ...result.runs.map((r) => [
            db,
            r.pair,
            r.side === 'app' ? 'app' : 'sharp',
            fmt(median(r.value.ms)),
            r.value.ms.map((v) => fmt(v)).join(', '),
            r.loadAverage,
          ]),
        );
        if (db === ctx.dbs[0]) report.describe(describeSeed(setup.fixture));
      } finally {
        await pipeline.stop();
        await setup.close();
      }
    }
    report.measurement('Milliseconds per image, median of run medians (min–max)', {
      headers: ['Database', 'App ms', 'Sharp ms', 'App / sharp', 'Goal'],
      rows,
    });
    report.raw('All runs', {
      headers: ['Database', 'Pair', 'Side', 'Median ms', 'Each ms', 'Load average after'],
      rows: raw,
    });
  },
};

export default benchmark;
