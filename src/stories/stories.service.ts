import { forwardRef, Inject, Injectable } from '@nestjs/common';
import { EventEmitter2, OnEvent } from '@nestjs/event-emitter';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, IsNull, Not, Repository } from 'typeorm';
import { AuditLogService } from '../audit/audit-log.service';
import type { AuthUser } from '../common/decorators/current-user.decorator';
import { DomainException } from '../common/errors/domain.exception';
import { decodeCursor, Page, toPage } from '../common/pagination/cursor';
import { isUniqueViolation, likeContains } from '../database/sql';
import { runInTransaction } from '../database/transaction';
import { GuidesService } from '../guides/guides.service';
import type { IngestedMedia } from '../media/media.service';
import { MediaService } from '../media/media.service';
import { Region } from '../regions/entities/region.entity';
import { RegionsService } from '../regions/regions.service';
import { UserWithdrawnEvent } from '../users/users.events';
import type { ListStoriesQueryDto } from './dto/list-stories.query';
import type { CreateStoryDto, UpdateStoryDto } from './dto/story-input.dto';
import { MediaDto, StoryDetailDto, StorySummaryDto } from './dto/story.dto';
import { StoryBookmark } from './entities/story-bookmark.entity';
import { StoryMedia } from './entities/story-media.entity';
import { StoryLike } from './entities/story-like.entity';
import { StoryTag } from './entities/story-tag.entity';
import { StoryView } from './entities/story-view.entity';
import { Story, type StoryStatus } from './entities/story.entity';
import { StoryDeletedEvent } from './stories.events';
import { StoryVideoJobs } from './story-video.jobs';

export const MAX_MEDIA_PER_STORY = 10;
const EXCERPT_LENGTH = 120;
const VIEW_WINDOW_MS = 10 * 60 * 1000;

/**
 * SPEC §5's popularity (likes·3 + comments·2 + bookmarks·2 + views·0.1) times ten, so it is an
 * integer: same order, and cursors compare exactly on both databases.
 */
const POPULARITY_SQL =
  '(s.like_count * 30 + s.comment_count * 20 + s.bookmark_count * 20 + s.view_count)';

function excerptOf(content: string): string {
  const flat = content.replace(/\s+/g, ' ').trim();
  return flat.length <= EXCERPT_LENGTH ? flat : `${flat.slice(0, EXCERPT_LENGTH - 1).trimEnd()}…`;
}

/** Who a viewer is for view counting: a user, or an address for anonymous callers. */
export function viewerKey(viewer: AuthUser | undefined, ip: string | undefined): string {
  return viewer ? `u:${viewer.id}` : `ip:${(ip ?? 'unknown').slice(0, 60)}`;
}

@Injectable()
export class StoriesService {
  constructor(
    @InjectRepository(Story) private readonly stories: Repository<Story>,
    @InjectRepository(StoryTag) private readonly tags: Repository<StoryTag>,
    @InjectRepository(StoryLike) private readonly likes: Repository<StoryLike>,
    @InjectRepository(StoryBookmark) private readonly bookmarks: Repository<StoryBookmark>,
    @InjectRepository(StoryView) private readonly views: Repository<StoryView>,
    @InjectRepository(StoryMedia) private readonly mediaRows: Repository<StoryMedia>,
    @InjectRepository(Region) private readonly regionRows: Repository<Region>,
    private readonly dataSource: DataSource,
    @Inject(forwardRef(() => GuidesService)) private readonly guides: GuidesService,
    @Inject(forwardRef(() => RegionsService)) private readonly regions: RegionsService,
    private readonly media: MediaService,
    private readonly events: EventEmitter2,
    private readonly audit: AuditLogService,
    private readonly videoJobs: StoryVideoJobs,
  ) {}

  // ---- access -------------------------------------------------------------------------------

