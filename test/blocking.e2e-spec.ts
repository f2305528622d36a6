import { randomBytes } from 'node:crypto';
import { In } from 'typeorm';
import { MatchingRequest } from '../src/matching/entities/matching-request.entity';
import { Notification } from '../src/notifications/entities/notification.entity';
import { Block } from '../src/users/entities/block.entity';
import { approvedGuide, GuideFixture, regionByCode, storyOf } from './support/fixtures';
import { emitAck, record, SocketPool } from './support/sockets';
import { createSiblingApp, createTestApp, SiblingApp, TestApp } from './support/test-app';
import { expectError, signIn, SignedIn } from './support/users';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const ADMIN_KAKAO_ID = '660000001';

function dateIn(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * Blocking (docs/api.md, Blocking and account rights): a two-person matrix over every list and page the spec names, both
 * directions, before and after the block is lifted; interactions, matching, chat (REST,
 * sockets, two instances), notifications.
 */
describe('blocking', () => {
  const secret = randomBytes(32).toString('hex');
  let t: TestApp;
  let second: SiblingApp;
  let secondUrl: string;
  const sockets = new SocketPool();

  /** A and B, both guides with stories, so every direction has something to hide. */
  let a: GuideFixture;
  let b: GuideFixture;
  /** C: a third guide whose stories interleave with B's. */
  let c: GuideFixture;
  let admin: SignedIn;
  let regionId: number;
  let storyOfA: number;
  let storiesOfB: number[];
  let storiesOfC: number[];

  beforeAll(async () => {
    t = await createTestApp({ REDIS_URL, JWT_SECRET: secret, ADMIN_KAKAO_IDS: ADMIN_KAKAO_ID });
    // a second instance on the same database and Redis, for the cross-instance check
    second = await createSiblingApp(t);
    secondUrl = second.baseUrl;

    admin = await signIn(t, { kakaoId: ADMIN_KAKAO_ID, nickname: 'admin' });
    a = await approvedGuide(t, 'alice');
    b = await approvedGuide(t, 'bob');
    c = await approvedGuide(t, 'carol');
    regionId = (await regionByCode(t, 'jeju')).id;
    storyOfA = (await storyOf(t, a, { regionId, title: 'By A', tags: ['shared'] })).id;
    storiesOfB = [];
    storiesOfC = [];
    // B's and C's stories alternate, so a page boundary often falls on a hidden one
    for (let i = 0; i < 7; i++) {
      storiesOfB.push((await storyOf(t, b, { regionId, title: `By B ${i}`, tags: ['shared'] })).id);
      storiesOfC.push((await storyOf(t, c, { regionId, title: `By C ${i}`, tags: ['shared'] })).id);
    }
  }, 60_000);
  afterAll(async () => {
    await second.close();
    await t.close();
  });
  afterEach(() => sockets.closeAll());

  const get = (path: string, who?: SignedIn) => {
    const req = t.http().get(`/api/v1${path}`);
    return who ? req.set(who.auth) : req;
  };
  const block = (who: SignedIn, target: number) =>
    t.http().put(`/api/v1/users/${target}/block`).set(who.auth);
  const unblock = (who: SignedIn, target: number) =>
    t.http().delete(`/api/v1/users/${target}/block`).set(who.auth);

  /** Every item id of a list, paging with a small limit; fails on a repeat. */
  async function allIds(path: string, who: SignedIn, limit = 3): Promise<number[]> {
    const ids: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const sep = path.includes('?') ? '&' : '?';
      const url: string = `${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const res: { body: { items: { id: number }[]; nextCursor: string | null } } = await get(
        url,
        who,
      ).expect(200);
      const items = res.body.items as { id: number }[];
      // a page is full unless it is the last one
      if (res.body.nextCursor) expect(items).toHaveLength(limit);
      ids.push(...items.map((i) => i.id));
      cursor = res.body.nextCursor;
      pages += 1;
    } while (cursor && pages < 50);
    expect(new Set(ids).size).toBe(ids.length);
    return ids;
  }

  describe('the block routes', () => {
    it('block, list, lift: idempotent, newest first, blockedByMe', async () => {
      const me = await signIn(t, { nickname: 'blocker' });
      const x = await signIn(t, { nickname: 'xavier' });
      const y = await signIn(t, { nickname: 'yolanda' });
      await block(me, x.id).expect(204);
      await block(me, x.id).expect(204);
      await block(me, y.id).expect(204);
      expect(await t.dataSource.getRepository(Block).countBy({ blockerId: me.id })).toBe(2);
      const list = await get('/users/me/blocks', me).expect(200);
      expect(list.body.items.map((i: { id: number }) => i.id)).toEqual([y.id, x.id]);
      expect(list.body.items[0]).toEqual({
        id: y.id,
        nickname: 'yolanda',
        profileImageUrl: null,
        blockedAt: expect.any(String),
      });
      // paging by one
      const first = await get('/users/me/blocks?limit=1', me).expect(200);
      const next = await get(
        `/users/me/blocks?limit=1&cursor=${encodeURIComponent(first.body.nextCursor)}`,
        me,
      ).expect(200);
      expect([first.body.items[0].id, next.body.items[0].id]).toEqual([y.id, x.id]);

      // the blocker still sees the blocked person's profile, to lift the block
      expect((await get(`/users/${x.id}`, me).expect(200)).body.blockedByMe).toBe(true);
      // the blocked person does not see the blocker at all
      expectError((await get(`/users/${me.id}`, x).expect(404)).body, 404, 'NOT_FOUND');
      expect((await get(`/users/${me.id}`).expect(200)).body.blockedByMe).toBe(false);

      await unblock(me, x.id).expect(204);
      await unblock(me, x.id).expect(204);
      await unblock(me, me.id).expect(204); // idempotent: one's own id has nothing to lift
      expect((await get(`/users/${x.id}`, me).expect(200)).body.blockedByMe).toBe(false);
      await get(`/users/${me.id}`, x).expect(200);
      expect((await get('/users/me/blocks', me).expect(200)).body.items).toHaveLength(1);
    });

    it('refuses oneself and admins (400), unknown and withdrawn users (404)', async () => {
      const me = await signIn(t);
      expectError((await block(me, me.id).expect(400)).body, 400, 'VALIDATION_FAILED');
      expectError((await block(me, admin.id).expect(400)).body, 400, 'VALIDATION_FAILED');
      expectError((await block(me, 2_000_000_000).expect(404)).body, 404, 'NOT_FOUND');
      const gone = await signIn(t);
      await t.http().delete('/api/v1/users/me').set(gone.auth).expect(204);
      expectError((await block(me, gone.id).expect(404)).body, 404, 'NOT_FOUND');
      await t.http().put(`/api/v1/users/${me.id}/block`).expect(401);
      expect(await t.dataSource.getRepository(Block).countBy({ blockerId: me.id })).toBe(0);
    });
  });

  describe('the two-person matrix (A blocks B)', () => {
    let commentOfA: number;
    let commentOfB: number;
    let replyOfB: number;
    let reviewOfB: number;
    let reviewOfA: number;

    beforeAll(async () => {
      const storyOfC = storiesOfC[0];
      commentOfA = (
        await t
          .http()
          .post(`/api/v1/stories/${storyOfC}/comments`)
          .set(a.auth)
          .send({ content: 'A says hi' })
          .expect(201)
      ).body.id;
      commentOfB = (
        await t
          .http()
          .post(`/api/v1/stories/${storyOfC}/comments`)
          .set(b.auth)
          .send({ content: 'B says hi' })
          .expect(201)
      ).body.id;
      replyOfB = (
        await t
          .http()
          .post(`/api/v1/stories/${storyOfC}/comments`)
          .set(b.auth)
          .send({ content: 'B answers A', parentId: commentOfA })
          .expect(201)
      ).body.id;
      // both review C after a completed trip
      const review = async (who: GuideFixture, storyId: number) => {
        const req = await t
          .http()
          .post('/api/v1/matching-requests')
          .set(who.auth)
          .send({ storyId, desiredDate: dateIn(5) })
          .expect(201);
        await t
          .http()
          .post(`/api/v1/matching-requests/${req.body.id}/accept`)
          .set(c.auth)
          .expect(200);
        await t
          .http()
          .post(`/api/v1/matching-requests/${req.body.id}/complete`)
          .set(c.auth)
          .expect(200);
        return (
          await t
            .http()
            .post(`/api/v1/matching-requests/${req.body.id}/review`)
            .set(who.auth)
            .send({ rating: 5, content: 'Great' })
            .expect(201)
        ).body.id;
      };
      reviewOfA = await review(a, storiesOfC[1]);
      reviewOfB = await review(b, storiesOfC[2]);
      // A liked and bookmarked one of B's stories before the block
      await t.http().put(`/api/v1/stories/${storiesOfB[0]}/like`).set(a.auth).expect(200);
      await t.http().put(`/api/v1/stories/${storiesOfB[0]}/bookmark`).set(a.auth).expect(200);
      await t.http().put(`/api/v1/stories/${storiesOfC[3]}/like`).set(a.auth).expect(200);
    });

    /** What `viewer` sees of the other (`other`) in every list and page of docs/api.md, Blocking and account rights. */
    async function visibility(viewer: GuideFixture, other: GuideFixture) {
      const otherStories = other === b ? storiesOfB : [storyOfA];
      const story = otherStories[0];
      const ids = async (path: string) => allIds(path, viewer);
      const regionStories = (await get(`/regions/${regionId}`, viewer).expect(200)).body
        .popularStories as { id: number }[];
      const comments = await ids(`/stories/${storiesOfC[0]}/comments`);
      // the replies under A's comment hold B's reply (B cannot list them: A's comment is gone for B)
      const replies =
        other === b ? await ids(`/stories/${storiesOfC[0]}/comments?parentId=${commentOfA}`) : [];
      const reviews = await ids(`/guides/${c.guideId}/reviews`);
      const feed = await ids(`/stories?regionId=${regionId}`);
      const search = await ids('/stories?q=By');
      const tagged = await ids('/stories?tag=shared');
      const popular = await ids(`/stories?sort=popular&regionId=${regionId}`);
      const guides = await ids('/guides');
      return {
        feed: otherStories.filter((id) => feed.includes(id)).length,
        search: otherStories.filter((id) => search.includes(id)).length,
        tagged: otherStories.filter((id) => tagged.includes(id)).length,
        popular: otherStories.filter((id) => popular.includes(id)).length,
        region: regionStories.filter((s) => otherStories.includes(s.id)).length,
        guides: guides.includes(other.guideId),
        comments: comments.includes(other === b ? commentOfB : commentOfA),
        replies: other === b ? replies.includes(replyOfB) : null,
        reviews: reviews.includes(other === b ? reviewOfB : reviewOfA),
        detail: (await get(`/stories/${story}`, viewer)).status,
        guideProfile: (await get(`/guides/${other.guideId}`, viewer)).status,
        guideStories: (await get(`/guides/${other.guideId}/stories`, viewer)).status,
        profile: (await get(`/users/${other.id}`, viewer)).status,
      };
    }

    it('before the block, each sees the other everywhere', async () => {
      const bFromA = await visibility(a, b);
      expect(bFromA).toEqual({
        feed: 7,
        search: 7,
        tagged: 7,
        popular: 7,
        region: expect.any(Number),
        guides: true,
        comments: true,
        replies: true,
        reviews: true,
        detail: 200,
        guideProfile: 200,
        guideStories: 200,
        profile: 200,
      });
      expect((await visibility(b, a)).feed).toBe(1);
      const likes = await allIds('/users/me/likes', a);
      expect(likes).toEqual(expect.arrayContaining([storiesOfB[0], storiesOfC[3]]));
    });

    it('after the block, neither sees the other; pages stay full, cursors neither skip nor repeat', async () => {
      await block(a, b.id).expect(204);
      for (const [viewer, other] of [
        [a, b],
        [b, a],
      ] as const) {
        const seen = await visibility(viewer, other);
        expect(seen).toEqual({
          feed: 0,
          search: 0,
          tagged: 0,
          popular: 0,
          region: 0,
          guides: false,
          comments: false,
          replies: other === b ? false : null,
          reviews: false,
          detail: 404,
          guideProfile: 404,
          guideStories: 404,
          profile: viewer === a ? 200 : 404,
        });
      }
      // C's stories are all still there for A, in one pass of small pages
      const feed = await allIds(`/stories?regionId=${regionId}`, a, 2);
      expect(feed.filter((id) => storiesOfC.includes(id)).sort()).toEqual([...storiesOfC].sort());
      // A's likes and bookmarks leave B's story out
      expect(await allIds('/users/me/likes', a)).toEqual([storiesOfC[3]]);
      expect(await allIds('/users/me/bookmarks', a)).toEqual([]);
      // anonymous callers and admins see everything
      expect((await get(`/stories/${storiesOfB[1]}`).expect(200)).body.id).toBe(storiesOfB[1]);
      await get(`/stories/${storiesOfB[1]}`, admin).expect(200);
      expect(await allIds(`/stories?guideId=${b.guideId}`, admin)).toHaveLength(7);
    });

    it('after the block, neither can like, comment on, bookmark or request the other’s stories (404)', async () => {
      for (const [who, storyId] of [
        [a, storiesOfB[2]],
        [b, storyOfA],
      ] as const) {
        const attempts = [
          t.http().put(`/api/v1/stories/${storyId}/like`).set(who.auth),
          t.http().put(`/api/v1/stories/${storyId}/bookmark`).set(who.auth),
          t
            .http()
            .post(`/api/v1/stories/${storyId}/comments`)
            .set(who.auth)
            .send({ content: 'hi' }),
          t
            .http()
            .post('/api/v1/matching-requests')
            .set(who.auth)
            .send({ storyId, desiredDate: dateIn(3) }),
        ];
        for (const res of await Promise.all(attempts)) expectError(res.body, 404, 'NOT_FOUND');
      }
      // no reply to the other's comment either: for A it is not there
      const reply = await t
        .http()
        .post(`/api/v1/stories/${storiesOfC[0]}/comments`)
        .set(b.auth)
        .send({ content: 'again', parentId: commentOfA })
        .expect(400);
      expectError(reply.body, 400, 'VALIDATION_FAILED');
      // reports about the other stay possible
      await t
        .http()
        .post('/api/v1/reports')
        .set(a.auth)
        .send({ targetType: 'story', targetId: storiesOfB[2], reason: 'spam' })
        .expect(201);
    });

    it('after the block is lifted, everything is visible again', async () => {
      await unblock(a, b.id).expect(204);
      const bFromA = await visibility(a, b);
      expect(bFromA).toMatchObject({
        feed: 7,
        guides: true,
        comments: true,
        replies: true,
        reviews: true,
        detail: 200,
        guideProfile: 200,
        profile: 200,
      });
      expect((await visibility(b, a)).detail).toBe(200);
      expect(await allIds('/users/me/likes', a)).toEqual(
        expect.arrayContaining([storiesOfB[0], storiesOfC[3]]),
      );
    });

    it('only the blocker lifts a block', async () => {
      await block(a, b.id).expect(204);
      await unblock(b, a.id).expect(204); // B never blocked A: nothing to lift
      expect((await get(`/stories/${storiesOfB[1]}`, a)).status).toBe(404);
      await unblock(a, b.id).expect(204);
      expect((await get(`/stories/${storiesOfB[1]}`, a)).status).toBe(200);
    });
  });

  describe('matching, chat and notifications', () => {
    it('a block cancels pending requests between them, without notifying; new ones are 404', async () => {
      const traveller = await signIn(t, { nickname: 'pending-one' });
      const guide = await approvedGuide(t, 'pending-guide');
      const storyId = (await storyOf(t, guide, { regionId })).id;
      const req = await t
        .http()
        .post('/api/v1/matching-requests')
        .set(traveller.auth)
        .send({ storyId, desiredDate: dateIn(9) })
        .expect(201);
      const before = await t.dataSource
        .getRepository(Notification)
        .countBy({ userId: In([traveller.id, guide.id]) });
      await block(guide, traveller.id).expect(204);
      const row = await t.dataSource
        .getRepository(MatchingRequest)
        .findOneByOrFail({ id: req.body.id });
      expect(row.status).toBe('cancelled');
      expect(
        await t.dataSource
          .getRepository(Notification)
          .countBy({ userId: In([traveller.id, guide.id]) }),
      ).toBe(before);
      await t
        .http()
        .post('/api/v1/matching-requests')
        .set(traveller.auth)
        .send({ storyId, desiredDate: dateIn(9) })
        .expect(404);
      expectError(
        (await t.http().post(`/api/v1/matching-requests/${req.body.id}/accept`).set(guide.auth))
          .body,
        409,
        'MATCHING_INVALID_STATE',
      );
    });

    it('their chat room is read-only (403 USER_BLOCKED), typing and reads are not relayed, history stays; on every instance', async () => {
      const traveller = await signIn(t, { nickname: 'chatty' });
      const guide = await approvedGuide(t, 'chat-guide');
      const storyId = (await storyOf(t, guide, { regionId })).id;
      const req = await t
        .http()
        .post('/api/v1/matching-requests')
        .set(traveller.auth)
        .send({ storyId, desiredDate: dateIn(4) })
        .expect(201);
      const accepted = await t
        .http()
        .post(`/api/v1/matching-requests/${req.body.id}/accept`)
        .set(guide.auth)
        .expect(200);
      const roomId = accepted.body.chatRoomId as number;
      const first = await t
        .http()
        .post(`/api/v1/chat/rooms/${roomId}/messages`)
        .set(traveller.auth)
        .send({ content: 'See you at 9' })
        .expect(201);

      // the traveller on instance B, the guide on instance A
      const travellerSocket = await sockets.connect(secondUrl, traveller.accessToken);
      const guideSocket = await sockets.connect(t.baseUrl, guide.accessToken);
      expect((await emitAck(travellerSocket, 'room:join', { roomId })).ok).toBe(true);
      expect((await emitAck(guideSocket, 'room:join', { roomId })).ok).toBe(true);
      const typingSeen = record(guideSocket, 'typing');
      const readSeen = record(travellerSocket, 'message:read');
      const newSeen = record(guideSocket, 'message:new');

      // the block is made through instance A
      await block(guide, traveller.id).expect(204);

      const rest = await t
        .http()
        .post(`/api/v1/chat/rooms/${roomId}/messages`)
        .set(traveller.auth)
        .send({ content: 'hello?' })
        .expect(403);
      expectError(rest.body, 403, 'USER_BLOCKED');
      // a socket send on instance B is refused too
      const sent = await emitAck(travellerSocket, 'message:send', { roomId, content: 'hello??' });
      expect(sent).toMatchObject({ ok: false, error: { code: 'USER_BLOCKED' } });
      const back = await emitAck(guideSocket, 'message:send', { roomId, content: 'no' });
      expect(back).toMatchObject({ ok: false, error: { code: 'USER_BLOCKED' } });
      expect((await emitAck(travellerSocket, 'typing', { roomId, isTyping: true })).ok).toBe(true);
      expect(
        (await emitAck(guideSocket, 'message:read', { roomId, messageId: first.body.id })).ok,
      ).toBe(true);
      // a message that does go through afterwards proves the sockets still work
      await unblock(guide, traveller.id).expect(204);
      const after = await emitAck(travellerSocket, 'message:send', { roomId, content: 'ok now' });
      expect(after.ok).toBe(true);
      await new Promise<void>((resolve) => {
        const check = () => (newSeen.length > 0 ? resolve() : setTimeout(check, 20));
        check();
      });
      expect(typingSeen).toEqual([]);
      expect(readSeen).toEqual([]);
      expect(newSeen.map((m) => (m as { content: string }).content)).toEqual(['ok now']);
      // history stays readable to both
      const history = await t
        .http()
        .get(`/api/v1/chat/rooms/${roomId}/messages`)
        .set(guide.auth)
        .expect(200);
      expect(history.body.items.map((m: { content: string }) => m.content)).toEqual([
        'ok now',
        'See you at 9',
      ]);
    });

    it('no notification is created for one of them by an action of the other', async () => {
      const traveller = await signIn(t, { nickname: 'quiet' });
      const guide = await approvedGuide(t, 'quiet-guide');
      const open = async () => {
        const storyId = (await storyOf(t, guide, { regionId })).id;
        const req = await t
          .http()
          .post('/api/v1/matching-requests')
          .set(traveller.auth)
          .send({ storyId, desiredDate: dateIn(6) })
          .expect(201);
        await t
          .http()
          .post(`/api/v1/matching-requests/${req.body.id}/accept`)
          .set(guide.auth)
          .expect(200);
        return req.body.id as number;
      };
      const toCancel = await open();
      const toComplete = await open();
      const notes = () =>
        t.dataSource.getRepository(Notification).find({
          where: { userId: In([traveller.id, guide.id]) },
          order: { id: 'ASC' },
        });
      const before = (await notes()).length;

      await block(traveller, guide.id).expect(204);
      // MATCHING_CANCELLED (traveller → guide)
      await t
        .http()
        .post(`/api/v1/matching-requests/${toCancel}/cancel`)
        .set(traveller.auth)
        .expect(200);
      // MATCHING_COMPLETED (guide → traveller), then REVIEW_CREATED (traveller → guide)
      await t
        .http()
        .post(`/api/v1/matching-requests/${toComplete}/complete`)
        .set(guide.auth)
        .expect(200);
      await t
        .http()
        .post(`/api/v1/matching-requests/${toComplete}/review`)
        .set(traveller.auth)
        .send({ rating: 4, content: 'fine' })
        .expect(201);
      // COMMENT_CREATED is impossible: the story is 404 to the other
      const story = (await storyOf(t, guide, { regionId })).id;
      await t
        .http()
        .post(`/api/v1/stories/${story}/comments`)
        .set(traveller.auth)
        .send({ content: 'hi' })
        .expect(404);
      expect(await notes()).toHaveLength(before);

      // the same actions without a block do notify (the check above can fail)
      await unblock(traveller, guide.id).expect(204);
      const again = await open();
      await t
        .http()
        .post(`/api/v1/matching-requests/${again}/cancel`)
        .set(traveller.auth)
        .expect(200);
      const types = (await notes()).slice(before).map((n) => n.type);
      expect(types).toEqual(
        expect.arrayContaining(['MATCHING_REQUESTED', 'MATCHING_ACCEPTED', 'MATCHING_CANCELLED']),
      );
    });
  });
});
