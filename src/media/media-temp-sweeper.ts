import {
  Inject,
  Injectable,
  Logger,
  OnModuleDestroy,
  OnModuleInit,
  Optional,
} from '@nestjs/common';
import { lstat, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { AppConfig } from '../config/app-config';
import { InjectConfig } from '../config/config.module';
import { mediaTempDir } from './media-storage';

const HOUR_MS = 60 * 60 * 1000;

/** How often the stale temp files are looked for (default: hourly); a token for tests. */
export const MEDIA_TEMP_SWEEP_INTERVAL_MS = Symbol('MEDIA_TEMP_SWEEP_INTERVAL_MS');

/**
 * Removes upload temp files that no request will finish (docs/api.md, Operations): a process killed mid-upload
 * (kill -9, out of memory, power) leaves its half-written files in the temp dir, and nothing
 * else ever deletes them.
 *
 * - At start, whatever was last modified before this process started: no request of this
 *   process wrote it. (Another process sharing UPLOAD_DIR keeps what it is writing now.)
 * - Then hourly, whatever has not been modified for an hour: a live upload writes all the
 *   time, and one that stalls is ended long before (UPLOAD_STALL_TIMEOUT_MS).
 */
@Injectable()
export class MediaTempSweeper implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(MediaTempSweeper.name);
  private readonly dir: string;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    @InjectConfig() config: AppConfig,
    @Optional()
    @Inject(MEDIA_TEMP_SWEEP_INTERVAL_MS)
    private readonly intervalMs: number = HOUR_MS,
  ) {
    this.dir = mediaTempDir(config);
  }

  async onModuleInit(): Promise<void> {
    const startedAt = Date.now();
    await this.removeModifiedBefore(startedAt, 'left by an earlier process');
    this.timer = setInterval(() => void this.sweepStale(), this.intervalMs);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Removes temp files not modified for an hour; resolves with how many went. */
  sweepStale(): Promise<number> {
    return this.removeModifiedBefore(Date.now() - HOUR_MS, 'untouched for an hour');
  }

  private async removeModifiedBefore(time: number, why: string): Promise<number> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0; // nothing uploaded yet
      this.logger.error(`Cannot read ${this.dir}: ${(error as Error).message}`);
      return 0;
    }
    let removed = 0;
    for (const name of names) {
      const path = join(this.dir, name);
      try {
        const stats = await lstat(path);
        if (stats.mtimeMs >= time) continue;
        await rm(path, { recursive: true, force: true });
        removed += 1;
      } catch (error) {
        // gone meanwhile (its request finished) or not ours to remove: the next sweep sees it
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
          this.logger.warn(`Cannot remove temp file ${name}: ${(error as Error).message}`);
        }
      }
    }
    if (removed > 0) this.logger.log(`Removed ${removed} upload temp file(s) ${why}`);
    return removed;
  }
}
