import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ffmpegBinary, mp4WithLocation, VIDEO_SECRETS } from './support/media';
import { freePort, listening, startServer, waitFor } from './support/server-process';
import { freshDatabase, TEST_JWT_SECRET } from './support/test-app';

const ADMIN_KAKAO_ID = '880000001';

/**
 * docs/api.md, Stories and media: "A job that was queued when the process stopped still runs after the next start."
 * The embedded default (in-process jobs) killed with SIGKILL while ffmpeg works on a video,
 * then started again on the same database and folder: the video becomes `ready`.
 */
describe('video jobs survive a crash (kill -9) of the embedded runner', () => {
  let dir: string;
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let stuckPid: number | null = null;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'storybook-crash-'));
    db = await freshDatabase();
  });
  afterAll(async () => {
    if (stuckPid !== null) {
      try {
        process.kill(stuckPid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a video being processed at the crash is processed after the restart', async () => {
    // first life: ffmpeg "hangs" in the remux, as a slow job would, and says when it started
    const wrapper = join(dir, 'ffmpeg');
    const started = join(dir, 'remux-started');
    writeFileSync(
      wrapper,
      [
        '#!/bin/sh',
        `case "$*" in *"-c copy"*) echo $$ > "${started}"; exec sleep 120;; esac`,
        `exec "${ffmpegBinary()}" "$@"`,
        '',
      ].join('\n'),
    );
    chmodSync(wrapper, 0o755);
    const env = {
      JWT_SECRET: TEST_JWT_SECRET,
      AUTH_DEV_LOGIN: 'true',
      ADMIN_KAKAO_IDS: ADMIN_KAKAO_ID,
      RATE_LIMIT_ENABLED: 'false',
      LOG_LEVEL: 'info',
      UPLOAD_DIR: join(dir, 'uploads'),
      SQLITE_PATH: join(dir, 'app.sqlite'),
      ...db.env,
    };
    const port = await freePort();
    const base = `http://127.0.0.1:${port}/api/v1`;
    const first = startServer({ ...env, PORT: String(port), FFMPEG_PATH: wrapper });
    let storyId: number;
    let mediaId: number;
    try {
      await listening(first);
      const login = async (kakaoId: string, nickname: string) => {
        const res = await fetch(`${base}/auth/dev-login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ kakaoId, nickname }),
        });
        expect(res.status).toBe(200);
        return {
          authorization: `Bearer ${((await res.json()) as { accessToken: string }).accessToken}`,
        };
      };
      const admin = await login(ADMIN_KAKAO_ID, 'admin');
      const guide = await login('880000002', 'crashguide');
      const regions = (await (await fetch(`${base}/regions`)).json()) as { id: number }[];
      const applied = await fetch(`${base}/guides/apply`, {
        method: 'POST',
        headers: { ...guide, 'content-type': 'application/json' },
        body: JSON.stringify({
          introduction: 'I show people the old harbour.',
          languages: ['ko'],
          regionIds: [regions[0].id],
        }),
      });
      expect(applied.status).toBe(201);
      const { id: guideId } = (await applied.json()) as { id: number };
      const approved = await fetch(`${base}/admin/guides/${guideId}/approve`, {
        method: 'POST',
        headers: admin,
      });
      expect(approved.status).toBe(200);

      const form = new FormData();
      form.set('title', 'Harbour at night');
      form.set('content', 'Boats and lights.');
      form.set('category', 'nature');
      form.set('regionId', String(regions[0].id));
      form.set('media', new Blob([await mp4WithLocation()], { type: 'video/mp4' }), 'boat.mp4');
      const created = await fetch(`${base}/stories`, {
        method: 'POST',
        headers: guide,
        body: form,
      });
      expect(created.status).toBe(201);
      const story = (await created.json()) as {
        id: number;
        media: { id: number; status: string }[];
      };
      storyId = story.id;
      mediaId = story.media[0].id;
      expect(story.media[0].status).toBe('processing');

      await waitFor(() => existsSync(started), 'the job to start its remux');
      stuckPid = Number(readFileSync(started, 'utf8').trim());
    } finally {
      first.child.kill('SIGKILL');
    }
    await first.exited;

    // second life, with the real ffmpeg: the job is found again from the rows and runs
    const second = startServer({ ...env, PORT: String(port) });
    try {
      await listening(second);
      let media: { id: number; status: string; url: string | null } | undefined;
      await waitFor(
        async () => {
          const res = await fetch(`${base}/stories/${storyId}`);
          const body = (await res.json()) as { media: (typeof media)[] };
          media = body.media.find((m) => m?.id === mediaId);
          return media?.status === 'ready';
        },
        'the video to become ready after the restart',
        90_000,
      );
      expect(second.output().stdout).toContain('Resuming 1 video(s) still processing');
      const served = Buffer.from(
        await (await fetch(`http://127.0.0.1:${port}${media?.url}`)).arrayBuffer(),
      );
      expect(served.length).toBeGreaterThan(0);
      expect(served.includes(VIDEO_SECRETS.location)).toBe(false);
      expect(readdirSync(join(dir, 'uploads', 'incoming'))).toEqual([]);
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  }, 300_000);
});
