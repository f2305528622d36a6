import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  utimesSync,
  watch,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config/app-config';
import { mediaTempDir } from './media-storage';
import { MediaTempSweeper } from './media-temp-sweeper';

describe('MediaTempSweeper', () => {
  let root: string;
  let tempDir: string;
  let sweeper: MediaTempSweeper | null = null;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'media-sweep-'));
    tempDir = mediaTempDir(loadConfig({ UPLOAD_DIR: root }));
    mkdirSync(tempDir, { recursive: true });
  });
  afterEach(() => {
    sweeper?.onModuleDestroy();
    sweeper = null;
    rmSync(root, { recursive: true, force: true });
  });

  const start = async (intervalMs?: number) => {
    sweeper = new MediaTempSweeper(loadConfig({ UPLOAD_DIR: root }), intervalMs);
    await sweeper.onModuleInit();
    return sweeper;
  };

  function plant(name: string, ageMs = 0): string {
    const path = join(tempDir, name);
    writeFileSync(path, Buffer.alloc(2048));
    if (ageMs > 0) {
      const then = new Date(Date.now() - ageMs);
      utimesSync(path, then, then);
    }
    return path;
  }

  /** Resolves when `path` is gone (watching its directory, not polling). */
  async function removal(path: string, timeoutMs = 5000): Promise<void> {
    const watcher = watch(tempDir);
    try {
      await new Promise<void>((resolve, reject) => {
        const check = () => {
          if (existsSync(path)) return;
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => reject(new Error(`${path} was not removed`)), timeoutMs);
        watcher.on('change', check);
        check();
      });
    } finally {
      watcher.close();
    }
  }

  it('removes at start what an earlier process left, however recent', async () => {
    plant('a'.repeat(32));
    plant('b'.repeat(32), 5 * 60_000);
    mkdirSync(join(tempDir, 'half-made-dir'));
    await start();
    expect(readdirSync(tempDir)).toEqual([]);
  });

  it('starts on a missing temp dir without failing', async () => {
    rmSync(tempDir, { recursive: true });
    await expect(start()).resolves.toBeInstanceOf(MediaTempSweeper);
  });

  it('then, on its interval, removes files untouched for an hour and keeps newer ones', async () => {
    await start(50);
    const fresh = plant('c'.repeat(32), 59 * 60_000);
    const stale = plant('d'.repeat(32), 61 * 60_000);
    await removal(stale);
    expect(readdirSync(tempDir)).toEqual(['c'.repeat(32)]);
    expect(existsSync(fresh)).toBe(true);
  });
});
