import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Media } from './entities/media.entity';
import { LocalDiskStorage, MediaStorage } from './media-storage';
import { MediaTempSweeper } from './media-temp-sweeper';
import { MediaUploadInterceptor } from './media-upload.interceptor';
import { MediaService } from './media.service';
import { UploadSlots } from './upload-slots';

/**
 * Media files: upload parsing (MediaUploadInterceptor, with UploadSlots capping uploads per
 * user), validation and thumbnails (MediaService), where the files live (MediaStorage, local
 * disk for now; bind another implementation here for object storage), and the removal of temp
 * files a crash left behind (MediaTempSweeper).
 */
@Module({
  imports: [TypeOrmModule.forFeature([Media])],
  providers: [
    { provide: MediaStorage, useClass: LocalDiskStorage },
    MediaService,
    MediaUploadInterceptor,
    UploadSlots,
    MediaTempSweeper,
  ],
  exports: [TypeOrmModule, MediaStorage, MediaService, MediaUploadInterceptor, UploadSlots],
})
export class MediaModule {}