  /**
   * The story when the caller may see it: published stories to anyone; hidden or deleted ones
   * only to their owner and admins. Anything else is 404, so existence does not leak.
   */
  async requireVisible(viewer: AuthUser | undefined, storyId: number): Promise<Story> {
    const story = await this.stories.findOneBy({ id: storyId });
    if (!story || !this.canSee(viewer, story)) {
      throw new DomainException('NOT_FOUND', 'Story not found');
    }
    return story;
  }

  private canSee(viewer: AuthUser | undefined, story: Story): boolean {
    if (story.status === 'published') return true;
    return viewer !== undefined && (viewer.role === 'admin' || viewer.id === story.userId);
  }

  /** A story the caller owns and may still change: not deleted, and a guide allowed to publish. */
  async requireEditable(user: AuthUser, storyId: number): Promise<Story> {
    const story = await this.requireVisible(user, storyId);
    if (story.status === 'deleted') throw new DomainException('NOT_FOUND', 'Story not found');
    if (story.userId !== user.id) {
      throw new DomainException('FORBIDDEN', 'Only the author can change this story');
    }
    await this.guides.requirePublisher(user);
    return story;
  }

  private async requireRegion(regionId: number): Promise<void> {
    if (!(await this.regionRows.existsBy({ id: regionId }))) {
      throw new DomainException('VALIDATION_FAILED', `region ${regionId} does not exist`, [
        { field: 'regionId', errors: [`region ${regionId} does not exist`] },
      ]);
    }
  }

  // ---- writes -------------------------------------------------------------------------------

  async create(
    user: AuthUser,
    dto: CreateStoryDto,
    files: Express.Multer.File[],
  ): Promise<StoryDetailDto> {
    const guide = await this.guides.requirePublisher(user);
    await this.requireRegion(dto.regionId);
    const ingested = files.length > 0 ? await this.media.ingest(files) : [];
    let storyId: number;
    try {
      storyId = await runInTransaction(this.dataSource, async (manager) => {
        const story = await manager.save(
          manager.create(Story, {
            guideId: guide.id,
            userId: user.id,
            title: dto.title,
            content: dto.content,
            category: dto.category,
            regionId: dto.regionId,
            status: 'published',
            mediaCount: ingested.length,
          }),
        );
        await this.insertTags(manager, story.id, dto.tags ?? []);
        await this.insertMedia(manager, story.id, ingested, 0);
        return story.id;
      });
    } catch (error) {
      await this.media.remove(ingested.flatMap((m) => [m.storageKey, m.thumbnailKey]));
      throw error;
    }
    await this.videoJobs.enqueueProcessing(storyId);
    return this.detail(user, storyId);
  }

  async update(user: AuthUser, storyId: number, dto: UpdateStoryDto): Promise<StoryDetailDto> {
    await this.requireEditable(user, storyId);
    if (dto.regionId !== undefined) await this.requireRegion(dto.regionId);
    const { tags, ...fields } = dto;
    await runInTransaction(this.dataSource, async (manager) => {
      // the story row first: it serialises changes to the same story's tags
      if (Object.keys(fields).length > 0) await manager.update(Story, { id: storyId }, fields);
      else await manager.update(Story, { id: storyId }, { updatedAt: new Date() });
      if (tags !== undefined) await this.replaceTags(manager, storyId, tags);
    });
    return this.detail(user, storyId);
  }

  /** Soft delete by the owner or an admin; media rows and files go with it. */
  async remove(user: AuthUser, storyId: number): Promise<void> {
    const story = await this.requireVisible(user, storyId);
    if (story.status === 'deleted') throw new DomainException('NOT_FOUND', 'Story not found');
    if (story.userId !== user.id && user.role !== 'admin') {
      throw new DomainException('FORBIDDEN', 'Only the author or an admin can delete this story');
    }
    const moderated = user.role === 'admin' && story.userId !== user.id;
    const deleted = await this.softDelete({ id: storyId }, async (manager) => {
      if (moderated) {
        await this.audit.record(
          { adminId: user.id, action: 'story.delete', targetType: 'story', targetId: storyId },
          manager,
        );
      }
    });
    if (deleted === 0) throw new DomainException('NOT_FOUND', 'Story not found');
    await this.events.emitAsync(
      StoryDeletedEvent.NAME,
      new StoryDeletedEvent(storyId, story.userId, user.id, user.role === 'admin'),
    );
  }

