import { EventEmitter2 } from '@nestjs/event-emitter';
import { In } from 'typeorm';
import { AuditLog } from '../src/audit/entities/audit-log.entity';
import { CommentCreatedEvent } from '../src/stories/stories.events';
import { Comment } from '../src/stories/entities/comment.entity';
import { Story } from '../src/stories/entities/story.entity';
import { User } from '../src/users/entities/user.entity';
import { approvedGuide, GuideFixture, storyOf } from './support/fixtures';
import { createTestApp, TestApp } from './support/test-app';
import { expectError, signIn, SignedIn, uniqueKakaoId } from './support/users';

interface CommentBody {
  id: number;
  content: string;
  author: { id: number; nickname: string; profileImageUrl: string | null };
  parentId: number | null;
  replyCount: number;
  createdAt: string;
  updatedAt: string;
  deleted: boolean;
}

describe('comments', () => {
  const adminKakaoId = uniqueKakaoId();
  let t: TestApp;
  let guide: GuideFixture;
  let admin: SignedIn;
  let traveller: SignedIn;
  let other: SignedIn;
  const events: CommentCreatedEvent[] = [];

  beforeAll(async () => {
    t = await createTestApp({ ADMIN_KAKAO_IDS: adminKakaoId });
    t.app.get(EventEmitter2).on(CommentCreatedEvent.NAME, (e: CommentCreatedEvent) => {
      events.push(e);
    });
    guide = await approvedGuide(t, 'guide-kim');
    admin = await signIn(t, { kakaoId: adminKakaoId });
    traveller = await signIn(t, { nickname: 'traveller' });
    other = await signIn(t, { nickname: 'bystander' });
  });
  afterAll(async () => t.close());

  const commentsUrl = (storyId: number) => `/api/v1/stories/${storyId}/comments`;

  async function post(user: SignedIn, storyId: number, body: object): Promise<CommentBody> {
    const res = await t.http().post(commentsUrl(storyId)).set(user.auth).send(body).expect(201);
    return res.body as CommentBody;
  }

  async function counters(storyId: number) {
    const story = await t.dataSource.getRepository(Story).findOneByOrFail({ id: storyId });
    const alive = await t.dataSource
      .getRepository(Comment)
      .createQueryBuilder('c')
      .where('c.story_id = :storyId AND c.deleted_at IS NULL', { storyId })
      .getCount();
    return { commentCount: story.commentCount, alive };
  }

  async function replyCount(commentId: number): Promise<number> {
    return (await t.dataSource.getRepository(Comment).findOneByOrFail({ id: commentId }))
      .replyCount;
  }

  describe('POST /stories/:id/comments', () => {
    it('stores a trimmed comment and answers the documented shape', async () => {
      const story = await storyOf(t, guide);
      const before = events.length;
      const res = await t
        .http()
        .post(commentsUrl(story.id))
        .set(traveller.auth)
        .send({ content: '  멋진 여행이네요!  ' })
        .expect(201);
      expect(res.body).toEqual({
        id: expect.any(Number),
        content: '멋진 여행이네요!',
        author: { id: traveller.id, nickname: 'traveller', profileImageUrl: null },
        parentId: null,
        replyCount: 0,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
        deleted: false,
      });
      expect(new Date(res.body.createdAt).toISOString()).toBe(res.body.createdAt);
      expect(await counters(story.id)).toEqual({ commentCount: 1, alive: 1 });
      const row = await t.dataSource.getRepository(Comment).findOneByOrFail({ id: res.body.id });
      expect(row).toMatchObject({ content: '멋진 여행이네요!', authorId: traveller.id });
      expect(events.slice(before)).toEqual([
        {
          commentId: res.body.id,
          storyId: story.id,
          authorId: traveller.id,
          storyOwnerId: guide.id,
          parentId: null,
          parentAuthorId: null,
        },
      ]);
    });

    it('a reply counts on its parent and on the story; replies to replies are refused', async () => {
      const story = await storyOf(t, guide);
      const parent = await post(traveller, story.id, { content: 'Is the market open on Sundays?' });
      const before = events.length;
      const reply = await post(guide, story.id, { content: 'Yes, 9 to 6.', parentId: parent.id });
      expect(reply).toMatchObject({ parentId: parent.id, replyCount: 0, deleted: false });
      expect(await replyCount(parent.id)).toBe(1);
      expect(await counters(story.id)).toEqual({ commentCount: 2, alive: 2 });
      expect(events.slice(before)).toEqual([
        {
          commentId: reply.id,
          storyId: story.id,
          authorId: guide.id,
          storyOwnerId: guide.id,
          parentId: parent.id,
          parentAuthorId: traveller.id,
        },
      ]);

      const nested = await t
        .http()
        .post(commentsUrl(story.id))
        .set(traveller.auth)
        .send({ content: 'Thanks!', parentId: reply.id })
        .expect(400);
      expectError(nested.body, 400, 'VALIDATION_FAILED');
      expect(nested.body.details).toEqual([{ field: 'parentId', errors: [expect.any(String)] }]);

      const elsewhere = await storyOf(t, guide);
      const foreign = await post(traveller, elsewhere.id, { content: 'On another story' });
      const deletedParent = await post(traveller, story.id, { content: 'soon gone' });
      await t.http().delete(`/api/v1/comments/${deletedParent.id}`).set(traveller.auth).expect(204);
      for (const parentId of [foreign.id, deletedParent.id, 2_000_000_000]) {
        const res = await t
          .http()
          .post(commentsUrl(story.id))
          .set(traveller.auth)
          .send({ content: 'reply', parentId })
          .expect(400);
        expectError(res.body, 400, 'VALIDATION_FAILED');
      }
      expect(await counters(story.id)).toEqual({ commentCount: 2, alive: 2 });
      expect(await replyCount(parent.id)).toBe(1);
    });

    const invalid: [string, unknown, string][] = [
      ['empty', { content: '' }, 'content'],
      ['only spaces', { content: '    ' }, 'content'],
      ['1001 characters', { content: 'x'.repeat(1001) }, 'content'],
      ['missing content', {}, 'content'],
      ['content not a string', { content: 42 }, 'content'],
      ['unknown field', { content: 'hello', storyId: 3 }, 'storyId'],
      ['parentId not a number', { content: 'hello', parentId: '1' }, 'parentId'],
      ['parentId not positive', { content: 'hello', parentId: 0 }, 'parentId'],
    ];
    it.each(invalid)('%s → 400 VALIDATION_FAILED naming the field', async (_n, body, field) => {
      const story = await storyOf(t, guide);
      const res = await t
        .http()
        .post(commentsUrl(story.id))
        .set(traveller.auth)
        .send(body as object)
        .expect(400);
      expectError(res.body, 400, 'VALIDATION_FAILED');
      expect(res.body.details).toEqual(
        expect.arrayContaining([{ field, errors: expect.arrayContaining([expect.any(String)]) }]),
      );
      expect(await counters(story.id)).toEqual({ commentCount: 0, alive: 0 });
    });

    it('exactly 1000 characters are fine', async () => {
      const story = await storyOf(t, guide);
      const res = await post(traveller, story.id, { content: 'x'.repeat(1000) });
      expect(res.content).toHaveLength(1000);
    });

    it('401 without a token; 404 on hidden, deleted and unknown stories', async () => {
      const story = await storyOf(t, guide);
      expectError(
        (await t.http().post(commentsUrl(story.id)).send({ content: 'hi' }).expect(401)).body,
        401,
        'UNAUTHORIZED',
      );
      const hidden = await storyOf(t, guide, { status: 'hidden' });
      const deleted = await storyOf(t, guide, { status: 'deleted', deletedAt: new Date() });
      for (const id of [hidden.id, deleted.id, 2_000_000_000]) {
        const res = await t
          .http()
          .post(commentsUrl(id))
          .set(traveller.auth)
          .send({ content: 'hi' })
          .expect(404);
        expectError(res.body, 404, 'NOT_FOUND');
      }
      expect(await counters(hidden.id)).toEqual({ commentCount: 0, alive: 0 });
    });
  });

  describe('GET /stories/:id/comments', () => {
    it('is public: top-level comments oldest first in stable pages, replies under ?parentId=', async () => {
      const story = await storyOf(t, guide);
      const top: CommentBody[] = [];
      for (let i = 1; i <= 5; i++) top.push(await post(traveller, story.id, { content: `c${i}` }));
      const r1 = await post(guide, story.id, { content: 'r1', parentId: top[1].id });
      const r2 = await post(other, story.id, { content: 'r2', parentId: top[1].id });

      const page1 = await t.http().get(commentsUrl(story.id)).query({ limit: 2 }).expect(200);
      expect(page1.body.items.map((c: CommentBody) => c.content)).toEqual(['c1', 'c2']);
      expect(page1.body.items[1]).toEqual({ ...top[1], replyCount: 2 });
      // a comment added meanwhile lands at the end, not on a page already seen
      await post(other, story.id, { content: 'c6' });
      const page2 = await t
        .http()
        .get(commentsUrl(story.id))
        .query({ limit: 2, cursor: page1.body.nextCursor })
        .expect(200);
      expect(page2.body.items.map((c: CommentBody) => c.content)).toEqual(['c3', 'c4']);
      const page3 = await t
        .http()
        .get(commentsUrl(story.id))
        .query({ limit: 2, cursor: page2.body.nextCursor })
        .expect(200);
      expect(page3.body.items.map((c: CommentBody) => c.content)).toEqual(['c5', 'c6']);
      expect(page3.body.nextCursor).toBeNull();

      const replies = await t
        .http()
        .get(commentsUrl(story.id))
        .query({ parentId: top[1].id })
        .set(traveller.auth)
        .expect(200);
      expect(replies.body).toEqual({ items: [r1, r2], nextCursor: null });
      expect(replies.body.items[1].author).toEqual({
        id: other.id,
        nickname: 'bystander',
        profileImageUrl: null,
      });

      // a reply is no parent, and a comment of another story is not one of this story
      await t.http().get(commentsUrl(story.id)).query({ parentId: r1.id }).expect(404);
      const elsewhere = await storyOf(t, guide);
      await t.http().get(commentsUrl(elsewhere.id)).query({ parentId: top[0].id }).expect(404);
      await t.http().get(commentsUrl(elsewhere.id)).query({ parentId: 'x' }).expect(400);
      await t.http().get(commentsUrl(elsewhere.id)).query({ cursor: '%%%' }).expect(400);
    });

    it('shows the author as the database has them now', async () => {
      const story = await storyOf(t, guide);
      const user = await signIn(t, { nickname: 'before' });
      await post(user, story.id, { content: 'hello' });
      await t.dataSource
        .getRepository(User)
        .update(user.id, { nickname: 'after', profileImageUrl: 'https://img.example/p.jpg' });
      const res = await t.http().get(commentsUrl(story.id)).expect(200);
      expect(res.body.items[0].author).toEqual({
        id: user.id,
        nickname: 'after',
        profileImageUrl: 'https://img.example/p.jpg',
      });
    });

    it('hidden stories: 404 to others, visible to their owner and admins', async () => {
      const story = await storyOf(t, guide);
      await post(traveller, story.id, { content: 'before hiding' });
      await t.dataSource.getRepository(Story).update(story.id, { status: 'hidden' });
      expectError((await t.http().get(commentsUrl(story.id)).expect(404)).body, 404, 'NOT_FOUND');
      await t.http().get(commentsUrl(story.id)).set(traveller.auth).expect(404);
      const owner = await t.http().get(commentsUrl(story.id)).set(guide.auth).expect(200);
      expect(owner.body.items).toHaveLength(1);
      await t.http().get(commentsUrl(story.id)).set(admin.auth).expect(200);
    });
  });

  describe('PATCH /comments/:id', () => {
    it('the author edits (trimmed); others 403; deleted 404; hidden story 404 to others', async () => {
      const story = await storyOf(t, guide);
      const comment = await post(traveller, story.id, { content: 'first version' });
      await new Promise((resolve) => setTimeout(resolve, 20));

      const res = await t
        .http()
        .patch(`/api/v1/comments/${comment.id}`)
        .set(traveller.auth)
        .send({ content: '  second version ' })
        .expect(200);
      expect(res.body).toEqual({
        ...comment,
        content: 'second version',
        updatedAt: expect.any(String),
      });
      expect(new Date(res.body.updatedAt).getTime()).toBeGreaterThan(
        new Date(comment.updatedAt).getTime(),
      );

      for (const user of [other, guide, admin]) {
        const forbidden = await t
          .http()
          .patch(`/api/v1/comments/${comment.id}`)
          .set(user.auth)
          .send({ content: 'hijacked' })
          .expect(403);
        expectError(forbidden.body, 403, 'FORBIDDEN');
      }
      const bad = await t
        .http()
        .patch(`/api/v1/comments/${comment.id}`)
        .set(traveller.auth)
        .send({ content: '', parentId: 3 })
        .expect(400);
      expectError(bad.body, 400, 'VALIDATION_FAILED');
      expect(bad.body.details.map((d: { field: string }) => d.field).sort()).toEqual([
        'content',
        'parentId',
      ]);
      expect(
        (await t.dataSource.getRepository(Comment).findOneByOrFail({ id: comment.id })).content,
      ).toBe('second version');

      await t.dataSource.getRepository(Story).update(story.id, { status: 'hidden' });
      const unseen = await t
        .http()
        .patch(`/api/v1/comments/${comment.id}`)
        .set(other.auth)
        .send({ content: 'x' })
        .expect(404);
      expectError(unseen.body, 404, 'NOT_FOUND');
      await t.dataSource.getRepository(Story).update(story.id, { status: 'published' });

      await t.http().delete(`/api/v1/comments/${comment.id}`).set(traveller.auth).expect(204);
      const gone = await t
        .http()
        .patch(`/api/v1/comments/${comment.id}`)
        .set(traveller.auth)
        .send({ content: 'back again' })
        .expect(404);
      expectError(gone.body, 404, 'NOT_FOUND');
      await t
        .http()
        .patch('/api/v1/comments/2000000000')
        .set(traveller.auth)
        .send({ content: 'x' })
        .expect(404);
      await t.http().patch(`/api/v1/comments/${comment.id}`).send({ content: 'x' }).expect(401);
    });
  });

  describe('DELETE /comments/:id', () => {
    it('the author, the story’s owner and an admin may delete; others 403', async () => {
      const story = await storyOf(t, guide);
      const byAuthor = await post(traveller, story.id, { content: 'one' });
      const byOwner = await post(traveller, story.id, { content: 'two' });
      const byAdmin = await post(traveller, story.id, { content: 'three' });
      expect(await counters(story.id)).toEqual({ commentCount: 3, alive: 3 });

      const forbidden = await t
        .http()
        .delete(`/api/v1/comments/${byAuthor.id}`)
        .set(other.auth)
        .expect(403);
      expectError(forbidden.body, 403, 'FORBIDDEN');
      expectError(
        (await t.http().delete(`/api/v1/comments/${byAuthor.id}`).expect(401)).body,
        401,
        'UNAUTHORIZED',
      );
      expect(await counters(story.id)).toEqual({ commentCount: 3, alive: 3 });

      await t.http().delete(`/api/v1/comments/${byAuthor.id}`).set(traveller.auth).expect(204);
      await t.http().delete(`/api/v1/comments/${byOwner.id}`).set(guide.auth).expect(204);
      await t.http().delete(`/api/v1/comments/${byAdmin.id}`).set(admin.auth).expect(204);
      expect(await counters(story.id)).toEqual({ commentCount: 0, alive: 0 });
      // only the admin's deletion is moderation, and it is in the audit log
      const audit = await t.dataSource
        .getRepository(AuditLog)
        .findBy({ targetType: 'comment', targetId: In([byAuthor.id, byOwner.id, byAdmin.id]) });
      expect(audit).toEqual([
        expect.objectContaining({
          adminId: admin.id,
          action: 'comment.delete',
          targetId: byAdmin.id,
        }),
      ]);

      // again: nothing changes, and it is no error
      await t.http().delete(`/api/v1/comments/${byAuthor.id}`).set(traveller.auth).expect(204);
      expect(await counters(story.id)).toEqual({ commentCount: 0, alive: 0 });
      await t.http().delete('/api/v1/comments/2000000000').set(traveller.auth).expect(404);
    });

    it('keeps the row and its replies; lists show it as deleted with empty content', async () => {
      const story = await storyOf(t, guide);
      const parent = await post(traveller, story.id, { content: 'secret plans' });
      const reply = await post(other, story.id, { content: 'a reply', parentId: parent.id });
      const doomedReply = await post(other, story.id, { content: 'oops', parentId: parent.id });
      expect(await replyCount(parent.id)).toBe(2);

      await t.http().delete(`/api/v1/comments/${doomedReply.id}`).set(other.auth).expect(204);
      expect(await replyCount(parent.id)).toBe(1);
      await t.http().delete(`/api/v1/comments/${parent.id}`).set(traveller.auth).expect(204);
      expect(await counters(story.id)).toEqual({ commentCount: 1, alive: 1 });

      const list = await t.http().get(commentsUrl(story.id)).expect(200);
      expect(list.body.items).toEqual([
        {
          ...parent,
          content: '',
          deleted: true,
          replyCount: 1,
          updatedAt: expect.any(String),
        },
      ]);
      const replies = await t
        .http()
        .get(commentsUrl(story.id))
        .query({ parentId: parent.id })
        .expect(200);
      expect(replies.body.items).toEqual([
        reply,
        { ...doomedReply, content: '', deleted: true, updatedAt: expect.any(String) },
      ]);
      const row = await t.dataSource.getRepository(Comment).findOneByOrFail({ id: parent.id });
      expect(row.content).toBe('');
      expect(row.deletedAt).toBeInstanceOf(Date);
    });
  });

  describe('counters under concurrency', () => {
    it('parallel creates and replies: commentCount and replyCount equal the rows', async () => {
      const story = await storyOf(t, guide);
      const parent = await post(traveller, story.id, { content: 'parent' });
      const users = [traveller, other, guide, admin];
      const responses = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          t
            .http()
            .post(commentsUrl(story.id))
            .set(users[i % users.length].auth)
            .send(i % 2 === 0 ? { content: `c${i}` } : { content: `r${i}`, parentId: parent.id }),
        ),
      );
      expect(responses.filter((r) => r.status !== 201).map((r) => r.body)).toEqual([]);
      expect(await counters(story.id)).toEqual({ commentCount: 41, alive: 41 });
      expect(await replyCount(parent.id)).toBe(20);
    });

    it('the same comment deleted 10 times at once counts down once', async () => {
      const story = await storyOf(t, guide);
      const parent = await post(traveller, story.id, { content: 'parent' });
      const reply = await post(traveller, story.id, { content: 'reply', parentId: parent.id });
      await post(other, story.id, { content: 'stays' });
      const responses = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          t
            .http()
            .delete(`/api/v1/comments/${reply.id}`)
            .set([traveller, guide, admin][i % 3].auth),
        ),
      );
      expect(responses.map((r) => r.status)).toEqual(responses.map(() => 204));
      expect(await counters(story.id)).toEqual({ commentCount: 2, alive: 2 });
      expect(await replyCount(parent.id)).toBe(0);
    });

    it('a storm of creates, replies and deletes leaves every counter equal to its rows', async () => {
      const story = await storyOf(t, guide);
      const seeds: CommentBody[] = [];
      for (let i = 0; i < 10; i++)
        seeds.push(await post(traveller, story.id, { content: `s${i}` }));
      const requests = [
        ...seeds.map((c) => t.http().delete(`/api/v1/comments/${c.id}`).set(traveller.auth)),
        ...seeds.map((c) => t.http().delete(`/api/v1/comments/${c.id}`).set(guide.auth)),
        ...seeds.map((c) =>
          t
            .http()
            .post(commentsUrl(story.id))
            .set(other.auth)
            .send({ content: 'late reply', parentId: c.id }),
        ),
        ...Array.from({ length: 10 }, (_, i) =>
          t
            .http()
            .post(commentsUrl(story.id))
            .set(other.auth)
            .send({ content: `new ${i}` }),
        ),
      ];
      const responses = await Promise.all(requests);
      // a reply racing its parent's deletion may be refused (400), nothing else may fail
      expect(
        responses.filter((r) => ![201, 204, 400].includes(r.status)).map((r) => r.body),
      ).toEqual([]);
      expect(
        responses.filter((r) => r.status === 400).every((r) => r.body.code === 'VALIDATION_FAILED'),
      ).toBe(true);

      const after = await counters(story.id);
      expect(after.commentCount).toBe(after.alive);
      const rows = await t.dataSource.getRepository(Comment).findBy({ storyId: story.id });
      for (const seed of rows.filter((c) => c.parentId === null)) {
        const alive = rows.filter((c) => c.parentId === seed.id && c.deletedAt === null).length;
        expect(seed.replyCount).toBe(alive);
      }
      // every seed ends deleted; the ten new top-level comments stay
      expect(rows.filter((c) => c.parentId === null && c.deletedAt === null)).toHaveLength(10);
    });
  });
});
