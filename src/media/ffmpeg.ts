import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { delimiter, isAbsolute, join } from 'node:path';

export type FfmpegSource = 'FFMPEG_PATH' | 'ffmpeg-static' | 'PATH';

export interface FfmpegCandidate {
  path: string;
  source: FfmpegSource;
}

export interface ResolvedFfmpeg extends FfmpegCandidate {
  /** As the binary prints it, e.g. `5.1.9-0+deb12u1`. */
  version: string;
}

/** Decoders of untrusted uploads older than this have published heap-overflow CVEs. */
export const MIN_FFMPEG_MAJOR = 5;

export interface FfmpegLookupOptions {
  /** `config.media.ffmpegPath` (FFMPEG_PATH); tried first whenever it is set. */
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
 * The binaries to try, in the order docs/api.md, Stories and media gives: FFMPEG_PATH, the optional `ffmpeg-static`
 * package (its install downloads a binary and may have failed, so the file must exist), then
 * `ffmpeg` on PATH (e.g. Debian's package).
 */
export function ffmpegCandidates(options: FfmpegLookupOptions): FfmpegCandidate[] {
  const tryRequire = options.tryRequire ?? defaultTryRequire;
  const exists = options.exists ?? existsSync;
  const candidates: FfmpegCandidate[] = [];
  if (options.configured) candidates.push({ path: options.configured, source: 'FFMPEG_PATH' });
  const fromStatic = tryRequire('ffmpeg-static');
  if (typeof fromStatic === 'string' && exists(fromStatic)) {
    candidates.push({ path: fromStatic, source: 'ffmpeg-static' });
  }
  candidates.push({ path: 'ffmpeg', source: 'PATH' });
  return candidates;
}

/** libavcodec's major version of each ffmpeg release line, for builds without a release number. */
const AVCODEC_TO_FFMPEG: Record<number, number> = { 57: 3, 58: 4, 59: 5, 60: 6, 61: 7, 62: 8 };

/**
 * Reads `ffmpeg -version`: the release (`5.1.9-0+deb12u1`, `n7.1`, `6.0-static`) and its major
 * number. Snapshot builds (`N-113253-g…`) carry no release, so their libavcodec decides.
 */
export function parseFfmpegVersion(output: string): { version: string; major: number } | null {
  const version = /ffmpeg version (\S+)/.exec(output)?.[1];
  if (!version) return null;
  const release = /^n?(\d+)\.\d+/.exec(version);
  if (release) return { version, major: Number(release[1]) };
  const avcodec = /libavcodec\s+(\d+)\./.exec(output);
  const major = avcodec ? AVCODEC_TO_FFMPEG[Number(avcodec[1])] : undefined;
  if (major !== undefined) return { version, major };
  if (avcodec && Number(avcodec[1]) > 62) return { version, major: Number(avcodec[1]) - 54 };
  return null;
}

/**
 * Where a found binary is: its own path, or for `ffmpeg` from PATH the first executable of
 * that name on PATH (as the shell would run it), for the start-up line.
 */
export function ffmpegLocation(ffmpeg: FfmpegCandidate, path = process.env.PATH ?? ''): string {
  if (ffmpeg.source !== 'PATH' || isAbsolute(ffmpeg.path)) return ffmpeg.path;
  for (const dir of path.split(delimiter).filter(Boolean)) {
    const file = join(dir, ffmpeg.path);
    try {
      accessSync(file, constants.X_OK);
      if (statSync(file).isFile()) return file;
    } catch {
      // not in this directory
    }
  }
  return ffmpeg.path;
}

export interface FfmpegLookup {
  found: ResolvedFfmpeg | null;
  /** Candidates passed over, each with why (absent, unreadable version, too old). */
  skipped: { candidate: FfmpegCandidate; reason: string }[];
}

/**
 * The first candidate that runs and is version 5.0 or newer. Older or broken binaries are
 * treated as absent (and reported in `skipped`, for the start log).
 */
export async function findFfmpeg(options: FfmpegLookupOptions): Promise<FfmpegLookup> {
  const skipped: FfmpegLookup['skipped'] = [];
  for (const candidate of ffmpegCandidates(options)) {
    const result = await runFfmpeg(candidate.path, ['-hide_banner', '-version'], 10_000, 'stdout');
    if (result.failure) {
      skipped.push({ candidate, reason: `cannot run: ${result.failure.message}` });
      continue;
    }
    const parsed = parseFfmpegVersion(result.output);
    if (!parsed) {
      skipped.push({ candidate, reason: 'unrecognised version output' });
      continue;
    }
    if (parsed.major < MIN_FFMPEG_MAJOR) {
      skipped.push({
        candidate,
        reason: `version ${parsed.version} is older than ${MIN_FFMPEG_MAJOR}.0`,
      });
      continue;
    }
    return { found: { ...candidate, version: parsed.version }, skipped };
  }
  return { found: null, skipped };
}

export interface VideoInfo {
  /** Upright (display) dimensions: a clip recorded in portrait reports portrait sizes. */
  width: number | null;
  height: number | null;
  durationSec: number | null;
  /** Frames per second from the header (average rate, else the stream's base rate). */
  fps: number | null;
}

/** `30`, `29.97`, `1k` (ffmpeg prints thousands with a k). */
function rate(value: string | undefined): number | null {
  if (value === undefined) return null;
  const n = Number(value.replace(/k$/, ''));
  return Number.isFinite(n) ? (value.endsWith('k') ? n * 1000 : n) : null;
}

/**
 * Reads what `ffmpeg -i <file>` prints to stderr. Returns null when ffmpeg found no video
 * stream (not a video, or not one it can read). Cover art (`attached pic`) is not the video.
 */
export function parseFfmpegInfo(stderr: string): VideoInfo | null {
  const lines = stderr.split(/\r?\n/);
  const videoIndex = lines.findIndex(
    (line) => /^\s*Stream #\d+:\d+.*: Video: /.test(line) && !/\(attached pic\)/.test(line),
  );
  if (videoIndex < 0) return null;
  const streamLine = lines[videoIndex];
  // "0x31637661" (codec tags) must not pass for a size, hence no leading zero.
  const size = /[\s,]([1-9]\d*)x([1-9]\d*)[\s,[]/.exec(`${streamLine} `);
  let width = size ? Number(size[1]) : null;
  let height = size ? Number(size[2]) : null;
  const fps =
    rate(/,\s*([\d.]+k?) fps\b/.exec(streamLine)?.[1]) ??
    rate(/,\s*([\d.]+k?) tbr\b/.exec(streamLine)?.[1]);
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
  return { width, height, durationSec, fps };
}

export interface RunResult {
  /** What the process wrote to the stream that was asked for (stderr by default). */
  output: string;
  /** Null when the process ran; the spawn error, timeout or signal otherwise. */
  failure: Error | null;
  exitCode: number | null;
}

/**
 * Runs ffmpeg without a shell; a non-zero exit is reported, not thrown. A run that outlives
 * `timeoutMs` is killed with SIGKILL (a decoder stuck in a hostile file ignores nothing else)
 * and reported as a failure.
 */
export function runFfmpeg(
  binary: string,
  args: string[],
  timeoutMs: number,
  capture: 'stdout' | 'stderr' = 'stderr',
): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(
      binary,
      args,
      {
        timeout: timeoutMs,
        killSignal: 'SIGKILL',
        maxBuffer: 4 * 1024 * 1024,
        windowsHide: true,
        encoding: 'utf8',
        // read when the run starts, so PATH is looked up as it is now
        env: process.env,
      },
      (error, stdout, stderr) => {
        const output = capture === 'stdout' ? stdout : stderr;
        const err = error as (NodeJS.ErrnoException & { killed?: boolean }) | null;
        if (!err) return resolve({ output, failure: null, exitCode: 0 });
        // A numeric code is the exit status of a process that ran; anything else (ENOENT,
        // EACCES, killed by the timeout) means ffmpeg itself could not do its job.
        const ran = typeof err.code === 'number' && !err.killed;
        const failure = err.killed ? new Error(`ffmpeg ran longer than ${timeoutMs} ms`) : err;
        resolve({
          output,
          failure: ran ? null : failure,
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

/**
 * Reads the container header: sizes, rate, duration. Single-threaded and with the default
 * probe limits, so a hostile file costs at most a frame or two of decoding here.
 */
export async function probeVideo(
  binary: string,
  file: string,
  timeoutMs: number,
): Promise<ProbeResult> {
  // Without an output ffmpeg exits 1 ("At least one output file must be specified") after
  // printing the input's description, which is all that is needed here.
  const result = await runFfmpeg(
    binary,
    ['-hide_banner', '-nostdin', '-threads', '1', '-i', file],
    timeoutMs,
  );
  if (result.failure) {
    return { ok: false, reason: 'ffmpeg-unavailable', detail: result.failure.message };
  }
  const info = parseFfmpegInfo(result.output);
  if (!info) {
    const lastLine = result.output.trim().split(/\r?\n/).pop() ?? '';
    return { ok: false, reason: 'not-a-video', detail: lastLine };
  }
  return { ok: true, info };
}

/** Container formats a stored video is written back in (same as the upload's). */
export type VideoContainer = 'mp4' | 'mov' | 'webm';

/**
 * Copies `input` to `output` without re-encoding and without metadata: no global or stream
 * tags (location atoms such as `©xyz`, device make and model, creation times), no chapters,
 * no data or subtitle tracks (GPS tracks live there), no cover art; only the video and audio
 * streams. The display matrix travels with the video stream as side data, so a portrait clip
 * still plays upright.
 */
export async function remuxWithoutMetadata(
  binary: string,
  input: string,
  output: string,
  container: VideoContainer,
  timeoutMs: number,
): Promise<{ ok: boolean; detail: string }> {
  const args = [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    '-y',
    '-i',
    input,
    '-map',
    '0:V',
    '-map',
    '0:a?',
    '-c',
    'copy',
    '-map_metadata',
    '-1',
    '-map_metadata:s',
    '-1',
    '-map_chapters',
    '-1',
    '-fflags',
    '+bitexact',
    ...(container === 'webm' ? [] : ['-movflags', '+faststart']),
    '-f',
    container,
    output,
  ];
  return finished(await runFfmpeg(binary, args, timeoutMs), output);
}

/**
 * Writes one frame of `input` as a JPEG fitting inside `box`×`box` (never enlarged): the frame
 * at `atSec`, or the first frame when atSec is 0. ffmpeg applies the rotation metadata itself.
 * Resolves ok: false (never throws) when no frame was written.
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
    '-threads',
    '1',
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
  return finished(await runFfmpeg(binary, args, timeoutMs), output);
}

async function finished(
  result: RunResult,
  output: string,
): Promise<{ ok: boolean; detail: string }> {
  if (result.failure) return { ok: false, detail: result.failure.message };
  if (result.exitCode !== 0) {
    return { ok: false, detail: result.output.trim().split(/\r?\n/).pop() ?? '' };
  }
  // Seeking past the end "succeeds" without writing anything.
  const written = await stat(output).catch(() => null);
  if (!written || written.size === 0) return { ok: false, detail: 'nothing was written' };
  return { ok: true, detail: '' };
}
