import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { ffmpegLocation } from '../media/ffmpeg';
import { loadConfig } from './app-config';
import { startUpSummary } from './start-up';

const FFMPEG = { path: '/opt/ffmpeg/bin/ffmpeg', source: 'FFMPEG_PATH' as const, version: '7.1' };

describe('the start-up line', () => {
  it('names the address, Swagger UI, the SQLite file, ffmpeg and what is off', () => {
    const config = loadConfig({ PORT: '4100', SQLITE_PATH: './data/x.sqlite' });
    const { message, fields } = startUpSummary(config, FFMPEG, 'api');
    expect(message).toBe(
      'Story Book API on port 4100: http://localhost:4100, Swagger UI http://localhost:4100/docs; ' +
        `database sqlite ${resolve('./data/x.sqlite')}; ffmpeg 7.1 at /opt/ffmpeg/bin/ffmpeg; ` +
        'push off, Redis off, S3 off; jobs run here',
    );
    expect(fields).toEqual({
      url: 'http://localhost:4100',
      docs: 'http://localhost:4100/docs',
      database: `sqlite ${resolve('./data/x.sqlite')}`,
      ffmpeg: { version: '7.1', path: '/opt/ffmpeg/bin/ffmpeg' },
      push: false,
      redis: null,
      s3: null,
    });
  });

  it('names MySQL, Redis and the bucket without users, passwords or keys', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      JWT_SECRET: 'x'.repeat(40),
      PROCESS_ROLE: 'api',
      PUBLIC_BASE_URL: 'https://api.example.com/',
      SWAGGER_ENABLED: 'false',
      DATABASE_URL: 'mariadb://storybook:db-password-1@db.internal:3307/storybook',
      REDIS_URL: 'redis://:redis-password-2@cache.internal:6380/0',
      STORAGE_DRIVER: 's3',
      S3_BUCKET: 'story-media',
      S3_ACCESS_KEY_ID: 'AKIAEXAMPLEKEY',
      S3_SECRET_ACCESS_KEY: 's3-secret-3',
    });
    const { message, fields } = startUpSummary(config, null, 'api');
    expect(message).toBe(
      'Story Book API on port 3000: https://api.example.com; ' +
        'database mariadb db.internal:3307/storybook; no ffmpeg (videos refused); ' +
        'push off, Redis on (cache.internal:6380, prefix storybook), S3 on (bucket story-media); ' +
        'jobs run by workers',
    );
    expect(fields.docs).toBeNull();
    const all = JSON.stringify({ message, fields });
    for (const secret of [
      'db-password-1',
      'redis-password-2',
      's3-secret-3',
      'AKIA',
      'storybook:',
    ]) {
      expect(all).not.toContain(secret);
    }
    const worker = startUpSummary(config, FFMPEG, 'worker');
    expect(worker.message).toBe(
      'Story Book worker running jobs; database mariadb db.internal:3307/storybook; ' +
        'ffmpeg 7.1 at /opt/ffmpeg/bin/ffmpeg; ' +
        'push off, Redis on (cache.internal:6380, prefix storybook), S3 on (bucket story-media)',
    );
  });

  it('finds the file behind `ffmpeg` from PATH, as the shell would', () => {
    const dir = mkdtempSync(join(tmpdir(), 'storybook-path-'));
    try {
      const [notExecutable, bin] = [join(dir, 'a'), join(dir, 'b')];
      for (const [folder, mode] of [
        [notExecutable, 0o644],
        [bin, 0o755],
      ] as const) {
        mkdirSync(folder);
        writeFileSync(join(folder, 'ffmpeg'), '#!/bin/sh\n');
        chmodSync(join(folder, 'ffmpeg'), mode);
      }
      const onPath = { path: 'ffmpeg', source: 'PATH' as const };
      const path = [join(dir, 'missing'), notExecutable, bin].join(delimiter);
      expect(ffmpegLocation(onPath, path)).toBe(join(bin, 'ffmpeg'));
      expect(ffmpegLocation(onPath, notExecutable)).toBe('ffmpeg');
      expect(ffmpegLocation(FFMPEG, bin)).toBe(FFMPEG.path);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
