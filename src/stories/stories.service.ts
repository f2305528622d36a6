import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditLogService } from '../audit/audit-log.service';
import type { AuthUser } from '../common/decorators/current-user.decorator';
import { DomainException } from '../common/errors/domain.exception';
import { Page, PageQueryDto, toPage } from '../common/pagination/cursor';
import { byPages } from '../common/streaming/json-document';
import { fromSqlDateTime } from '../database/statements';
import { runInTransaction } from '../database/transaction';
import { GuidesService } from '../guides/guides.service';
import { MediaService } from '../media/media.service';
import { RegionsService } from '../regions/regions.service';
import { blockViewerId } from '../users/blocks.sql';
import { BlocksService } from '../users/blocks.service';
import { UserWithdrawnEvent } from '../users/users.events';
import type { ListStoriesQueryDto } from './dto/list-stories.query';
import type { CreateStoryDto, UpdateStoryDto } from './dto/story-input.dto';
import { MediaDto, StoryDetailDto, StorySummaryDto } from './dto/story.dto';
import { StoryBookmark } from './entities/story-bookmark.entity';
import { StoryLike } from './entities/story-like.entity';
import { StoryMedia } from './entities/story-media.entity';
import { Story, type StoryCategory, type StoryStatus } from './entities/story.entity';
import { RegionCount, StoriesRepository, StoryListFilter } from './stories.repository';
import {
  DetailRow,
  EXCERPT_HEAD_CHARS,
  MediaJson,
  StoryReadsRepository,
  SummaryRow,
} from './story-reads.repository';
import { StoryVideoJobs } from './story-video.jobs';

export const MAX_MEDIA_PER_STORY = 10;
const EXCERPT_LENGTH = 120;
const VIEW_WINDOW_MS = 10 * 60 * 1000;
/** Rows per query when a data export pages through a user's rows. */
const EXPORT_PAGE = 200;

/**
 * A text with its blanks collapsed, cut to EXCERPT_LENGTH (`cut` says whether it was). Only a
 * prefix is looked at when it holds more than enough text.
 */
function excerptParts(text: string): { excerpt: string; cut: boolean } {
  const start = text
    .slice(0, EXCERPT_LENGTH * 2)
    .replace(/\s+/g, ' ')
    .trimStart();
  // more than EXCERPT_LENGTH + 1 characters of the prefix: the cut below is the same as the
  // whole text's (its end, trimmed or not, lies beyond it)
  const flat = start.length > EXCERPT_LENGTH + 1 ? start : text.replace(/\s+/g, ' ').trim();
  if (flat.length <= EXCERPT_LENGTH) return { excerpt: flat, cut: false };
  return { excerpt: `${flat.slice(0, EXCERPT_LENGTH - 1).trimEnd()}…`, cut: true };
}

function excerptOf(content: string): string {
  return excerptParts(content).excerpt;
}

/**
 * The excerpt from the first EXCERPT_HEAD_CHARS characters of a content `length` characters
 * long; null when they are not enough (a head of mostly blanks, cut short).
 */
function excerptOfHead(head: string, length: number): string | null {
  const { excerpt, cut } = excerptParts(head);
  return cut || length <= EXCERPT_HEAD_CHARS ? excerpt : null;
}

/** A JSON column as the driver gives it: text (SQLite, MariaDB) or parsed (MySQL 8). */
function parseJson<T>(value: unknown): T | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return JSON.parse(value) as T;
  if (Buffer.isBuffer(value)) return JSON.parse(value.toString('utf8')) as T;
  return value as T;
}

/** Who a viewer is for view counting: a user, or an address for anonymous callers. */
export function viewerKey(viewer: AuthUser | undefined, ip: string | undefined): string {
  return viewer ? `u:${viewer.id}` : `ip:${(ip ?? 'unknown').slice(0, 60)}`;
}

function notFound(): DomainException {
  return new DomainException('NOT_FOUND', 'Story not found');
}

export interface VisibilityOptions {
  /** Reports about a blocked person's story stay possible (docs/api.md, Blocking and account rights). */
  ignoreBlocks?: boolean;
}

/** What a soft delete inside someone else's transaction leaves to do after it commits. */
export interface StoryRemoval {
  /** False when the story was not open any more (deleted meanwhile, or unknown). */
  removed: boolean;
  authorId: number | null;
  /** Deletes the media files; call it after the transaction committed. */
  afterCommit(): Promise<void>;
}

