import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, type QueryDeepPartialEntity } from 'typeorm';
import { decodeCursor } from '../common/pagination/cursor';
import { isUniqueViolation } from '../database/sql';
import type { IngestedMedia } from '../media/media.service';
import { noBlockBetween } from '../users/blocks.sql';
import type { MediaStatus } from '../media/media-types';
import { StoryBookmark } from './entities/story-bookmark.entity';
import { StoryLike } from './entities/story-like.entity';
import { StoryMedia } from './entities/story-media.entity';
import { StoryTag } from './entities/story-tag.entity';
import { Story, type StoryStatus } from './entities/story.entity';

/**
 * docs/api.md, Stories and media's popularity (likes·3 + comments·2 + bookmarks·2 + views·0.1) times ten, so it is an
 * integer: same order, and cursors compare exactly on both databases.
 */
export const POPULARITY_SQL =
  '(s.like_count * 30 + s.comment_count * 20 + s.bookmark_count * 20 + s.view_count)';

/** One of a story's counters that other rows of the module move (likes, bookmarks, comments). */
export type StoryCounter = 'like_count' | 'bookmark_count' | 'comment_count';

/** The filters of a story list (GET /stories, a guide's or an owner's list). */
export interface StoryListFilter {
  /** Published stories only, or (with `ownerId`) the owner's published and hidden ones. */
  ownerId?: number;
  regionIds?: number[];
  category?: string;
  guideId?: number;
  /** Lower-cased. */
  tag?: string;
  /** Lower-cased search text (title, content, tags). */
  q?: string;
  /** Leave out stories of people this user blocked or was blocked by (docs/api.md, Blocking and account rights). */
  blockViewerId?: number;
}

export interface ScoredId {
  id: number;
  score: number;
}

export interface RegionCount {
  regionId: number;
  count: number;
}

/**
 * The stories module's tables: stories, story_tags, story_likes, story_bookmarks,
 * story_views and media. All of the module's SQL runs here; other modules reach these tables
 * only through StoriesService.
 */
