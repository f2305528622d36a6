/**
 * Memory of the API process while a 150 MB video is uploaded and streamed to an S3 bucket
 * (docs/api.md, Operations: "never a whole file in memory"). The bound: RSS grows by at most 50 MB.
 *
 *   npx ts-node --transpile-only bench/s3-upload-memory.ts [runs] [megabytes]
 *
 * - S3: s3rver on loopback, in this (the client's) process.
 * - API: src/main.ts in a child process (ts-node, as `npm run start:worker` runs), on a fresh
 *   SQLite file, STORAGE_DRIVER=s3, jobs in-process. Its RSS is read from
 *   /proc/<pid>/status (VmRSS) every 20 ms.
 * - Input: a real MP4 (MPEG-4 Part 2 video of noise, 640×360, sized by bitrate) made with
 *   ffmpeg, sent as multipart/form-data streamed from disk by node:http (the client never
 *   holds it either).
 *
 * Per run: baseline = the median of 25 samples over 0.5 s before the request; peak = the
 * highest sample from the request's start until its 201 (the upload to the bucket happens
 * inside the request; the video's processing job runs afterwards and is not counted).
 * Prints each run, the median and min–max growth, and the load average.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createReadStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';

const RUNS = Number(process.argv[2] ?? 5);
const MEGABYTES = Number(process.argv[3] ?? 150);
const ROOT = resolve(__dirname, '..');
const ADMIN_KAKAO_ID = '990000001';

// s3rver ships no type declarations
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require('s3rver') as new (options: Record<string, unknown>) => {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
};

/** Results on stdout (lint allows console.error only). */
const print = (line: string) => process.stdout.write(`${line}\n`);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

function ffmpeg(): string {
  return process.env.FFMPEG_PATH ?? 'ffmpeg';
}

/** A valid MP4 of about `megabytes` MB: noise at a fixed bitrate for 20 s. */
function makeVideo(dir: string, megabytes: number): string {
  const file = join(dir, 'big.mp4');
  const seconds = 20;
  const kbits = Math.round((megabytes * 8 * 1024) / seconds);
  execFileSync(ffmpeg(), [
    '-v', 'error', '-y',
    '-f', 'lavfi', '-i', `nullsrc=s=640x360:r=30,geq=random(1)*255:128:128`,
    '-t', String(seconds),
    '-c:v', 'mpeg4', '-b:v', `${kbits}k`, '-minrate', `${kbits}k`, '-maxrate', `${kbits}k`,
    '-bufsize', `${kbits}k`, '-an', '-movflags', '+faststart',
    file,
  ]); // prettier-ignore
  return file;
}

