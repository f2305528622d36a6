import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Media } from './entities/media.entity';
import { LocalDiskStorage, MediaStorage } from './media-storage';
import { MediaUploadInterceptor } from './media-upload.interceptor';
import { MediaService } from './media.service';
import { UploadSlots } from './upload-slots';

/**
 * Media files: upload parsing (MediaUploadInterceptor, with UploadSlots capping uploads per
 * user), validation and thumbnails (MediaService), and where the files live (MediaStorage,
 * local disk for now; bind another implementation here for object storage).
 */
@Module({
  imports: [TypeOrmModule.forFeature([Media])],
  providers: [
    { provide: MediaStorage, useClass: LocalDiskStorage },
    MediaService,
    MediaUploadInterceptor,
    UploadSlots,
  ],
  exports: [TypeOrmModule, MediaStorage, MediaService, MediaUploadInterceptor, UploadSlots],
})
export class MediaModule {}
