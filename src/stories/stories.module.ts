import { forwardRef, Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { TypeOrmModule } from '@nestjs/typeorm';
import { GuidesModule } from '../guides/guides.module';
import { MediaModule } from '../media/media.module';
import { Region } from '../regions/entities/region.entity';
import { RegionsModule } from '../regions/regions.module';
import { CommentsController } from './comments.controller';
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
import { StoriesService } from './stories.service';
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
      Region,
    ]),
    // guides and regions show story summaries, and stories check guides and regions
    forwardRef(() => GuidesModule),
    forwardRef(() => RegionsModule),
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
    StoriesService,
    StoryVideoJobs,
    ReactionsService,
    CommentsService,
  ],
  exports: [StoriesService, CommentsService],
})
export class StoriesModule {}
