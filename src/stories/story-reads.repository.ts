import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { decodeCursor } from '../common/pagination/cursor';
import { likeContains } from '../database/sql';
import type { IngestedMedia } from '../media/media.service';
import {
  execute,
  inList,
  inSqliteTransaction,
  selectRows,
  toSqlDateTime,
} from '../database/statements';
import { blockBetweenSql } from '../users/blocks.sql';
import type { StorySort } from './dto/story-input.dto';
import type { StoryListFilter } from './stories.repository';
import { POPULARITY_SQL } from './stories.repository';

/** Characters of content read for an excerpt: enough unless the text starts mostly blank. */
export const EXCERPT_HEAD_CHARS = 400;

/** What a story summary (docs/api.md, Stories and media) is made of, read by one statement with the story. */
export interface SummaryRow {
  id: number;
  title: string;
  /** The first EXCERPT_HEAD_CHARS characters of the content. */
  head: string;
  /** The content's length in characters. */
  content_length: number | string;
  category: string;
  media_count: number;
  like_count: number;
  comment_count: number;
  bookmark_count: number;
  view_count: number;
  is_matched: number | boolean;
  created_at: Date | string;
  region_id: number;
  region_name: string;
  guide_id: number;
  guide_user_id: number;
  nickname: string | null;
  profile_image_url: string | null;
  average_rating: number | string;
  /** The tags in order, comma separated (tags never hold a comma); null when none. */
  tags: string | null;
  /** The first ready media's thumbnail. */
  thumbnail_key: string | null;
  liked: number | string;
  bookmarked: number | string;
}

/** A summary row of a list page, with the popularity score its cursor may need. */
export interface PageRow extends SummaryRow {
  score: number | string;
}

/** A story for its detail: the summary, the rest of the story, its media and the block. */
export interface DetailRow extends SummaryRow {
  user_id: number;
  status: string;
  content: string;
  updated_at: Date | string;
  /** JSON array of {@link MediaJson}, in no particular order; null or `[]` when none. */
  media: string | MediaJson[] | null;
  /** A block stands between the viewer and the author (either way). */
  blocked: number | string;
}

/** One media item as the detail statement returns it: what ingest stored, with its row id and order. */
export type MediaJson = IngestedMedia & { id: number; order: number };

type Dialect = 'sqlite' | 'mysql';

/**
 * The hot reads of stories (GET /stories, GET /stories/:id, and every list of summaries) and
 * the view count: hand-written SQL with positional parameters, run as prepared statements
 * (database/statements.ts), selecting only what the responses show, in as few statements as
 * they allow: a page of summaries is one statement, a story detail one more for the view.
 */
