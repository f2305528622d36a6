import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createRequire } from 'node:module';

export type FfmpegSource = 'FFMPEG_PATH' | 'ffmpeg-static' | '@ffmpeg-installer/ffmpeg' | 'PATH';

export interface ResolvedFfmpeg {
  path: string;
  source: FfmpegSource;
}

export interface FfmpegResolveOptions {
  /** `config.media.ffmpegPath` (FFMPEG_PATH); wins whenever it is set. */
  configured: string | null;
  /** Loads a package, or returns undefined when it is not installed. */
  tryRequire?: (id: string) => unknown;
  exists?: (path: string) => boolean;
}

const load = createRequire(__filename);

function defaultTryRequire(id: string): unknown {
  try {
    return load(id);
  } catch {
    return undefined;
  }
}

/**
 * Finds the ffmpeg binary in the order SPEC §5 gives: FFMPEG_PATH, the optional `ffmpeg-static`
 * package (its install downloads a binary and may have failed, so the file must exist), the
 * `@ffmpeg-installer/ffmpeg` package, then `ffmpeg` on PATH.
 */
export function resolveFfmpeg(options: FfmpegResolveOptions): ResolvedFfmpeg {
  const tryRequire = options.tryRequire ?? defaultTryRequire;
  const exists = options.exists ?? existsSync;

  if (options.configured) return { path: options.configured, source: 'FFMPEG_PATH' };

  const fromStatic = tryRequire('ffmpeg-static');
  if (typeof fromStatic === 'string' && exists(fromStatic)) {
    return { path: fromStatic, source: 'ffmpeg-static' };
  }

  const installer = tryRequire('@ffmpeg-installer/ffmpeg') as { path?: unknown } | undefined;
  if (installer && typeof installer.path === 'string' && exists(installer.path)) {
    return { path: installer.path, source: '@ffmpeg-installer/ffmpeg' };
  }

  return { path: 'ffmpeg', source: 'PATH' };
}

export interface VideoInfo {
  /** Upright (display) dimensions: a clip recorded in portrait reports portrait sizes. */
  width: number | null;
  height: number | null;
  durationSec: number | null;
}

/**
 * Reads what `ffmpeg -i <file>` prints to stderr. Returns null when ffmpeg found no video
 * stream (not a video, or not one it can read).
 */
export function parseFfmpegInfo(stderr: string): VideoInfo | null {
  const lines = stderr.split(/\r?\n/);
  const videoIndex = lines.findIndex((line) => /^\s*Stream #\d+:\d+.*: Video: /.test(line));
  if (videoIndex < 0) return null;
  const streamLine = lines[videoIndex];

  // "0x31637661" (codec tags) must not pass for a size, hence no leading zero.
  const size = /[\s,]([1-9]\d*)x([1-9]\d*)[\s,[]/.exec(`${streamLine} `);
  let width = size ? Number(size[1]) : null;
  let height = size ? Number(size[2]) : null;

  // Rotation lives in the stream's metadata (`rotate : 90`) or side data (`displaymatrix:
  // rotation of -90.00 degrees`) on the lines that follow, up to the next stream.
  let rotation = 0;
  for (const line of lines.slice(videoIndex + 1)) {
    if (/^\s*Stream #/.test(line)) break;
    const match =
      /^\s*rotate\s*:\s*(-?\d+(?:\.\d+)?)/.exec(line) ??
      /rotation of (-?\d+(?:\.\d+)?) degrees/.exec(line);
    if (match) {
      rotation = Number(match[1]);
      break;
    }
  }
  if (width !== null && height !== null && Math.abs(Math.round(rotation / 90)) % 2 === 1) {
    [width, height] = [height, width];
  }

  const duration = /Duration:\s*(\d+):(\d{2}):(\d{2}(?:\.\d+)?)/.exec(stderr);
  const durationSec = duration
    ? Number(duration[1]) * 3600 + Number(duration[2]) * 60 + Number(duration[3])
    : null;

  return { width, height, durationSec };
}

export interface RunResult {
  stderr: string;
  /** Null when the process ran; the spawn error, timeout or signal otherwise. */
  failure: Error | null;
  exitCode: number | null;
}

/** Runs ffmpeg without a shell; a non-zero exit is reported, not thrown. */
export function runFfmpeg(binary: string, args: string[], timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(
      binary,
      args,
      { timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024, windowsHide: true, encoding: 'utf8' },
      (error, _stdout, stderr) => {
        const err = error as (NodeJS.ErrnoException & { killed?: boolean }) | null;
        if (!err) return resolve({ stderr, failure: null, exitCode: 0 });
        // A numeric code is the exit status of a process that ran; anything else (ENOENT,
        // EACCES, killed by the timeout) means ffmpeg itself could not do its job.
        const ran = typeof err.code === 'number' && !err.killed;
        resolve({
          stderr,
          failure: ran ? null : err,
          exitCode: typeof err.code === 'number' ? err.code : null,
        });
      },
    );
  });
}

export type ProbeResult =
  | { ok: true; info: VideoInfo }
  /** ffmpeg ran and found no readable video stream in the file. */
  | { ok: false; reason: 'not-a-video'; detail: string }
  /** ffmpeg could not be run (missing binary, timeout). */
  | { ok: false; reason: 'ffmpeg-unavailable'; detail: string };

export async function probeVideo(
  binary: string,
  file: string,
  timeoutMs: number,
): Promise<ProbeResult> {
  // Without an output ffmpeg exits 1 ("At least one output file must be specified") after
  // printing the input's description, which is all that is needed here.
  const result = await runFfmpeg(binary, ['-hide_banner', '-nostdin', '-i', file], timeoutMs);
  if (result.failure) {
    return { ok: false, reason: 'ffmpeg-unavailable', detail: result.failure.message };
  }
  const info = parseFfmpegInfo(result.stderr);
  if (!info) {
    const lastLine = result.stderr.trim().split(/\r?\n/).pop() ?? '';
    return { ok: false, reason: 'not-a-video', detail: lastLine };
  }
  return { ok: true, info };
}

/**
 * Writes one frame of `input` as a JPEG fitting inside `box`×`box` (never enlarged): the frame
 * at `atSec`, or the first frame when atSec is 0. ffmpeg applies the rotation metadata itself.
 * Resolves false (never throws) when no frame was written.
 */
export async function extractVideoFrame(
  binary: string,
  input: string,
  output: string,
  atSec: number,
  box: number,
  timeoutMs: number,
): Promise<{ ok: boolean; detail: string }> {
  const args = [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    '-y',
    ...(atSec > 0 ? ['-ss', String(atSec)] : []),
    '-i',
    input,
    '-an',
    '-frames:v',
    '1',
    '-vf',
    `scale='min(${box},iw)':'min(${box},ih)':force_original_aspect_ratio=decrease`,
    '-q:v',
    '3',
    '-f',
    'image2',
    '-c:v',
    'mjpeg',
    output,
  ];
  const result = await runFfmpeg(binary, args, timeoutMs);
  if (result.failure) return { ok: false, detail: result.failure.message };
  if (result.exitCode !== 0) {
    return { ok: false, detail: result.stderr.trim().split(/\r?\n/).pop() ?? '' };
  }
  // Seeking past the end "succeeds" without writing anything.
  const written = await stat(output).catch(() => null);
  if (!written || written.size === 0) return { ok: false, detail: 'no frame was written' };
  return { ok: true, detail: '' };
}
