import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { TypeOrmModule } from '@nestjs/typeorm';
import { GuidesModule } from '../guides/guides.module';
import { MediaModule } from '../media/media.module';
import { RegionsModule } from '../regions/regions.module';
import { UsersModule } from '../users/users.module';
import { CommentsController } from './comments.controller';
import { CommentsRepository } from './comments.repository';
import { CommentsService } from './comments.service';
import { Comment } from './entities/comment.entity';
import { StoryBookmark } from './entities/story-bookmark.entity';
import { StoryMedia } from './entities/story-media.entity';
import { StoryLike } from './entities/story-like.entity';
import { StoryTag } from './entities/story-tag.entity';
import { StoryView } from './entities/story-view.entity';
import { Story } from './entities/story.entity';
import { MyStoriesController } from './my-stories.controller';
import { MyReactionsController, ReactionsController } from './reactions.controller';
import { ReactionsService } from './reactions.service';
import { StoriesController } from './stories.controller';
import { StoriesRepository } from './stories.repository';
import { StoriesService } from './stories.service';
import { StoryReadsRepository } from './story-reads.repository';
import { StoryUploadGuard } from './story-upload.guard';
import { StoryVideoJobs } from './story-video.jobs';

@Module({
  imports: [
    TypeOrmModule.forFeature([
      Story,
      StoryTag,
      StoryLike,
      StoryBookmark,
      StoryView,
      Comment,
      StoryMedia,
    ]),
    GuidesModule,
    RegionsModule,
    UsersModule,
    MediaModule,
    AuditModule,
  ],
  controllers: [
    MyStoriesController,
    StoriesController,
    ReactionsController,
    MyReactionsController,
    CommentsController,
  ],
  providers: [
    StoryUploadGuard,
    StoriesRepository,
    StoryReadsRepository,
    CommentsRepository,
    StoriesService,
    StoryVideoJobs,
    ReactionsService,
    CommentsService,
  ],
  exports: [StoriesService, CommentsService],
})
export class StoriesModule {}
