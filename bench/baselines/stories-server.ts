/**
 * Baseline (b) for `GET /api/v1/stories?limit=` and `GET /api/v1/stories/:id`: the physical
 * limit of this stack. A bare `node:http` server on better-sqlite3 or mysql2 with prepared
 * statements, issuing the minimal statements a careful hand-written server would for the same
 * JSON as the app's (docs/api.md, Stories and media "Story summary" / "Story detail"):
 *
 * - the JWT (HS256) checked with node:crypto against a key made once;
 * - the caller's current status, one statement (docs/api.md, General rules: checked on every request);
 * - list: one statement for the page with everything the summaries need (tags as a JSON
 *   array, first ready thumbnail, likedByMe/bookmarkedByMe) → 2 statements;
 * - detail: the view write (an upsert that counts once per viewer per 10 minutes, then the
 *   counter when it counted — one transaction on SQLite, two autocommits on MariaDB), then one
 *   statement for the story with its summary fields and media → 3 statements, 4 when the view
 *   counts.
 *
 * Environment: PORT, BENCH_DB (sqlite | mariadb), SQLITE_PATH or MARIADB_DATABASE, JWT_SECRET.
 * Only the routes the benchmarks use; anything else is 404.
 */
import { createHmac, createSecretKey, KeyObject, timingSafeEqual } from 'node:crypto';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import Database from 'better-sqlite3';
import * as mysql from 'mysql2/promise';

const EXCERPT_LENGTH = 120;
/** Characters of content fetched for the excerpt; enough unless the text is mostly blanks. */
const HEAD_CHARS = 400;
const VIEW_WINDOW_MS = 10 * 60 * 1000;
const MAX_ID = 2_147_483_647;
const ID = /^[1-9][0-9]{0,15}$/;

interface Viewer {
  id: number;
  role: string;
}

/** A row with the summary fields; `tags` and `media` are JSON text (or parsed, on MySQL 8). */
interface StoryRow {
  id: number;
  user_id?: number;
  status?: string;
  title: string;
  head: string;
  content_length: number;
  content?: string;
  category: string;
  media_count: number;
  like_count: number;
  comment_count: number;
  bookmark_count: number;
  view_count: number;
  is_matched: number | boolean;
  created_at: string | Date;
  updated_at?: string | Date;
  region_id: number;
  region_name: string;
  guide_id: number;
  guide_user_id: number;
  nickname: string | null;
  profile_image_url: string | null;
  average_rating: number | string;
  tags: unknown;
  thumbnail_key?: string | null;
  liked: number;
  bookmarked: number;
  media?: unknown;
}

interface MediaJson {
  id: number;
  type: string;
  status: string;
  storageKey: string;
  thumbnailKey: string | null;
  mimeType: string;
  size: number;
  width: number | null;
  height: number | null;
  durationSec: number | null;
  order: number;
}

/** The data access: the same statements on both databases, in each one's dialect. */
interface Store {
  caller(
    id: number,
  ): Promise<{ role: string; status: string; suspended_until: unknown } | undefined>;
  liftSuspension(id: number, now: string): Promise<boolean>;
  page(viewerId: number, beforeId: number, limit: number): Promise<StoryRow[]>;
  content(id: number): Promise<string>;
  /** Counts a view (upsert + counter); true when it counted. */
  countView(storyId: number, key: string, now: string, cutoff: string): Promise<boolean>;
  story(viewerId: number, storyId: number): Promise<StoryRow | undefined>;
}

const sqlDate = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');

const SUMMARY_COLUMNS = (dialect: 'sqlite' | 'mysql') => {
  const tags =
    dialect === 'sqlite'
      ? `(SELECT json_group_array(t.tag ORDER BY t.position) FROM story_tags t WHERE t.story_id = s.id)`
      : `(SELECT JSON_ARRAYAGG(t.tag ORDER BY t.position) FROM story_tags t WHERE t.story_id = s.id)`;
  const head =
    dialect === 'sqlite'
      ? `substr(s.content, 1, ${HEAD_CHARS}) AS head, length(s.content) AS content_length`
      : `SUBSTRING(s.content, 1, ${HEAD_CHARS}) AS head, CHAR_LENGTH(s.content) AS content_length`;
  return `s.id, s.title, ${head}, s.category, s.media_count, s.like_count, s.comment_count,
    s.bookmark_count, s.view_count, s.is_matched, s.created_at, s.region_id, r.name AS region_name,
    s.guide_id, g.user_id AS guide_user_id, u.nickname, u.profile_image_url, g.average_rating,
    ${tags} AS tags,
    EXISTS (SELECT 1 FROM story_likes l WHERE l.story_id = s.id AND l.user_id = ?) AS liked,
    EXISTS (SELECT 1 FROM story_bookmarks b WHERE b.story_id = s.id AND b.user_id = ?) AS bookmarked`;
};

