import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import type { AppConfig } from '../config/app-config';
import { InjectConfig } from '../config/config.module';
import { MediaStorage } from '../media/media-storage';

/** The media bucket (STORAGE_DRIVER=s3): a HEAD on it within `timeoutMs`. */
@Injectable()
export class StorageHealthIndicator {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly storage: MediaStorage,
    private readonly indicators: HealthIndicatorService,
  ) {}

  /** False on local disk: there is nothing remote to check. */
  get configured(): boolean {
    return this.config.storage.driver === 's3';
  }

  async check(key: string, timeoutMs: number) {
    const indicator = this.indicators.check(key);
    try {
      await this.storage.check(timeoutMs);
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    }
  }
}