@Injectable()
export class StoriesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private manager(manager?: EntityManager): EntityManager {
    return manager ?? this.dataSource.manager;
  }

  findById(id: number, manager?: EntityManager): Promise<Story | null> {
    return this.manager(manager).findOneBy(Story, { id });
  }

  findMany(ids: number[]): Promise<Story[]> {
    return ids.length === 0
      ? Promise.resolve([])
      : this.dataSource.manager.findBy(Story, { id: In(ids) });
  }

  // ---- locks and counters -----------------------------------------------------------------

  /**
   * Takes the story's row lock first (MySQL/MariaDB), so every change to one story's counters
   * and to the rows they count runs one after another, always in the same lock order: story,
   * then its other rows. Without it, a like's foreign-key check (a shared lock on the story)
   * followed by the counter update (an exclusive one) deadlocks against every concurrent like.
   * SQLite needs nothing here: its transactions already run one at a time. False when the
   * story does not exist.
   */
  async lock(manager: EntityManager, storyId: number): Promise<boolean> {
    const qb = manager
      .createQueryBuilder(Story, 's')
      .select('s.id')
      .where('s.id = :storyId', { storyId });
    if (manager.connection.options.type !== 'better-sqlite3') qb.setLock('pessimistic_write');
    return (await qb.getOne()) !== null;
  }

  /** `x = x ± 1` on one of a story's counters, without touching its `updatedAt`. */
  async bumpCounter(
    manager: EntityManager,
    storyId: number,
    column: StoryCounter,
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

  /**
   * The like and bookmark counters as committed now: a locking read on MySQL/MariaDB (it
   * sees the latest row, not the snapshot of REPEATABLE READ; the caller holds the lock).
   */
  async readReactionCounters(
    manager: EntityManager,
    storyId: number,
  ): Promise<{ likeCount: number; bookmarkCount: number }> {
    const qb = manager
      .createQueryBuilder(Story, 's')
      .select(['s.id', 's.likeCount', 's.bookmarkCount'])
      .where('s.id = :storyId', { storyId });
    if (manager.connection.options.type !== 'better-sqlite3') qb.setLock('pessimistic_write');
    const story = await qb.getOneOrFail();
    return { likeCount: story.likeCount, bookmarkCount: story.bookmarkCount };
  }

  // ---- stories and their tags ---------------------------------------------------------------

  async insert(
    manager: EntityManager,
    fields: Pick<
      Story,
      'guideId' | 'userId' | 'title' | 'content' | 'category' | 'regionId' | 'mediaCount'
    >,
  ): Promise<number> {
    const story = await manager.save(manager.create(Story, { ...fields, status: 'published' }));
    return story.id;
  }

  /** Changes the given columns; with none, only `updatedAt` moves (an edit of tags alone). */
  async update(
    manager: EntityManager,
    storyId: number,
    fields: Partial<Pick<Story, 'title' | 'content' | 'category' | 'regionId'>>,
  ): Promise<void> {
    await manager.update(
      Story,
      { id: storyId },
      Object.keys(fields).length > 0 ? fields : { updatedAt: new Date() },
    );
  }

  async insertTags(manager: EntityManager, storyId: number, tags: string[]): Promise<void> {
    if (tags.length === 0) return;
    await manager.insert(
      StoryTag,
      tags.map((tag, position) => ({ storyId, tag, position })),
    );
  }

  /**
   * Replaces a story's tags; the caller holds the story's row lock. The old rows are deleted
   * by their primary keys, never by a range on `story_id`: on InnoDB a range delete locks the
   * gap after the story's tags too, and two stories created or edited at once then deadlock
   * on each other's gap when they insert (seen as 500s under parallel `POST /stories`).
   */
  async replaceTags(manager: EntityManager, storyId: number, tags: string[]): Promise<void> {
    const existing = await manager.find(StoryTag, { select: { tag: true }, where: { storyId } });
    if (existing.length > 0) {
      await manager.delete(StoryTag, { storyId, tag: In(existing.map((t) => t.tag)) });
    }
    await this.insertTags(manager, storyId, tags);
  }

  /**
   * A status change from `from` only (a conditional update, so of two moderators at once one
   * wins), with the hidden reason. The author's id when it happened, else null.
   */
  async moveStatus(
    manager: EntityManager,
    storyId: number,
    from: StoryStatus,
    changes: Pick<Story, 'status' | 'hiddenReason'>,
  ): Promise<number | null> {
    const result = await manager.update(Story, { id: storyId, status: from }, changes);
    if ((result.affected ?? 0) === 0) return null;
    const story = await manager.findOneOrFail(Story, {
      select: { id: true, userId: true },
      where: { id: storyId },
    });
    return story.userId;
  }

  /**
   * A matching request on the story was accepted (stays true afterwards); only a published
   * story (false otherwise). Its updated_at stays: being matched is no edit of the story.
   */
  async markMatched(manager: EntityManager, storyId: number): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .update(Story)
      .set({ isMatched: true, updatedAt: () => 'updated_at' })
      .where('id = :storyId AND status = :published', { storyId, published: 'published' })
      .updateEntity(false)
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /**
   * Marks the open (published or hidden) stories matching `where` deleted and drops their media
   * rows, returning how many changed and the storage keys of the dropped media. A locking read
   * comes first (MySQL): a concurrent media upload to these stories then either commits before
   * (and its rows are seen) or waits and finds the story deleted.
   */
  async softDelete(
    manager: EntityManager,
    where: { id: number } | { userId: number },
  ): Promise<{ ids: number[]; keys: (string | null)[] }> {
    const lookup = manager
      .createQueryBuilder(Story, 's')
      .select('s.id')
      .where('s.status IN (:...open)', { open: ['published', 'hidden'] });
    if ('id' in where) lookup.andWhere('s.id = :id', { id: where.id });
    else lookup.andWhere('s.user_id = :userId', { userId: where.userId });
    if (manager.connection.options.type !== 'better-sqlite3') lookup.setLock('pessimistic_write');
    const targets = await lookup.getMany();
    if (targets.length === 0) return { ids: [], keys: [] };
    const ids = targets.map((s) => s.id);
    await manager
      .createQueryBuilder()
      .update(Story)
      .set({ status: 'deleted', deletedAt: new Date(), mediaCount: 0 })
      .where('id IN (:...ids) AND status <> :deleted', { ids, deleted: 'deleted' })
      .execute();
    const media = await manager.find(StoryMedia, { where: { storyId: In(ids) } });
    if (media.length > 0) await manager.delete(StoryMedia, { storyId: In(ids) });
    return { ids, keys: media.flatMap((m) => [m.storageKey, m.thumbnailKey]) };
  }

  // ---- media rows ---------------------------------------------------------------------------

  async insertMedia(
    manager: EntityManager,
    storyId: number,
    ingested: IngestedMedia[],
    firstOrder: number,
  ): Promise<void> {
    if (ingested.length === 0) return;
    await manager.insert(
      StoryMedia,
      ingested.map((m, i) => ({
        storyId,
        type: m.type,
        status: m.status,
        mimeType: m.mimeType,
        size: m.size,
        width: m.width,
        height: m.height,
        durationSec: m.durationSec,
        storageKey: m.storageKey,
        thumbnailKey: m.thumbnailKey,
        order: firstOrder + i,
      })),
    );
  }

  /**
   * Makes room for `n` more media if the story is not deleted and stays within `max`: a
   * conditional update, so two uploads at once cannot pass the limit. False otherwise.
   */
  async reserveMediaSlots(
    manager: EntityManager,
    storyId: number,
    n: number,
    max: number,
  ): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .update(Story)
      .set({ mediaCount: () => `media_count + ${Number(n)}` })
      .where('id = :id AND status <> :deleted AND media_count + :n <= :max', {
        id: storyId,
        deleted: 'deleted',
        n,
        max,
      })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /** The order after the story's last media (0 for the first). */
  async nextMediaOrder(manager: EntityManager, storyId: number): Promise<number> {
    const row = await manager
      .createQueryBuilder(StoryMedia, 'm')
      .select('MAX(m.order)', 'last')
      .where('m.storyId = :id', { id: storyId })
      .getRawOne<{ last: number | string | null }>();
    return row?.last === null || row?.last === undefined ? 0 : Number(row.last) + 1;
  }

  findMedia(storyId: number, mediaId: number): Promise<StoryMedia | null> {
    return this.dataSource.manager.findOneBy(StoryMedia, { id: mediaId, storyId });
  }

  /** Deletes one media row and counts it off the story; false when it was gone already. */
  async deleteMedia(manager: EntityManager, storyId: number, mediaId: number): Promise<boolean> {
    const result = await manager.delete(StoryMedia, { id: mediaId, storyId });
    if (!result.affected) return false;
    await manager.decrement(Story, { id: storyId }, 'mediaCount', 1);
    return true;
  }

  mediaOf(storyId: number): Promise<StoryMedia[]> {
    return this.dataSource.manager.find(StoryMedia, {
      where: { storyId },
      order: { order: 'ASC', id: 'ASC' },
    });
  }

  /** Media waiting for their video job: of one story, or (at start) all of them. */
  async processingMediaIds(storyId?: number): Promise<number[]> {
    const rows = await this.dataSource.manager.find(StoryMedia, {
      select: { id: true },
      where: storyId === undefined ? { status: 'processing' } : { storyId, status: 'processing' },
    });
    return rows.map((m) => m.id);
  }

  findProcessingMedia(mediaId: number): Promise<StoryMedia | null> {
    return this.dataSource.manager.findOneBy(StoryMedia, { id: mediaId, status: 'processing' });
  }

  /**
   * The end of a video job: only a row still `processing` with the same upload key changes
   * (a conditional update), so a second run, or a story deleted meanwhile, changes nothing.
   */
  async finishProcessing(
    mediaId: number,
    incomingKey: string,
    changes: Partial<
      Pick<StoryMedia, 'storageKey' | 'thumbnailKey' | 'size' | 'width' | 'height' | 'durationSec'>
    > & { status: Exclude<MediaStatus, 'processing'> },
  ): Promise<boolean> {
    const result = await this.dataSource.manager.update(
      StoryMedia,
      { id: mediaId, status: 'processing', storageKey: incomingKey },
      changes,
    );
    return (result.affected ?? 0) > 0;
  }

  // ---- lists --------------------------------------------------------------------------------

  /**
   * A page (plus one row) of the published stories the user liked or bookmarked, most recent
   * first, as (createdAt, storyId): stories no longer published drop out (their rows stay).
   */
  async reactionPage(
    entity: typeof StoryLike | typeof StoryBookmark,
    userId: number,
    limit: number,
    cursor?: string,
  ): Promise<{ storyId: number; createdAt: Date }[]> {
    const qb = this.dataSource
      .createQueryBuilder(entity, 'r')
      .innerJoin(Story, 's', 's.id = r.story_id AND s.status = :published', {
        published: 'published',
      })
      .where('r.user_id = :userId', { userId })
      // the caller's own list: their blocks (either way) leave the other's stories out
      .andWhere(noBlockBetween('userId', 's.user_id'));
    if (cursor) {
      const [createdAt, storyId] = decodeCursor(cursor, ['date', 'id']);
      const at = new Date(String(createdAt));
      qb.andWhere('(r.created_at < :at OR (r.created_at = :at AND r.story_id < :storyId))', {
        at,
        storyId,
      });
    }
    return qb
      .orderBy('r.createdAt', 'DESC')
      .addOrderBy('r.storyId', 'DESC')
      .limit(limit + 1)
      .getMany();
  }

  /** Inserts a like or bookmark row; false when it existed (the primary key refuses it). */
  async insertReaction(
    manager: EntityManager,
    entity: typeof StoryLike | typeof StoryBookmark,
    storyId: number,
    userId: number,
  ): Promise<boolean> {
    try {
      await manager
        .createQueryBuilder()
        .insert()
        .into(entity)
        // set here, not by the column default: SQLite's default has whole seconds only
        .values({ storyId, userId, createdAt: new Date() })
        .updateEntity(false)
        .execute();
      return true;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      return false;
    }
  }

  /** Deletes a like or bookmark row; false when there was none. */
  async deleteReaction(
    manager: EntityManager,
    entity: typeof StoryLike | typeof StoryBookmark,
    storyId: number,
    userId: number,
  ): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .delete()
      .from(entity)
      .where('story_id = :storyId AND user_id = :userId', { storyId, userId })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  // ---- a user's data export ---------------------------------------------------------------------

  /** The user's stories after `afterId`, any status, in id order. */
  storiesOfUserAfter(userId: number, afterId: number, limit: number): Promise<Story[]> {
    return this.dataSource.manager
      .createQueryBuilder(Story, 's')
      .where('s.user_id = :userId AND s.id > :afterId', { userId, afterId })
      .orderBy('s.id', 'ASC')
      .limit(limit)
      .getMany();
  }

  /** The user's likes or bookmarks after story `afterStoryId`, in story id order. */
  async reactionsOfUserAfter(
    entity: typeof StoryLike | typeof StoryBookmark,
    userId: number,
    afterStoryId: number,
    limit: number,
  ): Promise<{ id: number; createdAt: Date }[]> {
    const rows = await this.dataSource.manager
      .createQueryBuilder(entity, 'r')
      .where('r.user_id = :userId AND r.story_id > :afterStoryId', { userId, afterStoryId })
      .orderBy('r.story_id', 'ASC')
      .limit(limit)
      .getMany();
    return rows.map((r) => ({ id: r.storyId, createdAt: r.createdAt }));
  }

  // ---- what other modules show: counts and ids of published stories ------------------------

  /** Published stories per region (each story under its own region), for `regionIds` or all. */
  async publishedCountsByRegion(regionIds?: number[]): Promise<RegionCount[]> {
    if (regionIds?.length === 0) return [];
    const rows = await this.published(regionIds)
      .select('s.region_id', 'regionId')
      .addSelect('COUNT(*)', 'count')
      .groupBy('s.region_id')
      .getRawMany<{ regionId: string | number; count: string | number }>();
    return rows.map((r) => ({ regionId: Number(r.regionId), count: Number(r.count) }));
  }

  async publishedCategoryCountsByRegion(
    regionIds?: number[],
  ): Promise<(RegionCount & { category: string })[]> {
    if (regionIds?.length === 0) return [];
    const rows = await this.published(regionIds)
      .select('s.region_id', 'regionId')
      .addSelect('s.category', 'category')
      .addSelect('COUNT(*)', 'count')
      .groupBy('s.region_id')
      .addGroupBy('s.category')
      .getRawMany<{ regionId: string | number; category: string; count: string | number }>();
    return rows.map((r) => ({
      regionId: Number(r.regionId),
      category: r.category,
      count: Number(r.count),
    }));
  }

  async publishedTagCountsByRegion(
    regionIds?: number[],
  ): Promise<(RegionCount & { tag: string })[]> {
    if (regionIds?.length === 0) return [];
    const rows = await this.published(regionIds)
      .innerJoin(StoryTag, 't', 't.story_id = s.id')
      .select('s.region_id', 'regionId')
      .addSelect('t.tag', 'tag')
      .addSelect('COUNT(*)', 'count')
      .groupBy('s.region_id')
      .addGroupBy('t.tag')
      .getRawMany<{ regionId: string | number; tag: string; count: string | number }>();
    return rows.map((r) => ({ regionId: Number(r.regionId), tag: r.tag, count: Number(r.count) }));
  }

  /** Ids of the most popular published stories in the regions, best first. */
  async popularPublishedIds(
    regionIds: number[],
    limit: number,
    blockViewerId?: number,
  ): Promise<number[]> {
    if (regionIds.length === 0) return [];
    const qb = this.published(regionIds);
    if (blockViewerId !== undefined) {
      qb.andWhere(noBlockBetween('blockViewer', 's.user_id'), { blockViewer: blockViewerId });
    }
    const rows = await qb
      .select('s.id', 'id')
      .orderBy(POPULARITY_SQL, 'DESC')
      .addOrderBy('s.created_at', 'DESC')
      .addOrderBy('s.id', 'DESC')
      .limit(limit)
      .getRawMany<{ id: string | number }>();
    return rows.map((r) => Number(r.id));
  }

  countPublishedByGuide(guideId: number): Promise<number> {
    return this.dataSource.manager.countBy(Story, { guideId, status: 'published' });
  }

  /** Stories per status, for the admin dashboard. */
  async countByStatus(): Promise<Map<StoryStatus, number>> {
    const rows = await this.dataSource.manager
      .createQueryBuilder(Story, 's')
      .select('s.status', 'status')
      .addSelect('COUNT(*)', 'count')
      .groupBy('s.status')
      .getRawMany<{ status: StoryStatus; count: string | number }>();
    return new Map(rows.map((r) => [r.status, Number(r.count)]));
  }

  private published(regionIds?: number[]) {
    const qb = this.dataSource.manager
      .createQueryBuilder(Story, 's')
      .where('s.status = :published', { published: 'published' });
    if (regionIds) qb.andWhere('s.region_id IN (:...regionIds)', { regionIds });
    return qb;
  }
}