const FROM = `FROM stories s
  JOIN regions r ON r.id = s.region_id
  JOIN guides g ON g.id = s.guide_id
  LEFT JOIN users u ON u.id = g.user_id`;

const FIRST_THUMBNAIL = `(SELECT m.thumbnail_key FROM media m
  WHERE m.story_id = s.id AND m.status = 'ready' AND m.thumbnail_key IS NOT NULL
  ORDER BY m.sort_order, m.id LIMIT 1) AS thumbnail_key`;

function mediaJson(dialect: 'sqlite' | 'mysql'): string {
  const fields = `'id', m.id, 'type', m.type, 'status', m.status, 'storageKey', m.storage_key,
    'thumbnailKey', m.thumbnail_key, 'mimeType', m.mime_type, 'size', m.size, 'width', m.width,
    'height', m.height, 'durationSec', m.duration_sec, 'order', m.sort_order`;
  return dialect === 'sqlite'
    ? `(SELECT json_group_array(json_object(${fields}) ORDER BY m.sort_order, m.id) FROM media m WHERE m.story_id = s.id) AS media`
    : `(SELECT JSON_ARRAYAGG(JSON_OBJECT(${fields}) ORDER BY m.sort_order, m.id) FROM media m WHERE m.story_id = s.id) AS media`;
}

function sqliteStore(path: string): Store {
  const db = new Database(path, { timeout: 5000 });
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  const caller = db.prepare('SELECT role, status, suspended_until FROM users WHERE id = ?');
  const lift = db.prepare(
    `UPDATE users SET status = 'active', suspended_until = NULL, suspend_reason = NULL
     WHERE id = ? AND status = 'suspended' AND suspended_until <= ?`,
  );
  // `+status`: walk the ids downwards and stop after the page, rather than read every
  // published id from the (status, created_at, id) index and sort them
  const page = db.prepare(
    `SELECT ${SUMMARY_COLUMNS('sqlite')}, ${FIRST_THUMBNAIL}
     FROM (SELECT id FROM stories WHERE +status = 'published' AND id < ? ORDER BY id DESC LIMIT ?) p
     JOIN ${FROM.slice('FROM '.length).replace('stories s', 'stories s ON s.id = p.id')}
     ORDER BY s.id DESC`,
  );
  const content = db.prepare('SELECT content FROM stories WHERE id = ?').pluck();
  const upsertView = db.prepare(
    `INSERT INTO story_views (story_id, viewer_key, viewed_at)
     SELECT id, ?, ? FROM stories WHERE id = ? AND status = 'published'
     ON CONFLICT (story_id, viewer_key) DO UPDATE SET viewed_at = excluded.viewed_at
     WHERE story_views.viewed_at <= ?`,
  );
  // as the app's counter update: a view is no edit, updated_at stays
  const bump = db.prepare('UPDATE stories SET view_count = view_count + 1 WHERE id = ?');
  const countView = db.transaction((storyId: number, key: string, now: string, cutoff: string) => {
    const counted = upsertView.run(key, now, storyId, cutoff).changes > 0;
    if (counted) bump.run(storyId);
    return counted;
  });
  const story = db.prepare(
    `SELECT ${SUMMARY_COLUMNS('sqlite')}, s.user_id, s.status, s.content, s.updated_at,
       ${mediaJson('sqlite')} ${FROM} WHERE s.id = ?`,
  );
  return {
    caller: async (id) => caller.get(id) as Awaited<ReturnType<Store['caller']>>,
    liftSuspension: async (id, now) => lift.run(id, now).changes > 0,
    page: async (viewerId, beforeId, limit) =>
      page.all(viewerId, viewerId, beforeId, limit) as StoryRow[],
    content: async (id) => content.get(id) as string,
    countView: async (storyId, key, now, cutoff) => countView(storyId, key, now, cutoff) as boolean,
    story: async (viewerId, storyId) =>
      story.get(viewerId, viewerId, storyId) as StoryRow | undefined,
  };
}

