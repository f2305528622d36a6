import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AuthUser } from '../common/decorators/current-user.decorator';
import { Page, PageQueryDto, toPage } from '../common/pagination/cursor';
import { runInTransaction } from '../database/transaction';
import type { BookmarkStateDto, LikeStateDto } from './dto/reaction.dto';
import type { StorySummaryDto } from './dto/story.dto';
import { StoryBookmark } from './entities/story-bookmark.entity';
import { StoryLike } from './entities/story-like.entity';
import { StoriesRepository } from './stories.repository';
import { StoriesService } from './stories.service';

type ReactionEntity = typeof StoryLike | typeof StoryBookmark;

const COUNTER = new Map<ReactionEntity, 'like_count' | 'bookmark_count'>([
  [StoryLike, 'like_count'],
  [StoryBookmark, 'bookmark_count'],
]);

interface ReactionState {
  active: boolean;
  count: number;
}

/** Likes and bookmarks: one row per (story, user), and the story's counter of those rows. */
@Injectable()
export class ReactionsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly stories: StoriesService,
    private readonly rows: StoriesRepository,
  ) {}

  async like(user: AuthUser, storyId: number): Promise<LikeStateDto> {
    const state = await this.add(user, storyId, StoryLike);
    return { liked: state.active, likeCount: state.count };
  }

  async unlike(user: AuthUser, storyId: number): Promise<LikeStateDto> {
    const state = await this.remove(user, storyId, StoryLike);
    return { liked: state.active, likeCount: state.count };
  }

  async bookmark(user: AuthUser, storyId: number): Promise<BookmarkStateDto> {
    const state = await this.add(user, storyId, StoryBookmark);
    return { bookmarked: state.active, bookmarkCount: state.count };
  }

  async unbookmark(user: AuthUser, storyId: number): Promise<BookmarkStateDto> {
    const state = await this.remove(user, storyId, StoryBookmark);
    return { bookmarked: state.active, bookmarkCount: state.count };
  }

  /** Stories I liked that are still published, most recently liked first. */
  myLikes(user: AuthUser, query: PageQueryDto): Promise<Page<StorySummaryDto>> {
    return this.listMine(user, query, StoryLike);
  }

  /** Stories I bookmarked that are still published, most recently bookmarked first. */
  myBookmarks(user: AuthUser, query: PageQueryDto): Promise<Page<StorySummaryDto>> {
    return this.listMine(user, query, StoryBookmark);
  }

  /**
   * Inserts the row; the primary key refuses a second one, and then nothing else changes
   * (a failed statement leaves the transaction usable on both databases). Only an insert
   * that happened moves the counter.
   */
  private async add(
    user: AuthUser,
    storyId: number,
    entity: ReactionEntity,
  ): Promise<ReactionState> {
    await this.stories.requireOpen(user, storyId);
    const count = await runInTransaction(this.dataSource, async (manager) => {
      await this.stories.lock(manager, storyId);
      if (await this.rows.insertReaction(manager, entity, storyId, user.id)) {
        await this.rows.bumpCounter(manager, storyId, this.counter(entity), 1);
      }
      return this.read(manager, storyId, entity);
    });
    return { active: true, count };
  }

  /** Deletes the row; only a delete that removed one moves the counter. */
  private async remove(
    user: AuthUser,
    storyId: number,
    entity: ReactionEntity,
  ): Promise<ReactionState> {
    await this.stories.requireOpen(user, storyId);
    const count = await runInTransaction(this.dataSource, async (manager) => {
      await this.stories.lock(manager, storyId);
      if (await this.rows.deleteReaction(manager, entity, storyId, user.id)) {
        await this.rows.bumpCounter(manager, storyId, this.counter(entity), -1);
      }
      return this.read(manager, storyId, entity);
    });
    return { active: false, count };
  }

  private counter(entity: ReactionEntity): 'like_count' | 'bookmark_count' {
    return COUNTER.get(entity) as 'like_count' | 'bookmark_count';
  }

  private async read(
    manager: Parameters<StoriesRepository['readReactionCounters']>[0],
    storyId: number,
    entity: ReactionEntity,
  ): Promise<number> {
    const counters = await this.rows.readReactionCounters(manager, storyId);
    return entity === StoryLike ? counters.likeCount : counters.bookmarkCount;
  }

  /**
   * Keyset paging on (createdAt, storyId), newest first, so rows added meanwhile never shift
   * a page. Stories no longer published drop out of the list (their rows stay, and come back
   * if the story is shown again).
   */
  private async listMine(
    user: AuthUser,
    query: PageQueryDto,
    entity: ReactionEntity,
  ): Promise<Page<StorySummaryDto>> {
    const rows = await this.rows.reactionPage(entity, user.id, query.limit, query.cursor);
    const page = toPage(
      rows,
      query.limit,
      (r) => [r.createdAt.toISOString(), r.storyId],
      (r) => r.storyId,
    );
    return {
      items: await this.stories.summariesByIds(user, page.items),
      nextCursor: page.nextCursor,
    };
  }
}