  /**
   * Moderation: published → hidden, with the reason (null for an automatic hide). A
   * conditional update, so of two hides at once one wins; null when the story was not
   * published (already hidden, deleted or unknown). Runs in `manager` when given. No audit
   * entry and no notification here: the caller records its action and, after commit, emits
   * ContentHiddenEvent to the returned author.
   */
  async hide(
    input: { storyId: number; reason: string | null },
    manager?: EntityManager,
  ): Promise<{ authorId: number } | null> {
    return this.moveModerated(
      input.storyId,
      'published',
      { status: 'hidden', hiddenReason: input.reason },
      manager,
    );
  }

  /** Moderation: hidden → published (the reason is cleared); null when it was not hidden. */
  async unhide(
    input: { storyId: number },
    manager?: EntityManager,
  ): Promise<{ authorId: number } | null> {
    return this.moveModerated(
      input.storyId,
      'hidden',
      { status: 'published', hiddenReason: null },
      manager,
    );
  }

  private async moveModerated(
    storyId: number,
    from: StoryStatus,
    changes: Pick<Story, 'status' | 'hiddenReason'>,
    manager: EntityManager = this.stories.manager,
  ): Promise<{ authorId: number } | null> {
    const result = await manager.update(Story, { id: storyId, status: from }, changes);
    if ((result.affected ?? 0) === 0) return null;
    const story = await manager.findOneOrFail(Story, {
      select: { id: true, userId: true },
      where: { id: storyId },
    });
    return { authorId: story.userId };
  }

  async addMedia(
    user: AuthUser,
    storyId: number,
    files: Express.Multer.File[],
  ): Promise<StoryDetailDto> {
    const story = await this.requireEditable(user, storyId);
    if (files.length === 0) {
      throw new DomainException('VALIDATION_FAILED', 'Send at least one file in field "media"', [
        { field: 'media', errors: ['at least one file is required'] },
      ]);
    }
    if (story.mediaCount + files.length > MAX_MEDIA_PER_STORY) throw this.tooManyMedia(story);
    const ingested = await this.media.ingest(files);
    try {
      await runInTransaction(this.dataSource, async (manager) => {
        // the limit is checked again by the database, so two uploads at once cannot pass 10
        const result = await manager
          .createQueryBuilder()
          .update(Story)
          .set({ mediaCount: () => `media_count + ${ingested.length}` })
          .where('id = :id AND status <> :deleted AND media_count + :n <= :max', {
            id: storyId,
            deleted: 'deleted',
            n: ingested.length,
            max: MAX_MEDIA_PER_STORY,
          })
          .execute();
        if (!result.affected) {
          const now = await manager.findOneBy(Story, { id: storyId });
          if (!now || now.status === 'deleted') {
            throw new DomainException('NOT_FOUND', 'Story not found');
          }
          throw this.tooManyMedia(now);
        }
        const { last } = (await manager
          .createQueryBuilder(StoryMedia, 'm')
          .select('MAX(m.order)', 'last')
          .where('m.storyId = :id', { id: storyId })
          .getRawOne<{ last: number | string | null }>()) ?? { last: null };
        await this.insertMedia(manager, storyId, ingested, last === null ? 0 : Number(last) + 1);
      });
    } catch (error) {
      await this.media.remove(ingested.flatMap((m) => [m.storageKey, m.thumbnailKey]));
      throw error;
    }
    await this.videoJobs.enqueueProcessing(storyId);
    return this.detail(user, storyId);
  }

