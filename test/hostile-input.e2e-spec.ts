import type { Response } from 'supertest';
import { ChatMessage } from '../src/chat/entities/chat-message.entity';
import { MatchingRequest } from '../src/matching/entities/matching-request.entity';
import { Report } from '../src/reports/entities/report.entity';
import { Comment } from '../src/stories/entities/comment.entity';
import { StoryLike } from '../src/stories/entities/story-like.entity';
import { Story } from '../src/stories/entities/story.entity';
import { User } from '../src/users/entities/user.entity';
import { approvedGuide, GuideFixture, regionByCode, storyOf } from './support/fixtures';
import { emitAck, openChatRoom, SocketPool } from './support/sockets';
import { createTestApp, TestApp } from './support/test-app';
import { expectError, signIn, SignedIn, uniqueKakaoId } from './support/users';

/** Inputs that once reached the database or the stack unchecked: each must be a clean 4xx. */
describe('hostile input', () => {
  const adminKakaoId = uniqueKakaoId();
  let t: TestApp;
  let guide: GuideFixture;
  let traveller: SignedIn;
  let admin: SignedIn;
  const sockets = new SocketPool();
  const inAWeek = () => new Date(Date.now() + 7 * 86400_000).toISOString().slice(0, 10);

  beforeAll(async () => {
    t = await createTestApp({ ADMIN_KAKAO_IDS: adminKakaoId });
    guide = await approvedGuide(t);
    traveller = await signIn(t);
    admin = await signIn(t, { kakaoId: adminKakaoId });
  });
  afterAll(async () => {
    sockets.closeAll();
    await t.close();
  });

  // "❤️" is two code points (U+2764 U+FE0F): MySQL counts both, so must the length checks
  const heart = '\u2764\uFE0F';

  it('text limits count code points as the database does', async () => {
    const story = await storyOf(t, guide);
    const tooLong = await t
      .http()
      .post('/api/v1/matching-requests')
      .set(traveller.auth)
      .send({ storyId: story.id, desiredDate: inAWeek(), message: heart.repeat(501) });
    expectError(tooLong.body, 400, 'VALIDATION_FAILED');
    const fits = await t
      .http()
      .post('/api/v1/matching-requests')
      .set(traveller.auth)
      .send({ storyId: story.id, desiredDate: inAWeek(), message: heart.repeat(500) })
      .expect(201);
    expect(fits.body.message).toBe(heart.repeat(500));

    const room = await openChatRoom(t, { guide });
    const chat = await t
      .http()
      .post(`/api/v1/chat/rooms/${room.roomId}/messages`)
      .set(room.traveler.auth)
      .send({ content: heart.repeat(1001) });
    expectError(chat.body, 400, 'VALIDATION_FAILED');
    const report = await t
      .http()
      .post('/api/v1/reports')
      .set(traveller.auth)
      .send({ targetType: 'story', targetId: story.id, reason: 'spam', detail: heart.repeat(501) });
    expectError(report.body, 400, 'VALIDATION_FAILED');
    const suspend = await t
      .http()
      .post(`/api/v1/admin/users/${traveller.id}/suspend`)
      .set(admin.auth)
      .send({ reason: heart.repeat(501) });
    expectError(suspend.body, 400, 'VALIDATION_FAILED');
  });

  it('deeply nested JSON is a 400 over REST and a VALIDATION_FAILED ack over the socket', async () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 3000; i++) deep = { a: deep };
    const res = await t
      .http()
      .post('/api/v1/reports')
      .set(traveller.auth)
      .send({ targetType: 'user', targetId: guide.id, reason: 'spam', detail: deep });
    expectError(res.body, 400, 'VALIDATION_FAILED');

    const room = await openChatRoom(t, { guide });
    const socket = await sockets.connect(t.baseUrl, room.traveler.accessToken);
    const ack = await emitAck(socket, 'message:send', { roomId: room.roomId, content: deep });
    expect(ack).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    const fine = await emitAck(socket, 'message:send', {
      roomId: room.roomId,
      content: 'still here',
    });
    expect(fine.ok).toBe(true);
  });

  it('a suspension end beyond what the database can hold is refused, not stored wrong', async () => {
    const target = await signIn(t);
    for (const until of ['9999-12-31T23:59:59-14:00', '3000-01-01T00:00:00Z']) {
      const res = await t
        .http()
        .post(`/api/v1/admin/users/${target.id}/suspend`)
        .set(admin.auth)
        .send({ reason: 'spam', until });
      expectError(res.body, 400, 'VALIDATION_FAILED');
    }
    await t.http().get('/api/v1/users/me').set(target.auth).expect(200);
  });

  it('a request on a story deleted meanwhile cannot be accepted', async () => {
    const story = await storyOf(t, guide);
    const created = await t
      .http()
      .post('/api/v1/matching-requests')
      .set(traveller.auth)
      .send({ storyId: story.id, desiredDate: inAWeek() })
      .expect(201);
    await t.http().delete(`/api/v1/stories/${story.id}`).set(guide.auth).expect(204);
    const accept = await t
      .http()
      .post(`/api/v1/matching-requests/${created.body.id}/accept`)
      .set(guide.auth);
    expectError(accept.body, 409, 'MATCHING_INVALID_STATE');
    const after = await t
      .http()
      .get(`/api/v1/matching-requests/${created.body.id}`)
      .set(traveller.auth)
      .expect(200);
    expect(after.body).toMatchObject({ status: 'pending', chatRoomId: null });
  });
  /** A 400 VALIDATION_FAILED whose details name `field`. */
  function refused(res: Response, field: string): void {
    expect(res.status).toBe(400);
    expectError(res.body, 400, 'VALIDATION_FAILED');
    expect(res.body.details).toEqual(
      expect.arrayContaining([expect.objectContaining({ field, errors: expect.any(Array) })]),
    );
  }

  describe('ids are canonical decimal integers (docs/api.md, General rules)', () => {
    const NON_CANONICAL = ['0x1', '1e0', '+1', '%201', '01', '001', '1.0'];

    it('on a path: 400 VALIDATION_FAILED, never read as 1; beyond the id range 404', async () => {
      await storyOf(t, guide);
      await t.dataSource.getRepository(Story).update({ id: 1 }, { status: 'published' });
      expect(await t.dataSource.getRepository(Story).findOneBy({ id: 1 })).not.toBeNull();
      const liker = await signIn(t);
      const like = (id: string) => t.http().put(`/api/v1/stories/${id}/like`).set(liker.auth);
      for (const id of NON_CANONICAL) refused(await like(id), 'id');
      refused(await t.http().get('/api/v1/stories/01'), 'id');
      refused(await t.http().get('/api/v1/users/0x1'), 'id');
      const likes = t.dataSource.getRepository(StoryLike);
      expect(await likes.countBy({ userId: liker.id })).toBe(0);
      // 11 to 16 digits: an id nothing can have; 17 digits is not an id at all
      expectError((await like('99999999999')).body, 404, 'NOT_FOUND');
      expectError((await like('9999999999999999')).body, 404, 'NOT_FOUND');
      refused(await like('12345678901234567'), 'id');
      await like('1').expect(200);
      expect(await likes.countBy({ userId: liker.id })).toBe(1);
    });

    it('in a query: 400 VALIDATION_FAILED naming the parameter', async () => {
      for (const regionId of ['0x1', '1e0', '+1', ' 1', '01', '1.0', '']) {
        refused(await t.http().get('/api/v1/stories').query({ regionId }), 'regionId');
      }
      refused(await t.http().get('/api/v1/stories').query({ guideId: '01' }), 'guideId');
      refused(await t.http().get('/api/v1/guides').query({ regionId: '1e0' }), 'regionId');
      refused(await t.http().get('/api/v1/regions/map').query({ parentId: '+1' }), 'parentId');
      refused(
        await t.http().get('/api/v1/stories/1/comments').query({ parentId: '0x1' }),
        'parentId',
      );
      refused(
        await t.http().get('/api/v1/admin/audit-logs').set(admin.auth).query({ targetId: '01' }),
        'targetId',
      );
      await t.http().get('/api/v1/stories').query({ regionId: '1' }).expect(200);
      await t.http().get('/api/v1/guides').query({ regionId: '1' }).expect(200);
    });

    it('in a JSON body: numbers only, text is refused; nothing is stored', async () => {
      const requests = t.dataSource.getRepository(MatchingRequest);
      const before = await requests.count();
      for (const storyId of ['01', '1', '0x1', 1.5, 0, -1, 2_147_483_648]) {
        refused(
          await t
            .http()
            .post('/api/v1/matching-requests')
            .set(traveller.auth)
            .send({ storyId, desiredDate: inAWeek() }),
          'storyId',
        );
      }
      expect(await requests.count()).toBe(before);
      refused(
        await t
          .http()
          .post('/api/v1/reports')
          .set(traveller.auth)
          .send({ targetType: 'story', targetId: '0x1', reason: 'spam' }),
        'targetId',
      );
      refused(
        await t
          .http()
          .post('/api/v1/stories/1/comments')
          .set(traveller.auth)
          .send({ content: 'a reply', parentId: '01' }),
        'parentId',
      );
    });

    it('in a multipart field: 400, no story stored', async () => {
      const stories = t.dataSource.getRepository(Story);
      const before = await stories.count();
      for (const regionId of ['01', ' 1', '0x1', '1e0', '+1']) {
        const res = await t
          .http()
          .post('/api/v1/stories')
          .set(guide.auth)
          .field('title', 'Multipart id')
          .field('content', 'text')
          .field('category', 'other')
          .field('regionId', regionId);
        refused(res, 'regionId');
      }
      expect(await stories.count()).toBe(before);
      const region = await regionByCode(t);
      await t
        .http()
        .post('/api/v1/stories')
        .set(guide.auth)
        .field('title', 'Multipart id')
        .field('content', 'text')
        .field('category', 'other')
        .field('regionId', String(region.id))
        .expect(201);
    });
  });

  describe('text hygiene (docs/api.md, General rules)', () => {
    /** Refused in every user-written string. */
    const UNSAFE: [string, string][] = [
      ['NUL', '\u0000'],
      ['a C1 control', '\u0085'],
      ['RIGHT-TO-LEFT OVERRIDE', '\u202E'],
      ['LEFT-TO-RIGHT ISOLATE', '\u2066'],
      ['a lone surrogate', '\uD800'],
    ];
    /** Also refused in one-line fields. */
    const ONE_LINE_ONLY: [string, string][] = [
      ['a line break', '\n'],
      ['a tab', '\t'],
    ];

    /** The body as raw JSON text: JSON.stringify writes a lone surrogate as the escape "\ud800". */
    const raw = (body: object) => JSON.stringify(body);

    it('nickname (one line) and bio (multi-line) of PATCH /users/me', async () => {
      const user = await signIn(t, { nickname: 'clean name' });
      const patch = (body: object) =>
        t
          .http()
          .patch('/api/v1/users/me')
          .set(user.auth)
          .set('Content-Type', 'application/json')
          .send(raw(body));
      for (const [, bad] of [...UNSAFE, ...ONE_LINE_ONLY]) {
        refused(await patch({ nickname: `ab${bad}cd` }), 'nickname');
      }
      for (const [, bad] of UNSAFE) refused(await patch({ bio: `one${bad}two` }), 'bio');
      const row = await t.dataSource.getRepository(User).findOneByOrFail({ id: user.id });
      expect(row).toMatchObject({ nickname: 'clean name', bio: null });
      const fine = await patch({ bio: 'line one\nline two\twith a tab' }).expect(200);
      expect(fine.body.bio).toBe('line one\nline two\twith a tab');
      // what a browser's textarea sends: CRLF line endings are kept as plain line breaks
      const crlf = await patch({ bio: 'first\r\nsecond' }).expect(200);
      expect(crlf.body.bio).toBe('first\nsecond');
      refused(await patch({ bio: 'a lone\rreturn' }), 'bio');
      // a surrogate pair (an emoji) is fine
      await patch({ nickname: 'emoji 😀' }).expect(200);
    });

    it('dev-login nickname', async () => {
      for (const [, bad] of [...UNSAFE, ...ONE_LINE_ONLY]) {
        refused(
          await t
            .http()
            .post('/api/v1/auth/dev-login')
            .set('Content-Type', 'application/json')
            .send(raw({ kakaoId: uniqueKakaoId(), nickname: `ab${bad}cd` })),
          'nickname',
        );
      }
    });

    it('story title (one line) and content (multi-line), comments, reports', async () => {
      const stories = t.dataSource.getRepository(Story);
      const region = await regionByCode(t);
      const post = (body: object) =>
        t
          .http()
          .post('/api/v1/stories')
          .set(guide.auth)
          .set('Content-Type', 'application/json')
          .send(raw({ category: 'other', regionId: region.id, ...body }));
      const before = await stories.count();
      for (const [, bad] of [...UNSAFE, ...ONE_LINE_ONLY]) {
        refused(await post({ title: `A${bad}B`, content: 'fine' }), 'title');
      }
      for (const [, bad] of UNSAFE)
        refused(await post({ title: 'Fine', content: `x${bad}y` }), 'content');
      expect(await stories.count()).toBe(before);
      const created = await post({ title: 'Fine', content: 'para one\n\npara two' }).expect(201);
      expect(created.body.content).toBe('para one\n\npara two');

      const story = await storyOf(t, guide);
      const comments = t.dataSource.getRepository(Comment);
      const reports = t.dataSource.getRepository(Report);
      const commentsBefore = await comments.countBy({ storyId: story.id });
      const reportsBefore = await reports.count();
      for (const [, bad] of UNSAFE) {
        refused(
          await t
            .http()
            .post(`/api/v1/stories/${story.id}/comments`)
            .set(traveller.auth)
            .set('Content-Type', 'application/json')
            .send(raw({ content: `nice${bad}story` })),
          'content',
        );
        refused(
          await t
            .http()
            .post('/api/v1/reports')
            .set(traveller.auth)
            .set('Content-Type', 'application/json')
            .send(
              raw({ targetType: 'story', targetId: story.id, reason: 'spam', detail: `d${bad}` }),
            ),
          'detail',
        );
      }
      expect(await comments.countBy({ storyId: story.id })).toBe(commentsBefore);
      expect(await reports.count()).toBe(reportsBefore);
      await t
        .http()
        .post(`/api/v1/stories/${story.id}/comments`)
        .set(traveller.auth)
        .send({ content: 'two\nlines' })
        .expect(201);
    });

    it('chat messages over REST and over the socket', async () => {
      const room = await openChatRoom(t, { guide });
      const messages = t.dataSource.getRepository(ChatMessage);
      const socket = await sockets.connect(t.baseUrl, room.traveler.accessToken);
      for (const [, bad] of UNSAFE) {
        refused(
          await t
            .http()
            .post(`/api/v1/chat/rooms/${room.roomId}/messages`)
            .set(room.traveler.auth)
            .set('Content-Type', 'application/json')
            .send(raw({ content: `hi${bad}there` })),
          'content',
        );
        const ack = await emitAck(socket, 'message:send', {
          roomId: room.roomId,
          content: `hi${bad}there`,
        });
        expect(ack).toMatchObject({
          ok: false,
          error: {
            code: 'VALIDATION_FAILED',
            details: [expect.objectContaining({ field: 'content' })],
          },
        });
      }
      expect(await messages.countBy({ roomId: room.roomId })).toBe(0);
      const fine = await emitAck(socket, 'message:send', {
        roomId: room.roomId,
        content: 'two\nlines',
      });
      expect(fine).toMatchObject({ ok: true, message: { content: 'two\nlines' } });
    });
  });
});
