import { addDays, dateIn as zonedDate } from '../src/common/time/zoned';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { ChatRoomMember } from '../src/chat/entities/chat-room-member.entity';
import { ChatRoom } from '../src/chat/entities/chat-room.entity';
import { Guide } from '../src/guides/entities/guide.entity';
import { MatchingRequest } from '../src/matching/entities/matching-request.entity';
import {
  MatchingAcceptedEvent,
  MatchingCancelledEvent,
  MatchingCompletedEvent,
  MatchingEvent,
  MatchingRejectedEvent,
  MatchingRequestedEvent,
} from '../src/matching/matching.events';
import { approvedGuide, GuideFixture, storyOf } from './support/fixtures';
import { createTestApp, TestApp } from './support/test-app';
import { expectError, signIn, SignedIn, uniqueKakaoId } from './support/users';

/** The date `days` from today in the service's zone (the default one), as the API expects it. */
function dateIn(days: number): string {
  return addDays(zonedDate(new Date(), 'Asia/Seoul'), days);
}

interface RequestBody {
  id: number;
  status: string;
  chatRoomId: number | null;
  [key: string]: unknown;
}

describe('matching requests', () => {
  const adminKakaoId = uniqueKakaoId();
  let t: TestApp;
  let guide: GuideFixture;
  let traveller: SignedIn;
  let other: SignedIn;
  let admin: SignedIn;
  const events: { name: string; event: MatchingEvent }[] = [];

  beforeAll(async () => {
    t = await createTestApp({ ADMIN_KAKAO_IDS: adminKakaoId });
    const emitter = t.app.get(EventEmitter2);
    for (const type of [
      MatchingRequestedEvent,
      MatchingAcceptedEvent,
      MatchingRejectedEvent,
      MatchingCancelledEvent,
      MatchingCompletedEvent,
    ]) {
      emitter.on(type.NAME, (event: MatchingEvent) => events.push({ name: type.NAME, event }));
    }
    guide = await approvedGuide(t, 'guide-lee');
    traveller = await signIn(t, { nickname: 'traveller' });
    other = await signIn(t, { nickname: 'bystander' });
    admin = await signIn(t, { kakaoId: adminKakaoId });
  });
  afterAll(async () => t.close());

  const url = (id?: number, action?: string) =>
    `/api/v1/matching-requests${id !== undefined ? `/${id}` : ''}${action ? `/${action}` : ''}`;

  async function send(user: SignedIn, storyId: number, extra: object = {}): Promise<RequestBody> {
    const res = await t
      .http()
      .post(url())
      .set(user.auth)
      .send({ storyId, desiredDate: dateIn(7), ...extra })
      .expect(201);
    return res.body as RequestBody;
  }

  function act(user: SignedIn, id: number, action: string, body: object = {}) {
    return t.http().post(url(id, action)).set(user.auth).send(body);
  }

  async function pending(): Promise<{ storyId: number; request: RequestBody }> {
    const story = await storyOf(t, guide);
    return { storyId: story.id, request: await send(traveller, story.id) };
  }

  async function accepted(): Promise<{ storyId: number; request: RequestBody }> {
    const { storyId, request } = await pending();
    const res = await act(guide, request.id, 'accept').expect(200);
    return { storyId, request: res.body as RequestBody };
  }

  describe('POST /matching-requests', () => {
    it('creates a pending request in the documented shape and tells the guide', async () => {
      const story = await storyOf(t, guide, { title: 'Jeju olle walk' });
      const before = events.length;
      const res = await t
        .http()
        .post(url())
        .set(traveller.auth)
        .send({
          storyId: story.id,
          desiredDate: dateIn(30),
          desiredTime: '09:30',
          partySize: 3,
          message: '  우리 가족 셋이서 가고 싶어요  ',
        })
        .expect(201);
      expect(res.body).toEqual({
        id: expect.any(Number),
        status: 'pending',
        story: { id: story.id, title: 'Jeju olle walk', thumbnailUrl: null },
        traveler: { id: traveller.id, nickname: 'traveller', profileImageUrl: null },
        guide: {
          id: guide.guideId,
          userId: guide.id,
          nickname: 'guide-lee',
          profileImageUrl: null,
        },
        desiredDate: dateIn(30),
        desiredTime: '09:30',
        partySize: 3,
        message: '우리 가족 셋이서 가고 싶어요',
        rejectReason: null,
        chatRoomId: null,
        createdAt: expect.any(String),
        respondedAt: null,
        completedAt: null,
        expiredAt: null,
      });
      expect(new Date(res.body.createdAt).toISOString()).toBe(res.body.createdAt);
      const row = await t.dataSource.getRepository(MatchingRequest).findOneByOrFail({
        id: res.body.id,
      });
      expect(row).toMatchObject({ status: 'pending', openKey: `${traveller.id}:${story.id}` });
      expect(events.slice(before)).toEqual([
        {
          name: 'matching.requested',
          event: {
            requestId: res.body.id,
            storyId: story.id,
            storyTitle: 'Jeju olle walk',
            travelerId: traveller.id,
            guideUserId: guide.id,
            actorId: traveller.id,
            chatRoomId: null,
            reason: null,
          },
        },
      ]);
    });

    it('defaults partySize to 1, the message to empty and the time to null; today is allowed', async () => {
      const story = await storyOf(t, guide);
      const body = await send(traveller, story.id, { desiredDate: dateIn(0) });
      expect(body).toMatchObject({ partySize: 1, message: '', desiredTime: null });
      const last = await send(other, story.id, { desiredDate: dateIn(365), partySize: 20 });
      expect(last).toMatchObject({ desiredDate: dateIn(365), partySize: 20 });
    });

    it.each([
      ['a past date', { desiredDate: dateIn(-1) }, 'desiredDate'],
      ['a date beyond 365 days', { desiredDate: dateIn(366) }, 'desiredDate'],
      ['a date that does not exist', { desiredDate: '2027-02-30' }, 'desiredDate'],
      ['a date in another format', { desiredDate: '2027/01/10' }, 'desiredDate'],
      ['a missing date', { desiredDate: undefined }, 'desiredDate'],
      ['an hour 25', { desiredTime: '25:00' }, 'desiredTime'],
      ['a minute 60', { desiredTime: '10:60' }, 'desiredTime'],
      ['partySize 0', { partySize: 0 }, 'partySize'],
      ['partySize 21', { partySize: 21 }, 'partySize'],
      ['partySize 1.5', { partySize: 1.5 }, 'partySize'],
      ['partySize as a string', { partySize: '2' }, 'partySize'],
      ['a message over 1000 chars', { message: 'x'.repeat(1001) }, 'message'],
      ['a storyId as a string', { storyId: 'abc' }, 'storyId'],
      ['an unknown field', { price: 100 }, 'price'],
      ['a null time (leave it out instead)', { desiredTime: null }, 'desiredTime'],
      ['a null partySize', { partySize: null }, 'partySize'],
    ])('refuses %s with 400 and field details', async (_label, patch, field) => {
      const story = await storyOf(t, guide);
      const res = await t
        .http()
        .post(url())
        .set(traveller.auth)
        .send({ storyId: story.id, desiredDate: dateIn(3), ...patch })
        .expect(400);
      expectError(res.body, 400, 'VALIDATION_FAILED');
      expect(res.body.details).toEqual(
        expect.arrayContaining([expect.objectContaining({ field })]),
      );
      expect(await t.dataSource.getRepository(MatchingRequest).countBy({ storyId: story.id })).toBe(
        0,
      );
    });

    it('needs a token', async () => {
      const story = await storyOf(t, guide);
      await t
        .http()
        .post(url())
        .send({ storyId: story.id, desiredDate: dateIn(1) })
        .expect(401);
    });

    it('refuses the own story with 400 MATCHING_OWN_STORY', async () => {
      const story = await storyOf(t, guide);
      const res = await t
        .http()
        .post(url())
        .set(guide.auth)
        .send({ storyId: story.id, desiredDate: dateIn(2) })
        .expect(400);
      expectError(res.body, 400, 'MATCHING_OWN_STORY');
    });

    it('answers 404 for hidden, deleted, missing stories and stories of a suspended guide', async () => {
      const hidden = await storyOf(t, guide, { status: 'hidden' });
      const deleted = await storyOf(t, guide, { status: 'deleted' });
      const suspended = await approvedGuide(t);
      const ofSuspended = await storyOf(t, suspended);
      await t.dataSource.getRepository(Guide).update(suspended.guideId, { status: 'suspended' });
      for (const storyId of [hidden.id, deleted.id, 999_999, ofSuspended.id]) {
        for (const user of [traveller, admin]) {
          const res = await t
            .http()
            .post(url())
            .set(user.auth)
            .send({ storyId, desiredDate: dateIn(2) })
            .expect(404);
          expectError(res.body, 404, 'NOT_FOUND');
        }
      }
    });

    it('refuses a second open request for the same story with 409, allows one after closing', async () => {
      const story = await storyOf(t, guide);
      const first = await send(traveller, story.id);
      const res = await t
        .http()
        .post(url())
        .set(traveller.auth)
        .send({ storyId: story.id, desiredDate: dateIn(9) })
        .expect(409);
      expectError(res.body, 409, 'MATCHING_DUPLICATE');
      // another traveller is not affected
      await send(other, story.id);
      // accepted is still open
      await act(guide, first.id, 'accept').expect(200);
      await t
        .http()
        .post(url())
        .set(traveller.auth)
        .send({ storyId: story.id, desiredDate: dateIn(9) })
        .expect(409);
      await act(traveller, first.id, 'cancel').expect(200);
      const again = await send(traveller, story.id);
      expect(again.status).toBe('pending');
    });

    it('of 10 identical requests sent at once exactly one is created', async () => {
      const story = await storyOf(t, guide);
      const results = await Promise.all(
        Array.from({ length: 10 }, () =>
          t
            .http()
            .post(url())
            .set(traveller.auth)
            .send({ storyId: story.id, desiredDate: dateIn(5) }),
        ),
      );
      const statuses = results.map((r) => r.status).sort();
      expect(statuses).toEqual([201, ...Array<number>(9).fill(409)]);
      for (const r of results.filter((x) => x.status === 409)) {
        expectError(r.body, 409, 'MATCHING_DUPLICATE');
      }
      expect(
        await t.dataSource
          .getRepository(MatchingRequest)
          .countBy({ storyId: story.id, travelerId: traveller.id }),
      ).toBe(1);
    });
  });

  describe('transitions', () => {
    it('accept opens the chat room with both members, marks the story, tells the traveller', async () => {
      const { storyId, request } = await pending();
      const before = events.length;
      const res = await act(guide, request.id, 'accept').expect(200);
      expect(res.body).toMatchObject({
        id: request.id,
        status: 'accepted',
        chatRoomId: expect.any(Number),
        respondedAt: expect.any(String),
      });
      const roomId = res.body.chatRoomId as number;
      const room = await t.dataSource.getRepository(ChatRoom).findOneByOrFail({ id: roomId });
      expect(room).toMatchObject({
        matchingRequestId: request.id,
        storyId,
        travelerId: traveller.id,
        guideUserId: guide.id,
        closedAt: null,
      });
      const members = await t.dataSource.getRepository(ChatRoomMember).findBy({ roomId });
      expect(members.map((m) => m.userId).sort((a, b) => a - b)).toEqual(
        [traveller.id, guide.id].sort((a, b) => a - b),
      );
      const story = await t.http().get(`/api/v1/stories/${storyId}`).expect(200);
      expect(story.body.isMatched).toBe(true);
      const detail = await t.http().get(url(request.id)).set(traveller.auth).expect(200);
      expect(detail.body).toEqual(res.body);
      expect(events.slice(before)).toEqual([
        {
          name: 'matching.accepted',
          event: expect.objectContaining({
            requestId: request.id,
            storyId,
            travelerId: traveller.id,
            guideUserId: guide.id,
            actorId: guide.id,
            chatRoomId: roomId,
            reason: null,
          }),
        },
      ]);
    });

    it('reject stores the trimmed reason; an empty reason is none', async () => {
      const { request } = await pending();
      const before = events.length;
      const res = await act(guide, request.id, 'reject', { reason: '  Fully booked  ' }).expect(
        200,
      );
      expect(res.body).toMatchObject({
        status: 'rejected',
        rejectReason: 'Fully booked',
        respondedAt: expect.any(String),
        chatRoomId: null,
      });
      expect(events.slice(before)).toEqual([
        {
          name: 'matching.rejected',
          event: expect.objectContaining({ actorId: guide.id, reason: 'Fully booked' }),
        },
      ]);
      const second = await pending();
      const bare = await act(guide, second.request.id, 'reject', { reason: '   ' }).expect(200);
      expect(bare.body.rejectReason).toBeNull();
      const row = await t.dataSource.getRepository(MatchingRequest).findOneByOrFail({
        id: request.id,
      });
      expect(row.openKey).toBeNull();
    });

    it('reject validates its body', async () => {
      const { request } = await pending();
      let res = await act(guide, request.id, 'reject', { reason: 'x'.repeat(501) }).expect(400);
      expectError(res.body, 400, 'VALIDATION_FAILED');
      res = await act(guide, request.id, 'reject', { why: 'no' }).expect(400);
      expectError(res.body, 400, 'VALIDATION_FAILED');
    });

    it('cancel of an accepted request makes its chat room read-only', async () => {
      const { request } = await accepted();
      const before = events.length;
      const res = await act(traveller, request.id, 'cancel').expect(200);
      expect(res.body).toMatchObject({ status: 'cancelled', chatRoomId: request.chatRoomId });
      const room = await t.dataSource
        .getRepository(ChatRoom)
        .findOneByOrFail({ id: request.chatRoomId as number });
      expect(room.closedAt).toBeInstanceOf(Date);
      const row = await t.dataSource.getRepository(MatchingRequest).findOneByOrFail({
        id: request.id,
      });
      expect(row).toMatchObject({ cancelledBy: traveller.id, openKey: null });
      expect(row.cancelledAt).toBeInstanceOf(Date);
      expect(events.slice(before)).toEqual([
        {
          name: 'matching.cancelled',
          event: expect.objectContaining({
            actorId: traveller.id,
            chatRoomId: request.chatRoomId,
          }),
        },
      ]);
    });

    it('cancel of a pending request opens no room', async () => {
      const { request } = await pending();
      const res = await act(traveller, request.id, 'cancel').expect(200);
      expect(res.body).toMatchObject({ status: 'cancelled', chatRoomId: null });
      expect(
        await t.dataSource.getRepository(ChatRoom).countBy({ matchingRequestId: request.id }),
      ).toBe(0);
    });

    it('either participant completes an accepted request', async () => {
      const byTraveller = await accepted();
      const before = events.length;
      const res = await act(traveller, byTraveller.request.id, 'complete').expect(200);
      expect(res.body).toMatchObject({ status: 'completed', completedAt: expect.any(String) });
      expect(events.slice(before)).toEqual([
        {
          name: 'matching.completed',
          event: expect.objectContaining({
            actorId: traveller.id,
            chatRoomId: byTraveller.request.chatRoomId,
          }),
        },
      ]);
      const byGuide = await accepted();
      await act(guide, byGuide.request.id, 'complete').expect(200);
    });

    it.each([
      ['accept twice', ['accept'], guideOf, 'accept'],
      ['reject after accept', ['accept'], guideOf, 'reject'],
      ['accept after reject', ['reject'], guideOf, 'accept'],
      ['complete a pending request', [], travellerOf, 'complete'],
      ['complete a rejected request', ['reject'], travellerOf, 'complete'],
      ['complete twice', ['accept', 'complete'], travellerOf, 'complete'],
      ['cancel a completed request', ['accept', 'complete'], travellerOf, 'cancel'],
      ['cancel a rejected request', ['reject'], travellerOf, 'cancel'],
      ['cancel twice', ['cancel'], travellerOf, 'cancel'],
      ['accept a cancelled request', ['cancel'], guideOf, 'accept'],
      ['complete a cancelled request', ['accept', 'cancel'], guideOf, 'complete'],
    ])('%s → 409 MATCHING_INVALID_STATE', async (_label, steps, who, action) => {
      const { request } = await pending();
      for (const step of steps) {
        const actor = step === 'cancel' || step === 'complete' ? traveller : guide;
        await act(actor, request.id, step).expect(200);
      }
      const res = await act(who(), request.id, action).expect(409);
      expectError(res.body, 409, 'MATCHING_INVALID_STATE');
    });

    function guideOf(): SignedIn {
      return guide;
    }
    function travellerOf(): SignedIn {
      return traveller;
    }

    it('the wrong participant gets 403', async () => {
      const { request } = await pending();
      for (const action of ['accept', 'reject']) {
        expectError((await act(traveller, request.id, action).expect(403)).body, 403, 'FORBIDDEN');
      }
      expectError((await act(guide, request.id, 'cancel').expect(403)).body, 403, 'FORBIDDEN');
      const row = await t.dataSource.getRepository(MatchingRequest).findOneByOrFail({
        id: request.id,
      });
      expect(row.status).toBe('pending');
    });

    it('a third user gets 404 on the detail and on every transition; admins may read', async () => {
      const { request } = await accepted();
      expectError(
        (await t.http().get(url(request.id)).set(other.auth).expect(404)).body,
        404,
        'NOT_FOUND',
      );
      for (const action of ['accept', 'reject', 'cancel', 'complete', 'review']) {
        const res = await act(other, request.id, action, action === 'review' ? { rating: 5 } : {});
        expect(res.status).toBe(404);
        expectError(res.body, 404, 'NOT_FOUND');
      }
      await t.http().get(url(999_999)).set(traveller.auth).expect(404);
      const seen = await t.http().get(url(request.id)).set(admin.auth).expect(200);
      expect(seen.body.id).toBe(request.id);
      // seeing is not acting: an admin who takes no part gets 403
      expectError((await act(admin, request.id, 'complete').expect(403)).body, 403, 'FORBIDDEN');
    });

    it('a suspended guide cannot accept (403 GUIDE_REQUIRED) but may still reject', async () => {
      const g = await approvedGuide(t);
      const first = await send(traveller, (await storyOf(t, g)).id);
      const second = await send(traveller, (await storyOf(t, g)).id);
      await t.dataSource.getRepository(Guide).update(g.guideId, { status: 'suspended' });
      expectError((await act(g, first.id, 'accept').expect(403)).body, 403, 'GUIDE_REQUIRED');
      await act(g, second.id, 'reject').expect(200);
    });

    it('of 20 concurrent accepts and rejects exactly one succeeds', async () => {
      const { storyId, request } = await pending();
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => act(guide, request.id, i % 2 ? 'reject' : 'accept')),
      );
      const ok = results.filter((r) => r.status === 200);
      expect(ok).toHaveLength(1);
      for (const r of results.filter((x) => x.status !== 200)) {
        expect(r.status).toBe(409);
        expectError(r.body, 409, 'MATCHING_INVALID_STATE');
      }
      const row = await t.dataSource.getRepository(MatchingRequest).findOneByOrFail({
        id: request.id,
      });
      expect(row.status).toBe(ok[0].body.status);
      const rooms = await t.dataSource
        .getRepository(ChatRoom)
        .countBy({ matchingRequestId: request.id });
      expect(rooms).toBe(row.status === 'accepted' ? 1 : 0);
      const story = await t.http().get(`/api/v1/stories/${storyId}`).expect(200);
      expect(story.body.isMatched).toBe(row.status === 'accepted');
    });

    it('accepting several requests of one story at once succeeds for each', async () => {
      const story = await storyOf(t, guide);
      const people = await Promise.all(Array.from({ length: 5 }, () => signIn(t)));
      const requests = await Promise.all(people.map((p) => send(p, story.id)));
      const results = await Promise.all(requests.map((r) => act(guide, r.id, 'accept')));
      expect(results.map((r) => r.status)).toEqual(Array<number>(5).fill(200));
      const roomIds = new Set(results.map((r) => r.body.chatRoomId as number));
      expect(roomIds.size).toBe(5);
      expect(await t.dataSource.getRepository(ChatRoom).countBy({ storyId: story.id })).toBe(5);
    });

    it('a cancel racing a complete: exactly one wins', async () => {
      const { request } = await accepted();
      const results = await Promise.all([
        act(traveller, request.id, 'cancel'),
        act(guide, request.id, 'complete'),
        act(traveller, request.id, 'complete'),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409]);
    });
  });

  describe('GET /matching-requests', () => {
    it('lists sent and received requests, filtered by role and status, newest first, paged', async () => {
      const g = await approvedGuide(t, 'g-list');
      const t1 = await signIn(t);
      const s1 = await storyOf(t, g);
      const s2 = await storyOf(t, g);
      const s3 = await storyOf(t, g);
      const a = await send(t1, s1.id);
      const b = await send(t1, s2.id);
      const c = await send(t1, s3.id);
      await act(g, b.id, 'accept').expect(200);
      // the guide also sends one as a traveller
      const mine = await send(g, (await storyOf(t, guide)).id);

      const ids = async (user: SignedIn, query: Record<string, string | number>) =>
        (await t.http().get(url()).query(query).set(user.auth).expect(200)).body.items.map(
          (i: RequestBody) => i.id,
        );

      expect(await ids(t1, {})).toEqual([c.id, b.id, a.id]);
      expect(await ids(t1, { role: 'traveler' })).toEqual([c.id, b.id, a.id]);
      expect(await ids(t1, { role: 'guide' })).toEqual([]);
      expect(await ids(g, { role: 'guide' })).toEqual([c.id, b.id, a.id]);
      expect(await ids(g, { role: 'traveler' })).toEqual([mine.id]);
      expect(await ids(g, {})).toEqual([mine.id, c.id, b.id, a.id]);
      expect(await ids(g, { role: 'guide', status: 'accepted' })).toEqual([b.id]);
      expect(await ids(g, { role: 'guide', status: 'pending' })).toEqual([c.id, a.id]);

      const first = await t.http().get(url()).query({ limit: 2 }).set(g.auth).expect(200);
      expect(first.body.items.map((i: RequestBody) => i.id)).toEqual([mine.id, c.id]);
      expect(first.body.items[0]).toMatchObject({ status: 'pending', traveler: { id: g.id } });
      const next = await t
        .http()
        .get(url())
        .query({ limit: 2, cursor: first.body.nextCursor })
        .set(g.auth)
        .expect(200);
      expect(next.body).toEqual({
        items: [expect.objectContaining({ id: b.id }), expect.objectContaining({ id: a.id })],
        nextCursor: null,
      });
    });

    it('refuses bad filters and cursors with 400', async () => {
      for (const query of [{ role: 'admin' }, { status: 'open' }, { cursor: 'nope' }, { x: 1 }]) {
        const res = await t.http().get(url()).query(query).set(traveller.auth).expect(400);
        expectError(res.body, 400, 'VALIDATION_FAILED');
      }
    });
  });
});
