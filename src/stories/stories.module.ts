import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Comment } from './entities/comment.entity';
import { StoryBookmark } from './entities/story-bookmark.entity';
import { StoryLike } from './entities/story-like.entity';
import { StoryTag } from './entities/story-tag.entity';
import { StoryView } from './entities/story-view.entity';
import { Story } from './entities/story.entity';

@Module({
  imports: [
    TypeOrmModule.forFeature([Story, StoryTag, StoryLike, StoryBookmark, StoryView, Comment]),
  ],
})
export class StoriesModule {}
