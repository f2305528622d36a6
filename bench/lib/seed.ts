/**
 * Seeds a scratch database (schema created by the app) with bulk SQL: 50 approved guides with
 * their regions, ~2,000 published stories (plus a few hidden and deleted ones) with tags,
 * media, likes, comments, bookmarks and views, 500 travellers, and 500 matched rooms
 * (accepted matching requests, chat rooms, members and a few messages each). Deterministic:
 * the same seed gives the same rows. Counters match the rows they count.
 */
import { STORY_CATEGORIES } from '../../src/stories/story-values';
import type { SqlClient } from './database';

export const GUIDES = 50;
export const TRAVELLERS = 500;
export const PUBLISHED_STORIES = 2000;
export const ROOMS = 500;

export interface Fixture {
  /** Guide users and their guide profiles, by index. */
  guides: { userId: number; guideId: number }[];
  /** Traveller user ids (role `user`). */
  travellers: number[];
  /** Published story ids, ascending. */
  stories: number[];
  /** One room per traveller: the traveller and the guide user of the story. */
  rooms: { roomId: number; travelerId: number; guideUserId: number }[];
  /** Region ids (seeded by the app). */
  regions: number[];
  /** Rows inserted per table. */
  counts: Record<string, number>;
}

/** mulberry32: a small deterministic PRNG. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The datetime text TypeORM writes (UTC, milliseconds); MariaDB takes the same literal. */
export function sqlDate(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

const DAY = 86_400_000;
const CATEGORIES = STORY_CATEGORIES;
const TAGS = (
  '제주 서귀포 강릉 경주 부산 서울 전주 여수 속초 안동 한옥 바다 야경 맛집 카페 시장 산책 등산 ' +
  '올레길 해돋이 노을 축제 전통 역사 사찰 미술관 박물관 골목 포차 막걸리 비빔밥 해산물 국밥 ' +
  'food nightview hiking beach temple market cafe street photo family couple solo budget ' +
  'luxury rainy-day winter spring autumn summer kids pet-friendly local hidden-gem sunset ' +
  'sunrise festival museum craft tea bbq seafood noodles dessert bakery walk bike kayak'
).split(' ');
const WORDS = (
  '오늘은 현지인만 아는 골목을 따라 걸으며 오래된 시장과 작은 카페를 둘러봅니다. 아침 일찍 ' +
  '출발하면 사람이 적고 빛이 좋아서 사진이 잘 나옵니다. 점심은 할머니가 운영하는 국밥집에서, ' +
  'We start at the old harbour, walk along the coastal trail and stop for fresh seafood. ' +
  'The route is easy for families and takes about three hours with plenty of breaks. ' +
  '저녁에는 언덕 위 전망대에서 노을과 야경을 함께 볼 수 있어요. 날씨가 흐린 날에는 박물관 ' +
  'and the craft workshop are good alternatives; bring comfortable shoes and cash for the market.'
).split(' ');

function text(rand: () => number, minChars: number, maxChars: number): string {
  const target = minChars + Math.floor(rand() * (maxChars - minChars));
  let out = '';
  while (out.length < target) {
    out += WORDS[Math.floor(rand() * WORDS.length)];
    const r = rand();
    out += r < 0.04 ? '\n\n' : r < 0.08 ? '\n' : r < 0.1 ? '  ' : ' ';
  }
  return out.trim();
}

/** `k` distinct items of `pool`, in random order (partial Fisher–Yates on a copy). */
function sample<T>(rand: () => number, pool: readonly T[], k: number): T[] {
  const copy = [...pool];
  const n = Math.min(k, copy.length);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(rand() * (copy.length - i));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy.slice(0, n);
}

/** A count with a long tail around `mean` (exponential), capped. */
function tail(rand: () => number, mean: number, cap: number): number {
  return Math.min(cap, Math.floor(-Math.log(1 - rand()) * mean));
}

const hex = (rand: () => number) =>
  Array.from({ length: 4 }, () =>
    Math.floor(rand() * 2 ** 32)
      .toString(16)
      .padStart(8, '0'),
  ).join('');

export async function seed(db: SqlClient, seedValue = 11): Promise<Fixture> {
  const rand = random(seedValue);
  const now = Date.now();
  const counts: Record<string, number> = {};
  const insert = async (table: string, columns: string[], rows: unknown[][]) => {
    await db.insertMany(table, columns, rows);
    counts[table] = (counts[table] ?? 0) + rows.length;
  };

  const regionIds = (await db.all<{ id: number }>('SELECT id FROM regions ORDER BY id')).map((r) =>
    Number(r.id),
  );
  if (regionIds.length === 0) throw new Error('no regions: the app seeds them at its first start');
  const existingUsers = await db.all<{ n: number }>('SELECT COUNT(*) AS n FROM users');
  if (Number(existingUsers[0].n) > 0) throw new Error('the scratch database already has users');

  // ---- users, guides ---------------------------------------------------------------------
  const users: unknown[][] = [];
  const guides: Fixture['guides'] = [];
  const travellers: number[] = [];
  const userCreated = (i: number) => sqlDate(now - 400 * DAY + i * 60_000);
  for (let i = 1; i <= GUIDES + TRAVELLERS; i++) {
    const guide = i <= GUIDES;
    users.push([
      i,
      `${guide ? 9_000_000 : 8_000_000}${i}`,
      guide ? `가이드 ${i}` : `여행자${i}`,
      0,
      rand() < 0.8 ? `https://k.kakaocdn.net/dn/bench/profile_${i}.jpg` : null,
      null,
      guide ? '현지 가이드입니다' : null,
      guide ? 'guide' : 'user',
      'active',
      sqlDate(now - rand() * DAY),
      userCreated(i),
      userCreated(i),
    ]);
    if (guide) guides.push({ userId: i, guideId: i });
    else travellers.push(i);
  }
  await insert(
    'users',
    [
      'id',
      'kakao_id',
      'nickname',
      'nickname_customized',
      'profile_image_url',
      'email',
      'bio',
      'role',
      'status',
      'last_login_at',
      'created_at',
      'updated_at',
    ],
    users,
  );
  const guideRegions = new Map<number, number[]>();
  await insert(
    'guides',
    [
      'id',
      'user_id',
      'status',
      'introduction',
      'languages',
      'career',
      'average_rating',
      'review_count',
      'approved_at',
      'applied_at',
      'created_at',
      'updated_at',
    ],
    guides.map((g) => {
      guideRegions.set(g.guideId, sample(rand, regionIds, 1 + Math.floor(rand() * 3)));
      const reviews = Math.floor(rand() * 80);
      return [
        g.guideId,
        g.userId,
        'approved',
        text(rand, 40, 400),
        rand() < 0.5 ? ',ko,en,' : ',ko,en,ja,',
        rand() < 0.6 ? text(rand, 20, 200) : null,
        reviews === 0 ? 0 : Math.round((3 + rand() * 2) * 100) / 100,
        reviews,
        userCreated(g.userId),
        userCreated(g.userId),
        userCreated(g.userId),
        userCreated(g.userId),
      ];
    }),
  );
  await insert(
    'guide_regions',
    ['guide_id', 'region_id'],
    [...guideRegions].flatMap(([guideId, ids]) => ids.map((regionId) => [guideId, regionId])),
  );

  // ---- stories and everything hanging off them --------------------------------------------
  const allUsers = users.map((u) => u[0] as number);
  const stories: unknown[][] = [];
  const published: number[] = [];
  const storyGuide = new Map<number, { guideId: number; userId: number }>();
  const tags: unknown[][] = [];
  const media: unknown[][] = [];
  const likes: unknown[][] = [];
  const bookmarks: unknown[][] = [];
  const comments: unknown[][] = [];
  const views: unknown[][] = [];
  const extra = 40; // hidden and deleted ones among them
  const total = PUBLISHED_STORIES + extra;
  let mediaId = 1;
  let commentId = 1;
  for (let id = 1; id <= total; id++) {
    const status = id % 51 === 0 ? (id % 2 ? 'hidden' : 'deleted') : 'published';
    const guide = guides[Math.floor(rand() * guides.length)];
    const created = now - 365 * DAY + (id / total) * 364 * DAY;
    const regions = guideRegions.get(guide.guideId) as number[];
    const storyTags = sample(rand, TAGS, Math.floor(rand() * 7));
    storyTags.forEach((tag, position) => tags.push([id, tag, position]));

    const mediaCount = rand() < 0.1 ? 0 : 1 + Math.floor(rand() * 6);
    // videos still processing only among the newest uploads: a restarted app queues each of
    // them again (their files do not exist, so each job fails after its retries)
    const recent = id > total - 40;
    for (let order = 0; order < mediaCount; order++) {
      const r = rand();
      const key = hex(rand);
      const videoReady = [
        'video',
        'ready',
        'video/mp4',
        `stories/${key}.mp4`,
        `thumbnails/${key}.jpg`,
        1,
      ];
      const row =
        r < 0.85
          ? ['image', 'ready', 'image/jpeg', `stories/${key}.jpg`, `thumbnails/${key}.jpg`, null]
          : r < 0.95
            ? videoReady
            : r < 0.98
              ? recent
                ? ['video', 'processing', 'video/mp4', `incoming/${key}.mp4`, null, 1]
                : videoReady
              : ['video', 'failed', 'video/mp4', `stories/${key}.mp4`, null, 1];
      const [type, mediaStatus, mime, storageKey, thumbnailKey, isVideo] = row;
      media.push([
        mediaId++,
        id,
        type,
        mediaStatus,
        mime,
        isVideo ? 5_000_000 + Math.floor(rand() * 60_000_000) : 300_000 + Math.floor(rand() * 4e6),
        type === 'image' ? 4000 : 1920,
        type === 'image' ? 3000 : 1080,
        isVideo ? Math.round(rand() * 600) / 10 : null,
        storageKey,
        thumbnailKey,
        order,
        sqlDate(created),
      ]);
    }

    const likers = sample(rand, allUsers, tail(rand, 15, 300));
    for (const userId of likers) likes.push([id, userId, sqlDate(created + rand() * 30 * DAY)]);
    const bookmarkers = sample(rand, allUsers, tail(rand, 5, 100));
    for (const userId of bookmarkers) {
      bookmarks.push([id, userId, sqlDate(created + rand() * 30 * DAY)]);
    }

    const topLevel: { id: number; replies: number; row: unknown[] }[] = [];
    let commentCount = 0;
    for (let c = tail(rand, 5, 80); c > 0; c--) {
      const parent =
        topLevel.length > 0 && rand() < 0.25
          ? topLevel[Math.floor(rand() * topLevel.length)]
          : null;
      const deleted = rand() < 0.05;
      const at = sqlDate(created + rand() * 20 * DAY + commentId);
      const row = [
        commentId,
        id,
        allUsers[Math.floor(rand() * allUsers.length)],
        parent?.id ?? null,
        deleted ? '' : text(rand, 5, 200),
        0,
        deleted ? at : null,
        at,
        at,
      ];
      comments.push(row);
      if (!parent) topLevel.push({ id: commentId, replies: 0, row });
      else if (!deleted) parent.row[5] = (parent.row[5] as number) + 1;
      if (!deleted) commentCount++;
      commentId++;
    }

    const viewRows = tail(rand, 25, 400);
    const viewers = new Set<string>();
    while (viewers.size < viewRows) {
      viewers.add(
        rand() < 0.7
          ? `u:${allUsers[Math.floor(rand() * allUsers.length)]}`
          : `ip:10.${Math.floor(rand() * 256)}.${Math.floor(rand() * 256)}.${Math.floor(rand() * 256)}`,
      );
    }
    for (const key of viewers) {
      views.push([id, key, sqlDate(created + rand() * (now - 20 * 60_000 - created))]);
    }

    stories.push([
      id,
      guide.guideId,
      guide.userId,
      `${TAGS[Math.floor(rand() * TAGS.length)]} ${text(rand, 10, 60)}`.slice(0, 100),
      text(rand, 150, 1500),
      CATEGORIES[Math.floor(rand() * CATEGORIES.length)],
      regions[Math.floor(rand() * regions.length)],
      status,
      status === 'hidden' ? 'reported' : null,
      likers.length,
      commentCount,
      bookmarkers.length,
      viewers.size + Math.floor(rand() * viewers.size * 3),
      mediaCount,
      0,
      status === 'deleted' ? sqlDate(created + DAY) : null,
      sqlDate(created),
      sqlDate(created + (rand() < 0.3 ? rand() * 10 * DAY : 0)),
    ]);
    storyGuide.set(id, guide);
    if (status === 'published') published.push(id);
  }
  await insert(
    'stories',
    [
      'id',
      'guide_id',
      'user_id',
      'title',
      'content',
      'category',
      'region_id',
      'status',
      'hidden_reason',
      'like_count',
      'comment_count',
      'bookmark_count',
      'view_count',
      'media_count',
      'is_matched',
      'deleted_at',
      'created_at',
      'updated_at',
    ],
    stories,
  );
  await insert('story_tags', ['story_id', 'tag', 'position'], tags);
  await insert(
    'media',
    [
      'id',
      'story_id',
      'type',
      'status',
      'mime_type',
      'size',
      'width',
      'height',
      'duration_sec',
      'storage_key',
      'thumbnail_key',
      'sort_order',
      'created_at',
    ],
    media,
  );
  await insert('story_likes', ['story_id', 'user_id', 'created_at'], likes);
  await insert('story_bookmarks', ['story_id', 'user_id', 'created_at'], bookmarks);
  await insert(
    'comments',
    [
      'id',
      'story_id',
      'author_id',
      'parent_id',
      'content',
      'reply_count',
      'deleted_at',
      'created_at',
      'updated_at',
    ],
    comments,
  );
  await insert('story_views', ['story_id', 'viewer_key', 'viewed_at'], views);

  // ---- matched rooms ----------------------------------------------------------------------
  const requests: unknown[][] = [];
  const rooms: unknown[][] = [];
  const members: unknown[][] = [];
  const messages: unknown[][] = [];
  const fixtureRooms: Fixture['rooms'] = [];
  const matchedStories = new Set<number>();
  let messageId = 1;
  for (let i = 0; i < ROOMS; i++) {
    const roomId = i + 1;
    const travelerId = travellers[i % travellers.length];
    const storyId = published[Math.floor(rand() * published.length)];
    const guide = storyGuide.get(storyId) as { guideId: number; userId: number };
    matchedStories.add(storyId);
    const at = now - 30 * DAY + i * 60_000;
    requests.push([
      roomId,
      storyId,
      guide.guideId,
      guide.userId,
      travelerId,
      'accepted',
      `${travelerId}:${storyId}`,
      new Date(now + 30 * DAY).toISOString().slice(0, 10),
      '10:00',
      1 + Math.floor(rand() * 4),
      text(rand, 10, 200),
      roomId,
      sqlDate(at + 3_600_000),
      sqlDate(at),
      sqlDate(at + 3_600_000),
    ]);
    let last = 0;
    for (let m = 0; m < 10; m++) {
      last = messageId++;
      const sender = m % 2 ? guide.userId : travelerId;
      messages.push([
        last,
        roomId,
        sender,
        'text',
        text(rand, 5, 120),
        `seed-${last}`,
        sqlDate(at + 3_700_000 + m * 60_000),
      ]);
    }
    const lastAt = sqlDate(at + 3_700_000 + 9 * 60_000);
    rooms.push([
      roomId,
      roomId,
      storyId,
      travelerId,
      guide.userId,
      null,
      last,
      lastAt,
      sqlDate(at + 3_600_000),
      lastAt,
    ]);
    members.push(
      [roomId * 2 - 1, roomId, travelerId, last],
      [roomId * 2, roomId, guide.userId, last - 1],
    );
    fixtureRooms.push({ roomId, travelerId, guideUserId: guide.userId });
  }
  await insert(
    'matching_requests',
    [
      'id',
      'story_id',
      'guide_id',
      'guide_user_id',
      'traveler_id',
      'status',
      'open_key',
      'desired_date',
      'desired_time',
      'party_size',
      'message',
      'chat_room_id',
      'responded_at',
      'created_at',
      'updated_at',
    ],
    requests,
  );
  await insert(
    'chat_rooms',
    [
      'id',
      'matching_request_id',
      'story_id',
      'traveler_id',
      'guide_user_id',
      'closed_at',
      'last_message_id',
      'last_message_at',
      'created_at',
      'updated_at',
    ],
    rooms,
  );
  await insert(
    'chat_messages',
    ['id', 'room_id', 'sender_id', 'type', 'content', 'client_message_id', 'created_at'],
    messages,
  );
  await insert('chat_room_members', ['id', 'room_id', 'user_id', 'last_read_message_id'], members);
  const matched = [...matchedStories];
  for (let i = 0; i < matched.length; i += 500) {
    const ids = matched.slice(i, i + 500);
    await db.run(
      `UPDATE stories SET is_matched = 1 WHERE id IN (${ids.map(() => '?').join(', ')})`,
      ids,
    );
  }
  // SQLite keeps AUTOINCREMENT counters in sqlite_sequence, MariaDB moves them past the ids
  // given; either way the app's own inserts get fresh ids
  return {
    guides,
    travellers,
    stories: published,
    rooms: fixtureRooms,
    regions: regionIds,
    counts,
  };
}