  async removeMedia(user: AuthUser, storyId: number, mediaId: number): Promise<void> {
    await this.requireEditable(user, storyId);
    const row = await this.mediaRows.findOneBy({ id: mediaId, storyId });
    if (!row) throw new DomainException('NOT_FOUND', 'Media not found');
    const removed = await runInTransaction(this.dataSource, async (manager) => {
      const result = await manager.delete(StoryMedia, { id: mediaId, storyId });
      if (!result.affected) return false;
      await manager.decrement(Story, { id: storyId }, 'mediaCount', 1);
      return true;
    });
    if (!removed) throw new DomainException('NOT_FOUND', 'Media not found');
    await this.media.remove([row.storageKey, row.thumbnailKey]);
  }

  /** SPEC §2: a withdrawn user's stories are unpublished, with their media. */
  @OnEvent(UserWithdrawnEvent.NAME)
  async onUserWithdrawn(event: UserWithdrawnEvent): Promise<void> {
    await this.softDelete({ userId: event.userId });
  }

  private tooManyMedia(story: Story): DomainException {
    return new DomainException(
      'VALIDATION_FAILED',
      `A story holds at most ${MAX_MEDIA_PER_STORY} media (it has ${story.mediaCount})`,
      [{ field: 'media', errors: [`at most ${MAX_MEDIA_PER_STORY} media per story`] }],
    );
  }

  /**
   * Marks matching stories deleted (once: the status condition makes a second call a no-op),
   * drops their media rows, then their files. Returns how many stories changed.
   */
  private async softDelete(
    where: { id: number } | { userId: number },
    alsoInTransaction?: (manager: EntityManager) => Promise<void>,
  ): Promise<number> {
    const now = new Date();
    const { changed, keys } = await runInTransaction(this.dataSource, async (manager) => {
      // a locking read first (MySQL): a concurrent media upload to these stories then either
      // commits before us (and its rows are seen below) or waits and finds the story deleted
      const lookup = manager
        .createQueryBuilder(Story, 's')
        .select('s.id')
        .where('s.status IN (:...open)', { open: ['published', 'hidden'] });
      if ('id' in where) lookup.andWhere('s.id = :id', { id: where.id });
      else lookup.andWhere('s.user_id = :userId', { userId: where.userId });
      if (manager.connection.options.type !== 'better-sqlite3') lookup.setLock('pessimistic_write');
      const targets = await lookup.getMany();
      if (targets.length === 0) return { changed: 0, keys: [] as (string | null)[] };
      const ids = targets.map((s) => s.id);
      const result = await manager
        .createQueryBuilder()
        .update(Story)
        .set({ status: 'deleted', deletedAt: now, mediaCount: 0 })
        .where('id IN (:...ids) AND status <> :deleted', { ids, deleted: 'deleted' })
        .execute();
      if (alsoInTransaction && result.affected) await alsoInTransaction(manager);
      const media = await manager.find(StoryMedia, { where: { storyId: In(ids) } });
      if (media.length > 0) await manager.delete(StoryMedia, { storyId: In(ids) });
      return {
        changed: result.affected ?? 0,
        keys: media.flatMap((m) => [m.storageKey, m.thumbnailKey]),
      };
    });
    await this.media.remove(keys);
    return changed;
  }

