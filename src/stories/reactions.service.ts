import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, type QueryDeepPartialEntity } from 'typeorm';
import type { AuthUser } from '../common/decorators/current-user.decorator';
import { DomainException } from '../common/errors/domain.exception';
import { decodeCursor, Page, PageQueryDto, toPage } from '../common/pagination/cursor';
import { isUniqueViolation } from '../database/sql';
import { runInTransaction } from '../database/transaction';
import type { BookmarkStateDto, LikeStateDto } from './dto/reaction.dto';
import type { StorySummaryDto } from './dto/story.dto';
import { StoryBookmark } from './entities/story-bookmark.entity';
import { StoryLike } from './entities/story-like.entity';
import { Story } from './entities/story.entity';
import { StoriesService } from './stories.service';

/**
 * Takes the story's row lock first (MySQL/MariaDB), so every change to one story's counters
 * and to the rows they count runs one after another, always in the same lock order: story,
 * then its other rows. Without it, a like's foreign-key check (a shared lock on the story)
 * followed by the counter update (an exclusive one) deadlocks against every concurrent like.
 * SQLite needs nothing here: its transactions already run one at a time.
 */
export async function lockStory(manager: EntityManager, storyId: number): Promise<void> {
  const qb = manager
    .createQueryBuilder(Story, 's')
    .select('s.id')
    .where('s.id = :storyId', { storyId });
  if (manager.connection.options.type !== 'better-sqlite3') qb.setLock('pessimistic_write');
  if (!(await qb.getOne())) throw new DomainException('NOT_FOUND', 'Story not found');
}

/** `x = x ± 1` on one of a story's counters, without touching its `updatedAt`. */
export async function bumpStoryCounter(
  manager: EntityManager,
  storyId: number,
  column: 'like_count' | 'bookmark_count' | 'comment_count',
  delta: 1 | -1,
): Promise<void> {
  const change = () => `${column} ${delta > 0 ? '+' : '-'} 1`;
  const set: QueryDeepPartialEntity<Story> =
    column === 'like_count'
      ? { likeCount: change }
      : column === 'bookmark_count'
        ? { bookmarkCount: change }
        : { commentCount: change };
  await manager
    .createQueryBuilder()
    .update(Story)
    // assigning updated_at to itself also stops MySQL's ON UPDATE CURRENT_TIMESTAMP
    .set({ ...set, updatedAt: () => 'updated_at' })
    .where('id = :storyId', { storyId })
    .updateEntity(false)
    .execute();
}

type ReactionEntity = typeof StoryLike | typeof StoryBookmark;
type ReactionCounter = 'like_count' | 'bookmark_count';

interface ReactionState {
  active: boolean;
  count: number;
}

/** Likes and bookmarks: one row per (story, user), and the story's counter of those rows. */
@Injectable()
export class ReactionsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly stories: StoriesService,
  ) {}

  async like(user: AuthUser, storyId: number): Promise<LikeStateDto> {
    const state = await this.add(user, storyId, StoryLike, 'like_count');
    return { liked: state.active, likeCount: state.count };
  }

  async unlike(user: AuthUser, storyId: number): Promise<LikeStateDto> {
    const state = await this.remove(user, storyId, StoryLike, 'like_count');
    return { liked: state.active, likeCount: state.count };
  }

  async bookmark(user: AuthUser, storyId: number): Promise<BookmarkStateDto> {
    const state = await this.add(user, storyId, StoryBookmark, 'bookmark_count');
    return { bookmarked: state.active, bookmarkCount: state.count };
  }

  async unbookmark(user: AuthUser, storyId: number): Promise<BookmarkStateDto> {
    const state = await this.remove(user, storyId, StoryBookmark, 'bookmark_count');
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

  /** A story the caller may react to: one they can see, and not deleted. */
  private async requireReactable(user: AuthUser, storyId: number): Promise<void> {
    const story = await this.stories.requireVisible(user, storyId);
    if (story.status === 'deleted') throw new DomainException('NOT_FOUND', 'Story not found');
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
    counter: ReactionCounter,
  ): Promise<ReactionState> {
    await this.requireReactable(user, storyId);
    const count = await runInTransaction(this.dataSource, async (manager) => {
      await lockStory(manager, storyId);
      let inserted = true;
      try {
        await manager
          .createQueryBuilder()
          .insert()
          .into(entity)
          // set here, not by the column default: SQLite's default has whole seconds only
          .values({ storyId, userId: user.id, createdAt: new Date() })
          .updateEntity(false)
          .execute();
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        inserted = false;
      }
      if (inserted) await bumpStoryCounter(manager, storyId, counter, 1);
      return this.readCounter(manager, storyId, counter);
    });
    return { active: true, count };
  }

  /** Deletes the row; only a delete that removed one moves the counter. */
  private async remove(
    user: AuthUser,
    storyId: number,
    entity: ReactionEntity,
    counter: ReactionCounter,
  ): Promise<ReactionState> {
    await this.requireReactable(user, storyId);
    const count = await runInTransaction(this.dataSource, async (manager) => {
      await lockStory(manager, storyId);
      const result = await manager
        .createQueryBuilder()
        .delete()
        .from(entity)
        .where('story_id = :storyId AND user_id = :userId', { storyId, userId: user.id })
        .execute();
      if ((result.affected ?? 0) > 0) await bumpStoryCounter(manager, storyId, counter, -1);
      return this.readCounter(manager, storyId, counter);
    });
    return { active: false, count };
  }

  /**
   * A locking read (MySQL/MariaDB): it sees the latest committed row, not the snapshot of
   * REPEATABLE READ; the lock is already ours from `lockStory`.
   */
  private async readCounter(
    manager: EntityManager,
    storyId: number,
    counter: ReactionCounter,
  ): Promise<number> {
    const qb = manager
      .createQueryBuilder(Story, 's')
      .select(['s.id', 's.likeCount', 's.bookmarkCount'])
      .where('s.id = :storyId', { storyId });
    if (manager.connection.options.type !== 'better-sqlite3') qb.setLock('pessimistic_write');
    const story = await qb.getOneOrFail();
    return counter === 'like_count' ? story.likeCount : story.bookmarkCount;
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
    const qb = this.dataSource
      .createQueryBuilder(entity, 'r')
      .innerJoin(Story, 's', 's.id = r.story_id AND s.status = :published', {
        published: 'published',
      })
      .where('r.user_id = :userId', { userId: user.id });
    if (query.cursor) {
      const [createdAt, storyId] = decodeCursor(query.cursor, ['date', 'id']);
      const at = new Date(String(createdAt));
      qb.andWhere('(r.created_at < :at OR (r.created_at = :at AND r.story_id < :storyId))', {
        at,
        storyId,
      });
    }
    const rows = await qb
      .orderBy('r.createdAt', 'DESC')
      .addOrderBy('r.storyId', 'DESC')
      .limit(query.limit + 1)
      .getMany();
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