function mysqlStore(database: string): Store {
  const pool = mysql.createPool({
    host: process.env.MARIADB_HOST ?? '127.0.0.1',
    port: Number(process.env.MARIADB_PORT ?? 3306),
    user: process.env.MARIADB_USER ?? 'root',
    password: process.env.MARIADB_PASSWORD ?? '',
    database,
    connectionLimit: 10, // as the app's pool
    timezone: 'Z',
    charset: 'utf8mb4_unicode_ci',
    // affectedRows of INSERT … ON DUPLICATE KEY UPDATE: 1 inserted, 2 changed, 0 unchanged
    flags: ['-FOUND_ROWS'],
  });
  type Rows<T> = [T[], unknown];
  type Params = (string | number | null)[];
  const rows = async <T>(sql: string, params: Params) =>
    ((await pool.execute(sql, params)) as unknown as Rows<T>)[0];
  const changed = async (sql: string, params: Params) =>
    ((await pool.execute(sql, params)) as unknown as [{ affectedRows: number }, unknown])[0]
      .affectedRows;
  // the page's ids first (a derived table with LIMIT is not merged), then its summaries
  const PAGE = `SELECT ${SUMMARY_COLUMNS('mysql')}, ${FIRST_THUMBNAIL}
    FROM (SELECT id FROM stories WHERE status = 'published' AND id < ? ORDER BY id DESC LIMIT ?) p
    JOIN ${FROM.slice('FROM '.length).replace('stories s', 'stories s ON s.id = p.id')}
    ORDER BY s.id DESC`;
  const STORY = `SELECT ${SUMMARY_COLUMNS('mysql')}, s.user_id, s.status, s.content, s.updated_at,
    ${mediaJson('mysql')} ${FROM} WHERE s.id = ?`;
  return {
    caller: async (id) =>
      (
        await rows<{ role: string; status: string; suspended_until: unknown }>(
          'SELECT role, status, suspended_until FROM users WHERE id = ?',
          [id],
        )
      )[0],
    liftSuspension: async (id, now) =>
      (await changed(
        `UPDATE users SET status = 'active', suspended_until = NULL, suspend_reason = NULL
         WHERE id = ? AND status = 'suspended' AND suspended_until <= ?`,
        [id, now],
      )) > 0,
    page: (viewerId, beforeId, limit) =>
      rows<StoryRow>(PAGE, [viewerId, viewerId, beforeId, String(limit)]),
    content: async (id) =>
      (await rows<{ content: string }>('SELECT content FROM stories WHERE id = ?', [id]))[0]
        .content,
    countView: async (storyId, key, now, cutoff) => {
      const counted =
        (await changed(
          `INSERT INTO story_views (story_id, viewer_key, viewed_at)
           SELECT s.id, ?, ? FROM stories s WHERE s.id = ? AND s.status = 'published'
           ON DUPLICATE KEY UPDATE viewed_at =
             IF(story_views.viewed_at <= ?, VALUES(viewed_at), story_views.viewed_at)`,
          [key, now, storyId, cutoff],
        )) > 0;
      if (counted) {
        await changed(
          // updated_at assigned to itself: no ON UPDATE CURRENT_TIMESTAMP for a view
          'UPDATE stories SET view_count = view_count + 1, updated_at = updated_at WHERE id = ?',
          [storyId],
        );
      }
      return counted;
    },
    story: async (viewerId, storyId) =>
      (await rows<StoryRow>(STORY, [viewerId, viewerId, storyId]))[0],
  };
}

// ---- JWT --------------------------------------------------------------------------------

const headerOk = new Map<string, boolean>();

function hs256Header(encoded: string): boolean {
  let ok = headerOk.get(encoded);
  if (ok === undefined) {
    try {
      const header = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')) as {
        alg?: unknown;
      };
      ok = header.alg === 'HS256';
    } catch {
      ok = false;
    }
    if (headerOk.size < 100) headerOk.set(encoded, ok);
  }
  return ok;
}