  private async insertTags(manager: EntityManager, storyId: number, tags: string[]) {
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
  private async replaceTags(manager: EntityManager, storyId: number, tags: string[]) {
    const existing = await manager.find(StoryTag, { select: { tag: true }, where: { storyId } });
    if (existing.length > 0) {
      await manager.delete(StoryTag, { storyId, tag: In(existing.map((t) => t.tag)) });
    }
    await this.insertTags(manager, storyId, tags);
  }

  private async insertMedia(
    manager: EntityManager,
    storyId: number,
    ingested: IngestedMedia[],
    firstOrder: number,
  ) {
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

  // ---- views --------------------------------------------------------------------------------

  /** Counts a view unless this viewer was counted for this story within the last 10 minutes. */
  async countView(storyId: number, key: string): Promise<void> {
    const now = new Date();
    const renewed = await this.views
      .createQueryBuilder()
      .update(StoryView)
      .set({ viewedAt: now })
      .where('story_id = :storyId AND viewer_key = :key AND viewed_at <= :cutoff', {
        storyId,
        key,
        cutoff: new Date(now.getTime() - VIEW_WINDOW_MS),
      })
      .execute();
    let counted = (renewed.affected ?? 0) > 0;
    if (!counted) {
      try {
        await this.views.insert({ storyId, viewerKey: key, viewedAt: now });
        counted = true;
      } catch (error) {
        if (!isUniqueViolation(error)) throw error; // seen within the window: not counted
      }
    }
    if (counted) await this.stories.increment({ id: storyId }, 'viewCount', 1);
  }

  // ---- reads --------------------------------------------------------------------------------

  /** Story detail for GET /stories/:id (which counts the view first). */
  async detail(viewer: AuthUser | undefined, storyId: number): Promise<StoryDetailDto> {
    const story = await this.requireVisible(viewer, storyId);
    const [summary] = await this.summariesByIds(viewer, [storyId]);
    const media = await this.mediaRows.find({
      where: { storyId },
      order: { order: 'ASC', id: 'ASC' },
    });
    return {
      ...summary,
      content: story.content,
      status: story.status,
      updatedAt: story.updatedAt.toISOString(),
      media: media.map((m) => this.mediaDto(m)),
    };
  }

  /** Nothing of a media item is served before it is `ready` (its metadata stripped). */
  private mediaDto(m: StoryMedia): MediaDto {
    const ready = m.status === 'ready';
    return {
      id: m.id,
      type: m.type,
      status: m.status,
      url: ready ? this.media.url(m.storageKey) : null,
      thumbnailUrl: ready ? this.media.url(m.thumbnailKey) : null,
      mimeType: m.mimeType,
      size: m.size,
      width: m.width,
      height: m.height,
      durationSec: m.durationSec,
      order: m.order,
    };
  }

  /**
   * Summaries of the given stories, in the order of `ids` (missing ids are skipped), in a fixed
   * number of queries whatever the count: stories with region and guide, tags, first media,
   * and the caller's likes and bookmarks.
   */
  async summariesByIds(viewer: AuthUser | undefined, ids: number[]): Promise<StorySummaryDto[]> {
    if (ids.length === 0) return [];
    const [rows, tags, media, liked, bookmarked] = await Promise.all([
      this.stories.find({
        where: { id: In(ids) },
        relations: { region: true, guide: { user: true } },
      }),
      this.tags.find({ where: { storyId: In(ids) }, order: { position: 'ASC' } }),
      this.mediaRows.find({
        select: { id: true, storyId: true, thumbnailKey: true, order: true },
        where: { storyId: In(ids), status: 'ready', thumbnailKey: Not(IsNull()) },
        order: { order: 'ASC', id: 'ASC' },
      }),
      viewer
        ? this.likes.find({
            select: { storyId: true },
            where: { userId: viewer.id, storyId: In(ids) },
          })
        : Promise.resolve([]),
      viewer
        ? this.bookmarks.find({
            select: { storyId: true },
            where: { userId: viewer.id, storyId: In(ids) },
          })
        : Promise.resolve([]),
    ]);
    const tagsOf = new Map<number, string[]>();
    for (const t of tags) tagsOf.set(t.storyId, [...(tagsOf.get(t.storyId) ?? []), t.tag]);
    const firstMedia = new Map<number, StoryMedia>();
    for (const m of media) if (!firstMedia.has(m.storyId)) firstMedia.set(m.storyId, m);
    const likedIds = new Set(liked.map((l) => l.storyId));
    const bookmarkedIds = new Set(bookmarked.map((b) => b.storyId));
    const byId = new Map(rows.map((s) => [s.id, s]));

    return ids.flatMap((id) => {
      const s = byId.get(id);
      if (!s) return [];
      const guide = s.guide as NonNullable<Story['guide']>;
      const region = s.region as NonNullable<Story['region']>;
      return [
        {
          id: s.id,
          title: s.title,
          excerpt: excerptOf(s.content),
          category: s.category,
          tags: tagsOf.get(s.id) ?? [],
          region: { id: region.id, name: region.name },
          guide: {
            id: guide.id,
            userId: guide.userId,
            nickname: guide.user?.nickname ?? '',
            profileImageUrl: guide.user?.profileImageUrl ?? null,
            averageRating: Number(guide.averageRating),
          },
          thumbnailUrl: this.media.url(firstMedia.get(s.id)?.thumbnailKey ?? null),
          mediaCount: s.mediaCount,
          likeCount: s.likeCount,
          commentCount: s.commentCount,
          bookmarkCount: s.bookmarkCount,
          viewCount: s.viewCount,
          isMatched: s.isMatched,
          createdAt: s.createdAt.toISOString(),
          likedByMe: likedIds.has(s.id),
          bookmarkedByMe: bookmarkedIds.has(s.id),
        },
      ];
    });
  }

  /**
   * GET /stories (published only) or, with `ownerId`, the owner's own list (hidden included).
   * Keyset paging: `latest` on the id (ids grow with creation time), `popular` on
   * (score, id), so rows inserted meanwhile never shift a page.
   */
  async list(
    viewer: AuthUser | undefined,
    query: ListStoriesQueryDto,
    ownerId?: number,
  ): Promise<Page<StorySummaryDto>> {
    const sort = query.sort ?? 'latest';
    const qb = this.stories
      .createQueryBuilder('s')
      .select('s.id', 'id')
      .addSelect(POPULARITY_SQL, 'score');
    if (ownerId !== undefined) {
      qb.where('s.user_id = :ownerId AND s.status IN (:...own)', {
        ownerId,
        own: ['published', 'hidden'],
      });
    } else {
      qb.where('s.status = :published', { published: 'published' });
    }
    if (query.regionId !== undefined) {
      const regionIds = await this.regions.descendantIds(query.regionId);
      if (regionIds.length === 0) return { items: [], nextCursor: null };
      qb.andWhere('s.region_id IN (:...regionIds)', { regionIds });
    }
    if (query.category) qb.andWhere('s.category = :category', { category: query.category });
    if (query.guideId !== undefined)
      qb.andWhere('s.guide_id = :guideId', { guideId: query.guideId });
    if (query.tag) {
      qb.andWhere(
        'EXISTS (SELECT 1 FROM story_tags ft WHERE ft.story_id = s.id AND ft.tag = :tag)',
        { tag: query.tag.toLowerCase() },
      );
    }
    if (query.q) {
      qb.andWhere(
        `(s.title LIKE :q ESCAPE '!' OR s.content LIKE :q ESCAPE '!' OR EXISTS ` +
          `(SELECT 1 FROM story_tags qt WHERE qt.story_id = s.id AND qt.tag LIKE :q ESCAPE '!'))`,
        { q: likeContains(query.q.toLowerCase()) },
      );
    }
    if (sort === 'popular') {
      if (query.cursor) {
        const [score, id] = decodeCursor(query.cursor, ['number', 'id']);
        qb.andWhere(`(${POPULARITY_SQL} < :cs OR (${POPULARITY_SQL} = :cs AND s.id < :cid))`, {
          cs: Number(score),
          cid: Number(id),
        });
      }
      qb.orderBy(POPULARITY_SQL, 'DESC').addOrderBy('s.id', 'DESC');
    } else {
      if (query.cursor) {
        const [id] = decodeCursor(query.cursor, ['id']);
        qb.andWhere('s.id < :cid', { cid: Number(id) });
      }
      qb.orderBy('s.id', 'DESC');
    }
    const rows = await qb.limit(query.limit + 1).getRawMany<{ id: number; score: number }>();
    const page = toPage(
      rows.map((r) => ({ id: Number(r.id), score: Number(r.score) })),
      query.limit,
      (r) => (sort === 'popular' ? [r.score, r.id] : [r.id]),
      (r) => r.id,
    );
    return { items: await this.summariesByIds(viewer, page.items), nextCursor: page.nextCursor };
  }
}