@Injectable()
export class StoryReadsRepository {
  private readonly dialect: Dialect;
  private readonly summaryColumns: string;
  private readonly detailColumns: string;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.dialect = dataSource.options.type === 'better-sqlite3' ? 'sqlite' : 'mysql';
    const sqlite = this.dialect === 'sqlite';
    const tags = sqlite
      ? `(SELECT group_concat(t.tag, ',' ORDER BY t.position) FROM story_tags t WHERE t.story_id = s.id)`
      : `(SELECT GROUP_CONCAT(t.tag ORDER BY t.position SEPARATOR ',') FROM story_tags t WHERE t.story_id = s.id)`;
    const head = sqlite
      ? `substr(s.content, 1, ${EXCERPT_HEAD_CHARS}) AS head, length(s.content) AS content_length`
      : `SUBSTRING(s.content, 1, ${EXCERPT_HEAD_CHARS}) AS head, CHAR_LENGTH(s.content) AS content_length`;
    // three viewer parameters: liked, bookmarked (the viewer's id, 0 when anonymous)
    this.summaryColumns = `s.id, s.title, ${head}, s.category, s.media_count, s.like_count,
      s.comment_count, s.bookmark_count, s.view_count, s.is_matched, s.created_at, s.region_id,
      r.name AS region_name, s.guide_id, g.user_id AS guide_user_id, u.nickname,
      u.profile_image_url, g.average_rating, ${tags} AS tags,
      (SELECT m.thumbnail_key FROM media m
        WHERE m.story_id = s.id AND m.status = 'ready' AND m.thumbnail_key IS NOT NULL
        ORDER BY m.sort_order, m.id LIMIT 1) AS thumbnail_key,
      EXISTS (SELECT 1 FROM story_likes l WHERE l.story_id = s.id AND l.user_id = ?) AS liked,
      EXISTS (SELECT 1 FROM story_bookmarks b WHERE b.story_id = s.id AND b.user_id = ?) AS bookmarked`;
    const mediaFields = `'id', m.id, 'type', m.type, 'status', m.status, 'mimeType', m.mime_type,
      'size', m.size, 'width', m.width, 'height', m.height, 'durationSec', m.duration_sec,
      'storageKey', m.storage_key, 'thumbnailKey', m.thumbnail_key, 'order', m.sort_order`;
    // MySQL 8's JSON_ARRAYAGG takes no ORDER BY: the service sorts the items
    const media = sqlite
      ? `(SELECT json_group_array(json_object(${mediaFields})) FROM media m WHERE m.story_id = s.id)`
      : `(SELECT JSON_ARRAYAGG(JSON_OBJECT(${mediaFields})) FROM media m WHERE m.story_id = s.id)`;
    this.detailColumns = `${this.summaryColumns}, s.user_id, s.status, s.content, s.updated_at,
      ${media} AS media, ${blockBetweenSql('s.user_id')} AS blocked`;
  }

  private static readonly JOINS = `JOIN regions r ON r.id = s.region_id
    JOIN guides g ON g.id = s.guide_id
    LEFT JOIN users u ON u.id = g.user_id`;

  /** Summary rows of the stories `ids` (any status), in no particular order. */
  summaries(viewerId: number, ids: readonly number[]): Promise<SummaryRow[]> {
    if (ids.length === 0) return Promise.resolve([]);
    const list = inList(ids);
    return selectRows<SummaryRow>(
      this.dataSource.manager,
      `SELECT ${this.summaryColumns} FROM stories s ${StoryReadsRepository.JOINS}
       WHERE s.id IN (${list.sql})`,
      [viewerId, viewerId, ...list.params],
    );
  }

  /** The full content of a story (when the head was not enough for its excerpt). */
  async content(id: number): Promise<string> {
    const [row] = await selectRows<{ content: string }>(
      this.dataSource.manager,
      'SELECT content FROM stories WHERE id = ?',
      [id],
    );
    return row?.content ?? '';
  }

  /** The story with everything its detail shows, whatever its status; undefined if none. */
  async detail(
    viewerId: number,
    blockViewerId: number,
    id: number,
  ): Promise<DetailRow | undefined> {
    const [row] = await selectRows<DetailRow>(
      this.dataSource.manager,
      `SELECT ${this.detailColumns} FROM stories s ${StoryReadsRepository.JOINS} WHERE s.id = ?`,
      [viewerId, viewerId, blockViewerId, blockViewerId, id],
    );
    return row;
  }

  /**
   * A page (plus one row) of summaries, in one statement: the page's ids first (keyset paging
   * as in StoriesRepository.pageIds: `latest` on the id, `popular` on (score, id)), then their
   * summaries. `viewerId` is the caller (0 when anonymous), for likedByMe and bookmarkedByMe.
   */
  page(
    filter: StoryListFilter,
    sort: StorySort,
    limit: number,
    cursor: string | undefined,
    viewerId: number,
  ): Promise<PageRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.ownerId !== undefined) {
      where.push(`s.user_id = ? AND s.status IN ('published', 'hidden')`);
      params.push(filter.ownerId);
    } else {
      where.push(`s.status = 'published'`);
    }
    if (filter.regionIds) {
      const list = inList(filter.regionIds);
      where.push(`s.region_id IN (${list.sql})`);
      params.push(...list.params);
    }
    if (filter.category) {
      where.push('s.category = ?');
      params.push(filter.category);
    }
    if (filter.guideId !== undefined) {
      where.push('s.guide_id = ?');
      params.push(filter.guideId);
    }
    if (filter.blockViewerId !== undefined) {
      where.push(`NOT ${blockBetweenSql('s.user_id')}`);
      params.push(filter.blockViewerId, filter.blockViewerId);
    }
    if (filter.tag) {
      where.push('EXISTS (SELECT 1 FROM story_tags ft WHERE ft.story_id = s.id AND ft.tag = ?)');
      params.push(filter.tag);
    }
    if (filter.q) {
      const q = likeContains(filter.q);
      where.push(
        `(s.title LIKE ? ESCAPE '!' OR s.content LIKE ? ESCAPE '!' OR EXISTS ` +
          `(SELECT 1 FROM story_tags qt WHERE qt.story_id = s.id AND qt.tag LIKE ? ESCAPE '!'))`,
      );
      params.push(q, q, q);
    }
    let order: string;
    let outerOrder: string;
    if (sort === 'popular') {
      if (cursor) {
        const [score, id] = decodeCursor(cursor, ['number', 'id']);
        where.push(`(${POPULARITY_SQL} < ? OR (${POPULARITY_SQL} = ? AND s.id < ?))`);
        params.push(Number(score), Number(score), Number(id));
      }
      order = `${POPULARITY_SQL} DESC, s.id DESC`;
      outerOrder = 'p.score DESC, s.id DESC';
    } else {
      if (cursor) {
        const [id] = decodeCursor(cursor, ['id']);
        where.push('s.id < ?');
        params.push(Number(id));
      }
      order = 's.id DESC';
      outerOrder = 's.id DESC';
    }
    // the derived table's LIMIT keeps it from being merged: the summaries' subqueries run for
    // the page's rows only
    return selectRows<PageRow>(
      this.dataSource.manager,
      `SELECT ${this.summaryColumns}, p.score
       FROM (SELECT s.id, ${POPULARITY_SQL} AS score FROM stories s
             WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ?) p
       JOIN stories s ON s.id = p.id ${StoryReadsRepository.JOINS}
       ORDER BY ${outerOrder}`,
      [viewerId, viewerId, ...params, limit + 1],
    );
  }

  /**
   * Counts a view unless this viewer was counted for this story within `windowMs`: the
   * viewer's row is inserted, or renewed when older than the window, by statements that
   * cannot fail on a repeat (no duplicate-key error); the counter moves only when one of them
   * changed a row. The story's `updatedAt` stays: a view is no edit. True when it counted.
   */
  async countView(storyId: number, key: string, windowMs: number): Promise<boolean> {
    const manager = this.dataSource.manager;
    const now = new Date();
    const at = toSqlDateTime(now);
    const cutoff = toSqlDateTime(new Date(now.getTime() - windowMs));
    const bump =
      'UPDATE stories SET view_count = view_count + 1, updated_at = updated_at WHERE id = ?';
    // SQLite: both writes in one transaction, one commit
    const sqlite = inSqliteTransaction(manager, (run) => {
      const upsert = run(
        `INSERT INTO story_views (story_id, viewer_key, viewed_at) VALUES (?, ?, ?)
         ON CONFLICT (story_id, viewer_key) DO UPDATE SET viewed_at = excluded.viewed_at
         WHERE story_views.viewed_at <= ?`,
        [storyId, key, at, cutoff],
      );
      if (upsert.affected > 0) run(bump, [storyId]);
      return upsert.affected > 0;
    });
    if (sqlite !== undefined) return sqlite;
    // INSERT IGNORE: 0 rows for a repeat (unlike ON DUPLICATE KEY UPDATE, whose count the
    // FOUND_ROWS flag blurs); then the renewal, whose match is its change
    const inserted = await execute(
      manager,
      'INSERT IGNORE INTO story_views (story_id, viewer_key, viewed_at) VALUES (?, ?, ?)',
      [storyId, key, at],
    );
    let counted = inserted.affected > 0;
    if (!counted) {
      const renewed = await execute(
        manager,
        `UPDATE story_views SET viewed_at = ?
         WHERE story_id = ? AND viewer_key = ? AND viewed_at <= ?`,
        [at, storyId, key, cutoff],
      );
      counted = renewed.affected > 0;
    }
    // updated_at assigned to itself: MySQL's ON UPDATE CURRENT_TIMESTAMP stays out of it
    if (counted) await execute(manager, bump, [storyId]);
    return counted;
  }
}
