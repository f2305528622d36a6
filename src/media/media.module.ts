import { Module } from '@nestjs/common';
import { LocalDiskStorage, MediaStorage } from './media-storage';
import { MediaUploadInterceptor } from './media-upload.interceptor';
import { MediaWorkLimiter } from './media-work-limiter';
import { MediaService } from './media.service';

/**
 * Media files, and nothing about what they belong to: upload parsing
 * (MediaUploadInterceptor), validation, metadata stripping and thumbnails (MediaService,
 * bounded by MediaWorkLimiter), and where the files live (MediaStorage, local disk for now;
 * bind another implementation here for object storage).
 */
@Module({
  providers: [
    { provide: MediaStorage, useClass: LocalDiskStorage },
    MediaWorkLimiter,
    MediaService,
    MediaUploadInterceptor,
  ],
  exports: [MediaStorage, MediaService, MediaUploadInterceptor],
})
export class MediaModule {}
