import { StoryBookmark } from '../src/stories/entities/story-bookmark.entity';
import { StoryLike } from '../src/stories/entities/story-like.entity';
import { Story } from '../src/stories/entities/story.entity';
import { runInTransaction } from '../src/database/transaction';
import { StoriesRepository } from '../src/stories/stories.repository';
import { approvedGuide, GuideFixture, storyOf } from './support/fixtures';
import { createTestApp, TestApp } from './support/test-app';
import { expectError, signIn, SignedIn } from './support/users';

interface Kind {
  path: 'like' | 'bookmark';
  flag: 'liked' | 'bookmarked';
  count: 'likeCount' | 'bookmarkCount';
  entity: typeof StoryLike | typeof StoryBookmark;
  mine: '/api/v1/users/me/likes' | '/api/v1/users/me/bookmarks';
  byMe: 'likedByMe' | 'bookmarkedByMe';
}

const KINDS: Kind[] = [
  {
    path: 'like',
    flag: 'liked',
    count: 'likeCount',
    entity: StoryLike,
    mine: '/api/v1/users/me/likes',
    byMe: 'likedByMe',
  },
  {
    path: 'bookmark',
    flag: 'bookmarked',
    count: 'bookmarkCount',
    entity: StoryBookmark,
    mine: '/api/v1/users/me/bookmarks',
    byMe: 'bookmarkedByMe',
  },
];

