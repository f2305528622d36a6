import { existsSync } from 'node:fs';
import { parseFfmpegInfo, probeVideo, resolveFfmpeg } from './ffmpeg';

describe('resolveFfmpeg', () => {
  const installed = (modules: Record<string, unknown>) => (id: string) => modules[id];
  const files =
    (...present: string[]) =>
    (path: string) =>
      present.includes(path);
  const everything = installed({
    'ffmpeg-static': '/static/ffmpeg',
    '@ffmpeg-installer/ffmpeg': { path: '/installer/ffmpeg' },
  });

  it('prefers FFMPEG_PATH over every package', () => {
    expect(
      resolveFfmpeg({
        configured: '/opt/ffmpeg',
        tryRequire: everything,
        exists: files('/static/ffmpeg', '/installer/ffmpeg'),
      }),
    ).toEqual({ path: '/opt/ffmpeg', source: 'FFMPEG_PATH' });
  });

  it('then ffmpeg-static, when its binary was downloaded', () => {
    expect(
      resolveFfmpeg({
        configured: null,
        tryRequire: everything,
        exists: files('/static/ffmpeg', '/installer/ffmpeg'),
      }),
    ).toEqual({ path: '/static/ffmpeg', source: 'ffmpeg-static' });
  });

  it('skips ffmpeg-static when its binary is missing or the package is absent', () => {
    const expected = { path: '/installer/ffmpeg', source: '@ffmpeg-installer/ffmpeg' };
    expect(
      resolveFfmpeg({
        configured: null,
        tryRequire: everything,
        exists: files('/installer/ffmpeg'),
      }),
    ).toEqual(expected);
    expect(
      resolveFfmpeg({
        configured: null,
        tryRequire: installed({ '@ffmpeg-installer/ffmpeg': { path: '/installer/ffmpeg' } }),
        exists: files('/static/ffmpeg', '/installer/ffmpeg'),
      }),
    ).toEqual(expected);
    // ffmpeg-static exports null on platforms it has no binary for.
    expect(
      resolveFfmpeg({
        configured: null,
        tryRequire: installed({
          'ffmpeg-static': null,
          '@ffmpeg-installer/ffmpeg': { path: '/installer/ffmpeg' },
        }),
        exists: files('/installer/ffmpeg'),
      }),
    ).toEqual(expected);
  });

  it('falls back to ffmpeg on PATH', () => {
    expect(resolveFfmpeg({ configured: null, tryRequire: everything, exists: files() })).toEqual({
      path: 'ffmpeg',
      source: 'PATH',
    });
    expect(
      resolveFfmpeg({ configured: null, tryRequire: installed({}), exists: () => true }),
    ).toEqual({ path: 'ffmpeg', source: 'PATH' });
  });

  it('finds a binary that exists in this checkout', () => {
    const found = resolveFfmpeg({ configured: null });
    expect(found.source).not.toBe('FFMPEG_PATH');
    if (found.source !== 'PATH') expect(existsSync(found.path)).toBe(true);
  });
});

describe('parseFfmpegInfo', () => {
  const header = `Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'x.mp4':
  Metadata:
    major_brand     : isom
  Duration: 00:01:02.52, start: 0.000000, bitrate: 97 kb/s`;

  it('reads size and duration, not the codec tag', () => {
    const stderr = `${header}
    Stream #0:0(und): Video: h264 (High) (avc1 / 0x31637661), yuv420p, 1920x1080 [SAR 1:1 DAR 16:9], 82 kb/s, 25 fps
    Stream #0:1(und): Audio: aac (LC) (mp4a / 0x6134706D), 44100 Hz, stereo, fltp, 128 kb/s
At least one output file must be specified`;
    expect(parseFfmpegInfo(stderr)).toEqual({ width: 1920, height: 1080, durationSec: 62.52 });
  });

  it('swaps sizes for clips rotated a quarter turn (old and new ffmpeg wording)', () => {
    const old = `${header}
    Stream #0:0(und): Video: hevc (Main) (hvc1 / 0x31637668), yuv420p(tv), 1920x1080, 30 fps
    Metadata:
      rotate          : 90
      handler_name    : Core Media Video`;
    const current = `${header}
  Stream #0:0[0x1](und): Video: h264 (avc1 / 0x31637661), yuv420p(progressive), 1280x720, 30 fps
      Metadata:
        handler_name    : VideoHandler
      Side data:
        displaymatrix: rotation of -90.00 degrees`;
    const halfTurn = old.replace('rotate          : 90', 'rotate          : 180');
    expect(parseFfmpegInfo(old)).toMatchObject({ width: 1080, height: 1920 });
    expect(parseFfmpegInfo(current)).toMatchObject({ width: 720, height: 1280 });
    expect(parseFfmpegInfo(halfTurn)).toMatchObject({ width: 1920, height: 1080 });
  });

  it('gives a null duration when the container has none (WebM from MediaRecorder)', () => {
    const stderr = `Input #0, matroska,webm, from 'x.webm':
  Duration: N/A, start: 0.000000, bitrate: N/A
    Stream #0:0(eng): Video: vp8, yuv420p(progressive), 640x480, SAR 1:1 DAR 4:3, 30 fps (default)`;
    expect(parseFfmpegInfo(stderr)).toEqual({ width: 640, height: 480, durationSec: null });
  });

  it('answers null when there is no video stream', () => {
    expect(parseFfmpegInfo(`x.mp4: Invalid data found when processing input`)).toBeNull();
    expect(
      parseFfmpegInfo(`${header}
    Stream #0:0(und): Audio: aac (LC) (mp4a / 0x6134706D), 44100 Hz, stereo, fltp`),
    ).toBeNull();
  });
});

describe('probeVideo', () => {
  it('reports a binary that cannot run as unavailable, not as a bad file', async () => {
    const result = await probeVideo('/nonexistent/ffmpeg', __filename, 5000);
    expect(result).toMatchObject({ ok: false, reason: 'ffmpeg-unavailable' });
  });

  it('reports a file without video as not-a-video', async () => {
    const result = await probeVideo(resolveFfmpeg({ configured: null }).path, __filename, 10_000);
    expect(result).toMatchObject({ ok: false, reason: 'not-a-video' });
  });
});