async function json(
  base: string,
  path: string,
  init: { method?: string; token?: string; body?: unknown } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${base}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      'content-type': 'application/json',
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** POST /stories with one file, streamed from disk. */
function uploadStory(
  base: string,
  token: string,
  regionId: number,
  file: string,
): Promise<{ status: number; body: string }> {
  const boundary = `----bench${Date.now()}`;
  const fields: [string, string][] = [
    ['title', 'Big video'],
    ['content', 'A long clip.'],
    ['category', 'nature'],
    ['regionId', String(regionId)],
  ];
  const head =
    fields
      .map(
        ([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`,
      )
      .join('') +
    `--${boundary}\r\nContent-Disposition: form-data; name="media"; filename="big.mp4"\r\n` +
    'Content-Type: video/mp4\r\n\r\n';
  const tail = `\r\n--${boundary}--\r\n`;
  const length = Buffer.byteLength(head) + statSync(file).size + Buffer.byteLength(tail);
  const url = new URL(`${base}/stories`);
  return new Promise((resolvePromise, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': length,
        },
      },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.write(head);
    const stream = createReadStream(file);
    stream.on('error', reject);
    stream.on('end', () => req.end(tail));
    stream.pipe(req, { end: false });
  });
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'storybook-bench-s3-'));
  const s3 = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: join(dir, 's3'),
    configureBuckets: [{ name: 'bench-media' }],
  });
  let server: ChildProcess | null = null;
  try {
    const { port: s3Port } = await s3.run();
    const video = makeVideo(dir, MEGABYTES);
    const videoMb = statSync(video).size / (1024 * 1024);
    const port = await freePort();
    const base = `http://127.0.0.1:${port}/api/v1`;
    server = spawn(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', join(ROOT, 'src/main.ts')],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'inherit'],
        env: {
          PATH: process.env.PATH ?? '',
          DOTENV_CONFIG_PATH: '/nonexistent',
          NODE_ENV: 'test',
          LOG_LEVEL: 'info',
          PORT: String(port),
          SQLITE_PATH: join(dir, 'db.sqlite'),
          UPLOAD_DIR: join(dir, 'uploads'),
          JWT_SECRET: 'bench-secret-that-is-long-enough-for-hs256-0123456789',
          AUTH_DEV_LOGIN: 'true',
          ADMIN_KAKAO_IDS: ADMIN_KAKAO_ID,
          RATE_LIMIT_ENABLED: 'false',
          MAX_VIDEO_BYTES: String(250 * 1024 * 1024),
          STORAGE_DRIVER: 's3',
          S3_ENDPOINT: `http://127.0.0.1:${s3Port}`,
          S3_BUCKET: 'bench-media',
          S3_ACCESS_KEY_ID: 'S3RVER',
          S3_SECRET_ACCESS_KEY: 'S3RVER',
          S3_FORCE_PATH_STYLE: 'true',
          S3_TIMEOUT_MS: '60000',
        },
      },
    );
    let stdout = '';
    server.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    for (let i = 0; !stdout.includes('Story Book API on port'); i += 1) {
      if (i > 600) throw new Error('the API did not start');
      await sleep(100);
    }
    const pid = server.pid as number;

    const admin = await json(base, '/auth/dev-login', {
      method: 'POST',
      body: { kakaoId: ADMIN_KAKAO_ID, nickname: 'benchadmin' },
    });
    const guide = await json(base, '/auth/dev-login', {
      method: 'POST',
      body: { kakaoId: '990000002', nickname: 'benchguide' },
    });
    const guideToken = guide.body.accessToken as string;
    const regions = (await (await fetch(`${base}/regions`)).json()) as { id: number }[];
    const applied = await json(base, '/guides/apply', {
      method: 'POST',
      token: guideToken,
      body: { introduction: 'Benchmarks all day.', languages: ['ko'], regionIds: [regions[0].id] },
    });
    await json(base, `/admin/guides/${applied.body.id as number}/approve`, {
      method: 'POST',
      token: admin.body.accessToken as string,
    });

    const growth: number[] = [];
    const rows: string[] = [];
    for (let run = 0; run <= RUNS; run += 1) {
      await sleep(2000); // let the previous run's job and GC settle
      const baselineSamples: number[] = [];
      for (let i = 0; i < 25; i += 1) {
        baselineSamples.push(rssMb(pid));
        await sleep(20);
      }
      const baseline = median(baselineSamples);
      let peak = baseline;
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          peak = Math.max(peak, rssMb(pid));
          await sleep(20);
        }
      })();
      const started = Date.now();
      const res = await uploadStory(base, guideToken, regions[0].id, video);
      const seconds = (Date.now() - started) / 1000;
      sampling = false;
      await sampler;
      if (res.status !== 201) throw new Error(`upload answered ${res.status}: ${res.body}`);
      // run 0 warms up (first upload loads the SDK's code paths); it is not counted
      if (run === 0) continue;
      growth.push(peak - baseline);
      rows.push(
        `| ${run} | ${baseline.toFixed(1)} | ${peak.toFixed(1)} | ${(peak - baseline).toFixed(1)} | ${seconds.toFixed(1)} |`,
      );
    }
    const load = loadavg()
      .map((n) => n.toFixed(2))
      .join(' / ');
    print(`\nVideo: ${videoMb.toFixed(1)} MB MP4; ${RUNS} runs after one warm-up run`);
    print(
      `Machine: ${cpus().length} CPU (${cpus()[0]?.model}), ${(totalmem() / 2 ** 30).toFixed(0)} GB, Node ${process.version}`,
    );
    print(`Load average (1/5/15 min) at the end: ${load}\n`);
    print('| run | baseline RSS (MB) | peak RSS (MB) | growth (MB) | upload (s) |');
    print('|---|---|---|---|---|');
    for (const row of rows) print(row);
    print(
      `\nGrowth: median ${median(growth).toFixed(1)} MB, min ${Math.min(...growth).toFixed(1)} MB, ` +
        `max ${Math.max(...growth).toFixed(1)} MB (bound: 50 MB)`,
    );
  } finally {
    server?.kill('SIGTERM');
    await sleep(500);
    await s3.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