/** The user id of a valid, unexpired HS256 token, else null. */
function verifyToken(token: string, key: KeyObject): number | null {
  const first = token.indexOf('.');
  const second = token.indexOf('.', first + 1);
  if (first < 1 || second < 0 || token.indexOf('.', second + 1) !== -1) return null;
  if (!hs256Header(token.slice(0, first))) return null;
  const expected = createHmac('sha256', key).update(token.slice(0, second)).digest();
  const signature = Buffer.from(token.slice(second + 1), 'base64url');
  if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) return null;
  let payload: { sub?: unknown; exp?: unknown; nbf?: unknown };
  try {
    payload = JSON.parse(Buffer.from(token.slice(first + 1, second), 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  const now = Date.now() / 1000;
  if (typeof payload.exp === 'number' && now >= payload.exp) return null;
  if (typeof payload.nbf === 'number' && now < payload.nbf) return null;
  const id = typeof payload.sub === 'string' ? Number(payload.sub) : NaN;
  return Number.isSafeInteger(id) && id >= 1 ? id : null;
}

// ---- JSON -------------------------------------------------------------------------------

function excerptOf(content: string): string {
  const flat = content.replace(/\s+/g, ' ').trim();
  return flat.length <= EXCERPT_LENGTH ? flat : `${flat.slice(0, EXCERPT_LENGTH - 1).trimEnd()}…`;
}

/** The excerpt from the head of the content, or null when the head is not enough. */
function excerptOfHead(head: string, length: number): string | null {
  const flat = head.replace(/\s+/g, ' ').trim();
  if (flat.length > EXCERPT_LENGTH) return `${flat.slice(0, EXCERPT_LENGTH - 1).trimEnd()}…`;
  return Number(length) <= HEAD_CHARS ? flat : null;
}

const iso = (value: string | Date) =>
  value instanceof Date
    ? value.toISOString()
    : new Date(
        `${value.replace(' ', 'T')}${/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? '' : 'Z'}`,
      ).toISOString();

const json = <T>(value: unknown): T =>
  (typeof value === 'string'
    ? JSON.parse(value)
    : Buffer.isBuffer(value)
      ? JSON.parse(value.toString('utf8'))
      : value) as T;

const url = (key: string | null) => (key ? `/uploads/${key}` : null);

function summary(row: StoryRow, excerpt: string, thumbnailKey: string | null) {
  return {
    id: row.id,
    title: row.title,
    excerpt,
    category: row.category,
    tags: json<string[] | null>(row.tags) ?? [],
    region: { id: row.region_id, name: row.region_name },
    guide: {
      id: row.guide_id,
      userId: row.guide_user_id,
      nickname: row.nickname ?? '',
      profileImageUrl: row.profile_image_url ?? null,
      averageRating: Number(row.average_rating),
    },
    thumbnailUrl: url(thumbnailKey),
    mediaCount: row.media_count,
    likeCount: row.like_count,
    commentCount: row.comment_count,
    bookmarkCount: row.bookmark_count,
    viewCount: row.view_count,
    isMatched: Boolean(row.is_matched),
    createdAt: iso(row.created_at),
    likedByMe: Boolean(row.liked),
    bookmarkedByMe: Boolean(row.bookmarked),
  };
}

// ---- HTTP -------------------------------------------------------------------------------

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function fail(res: ServerResponse, status: number, code: string, message: string): void {
  send(res, status, { statusCode: status, code, message });
}

async function main(): Promise<void> {
  const key = createSecretKey(Buffer.from(process.env.JWT_SECRET ?? '', 'utf8'));
  const store =
    process.env.BENCH_DB === 'mariadb'
      ? mysqlStore(process.env.MARIADB_DATABASE ?? '')
      : sqliteStore(process.env.SQLITE_PATH ?? '');

  /** docs/api.md, General rules: the token, then the caller's current state; an unusable token is anonymous. */
  async function viewerOf(req: IncomingMessage): Promise<Viewer | undefined> {
    const header = req.headers.authorization;
    if (!header || !header.startsWith('Bearer ')) return undefined;
    const id = verifyToken(header.slice(7).trim(), key);
    if (id === null) return undefined;
    const user = await store.caller(id);
    if (!user || user.status === 'withdrawn') return undefined;
    if (user.status === 'suspended') {
      const until = user.suspended_until;
      const expired =
        until !== null && new Date(iso(until as string | Date)).getTime() <= Date.now();
      if (!expired || !(await store.liftSuspension(id, sqlDate(Date.now())))) return undefined;
    }
    return { id, role: user.role };
  }

  async function list(req: IncomingMessage, res: ServerResponse, query: URLSearchParams) {
    const limitText = query.get('limit');
    const limit = limitText === null ? 20 : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > 50) {
      return fail(res, 400, 'VALIDATION_FAILED', 'limit must be 1–50');
    }
    let before = MAX_ID + 1;
    const cursor = query.get('cursor');
    if (cursor !== null) {
      let key: unknown;
      try {
        key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
      } catch {
        key = null;
      }
      if (!Array.isArray(key) || key.length !== 1 || !Number.isSafeInteger(key[0]) || key[0] < 1) {
        return fail(res, 400, 'VALIDATION_FAILED', 'cursor is not valid');
      }
      before = key[0] as number;
    }
    const viewer = await viewerOf(req);
    const rows = await store.page(viewer?.id ?? 0, before, limit + 1);
    const pageRows = rows.length > limit ? rows.slice(0, limit) : rows;
    const items = [];
    for (const r of pageRows) {
      // the head of the content gives the excerpt unless it is mostly blanks (then fetch all)
      const excerpt =
        excerptOfHead(r.head, r.content_length) ?? excerptOf(await store.content(r.id));
      items.push(summary(r, excerpt, r.thumbnail_key ?? null));
    }
    const last = pageRows[pageRows.length - 1];
    const nextCursor =
      rows.length > limit && last
        ? Buffer.from(JSON.stringify([last.id]), 'utf8').toString('base64url')
        : null;
    send(res, 200, { items, nextCursor });
  }

  async function detail(req: IncomingMessage, res: ServerResponse, idText: string) {
    if (!ID.test(idText)) return fail(res, 400, 'VALIDATION_FAILED', 'id must be an integer');
    const storyId = Number(idText);
    if (storyId > MAX_ID) return fail(res, 404, 'NOT_FOUND', 'Story not found');
    const viewer = await viewerOf(req);
    const now = Date.now();
    const viewerKey = viewer
      ? `u:${viewer.id}`
      : `ip:${(req.socket.remoteAddress ?? 'unknown').slice(0, 60)}`;
    await store.countView(storyId, viewerKey, sqlDate(now), sqlDate(now - VIEW_WINDOW_MS));
    const row = await store.story(viewer?.id ?? 0, storyId);
    const visible =
      row &&
      (row.status === 'published' ||
        (viewer !== undefined && (viewer.role === 'admin' || viewer.id === row.user_id)));
    if (!row || !visible) return fail(res, 404, 'NOT_FOUND', 'Story not found');
    const media = json<MediaJson[] | null>(row.media) ?? [];
    const firstThumbnail = media.find((m) => m.status === 'ready' && m.thumbnailKey !== null);
    send(res, 200, {
      ...summary(row, excerptOf(row.content as string), firstThumbnail?.thumbnailKey ?? null),
      content: row.content,
      status: row.status,
      updatedAt: iso(row.updated_at as string | Date),
      media: media.map((m) => {
        const ready = m.status === 'ready';
        return {
          id: m.id,
          type: m.type,
          status: m.status,
          url: ready ? url(m.storageKey) : null,
          thumbnailUrl: ready ? url(m.thumbnailKey) : null,
          mimeType: m.mimeType,
          size: Number(m.size),
          width: m.width,
          height: m.height,
          durationSec: m.durationSec,
          order: m.order,
        };
      }),
    });
  }

  const server = createServer((req, res) => {
    const target = req.url ?? '/';
    const q = target.indexOf('?');
    const path = q === -1 ? target : target.slice(0, q);
    let work: Promise<void> | void;
    if (req.method !== 'GET') work = fail(res, 404, 'NOT_FOUND', 'Not found');
    else if (path === '/api/v1/stories') {
      work = list(req, res, new URLSearchParams(q === -1 ? '' : target.slice(q + 1)));
    } else if (path.startsWith('/api/v1/stories/')) {
      work = detail(req, res, path.slice('/api/v1/stories/'.length));
    } else if (path === '/health') work = send(res, 200, { status: 'ok' });
    else work = fail(res, 404, 'NOT_FOUND', 'Not found');
    Promise.resolve(work).catch((error: Error) => {
      console.error(error);
      if (!res.headersSent) fail(res, 500, 'INTERNAL_ERROR', 'Something went wrong');
    });
  });
  server.keepAliveTimeout = 65_000;
  server.listen(Number(process.env.PORT), '127.0.0.1');
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}

void main();
