import { EventEmitter2 } from '@nestjs/event-emitter';
import { IsNull } from 'typeorm';
import { Region } from '../src/regions/entities/region.entity';
import {
  MatchingAcceptedEvent,
  MatchingCancelledEvent,
  MatchingCompletedEvent,
  MatchingRejectedEvent,
  MatchingRequestedEvent,
  ReviewCreatedEvent,
} from '../src/matching/matching.events';
import { Notification } from '../src/notifications/entities/notification.entity';
import { ContentHiddenEvent } from '../src/stories/stories.events';
import { NotificationsListener } from '../src/notifications/notifications.listener';
import { NotificationsService } from '../src/notifications/notifications.service';
import { approvedGuide, GuideFixture, storyOf } from './support/fixtures';
import { nextEvent, record, SocketPool } from './support/sockets';
import { createTestApp, TestApp } from './support/test-app';
import { expectError, signIn, SignedIn, uniqueKakaoId } from './support/users';

interface NotificationBody {
  id: number;
  type: string;
  title: string;
  body: string;
  data: Record<string, unknown>;
  readAt: string | null;
  createdAt: string;
}

describe('notifications', () => {
  const adminKakaoId = uniqueKakaoId();
  let t: TestApp;
  let guide: GuideFixture;
  let traveller: SignedIn;
  let other: SignedIn;
  let admin: SignedIn;
  /** What the notification listeners are doing, so a test can wait for exactly that. */
  const running: Promise<unknown>[] = [];

  beforeAll(async () => {
    t = await createTestApp({ ADMIN_KAKAO_IDS: adminKakaoId });
    // Comments and guide decisions are emitted without waiting for listeners; record each
    // listener call's promise (the listener is called synchronously by emit) to await it.
    const listener = t.app.get(NotificationsListener);
    const methods = Object.getOwnPropertyNames(NotificationsListener.prototype).filter((name) =>
      name.startsWith('on'),
    ) as (keyof NotificationsListener & `on${string}`)[];
    for (const name of methods) {
      const original = listener[name].bind(listener) as (...args: unknown[]) => Promise<void>;
      jest.spyOn(listener, name).mockImplementation((...args: unknown[]) => {
        const done = original(...args);
        running.push(done);
        return done;
      });
    }
    guide = await approvedGuide(t, 'guide-kim');
    traveller = await signIn(t, { nickname: 'traveller-lee' });
    other = await signIn(t, { nickname: 'bystander' });
    admin = await signIn(t, { kakaoId: adminKakaoId });
  });
  afterAll(async () => t.close());

  /** Waits until every notification listener started so far has finished. */
  async function settled(): Promise<void> {
    while (running.length > 0) await Promise.all(running.splice(0));
  }

  const rows = () => t.dataSource.getRepository(Notification);

  async function rowsOf(userId: number, afterId = 0): Promise<Notification[]> {
    await settled();
    return rows()
      .createQueryBuilder('n')
      .where('n.user_id = :userId AND n.id > :afterId', { userId, afterId })
      .orderBy('n.id', 'ASC')
      .getMany();
  }

  async function lastId(): Promise<number> {
    await settled();
    const row = await rows().createQueryBuilder('n').orderBy('n.id', 'DESC').getOne();
    return row?.id ?? 0;
  }

  const emit = (name: string, payload: object) => t.app.get(EventEmitter2).emitAsync(name, payload);

  const list = (user: SignedIn, query: Record<string, string | number> = {}) =>
    t.http().get('/api/v1/notifications').query(query).set(user.auth);

  describe('who is notified of what', () => {
    const request = (
      actorId: () => number,
      extra: Partial<{ chatRoomId: number; reason: string }>,
    ) =>
      [
        501,
        7001,
        '제주 오름 투어',
        traveller.id,
        guide.id,
        actorId(),
        extra.chatRoomId ?? null,
        extra.reason ?? null,
      ] as const;

    const cases: {
      name: string;
      event: () => [string, object];
      to: () => SignedIn;
      notTo: () => SignedIn;
      type: string;
      bodyHas: string[];
      data: Record<string, unknown> | (() => Record<string, unknown>);
    }[] = [
      {
        name: 'matching.requested → the guide',
        event: () => [
          MatchingRequestedEvent.NAME,
          new MatchingRequestedEvent(...request(() => traveller.id, {})),
        ],
        to: () => guide,
        notTo: () => traveller,
        type: 'MATCHING_REQUESTED',
        bodyHas: ['제주 오름 투어', 'traveller-lee'],
        data: { requestId: 501, storyId: 7001, chatRoomId: null },
      },
      {
        name: 'matching.accepted → the traveller',
        event: () => [
          MatchingAcceptedEvent.NAME,
          new MatchingAcceptedEvent(...request(() => guide.id, { chatRoomId: 88 })),
        ],
        to: () => traveller,
        notTo: () => guide,
        type: 'MATCHING_ACCEPTED',
        bodyHas: ['제주 오름 투어'],
        data: { requestId: 501, storyId: 7001, chatRoomId: 88 },
      },
      {
        name: 'matching.rejected → the traveller, with the reason',
        event: () => [
          MatchingRejectedEvent.NAME,
          new MatchingRejectedEvent(...request(() => guide.id, { reason: '그날은 예약이 찼어요' })),
        ],
        to: () => traveller,
        notTo: () => guide,
        type: 'MATCHING_REJECTED',
        bodyHas: ['제주 오름 투어', '그날은 예약이 찼어요'],
        data: { requestId: 501, storyId: 7001, chatRoomId: null },
      },
      {
        name: 'matching.cancelled by the traveller → the guide',
        event: () => [
          MatchingCancelledEvent.NAME,
          new MatchingCancelledEvent(...request(() => traveller.id, { chatRoomId: 88 })),
        ],
        to: () => guide,
        notTo: () => traveller,
        type: 'MATCHING_CANCELLED',
        bodyHas: ['제주 오름 투어'],
        data: { requestId: 501, storyId: 7001, chatRoomId: 88 },
      },
      {
        name: 'matching.cancelled by the guide → the traveller',
        event: () => [
          MatchingCancelledEvent.NAME,
          new MatchingCancelledEvent(...request(() => guide.id, {})),
        ],
        to: () => traveller,
        notTo: () => guide,
        type: 'MATCHING_CANCELLED',
        bodyHas: ['제주 오름 투어'],
        data: { requestId: 501, storyId: 7001, chatRoomId: null },
      },
      {
        name: 'matching.completed by the guide → the traveller',
        event: () => [
          MatchingCompletedEvent.NAME,
          new MatchingCompletedEvent(...request(() => guide.id, { chatRoomId: 88 })),
        ],
        to: () => traveller,
        notTo: () => guide,
        type: 'MATCHING_COMPLETED',
        bodyHas: ['제주 오름 투어'],
        data: { requestId: 501, storyId: 7001, chatRoomId: 88 },
      },
      {
        name: 'matching.completed by the traveller → the guide',
        event: () => [
          MatchingCompletedEvent.NAME,
          new MatchingCompletedEvent(...request(() => traveller.id, { chatRoomId: 88 })),
        ],
        to: () => guide,
        notTo: () => traveller,
        type: 'MATCHING_COMPLETED',
        bodyHas: ['제주 오름 투어'],
        data: { requestId: 501, storyId: 7001, chatRoomId: 88 },
      },
      {
        name: 'review.created → the guide',
        event: () => [
          ReviewCreatedEvent.NAME,
          new ReviewCreatedEvent(61, 501, guide.guideId, guide.id, traveller.id, 5),
        ],
        to: () => guide,
        notTo: () => traveller,
        type: 'REVIEW_CREATED',
        bodyHas: ['traveller-lee', '5'],
        data: () => ({ reviewId: 61, requestId: 501, guideId: guide.guideId }),
      },
      {
        name: 'content.hidden → the author, with the reason',
        event: () => [
          ContentHiddenEvent.NAME,
          new ContentHiddenEvent(traveller.id, 'comment', 4242, '욕설'),
        ],
        to: () => traveller,
        notTo: () => guide,
        type: 'CONTENT_HIDDEN',
        bodyHas: ['댓글', '욕설'],
        data: { targetType: 'comment', targetId: 4242 },
      },
    ];

    it.each(cases.map((c) => [c.name, c] as const))(
      '%s: exactly one notification, for the right user, with the ids',
      async (_name, c) => {
        const since = await lastId();
        const [name, payload] = c.event();
        await emit(name, payload);
        const got = await rowsOf(c.to().id, since);
        expect(got).toHaveLength(1);
        const data = typeof c.data === 'function' ? c.data() : c.data;
        expect(got[0]).toMatchObject({ type: c.type, data, readAt: null });
        for (const text of c.bodyHas) expect(got[0].body).toContain(text);
        expect(got[0].title.length).toBeGreaterThan(0);
        expect(await rowsOf(c.notTo().id, since)).toEqual([]);
        expect(await rowsOf(other.id, since)).toEqual([]);
      },
    );

    it('content.hidden of a story names a story', async () => {
      const since = await lastId();
      await emit(ContentHiddenEvent.NAME, new ContentHiddenEvent(guide.id, 'story', 9, null));
      const [row] = await rowsOf(guide.id, since);
      expect(row).toMatchObject({
        type: 'CONTENT_HIDDEN',
        data: { targetType: 'story', targetId: 9 },
      });
      expect(row.body).toContain('스토리');
    });

    it('a listener that fails does not fail the emitter, and stores nothing', async () => {
      const since = await lastId();
      // no such user: the insert fails on the foreign key
      await expect(
        emit(ContentHiddenEvent.NAME, new ContentHiddenEvent(2_000_000_000, 'story', 1, 'x')),
      ).resolves.toBeDefined();
      expect(await rowsOf(2_000_000_000, since)).toEqual([]);
    });
  });

  describe('comments (through the API)', () => {
    const comment = async (user: SignedIn, storyId: number, body: object): Promise<number> => {
      const res = await t
        .http()
        .post(`/api/v1/stories/${storyId}/comments`)
        .set(user.auth)
        .send(body)
        .expect(201);
      return res.body.id as number;
    };

    it('a comment on a guide’s story → the guide gets COMMENT_CREATED; not for their own', async () => {
      const story = await storyOf(t, guide, { title: '한옥 마을 산책' });
      const since = await lastId();
      const commentId = await comment(traveller, story.id, { content: '언제 가면 좋아요?' });
      const got = await rowsOf(guide.id, since);
      expect(got).toHaveLength(1);
      expect(got[0]).toMatchObject({
        type: 'COMMENT_CREATED',
        data: { storyId: story.id, commentId, parentId: null },
      });
      expect(got[0].body).toContain('한옥 마을 산책');
      expect(got[0].body).toContain('traveller-lee');
      expect(await rowsOf(traveller.id, since)).toEqual([]);

      const mine = await lastId();
      await comment(guide, story.id, { content: '제가 덧붙이자면' });
      expect(await rowsOf(guide.id, mine)).toEqual([]);
    });

    it('a reply → the parent’s author gets COMMENT_REPLIED, the owner COMMENT_CREATED, nobody hears of their own', async () => {
      const story = await storyOf(t, guide, { title: '시장 투어' });
      const parentId = await comment(traveller, story.id, { content: '주말에도 하나요?' });

      // the owner replies: the parent's author only
      let since = await lastId();
      const byOwner = await comment(guide, story.id, { content: '네!', parentId });
      expect(await rowsOf(guide.id, since)).toEqual([]);
      const replied = await rowsOf(traveller.id, since);
      expect(replied).toHaveLength(1);
      expect(replied[0]).toMatchObject({
        type: 'COMMENT_REPLIED',
        data: { storyId: story.id, commentId: byOwner, parentId },
      });
      expect(replied[0].body).toContain('시장 투어');
      expect(replied[0].body).toContain('guide-kim');

      // a third person replies: the parent's author and the owner, one each
      since = await lastId();
      const byOther = await comment(other, story.id, { content: '저도 궁금해요', parentId });
      expect((await rowsOf(traveller.id, since)).map((n) => [n.type, n.data])).toEqual([
        ['COMMENT_REPLIED', { storyId: story.id, commentId: byOther, parentId }],
      ]);
      expect((await rowsOf(guide.id, since)).map((n) => [n.type, n.data])).toEqual([
        ['COMMENT_CREATED', { storyId: story.id, commentId: byOther, parentId }],
      ]);
      expect(await rowsOf(other.id, since)).toEqual([]);

      // the parent's author replies to themselves: the owner only
      since = await lastId();
      await comment(traveller, story.id, { content: '답변 감사합니다', parentId });
      expect(await rowsOf(traveller.id, since)).toEqual([]);
      expect((await rowsOf(guide.id, since)).map((n) => n.type)).toEqual(['COMMENT_CREATED']);

      // a reply to the owner's own comment: COMMENT_REPLIED only, not both
      const ownerParent = await comment(guide, story.id, { content: '공지: 우천 시 취소' });
      since = await lastId();
      await comment(other, story.id, { content: '알겠습니다', parentId: ownerParent });
      expect((await rowsOf(guide.id, since)).map((n) => n.type)).toEqual(['COMMENT_REPLIED']);
    });
  });

  describe('guide decisions (through the admin API)', () => {
    async function applicant(): Promise<SignedIn & { guideId: number }> {
      const user = await signIn(t);
      const region = await t.dataSource.getRepository(Region).findOneByOrFail({ code: 'jeju' });
      const res = await t
        .http()
        .post('/api/v1/guides/apply')
        .set(user.auth)
        .send({
          introduction: '제주에서 20년 살았어요. 오름을 안내합니다.',
          languages: ['ko'],
          regionIds: [region.id],
        })
        .expect(201);
      return { ...user, guideId: res.body.id };
    }

    it('approve → the applicant gets GUIDE_APPROVED', async () => {
      const user = await applicant();
      const since = await lastId();
      await t
        .http()
        .post(`/api/v1/admin/guides/${user.guideId}/approve`)
        .set(admin.auth)
        .expect(200);
      const got = await rowsOf(user.id, since);
      expect(got).toHaveLength(1);
      expect(got[0]).toMatchObject({ type: 'GUIDE_APPROVED', data: { guideId: user.guideId } });
      expect(await rowsOf(admin.id, since)).toEqual([]);
    });

    it('reject → the applicant gets GUIDE_REJECTED with the reason', async () => {
      const user = await applicant();
      const since = await lastId();
      await t
        .http()
        .post(`/api/v1/admin/guides/${user.guideId}/reject`)
        .set(admin.auth)
        .send({ reason: '소개가 너무 짧아요' })
        .expect(200);
      const got = await rowsOf(user.id, since);
      expect(got).toHaveLength(1);
      expect(got[0]).toMatchObject({ type: 'GUIDE_REJECTED', data: { guideId: user.guideId } });
      expect(got[0].body).toContain('소개가 너무 짧아요');
    });
  });

  describe('a whole matching through the matching API', () => {
    it('request, accept, complete, review: each step notifies the other side once', async () => {
      const story = await storyOf(t, guide, { title: '성산 일출 트레킹' });
      const since = await lastId();
      const desiredDate = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
      const created = await t
        .http()
        .post('/api/v1/matching-requests')
        .set(traveller.auth)
        .send({ storyId: story.id, desiredDate, partySize: 2, message: '두 명이에요' })
        .expect(201);
      const requestId = created.body.id as number;
      const step = (who: SignedIn, action: string, body?: object) =>
        t.http().post(`/api/v1/matching-requests/${requestId}/${action}`).set(who.auth).send(body);
      const accepted = await step(guide, 'accept').expect(200);
      const chatRoomId = accepted.body.chatRoomId as number;
      await step(traveller, 'complete').expect(200);
      const review = await step(traveller, 'review', { rating: 4, content: '좋았어요' }).expect(
        201,
      );

      const ids = { requestId, storyId: story.id };
      expect((await rowsOf(guide.id, since)).map((n) => [n.type, n.data])).toEqual([
        ['MATCHING_REQUESTED', { ...ids, chatRoomId: null }],
        ['MATCHING_COMPLETED', { ...ids, chatRoomId }],
        ['REVIEW_CREATED', { reviewId: review.body.id, requestId, guideId: guide.guideId }],
      ]);
      expect((await rowsOf(traveller.id, since)).map((n) => [n.type, n.data])).toEqual([
        ['MATCHING_ACCEPTED', { ...ids, chatRoomId }],
      ]);
    });
  });

  describe('routes', () => {
    let seq = 0;
    async function seed(user: SignedIn, count: number): Promise<NotificationBody[]> {
      const service = t.app.get(NotificationsService);
      const made: NotificationBody[] = [];
      for (let i = 0; i < count; i++) {
        seq += 1;
        const notification = await service.notify(
          user.id,
          'MATCHING_REQUESTED',
          `title ${seq}`,
          `body ${seq}`,
          { requestId: seq },
        );
        if (notification) made.push(notification);
      }
      return made;
    }

    it('need a signed-in user', async () => {
      for (const [method, path] of [
        ['get', '/api/v1/notifications'],
        ['get', '/api/v1/notifications/unread-count'],
        ['post', '/api/v1/notifications/1/read'],
        ['post', '/api/v1/notifications/read-all'],
      ] as const) {
        const res = await t.http()[method](path).expect(401);
        expectError(res.body, 401, 'UNAUTHORIZED');
      }
    });

    it('GET lists only mine, newest first, in the documented shape, paged stably', async () => {
      const user = await signIn(t);
      const stranger = await signIn(t);
      await seed(stranger, 2);
      const made = await seed(user, 5);

      const first = await list(user, { limit: 2 }).expect(200);
      expect(first.body.items).toEqual([made[4], made[3]]);
      expect(first.body.items[0]).toEqual({
        id: expect.any(Number),
        type: 'MATCHING_REQUESTED',
        title: made[4].title,
        body: made[4].body,
        data: { requestId: made[4].data.requestId },
        readAt: null,
        createdAt: expect.any(String),
      });
      expect(new Date(first.body.items[0].createdAt).toISOString()).toBe(
        first.body.items[0].createdAt,
      );
      expect(first.body.nextCursor).toEqual(expect.any(String));

      // a new one arriving between pages neither repeats nor skips anything
      const newer = await seed(user, 1);
      const second = await list(user, { limit: 2, cursor: first.body.nextCursor }).expect(200);
      expect(second.body.items).toEqual([made[2], made[1]]);
      const third = await list(user, { limit: 2, cursor: second.body.nextCursor }).expect(200);
      expect(third.body).toEqual({ items: [made[0]], nextCursor: null });

      const all = await list(user, { limit: 50 }).expect(200);
      expect(all.body.items.map((n: NotificationBody) => n.id)).toEqual(
        [...made, ...newer].map((n) => n.id).reverse(),
      );
    });

    it('GET refuses bad queries with 400', async () => {
      const queries: Record<string, string | number>[] = [
        { unreadOnly: 'yes' },
        { limit: 0 },
        { limit: 51 },
        { cursor: 'not-a-cursor' },
        { cursor: Buffer.from('["x"]').toString('base64url') },
        { other: '1' },
      ];
      for (const query of queries) {
        const res = await list(traveller, query).expect(400);
        expectError(res.body, 400, 'VALIDATION_FAILED');
      }
    });

    it('read one: 204, readAt set once, unreadOnly and unread-count follow; not mine → 404', async () => {
      const user = await signIn(t);
      const stranger = await signIn(t);
      const [a, b, c] = await seed(user, 3);
      const [theirs] = await seed(stranger, 1);
      const count = async (who: SignedIn) =>
        (await t.http().get('/api/v1/notifications/unread-count').set(who.auth).expect(200)).body;
      expect(await count(user)).toEqual({ count: 3 });

      const read = () => t.http().post(`/api/v1/notifications/${b.id}/read`).set(user.auth);
      const res = await read().expect(204);
      expect(res.text).toBe('');
      const firstReadAt = (await rows().findOneByOrFail({ id: b.id })).readAt;
      expect(firstReadAt).toBeInstanceOf(Date);
      await read().expect(204);
      expect((await rows().findOneByOrFail({ id: b.id })).readAt).toEqual(firstReadAt);

      expect(await count(user)).toEqual({ count: 2 });
      const unread = await list(user, { unreadOnly: 'true' }).expect(200);
      expect(unread.body.items.map((n: NotificationBody) => n.id)).toEqual([c.id, a.id]);
      const everything = await list(user, { unreadOnly: 'false' }).expect(200);
      expect(everything.body.items.map((n: NotificationBody) => n.id)).toEqual([c.id, b.id, a.id]);
      expect(everything.body.items[1].readAt).toBe(firstReadAt?.toISOString());

      // someone else's, unknown, and malformed ids
      expectError(
        (await t.http().post(`/api/v1/notifications/${theirs.id}/read`).set(user.auth).expect(404))
          .body,
        404,
        'NOT_FOUND',
      );
      expect((await rows().findOneByOrFail({ id: theirs.id })).readAt).toBeNull();
      await t.http().post('/api/v1/notifications/2147483000/read').set(user.auth).expect(404);
      await t.http().post('/api/v1/notifications/abc/read').set(user.auth).expect(400);
      expect(await count(stranger)).toEqual({ count: 1 });
    });

    it('read-all: 204, every unread one of mine read, earlier readAt kept, others untouched', async () => {
      const user = await signIn(t);
      const stranger = await signIn(t);
      const [a, b] = await seed(user, 3);
      await seed(stranger, 2);
      await t.http().post(`/api/v1/notifications/${a.id}/read`).set(user.auth).expect(204);
      const aReadAt = (await rows().findOneByOrFail({ id: a.id })).readAt;

      await t.http().post('/api/v1/notifications/read-all').set(user.auth).expect(204);
      const mine = await rows().findBy({ userId: user.id });
      expect(mine).toHaveLength(3);
      expect(mine.every((n) => n.readAt instanceof Date)).toBe(true);
      expect(mine.find((n) => n.id === a.id)?.readAt).toEqual(aReadAt);
      expect(mine.find((n) => n.id === b.id)?.readAt).toBeInstanceOf(Date);
      const count = await t
        .http()
        .get('/api/v1/notifications/unread-count')
        .set(user.auth)
        .expect(200);
      expect(count.body).toEqual({ count: 0 });
      expect((await list(user, { unreadOnly: 'true' }).expect(200)).body).toEqual({
        items: [],
        nextCursor: null,
      });
      expect(await rows().countBy({ userId: stranger.id, readAt: IsNull() })).toBe(2);
      const strangerCount = await t
        .http()
        .get('/api/v1/notifications/unread-count')
        .set(stranger.auth)
        .expect(200);
      expect(strangerCount.body).toEqual({ count: 2 });

      // nothing left to read: still 204
      await t.http().post('/api/v1/notifications/read-all').set(user.auth).expect(204);
    });

    it('a withdrawn user’s notifications are deleted', async () => {
      const user = await signIn(t);
      await seed(user, 2);
      await t.http().delete('/api/v1/users/me').set(user.auth).expect(204);
      await settled();
      expect(await rows().countBy({ userId: user.id })).toBe(0);
    });
  });
  describe('push', () => {
    const sockets = new SocketPool();
    afterEach(() => sockets.closeAll());

    it('a stored notification is pushed as notification:new to that user’s sockets only', async () => {
      const story = await storyOf(t, guide, { title: '야시장 먹거리 투어' });
      const guideSocket = await sockets.connect(t.baseUrl, guide.accessToken);
      const guideOtherDevice = await sockets.connect(t.baseUrl, guide.accessToken);
      const bystanderSocket = await sockets.connect(t.baseUrl, other.accessToken);
      const bystanderGot = record<NotificationBody>(bystanderSocket, 'notification:new');

      const pushed = nextEvent<NotificationBody>(guideSocket, 'notification:new');
      const pushedToOtherDevice = nextEvent<NotificationBody>(guideOtherDevice, 'notification:new');
      await t
        .http()
        .post(`/api/v1/stories/${story.id}/comments`)
        .set(traveller.auth)
        .send({ content: '몇 시에 시작해요?' })
        .expect(201);
      const received = await pushed;
      expect(await pushedToOtherDevice).toEqual(received);
      expect(received).toMatchObject({
        type: 'COMMENT_CREATED',
        data: { storyId: story.id },
        readAt: null,
      });
      // exactly what the list shows, stored before it was pushed
      const listed = await list(guide, { limit: 1 }).expect(200);
      expect(listed.body.items).toEqual([received]);

      // the bystander's own notification comes after anything that could have leaked to it
      const own = nextEvent<NotificationBody>(bystanderSocket, 'notification:new');
      await emit(ContentHiddenEvent.NAME, new ContentHiddenEvent(other.id, 'comment', 77, '스팸'));
      expect((await own).data).toEqual({ targetType: 'comment', targetId: 77 });
      expect(bystanderGot.map((n) => n.type)).toEqual(['CONTENT_HIDDEN']);
    });
  });
});
