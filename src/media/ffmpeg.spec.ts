import { ffmpegCandidates, parseFfmpegInfo, parseFfmpegVersion, probeVideo } from './ffmpeg';

describe('ffmpegCandidates', () => {
  const installed = (modules: Record<string, unknown>) => (id: string) => modules[id];
  const files =
    (...present: string[]) =>
    (path: string) =>
      present.includes(path);
  const everything = installed({
    'ffmpeg-static': '/static/ffmpeg',
    '@ffmpeg-installer/ffmpeg': { path: '/installer/ffmpeg' },
  });

  it('tries FFMPEG_PATH, then ffmpeg-static, then PATH (never @ffmpeg-installer)', () => {
    expect(
      ffmpegCandidates({
        configured: '/opt/ffmpeg',
        tryRequire: everything,
        exists: files('/static/ffmpeg', '/installer/ffmpeg'),
      }),
    ).toEqual([
      { path: '/opt/ffmpeg', source: 'FFMPEG_PATH' },
      { path: '/static/ffmpeg', source: 'ffmpeg-static' },
      { path: 'ffmpeg', source: 'PATH' },
    ]);
  });

  it('skips ffmpeg-static when its binary is missing or the package is absent', () => {
    const pathOnly = [{ path: 'ffmpeg', source: 'PATH' }];
    expect(ffmpegCandidates({ configured: null, tryRequire: everything, exists: files() })).toEqual(
      pathOnly,
    );
    expect(
      ffmpegCandidates({ configured: null, tryRequire: installed({}), exists: () => true }),
    ).toEqual(pathOnly);
    // ffmpeg-static exports null on platforms it has no binary for.
    expect(
      ffmpegCandidates({
        configured: null,
        tryRequire: installed({ 'ffmpeg-static': null }),
        exists: () => true,
      }),
    ).toEqual(pathOnly);
  });
});

describe('parseFfmpegVersion', () => {
  it('reads release numbers as distributions and static builds print them', () => {
    expect(parseFfmpegVersion('ffmpeg version 5.1.9-0+deb12u1 Copyright (c) 2000-2026')).toEqual({
      version: '5.1.9-0+deb12u1',
      major: 5,
    });
    expect(parseFfmpegVersion('ffmpeg version n7.1 Copyright')).toMatchObject({ major: 7 });
    expect(parseFfmpegVersion('ffmpeg version 6.0-static https://johnvansickle.com')).toMatchObject(
      { major: 6 },
    );
    // the @ffmpeg-installer snapshot this project used to ship
    expect(
      parseFfmpegVersion('ffmpeg version 4.1.3-static\nlibavcodec     58. 42.100 / 58. 42.100'),
    ).toMatchObject({ major: 4 });
  });

  it('dates snapshot builds by their libavcodec', () => {
    const snapshot = (avcodec: number) =>
      parseFfmpegVersion(
        `ffmpeg version N-113253-g1234abcd-20240101 Copyright\nlibavcodec     ${avcodec}. 31.102`,
      );
    expect(snapshot(58)).toMatchObject({ major: 4 });
    expect(snapshot(60)).toMatchObject({ major: 6 });
    expect(snapshot(64)).toMatchObject({ major: 10 });
    expect(parseFfmpegVersion('ffmpeg version N-1-gabc Copyright')).toBeNull();
    expect(parseFfmpegVersion('not ffmpeg at all')).toBeNull();
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
    expect(parseFfmpegInfo(stderr)).toEqual({
      width: 1920,
      height: 1080,
      durationSec: 62.52,
      fps: 25,
    });
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
    expect(parseFfmpegInfo(stderr)).toEqual({
      width: 640,
      height: 480,
      durationSec: null,
      fps: 30,
    });
  });

  it('reads the frame rate, in thousands too, and skips cover art', () => {
    const fast = `${header}
  Stream #0:0[0x1](und): Video: h264 (Constrained Baseline) (avc1 / 0x31637661), yuv420p(progressive), 3840x2160 [SAR 1:1 DAR 16:9], 157 kb/s, 600 fps, 600 tbr, 19200 tbn (default)`;
    expect(parseFfmpegInfo(fast)).toMatchObject({ width: 3840, height: 2160, fps: 600 });
    const thousand = fast.replace('600 fps, 600 tbr', '1k fps, 1k tbr');
    expect(parseFfmpegInfo(thousand)?.fps).toBe(1000);
    const onlyBaseRate = fast.replace('600 fps, ', '');
    expect(parseFfmpegInfo(onlyBaseRate)?.fps).toBe(600);
    const withCover = `${header}
  Stream #0:0: Video: mjpeg (Baseline), yuvj420p(pc), 600x600, 90k tbr, 90k tbn (attached pic)
  Stream #0:1: Video: h264 (High), yuv420p, 1280x720, 30 fps, 30 tbr, 15360 tbn`;
    expect(parseFfmpegInfo(withCover)).toMatchObject({ width: 1280, height: 720, fps: 30 });
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
    const result = await probeVideo('ffmpeg', __filename, 10_000);
    expect(result).toMatchObject({ ok: false, reason: 'not-a-video' });
  });
});