describe('likes and bookmarks', () => {
  let t: TestApp;
  let guide: GuideFixture;
  /** Signed-in travellers shared by the storms, made once (sign-in is not under test here). */
  let crowd: SignedIn[];

  beforeAll(async () => {
    t = await createTestApp();
    guide = await approvedGuide(t);
    crowd = [];
    for (let i = 0; i < 50; i++) crowd.push(await signIn(t));
  }, 60_000);
  afterAll(async () => t.close());

  it('transactions stay apart even when they wait inside; a failed one leaves no trace', async () => {
    // SQLite has one connection: without the queue in runInTransaction these would nest into
    // each other ("cannot start a transaction within a transaction")
    const story = await storyOf(t, guide);
    const rows = t.app.get(StoriesRepository);
    const results = await Promise.allSettled(
      crowd.slice(0, 10).map((user, i) =>
        runInTransaction(t.dataSource, async (manager) => {
          await rows.lock(manager, story.id);
          await manager.insert(StoryLike, { storyId: story.id, userId: user.id });
          await new Promise((resolve) => setTimeout(resolve, 5));
          await rows.bumpCounter(manager, story.id, 'like_count', 1);
          if (i % 3 === 0) throw new Error('changed my mind');
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(
      crowd.slice(0, 10).map((_, i) => (i % 3 === 0 ? 'rejected' : 'fulfilled')),
    );
    for (const r of results) {
      if (r.status === 'rejected') expect((r.reason as Error).message).toBe('changed my mind');
    }
    const row = await t.dataSource.getRepository(Story).findOneByOrFail({ id: story.id });
    const likes = await t.dataSource.getRepository(StoryLike).countBy({ storyId: story.id });
    expect({ likeCount: row.likeCount, rows: likes }).toEqual({ likeCount: 6, rows: 6 });
  });

  describe.each(KINDS)('$path', (kind) => {
    const url = (storyId: number) => `/api/v1/stories/${storyId}/${kind.path}`;

    /** The story's counter and the number of rows it counts, straight from the database. */
    async function stored(storyId: number): Promise<{ counter: number; rows: number }> {
      const story = await t.dataSource.getRepository(Story).findOneByOrFail({ id: storyId });
      const rows = await t.dataSource.getRepository(kind.entity).countBy({ storyId });
      return { counter: story[kind.count], rows };
    }

    it('PUT adds, a second PUT changes nothing; DELETE removes, a second DELETE changes nothing', async () => {
      const story = await storyOf(t, guide);
      const user = await signIn(t);

      const first = await t.http().put(url(story.id)).set(user.auth).expect(200);
      expect(first.body).toEqual({ [kind.flag]: true, [kind.count]: 1 });
      const again = await t.http().put(url(story.id)).set(user.auth).expect(200);
      expect(again.body).toEqual({ [kind.flag]: true, [kind.count]: 1 });
      expect(await stored(story.id)).toEqual({ counter: 1, rows: 1 });

      const removed = await t.http().delete(url(story.id)).set(user.auth).expect(200);
      expect(removed.body).toEqual({ [kind.flag]: false, [kind.count]: 0 });
      const removedAgain = await t.http().delete(url(story.id)).set(user.auth).expect(200);
      expect(removedAgain.body).toEqual({ [kind.flag]: false, [kind.count]: 0 });
      expect(await stored(story.id)).toEqual({ counter: 0, rows: 0 });
    });

    it('does not touch the story’s updatedAt', async () => {
      const story = await storyOf(t, guide);
      const before = await t.dataSource.getRepository(Story).findOneByOrFail({ id: story.id });
      await new Promise((resolve) => setTimeout(resolve, 1100));
      await t.http().put(url(story.id)).set(crowd[0].auth).expect(200);
      const after = await t.dataSource.getRepository(Story).findOneByOrFail({ id: story.id });
      expect(after[kind.count]).toBe(1);
      expect(after.updatedAt.getTime()).toBe(before.updatedAt.getTime());
    });

    it('50 users at once: 50 rows, the counter is 50, and each answer read its own change', async () => {
      const story = await storyOf(t, guide);
      const responses = await Promise.all(
        crowd.map((user) => t.http().put(url(story.id)).set(user.auth)),
      );
      expect(responses.map((r) => r.status)).toEqual(crowd.map(() => 200));
      expect(responses.every((r) => r.body[kind.flag] === true)).toBe(true);
      const counts = responses.map((r) => r.body[kind.count] as number).sort((a, b) => a - b);
      expect(counts).toEqual(crowd.map((_, i) => i + 1));
      expect(await stored(story.id)).toEqual({ counter: 50, rows: 50 });
    });

    it('one user 20 times at once: one row, the counter is 1', async () => {
      const story = await storyOf(t, guide);
      const user = crowd[1];
      const responses = await Promise.all(
        Array.from({ length: 20 }, () => t.http().put(url(story.id)).set(user.auth)),
      );
      for (const res of responses) {
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ [kind.flag]: true, [kind.count]: 1 });
      }
      expect(await stored(story.id)).toEqual({ counter: 1, rows: 1 });

      const removals = await Promise.all(
        Array.from({ length: 20 }, () => t.http().delete(url(story.id)).set(user.auth)),
      );
      for (const res of removals) {
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ [kind.flag]: false, [kind.count]: 0 });
      }
      expect(await stored(story.id)).toEqual({ counter: 0, rows: 0 });
    });

    it('a mixed storm of adds and removes leaves the counter equal to the rows', async () => {
      const story = await storyOf(t, guide);
      const users = crowd.slice(0, 30);
      // each user: add, remove, add, remove, add (and the odd ones one more remove), all at once
      const requests = users.flatMap((user, i) =>
        Array.from({ length: 5 + (i % 2) }, (_, n) =>
          n % 2 === 0
            ? t.http().put(url(story.id)).set(user.auth)
            : t.http().delete(url(story.id)).set(user.auth),
        ),
      );
      const responses = await Promise.all(requests);
      expect(responses.filter((r) => r.status !== 200).map((r) => r.body)).toEqual([]);
      const after = await stored(story.id);
      expect(after.counter).toBe(after.rows);
      expect(after.rows).toBeGreaterThanOrEqual(0);
      expect(after.rows).toBeLessThanOrEqual(30);

      // settling every user's final state by hand leads to exact, known numbers
      await Promise.all(
        users.map((user, i) =>
          i < 10
            ? t.http().put(url(story.id)).set(user.auth).expect(200)
            : t.http().delete(url(story.id)).set(user.auth).expect(200),
        ),
      );
      expect(await stored(story.id)).toEqual({ counter: 10, rows: 10 });
    });

    it('hidden, deleted and unknown stories → 404, and nothing is stored', async () => {
      const user = await signIn(t);
      const hidden = await storyOf(t, guide, { status: 'hidden' });
      const deleted = await storyOf(t, guide, { status: 'deleted', deletedAt: new Date() });
      for (const story of [hidden, deleted]) {
        const put = await t.http().put(url(story.id)).set(user.auth).expect(404);
        expectError(put.body, 404, 'NOT_FOUND');
        const del = await t.http().delete(url(story.id)).set(user.auth).expect(404);
        expectError(del.body, 404, 'NOT_FOUND');
        expect(await stored(story.id)).toEqual({ counter: 0, rows: 0 });
      }
      expectError(
        (await t.http().put(url(2_000_000_000)).set(user.auth).expect(404)).body,
        404,
        'NOT_FOUND',
      );
      expectError(
        (await t.http().put(`/api/v1/stories/abc/${kind.path}`).set(user.auth).expect(400)).body,
        400,
        'VALIDATION_FAILED',
      );
    });

    it('a story hidden after the fact keeps its rows and counter, and refuses new ones', async () => {
      const story = await storyOf(t, guide);
      await t.http().put(url(story.id)).set(crowd[2].auth).expect(200);
      await t.dataSource.getRepository(Story).update(story.id, { status: 'hidden' });
      await t.http().put(url(story.id)).set(crowd[3].auth).expect(404);
      await t.http().delete(url(story.id)).set(crowd[2].auth).expect(404);
      expect(await stored(story.id)).toEqual({ counter: 1, rows: 1 });
    });

    it('without a token → 401', async () => {
      const story = await storyOf(t, guide);
      expectError((await t.http().put(url(story.id)).expect(401)).body, 401, 'UNAUTHORIZED');
      expectError((await t.http().delete(url(story.id)).expect(401)).body, 401, 'UNAUTHORIZED');
      expectError((await t.http().get(kind.mine).expect(401)).body, 401, 'UNAUTHORIZED');
      expect(await stored(story.id)).toEqual({ counter: 0, rows: 0 });
    });

    describe(`GET ${kind.mine}`, () => {
      const pause = () => new Promise((resolve) => setTimeout(resolve, 15));

      it('lists published stories, most recently added first, in stable pages', async () => {
        const user = await signIn(t);
        const [a, b, c, d] = [
          await storyOf(t, guide, { title: 'A' }),
          await storyOf(t, guide, { title: 'B' }),
          await storyOf(t, guide, { title: 'C' }),
          await storyOf(t, guide, { title: 'D' }),
        ];
        // reacted to in an order that is not the id order
        for (const story of [b, d, a, c]) {
          await t.http().put(url(story.id)).set(user.auth).expect(200);
          await pause();
        }
        const all = await t.http().get(kind.mine).set(user.auth).expect(200);
        expect(all.body.items.map((s: { id: number }) => s.id)).toEqual([c.id, a.id, d.id, b.id]);
        expect(all.body.nextCursor).toBeNull();
        expect(all.body.items[0]).toMatchObject({
          id: c.id,
          title: 'C',
          [kind.count]: 1,
          [kind.byMe]: true,
        });

        const first = await t.http().get(kind.mine).query({ limit: 3 }).set(user.auth).expect(200);
        expect(first.body.items.map((s: { id: number }) => s.id)).toEqual([c.id, a.id, d.id]);
        expect(first.body.nextCursor).toEqual(expect.any(String));

        // something added meanwhile does not shift the next page
        const e = await storyOf(t, guide, { title: 'E' });
        await t.http().put(url(e.id)).set(user.auth).expect(200);
        const second = await t
          .http()
          .get(kind.mine)
          .query({ limit: 3, cursor: first.body.nextCursor })
          .set(user.auth)
          .expect(200);
        expect(second.body.items.map((s: { id: number }) => s.id)).toEqual([b.id]);
        expect(second.body.nextCursor).toBeNull();

        // removed, hidden and deleted stories drop out; other users' rows never show
        await t.http().delete(url(a.id)).set(user.auth).expect(200);
        await t.dataSource.getRepository(Story).update(d.id, { status: 'hidden' });
        await t.dataSource
          .getRepository(Story)
          .update(b.id, { status: 'deleted', deletedAt: new Date() });
        await t.http().put(url(c.id)).set(crowd[4].auth).expect(200);
        const now = await t.http().get(kind.mine).set(user.auth).expect(200);
        expect(now.body.items.map((s: { id: number }) => s.id)).toEqual([e.id, c.id]);
      });

      it('is empty for a user who never reacted; a bad cursor or limit → 400', async () => {
        const user = await signIn(t);
        const res = await t.http().get(kind.mine).set(user.auth).expect(200);
        expect(res.body).toEqual({ items: [], nextCursor: null });
        for (const query of [{ cursor: 'not-a-cursor' }, { limit: 0 }, { limit: 51 }]) {
          const bad = await t.http().get(kind.mine).query(query).set(user.auth).expect(400);
          expectError(bad.body, 400, 'VALIDATION_FAILED');
        }
        const forged = Buffer.from(JSON.stringify(['yesterday', 1])).toString('base64url');
        expectError(
          (await t.http().get(kind.mine).query({ cursor: forged }).set(user.auth).expect(400)).body,
          400,
          'VALIDATION_FAILED',
        );
      });
    });
  });
});
