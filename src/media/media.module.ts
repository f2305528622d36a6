import { Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { LocalDiskStorage, MediaStorage } from './media-storage';
import { MediaTempSweeper } from './media-temp-sweeper';
import { MediaUploadInterceptor } from './media-upload.interceptor';
import { MediaWorkLimiter } from './media-work-limiter';
import { MediaService } from './media.service';
import { UploadSlots } from './upload-slots';

/**
 * Media files, and nothing about what they belong to: upload parsing
 * (MediaUploadInterceptor, with UploadSlots capping uploads per user), validation, metadata
 * stripping and thumbnails (MediaService, bounded by MediaWorkLimiter), where the files live
 * (MediaStorage: local disk, or an S3 bucket with STORAGE_DRIVER=s3), and the removal of temp
 * files a crash left behind (MediaTempSweeper).
 */
@Module({
  providers: [
    {
      provide: MediaStorage,
      inject: [APP_CONFIG],
      // the AWS SDK is loaded only when it is used (it adds to every start otherwise)
      useFactory: async (config: AppConfig): Promise<MediaStorage> =>
        config.storage.driver === 's3'
          ? new (await import('./s3-media-storage')).S3MediaStorage(config)
          : new LocalDiskStorage(config),
    },
    MediaWorkLimiter,
    MediaService,
    MediaUploadInterceptor,
    UploadSlots,
    MediaTempSweeper,
  ],
  exports: [MediaStorage, MediaService, MediaUploadInterceptor, UploadSlots],
})
export class MediaModule {}
