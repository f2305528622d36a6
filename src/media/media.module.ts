import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Media } from './entities/media.entity';
import { LocalDiskStorage, MediaStorage } from './media-storage';
import { MediaUploadInterceptor } from './media-upload.interceptor';
import { MediaService } from './media.service';

/**
 * Media files: upload parsing (MediaUploadInterceptor), validation and thumbnails
 * (MediaService), and where the files live (MediaStorage, local disk for now; bind another
 * implementation here for object storage).
 */
@Module({
  imports: [TypeOrmModule.forFeature([Media])],
  providers: [
    { provide: MediaStorage, useClass: LocalDiskStorage },
    MediaService,
    MediaUploadInterceptor,
  ],
  exports: [TypeOrmModule, MediaStorage, MediaService, MediaUploadInterceptor],
})
export class MediaModule {}