/**
 * Stories, their tags and media rows, views, and what other modules may know of them. The
 * rules live here; the SQL in StoriesRepository. Other modules change stories only through
 * this service (matching marks them matched, reports and admins hide or delete them).
 */
@Injectable()
export class StoriesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly stories: StoriesRepository,
    private readonly reads: StoryReadsRepository,
    private readonly guides: GuidesService,
    private readonly regions: RegionsService,
    private readonly media: MediaService,
    private readonly audit: AuditLogService,
    private readonly videoJobs: StoryVideoJobs,
    private readonly blocks: BlocksService,
  ) {}

  // ---- access -------------------------------------------------------------------------------

  /**
   * The story when the caller may see it: published stories to anyone; hidden or deleted ones
   * only to their owner and admins. Anything else is 404, so existence does not leak.
   */
  async requireVisible(
    viewer: AuthUser | undefined,
    storyId: number,
    options: VisibilityOptions = {},
  ): Promise<Story> {
    const story = await this.stories.findById(storyId);
    if (!story || !this.canSee(viewer, story)) throw notFound();
    // a block between the viewer and the author hides the story both ways (docs/api.md, Blocking and account rights)
    if (!options.ignoreBlocks && (await this.blocks.between(viewer, story.userId))) {
      throw notFound();
    }
    return story;
  }

  /** A story the caller can see that is not deleted: one that may get likes, comments, ... */
  async requireOpen(
    viewer: AuthUser | undefined,
    storyId: number,
    options: VisibilityOptions = {},
  ): Promise<Story> {
    const story = await this.requireVisible(viewer, storyId, options);
    if (story.status === 'deleted') throw notFound();
    return story;
  }

  private canSee(viewer: AuthUser | undefined, story: Pick<Story, 'status' | 'userId'>): boolean {
    if (story.status === 'published') return true;
    return viewer !== undefined && (viewer.role === 'admin' || viewer.id === story.userId);
  }

  /** A story the caller owns and may still change: not deleted, and a guide allowed to publish. */
  async requireEditable(user: AuthUser, storyId: number): Promise<Story> {
    const story = await this.requireOpen(user, storyId);
    if (story.userId !== user.id) {
      throw new DomainException('FORBIDDEN', 'Only the author can change this story');
    }
    await this.guides.requirePublisher(user);
    return story;
  }

  /** A story as it is now, whatever its status (moderation decides on hidden ones too). */
  find(storyId: number): Promise<Story | null> {
    return this.stories.findById(storyId);
  }

  findMany(storyIds: number[]): Promise<Story[]> {
    return this.stories.findMany(storyIds);
  }

  /** The story's row lock, for work in `manager` that must see the story's rows settled. */
  async lock(manager: EntityManager, storyId: number): Promise<void> {
    if (!(await this.stories.lock(manager, storyId))) throw notFound();
  }

  // ---- writes -------------------------------------------------------------------------------

  async create(
    user: AuthUser,
    dto: CreateStoryDto,
    files: Express.Multer.File[],
  ): Promise<StoryDetailDto> {
    const guide = await this.guides.requirePublisher(user);
    await this.regions.requireExisting([dto.regionId], 'regionId');
    const ingested = files.length > 0 ? await this.media.ingest(files) : [];
    let storyId: number;
    try {
      storyId = await runInTransaction(this.dataSource, async (manager) => {
        const id = await this.stories.insert(manager, {
          guideId: guide.id,
          userId: user.id,
          title: dto.title,
          content: dto.content,
          category: dto.category,
          regionId: dto.regionId,
          mediaCount: ingested.length,
        });
        await this.stories.insertTags(manager, id, dto.tags ?? []);
        await this.stories.insertMedia(manager, id, ingested, 0);
        return id;
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
    if (dto.regionId !== undefined) await this.regions.requireExisting([dto.regionId], 'regionId');
    const { tags, ...fields } = dto;
    await runInTransaction(this.dataSource, async (manager) => {
      // the story row first: it serialises changes to the same story's tags
      await this.stories.update(manager, storyId, fields);
      if (tags !== undefined) await this.stories.replaceTags(manager, storyId, tags);
    });
    return this.detail(user, storyId);
  }

  /** Soft delete by the owner or an admin; media rows and files go with it. */
  async remove(user: AuthUser, storyId: number): Promise<void> {
    const story = await this.requireOpen(user, storyId);
    if (story.userId !== user.id && user.role !== 'admin') {
      throw new DomainException('FORBIDDEN', 'Only the author or an admin can delete this story');
    }
    const moderated = user.role === 'admin' && story.userId !== user.id;
    const removal = await runInTransaction(this.dataSource, async (manager) => {
      const done = await this.removeInTransaction(manager, storyId);
      if (done.removed && moderated) {
        await this.audit.record(
          { adminId: user.id, action: 'story.delete', targetType: 'story', targetId: storyId },
          manager,
        );
      }
      return done;
    });
    await removal.afterCommit();
    if (!removal.removed) throw notFound();
  }

  /**
   * The soft delete itself, in the caller's transaction, without access checks or an audit
   * entry (the caller owns both: `remove`, report decisions): status `deleted`, media rows
   * dropped; their files go in `afterCommit`.
   */
  async removeInTransaction(manager: EntityManager, storyId: number): Promise<StoryRemoval> {
    const story = await this.stories.findById(storyId, manager);
    const { ids, keys } = await this.stories.softDelete(manager, { id: storyId });
    return {
      removed: ids.length > 0,
      authorId: story?.userId ?? null,
      afterCommit: () => this.media.remove(keys),
    };
  }

  /**
   * Moderation: published → hidden, with the reason (null for an automatic hide). A
   * conditional update, so of two hides at once one wins; null when the story was not
   * published (already hidden, deleted or unknown). No audit entry and no notification here:
   * the caller records its action and, after commit, emits ContentHiddenEvent to the author.
   */
  async hide(
    input: { storyId: number; reason: string | null },
    manager: EntityManager = this.dataSource.manager,
  ): Promise<{ authorId: number } | null> {
    return this.moveModerated(manager, input.storyId, 'published', {
      status: 'hidden',
      hiddenReason: input.reason,
    });
  }

  /** Moderation: hidden → published (the reason is cleared); null when it was not hidden. */
  async unhide(
    input: { storyId: number },
    manager: EntityManager = this.dataSource.manager,
  ): Promise<{ authorId: number } | null> {
    return this.moveModerated(manager, input.storyId, 'hidden', {
      status: 'published',
      hiddenReason: null,
    });
  }

  private async moveModerated(
    manager: EntityManager,
    storyId: number,
    from: StoryStatus,
    changes: Pick<Story, 'status' | 'hiddenReason'>,
  ): Promise<{ authorId: number } | null> {
    const authorId = await this.stories.moveStatus(manager, storyId, from, changes);
    return authorId === null ? null : { authorId };
  }

  /**
   * A matching request on the story was accepted, in the acceptance's transaction. It takes
   * the story's row lock; false when the story is not published (any more).
   */
  markMatched(manager: EntityManager, storyId: number): Promise<boolean> {
    return this.stories.markMatched(manager, storyId);
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
        const room = await this.stories.reserveMediaSlots(
          manager,
          storyId,
          ingested.length,
          MAX_MEDIA_PER_STORY,
        );
        if (!room) {
          const now = await this.stories.findById(storyId, manager);
          if (!now || now.status === 'deleted') throw notFound();
          throw this.tooManyMedia(now);
        }
        const first = await this.stories.nextMediaOrder(manager, storyId);
        await this.stories.insertMedia(manager, storyId, ingested, first);
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
    const row = await this.stories.findMedia(storyId, mediaId);
    if (!row) throw new DomainException('NOT_FOUND', 'Media not found');
    const removed = await runInTransaction(this.dataSource, (manager) =>
      this.stories.deleteMedia(manager, storyId, mediaId),
    );
    if (!removed) throw new DomainException('NOT_FOUND', 'Media not found');
    await this.media.remove([row.storageKey, row.thumbnailKey]);
  }

  /**
   * docs/api.md, Users: a withdrawn user's stories are unpublished, with their media. The files
   * go in the background: a guide may have hundreds, and the withdrawal does not wait for them.
   */
  @OnEvent(UserWithdrawnEvent.NAME)
  async onUserWithdrawn(event: UserWithdrawnEvent): Promise<void> {
    const { keys } = await runInTransaction(this.dataSource, (manager) =>
      this.stories.softDelete(manager, { userId: event.userId }),
    );
    await this.media.removeLater(keys);
  }

  private tooManyMedia(story: Story): DomainException {
    return new DomainException(
      'VALIDATION_FAILED',
      `A story holds at most ${MAX_MEDIA_PER_STORY} media (it has ${story.mediaCount})`,
      [{ field: 'media', errors: [`at most ${MAX_MEDIA_PER_STORY} media per story`] }],
    );
  }

  // ---- reads --------------------------------------------------------------------------------

  /**
   * GET /stories/:id: the story when the caller may see it (as {@link requireVisible}), with a
   * view counted for `viewer` (a published story only, at most once per viewer per 10
   * minutes). One statement reads it all; counting adds one or two.
   */
  async view(viewer: AuthUser | undefined, storyId: number, key: string): Promise<StoryDetailDto> {
    const row = await this.visibleDetailRow(viewer, storyId);
    const counted =
      row.status === 'published' && (await this.reads.countView(storyId, key, VIEW_WINDOW_MS));
    const dto = await this.detailDto(row);
    if (counted) dto.viewCount += 1;
    return dto;
  }

  /** Story detail (what GET /stories/:id shows, without counting a view). */
  async detail(viewer: AuthUser | undefined, storyId: number): Promise<StoryDetailDto> {
    return this.detailDto(await this.visibleDetailRow(viewer, storyId));
  }

  private async visibleDetailRow(
    viewer: AuthUser | undefined,
    storyId: number,
  ): Promise<DetailRow> {
    const row = await this.reads.detail(viewer?.id ?? 0, blockViewerId(viewer) ?? 0, storyId);
    if (!row) throw notFound();
    const story = { status: row.status as StoryStatus, userId: Number(row.user_id) };
    // a block between the viewer and the author hides the story both ways (docs/api.md, Blocking and account rights)
    if (!this.canSee(viewer, story) || Number(row.blocked) > 0) throw notFound();
    return row;
  }

  private async detailDto(row: DetailRow): Promise<StoryDetailDto> {
    const media = (parseJson<MediaJson[]>(row.media) ?? []).sort(
      (a, b) => a.order - b.order || a.id - b.id,
    );
    return {
      ...this.summaryOf(row, excerptOf(row.content)),
      content: row.content,
      status: row.status as StoryStatus,
      updatedAt: fromSqlDateTime(row.updated_at).toISOString(),
      media: media.map((m) => this.mediaDto({ ...m, size: Number(m.size) })),
    };
  }

  /** Nothing of a media item is served before it is `ready` (its metadata stripped). */
  private mediaDto(
    m: Pick<
      StoryMedia,
      | 'id'
      | 'type'
      | 'status'
      | 'mimeType'
      | 'size'
      | 'width'
      | 'height'
      | 'durationSec'
      | 'storageKey'
      | 'thumbnailKey'
      | 'order'
    >,
  ): MediaDto {
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

  /** A summary from its row; `excerpt` when known, else made from the row's head. */
  private summaryOf(row: SummaryRow, excerpt: string): StorySummaryDto {
    return {
      id: Number(row.id),
      title: row.title,
      excerpt,
      category: row.category as StoryCategory,
      tags: row.tags ? row.tags.split(',') : [],
      region: { id: Number(row.region_id), name: row.region_name },
      guide: {
        id: Number(row.guide_id),
        userId: Number(row.guide_user_id),
        nickname: row.nickname ?? '',
        profileImageUrl: row.profile_image_url ?? null,
        averageRating: Number(row.average_rating),
      },
      thumbnailUrl: this.media.url(row.thumbnail_key),
      mediaCount: Number(row.media_count),
      likeCount: Number(row.like_count),
      commentCount: Number(row.comment_count),
      bookmarkCount: Number(row.bookmark_count),
      viewCount: Number(row.view_count),
      isMatched: Boolean(Number(row.is_matched)),
      createdAt: fromSqlDateTime(row.created_at).toISOString(),
      likedByMe: Number(row.liked) > 0,
      bookmarkedByMe: Number(row.bookmarked) > 0,
    };
  }

  /** Summaries of rows read with their content's head (lists). */
  private async summariesOf(rows: SummaryRow[]): Promise<StorySummaryDto[]> {
    return Promise.all(
      rows.map(async (row) => {
        const excerpt =
          excerptOfHead(row.head, Number(row.content_length)) ??
          excerptOf(await this.reads.content(Number(row.id)));
        return this.summaryOf(row, excerpt);
      }),
    );
  }

  /**
   * Summaries of the given stories, in the order of `ids` (missing ids are skipped), in one
   * statement whatever the count: story, region, guide, tags, first ready thumbnail, and the
   * caller's likes and bookmarks.
   */
  async summariesByIds(viewer: AuthUser | undefined, ids: number[]): Promise<StorySummaryDto[]> {
    if (ids.length === 0) return [];
    const rows = await this.reads.summaries(viewer?.id ?? 0, ids);
    const byId = new Map((await this.summariesOf(rows)).map((s) => [s.id, s]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  /**
   * GET /stories (published only) or, with `ownerId`, the owner's own list (hidden included):
   * one statement for the page and its summaries.
   */
  async list(
    viewer: AuthUser | undefined,
    query: ListStoriesQueryDto,
    ownerId?: number,
  ): Promise<Page<StorySummaryDto>> {
    const sort = query.sort ?? 'latest';
    const filter: StoryListFilter = {
      ownerId,
      category: query.category,
      guideId: query.guideId,
      tag: query.tag?.toLowerCase(),
      q: query.q?.toLowerCase(),
      // the owner's own list shows everything of theirs
      blockViewerId: ownerId === undefined ? blockViewerId(viewer) : undefined,
    };
    if (query.regionId !== undefined) {
      filter.regionIds = await this.regions.descendantIds(query.regionId);
      if (filter.regionIds.length === 0) return { items: [], nextCursor: null };
    }
    const rows = await this.reads.page(filter, sort, query.limit, query.cursor, viewer?.id ?? 0);
    const page = toPage(
      rows,
      query.limit,
      (r) => (sort === 'popular' ? [Number(r.score), Number(r.id)] : [Number(r.id)]),
      (r) => r,
    );
    return { items: await this.summariesOf(page.items), nextCursor: page.nextCursor };
  }

  // ---- a user's data export (docs/api.md, Blocking and account rights) ---------------------------------------------------------

  /** The user's stories, any status, with their content and media, oldest first. */
  async *exportStoriesOf(user: AuthUser): AsyncGenerator<StoryDetailDto & { deleted: boolean }> {
    for await (const story of byPages((after) =>
      this.stories.storiesOfUserAfter(user.id, after, EXPORT_PAGE),
    )) {
      const [[summary], media] = await Promise.all([
        this.summariesByIds(user, [story.id]),
        this.stories.mediaOf(story.id),
      ]);
      if (!summary) continue;
      yield {
        ...summary,
        content: story.content,
        status: story.status,
        updatedAt: story.updatedAt.toISOString(),
        media: media.map((m) => this.mediaDto(m)),
        deleted: story.status === 'deleted',
      };
    }
  }

  /** The user's likes or bookmarks: which story, and when. */
  async *exportReactionsOf(
    userId: number,
    kind: 'likes' | 'bookmarks',
  ): AsyncGenerator<{ storyId: number; createdAt: string }> {
    const entity = kind === 'likes' ? StoryLike : StoryBookmark;
    for await (const row of byPages((after) =>
      this.stories.reactionsOfUserAfter(entity, userId, after, EXPORT_PAGE),
    )) {
      yield { storyId: row.id, createdAt: row.createdAt.toISOString() };
    }
  }

  // ---- what other modules show ----------------------------------------------------------------

  /** Published stories per region (each under its own region); all regions without `ids`. */
  publishedCountsByRegion(regionIds?: number[]): Promise<RegionCount[]> {
    return this.stories.publishedCountsByRegion(regionIds);
  }

  publishedCategoryCountsByRegion(
    regionIds?: number[],
  ): Promise<(RegionCount & { category: string })[]> {
    return this.stories.publishedCategoryCountsByRegion(regionIds);
  }

  publishedTagCountsByRegion(regionIds?: number[]): Promise<(RegionCount & { tag: string })[]> {
    return this.stories.publishedTagCountsByRegion(regionIds);
  }

  /** Summaries of the most popular published stories in the regions, best first. */
  async popularInRegions(
    viewer: AuthUser | undefined,
    regionIds: number[],
    limit: number,
  ): Promise<StorySummaryDto[]> {
    const ids = await this.stories.popularPublishedIds(regionIds, limit, blockViewerId(viewer));
    return this.summariesByIds(viewer, ids);
  }

  countPublishedByGuide(guideId: number): Promise<number> {
    return this.stories.countPublishedByGuide(guideId);
  }

  /** A guide's published stories, newest first. */
  async publishedByGuide(
    viewer: AuthUser | undefined,
    guideId: number,
    query: PageQueryDto,
  ): Promise<Page<StorySummaryDto>> {
    return this.list(viewer, { ...query, guideId, sort: 'latest' });
  }

  /** Stories per status, for the admin dashboard. */
  countByStatus(): Promise<Map<StoryStatus, number>> {
    return this.stories.countByStatus();
  }
}
