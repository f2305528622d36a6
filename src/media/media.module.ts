import { Module } from '@nestjs/common';
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
 * (MediaStorage, local disk for now; bind another implementation here for object storage),
 * and the removal of temp files a crash left behind (MediaTempSweeper).
 */
@Module({
  providers: [
    { provide: MediaStorage, useClass: LocalDiskStorage },
    MediaWorkLimiter,
    MediaService,
    MediaUploadInterceptor,
    UploadSlots,
    MediaTempSweeper,
  ],
  exports: [MediaStorage, MediaService, MediaUploadInterceptor, UploadSlots],
})
export class MediaModule {}
