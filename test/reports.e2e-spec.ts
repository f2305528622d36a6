import { Report } from '../src/reports/entities/report.entity';
import { Story } from '../src/stories/entities/story.entity';
import { User } from '../src/users/entities/user.entity';
import { approvedGuide, GuideFixture, storyOf } from './support/fixtures';
import { openChatRoom } from './support/sockets';
import { createTestApp, TestApp } from './support/test-app';
import { expectError, signIn, SignedIn, uniqueKakaoId } from './support/users';

const url = '/api/v1/reports';

describe('POST /reports', () => {
  const adminKakaoId = uniqueKakaoId();
  let t: TestApp;
  let admin: SignedIn;
  let guide: GuideFixture;
  let reporter: SignedIn;

  beforeAll(async () => {
    t = await createTestApp({ ADMIN_KAKAO_IDS: adminKakaoId });
    admin = await signIn(t, { kakaoId: adminKakaoId });
    guide = await approvedGuide(t, 'guide-lee');
    reporter = await signIn(t, { nickname: 'reporter' });
  });
  afterAll(async () => t.close());

  const report = (user: SignedIn, body: unknown) =>
    t
      .http()
      .post(url)
      .set(user.auth)
      .send(body as object);

  async function comment(user: SignedIn, storyId: number, content = 'nice'): Promise<number> {
    const res = await t
      .http()
      .post(`/api/v1/stories/${storyId}/comments`)
      .set(user.auth)
      .send({ content })
      .expect(201);
    return res.body.id as number;
  }

  it('401 without a token', async () => {
    const res = await t.http().post(url).send({ targetType: 'user', targetId: 1, reason: 'spam' });
    expect(res.status).toBe(401);
    expectError(res.body, 401, 'UNAUTHORIZED');
  });

  it('stores a report and answers the documented shape', async () => {
    const story = await storyOf(t, guide);
    const res = await report(reporter, {
      targetType: 'story',
      targetId: story.id,
      reason: 'copyright',
      detail: '  my photos  ',
    }).expect(201);
    expect(res.body).toEqual({
      id: expect.any(Number),
      targetType: 'story',
      targetId: story.id,
      reason: 'copyright',
      detail: 'my photos',
      status: 'pending',
      createdAt: expect.any(String),
    });
    expect(new Date(res.body.createdAt).toISOString()).toBe(res.body.createdAt);
    const row = await t.dataSource.getRepository(Report).findOneByOrFail({ id: res.body.id });
    expect(row).toMatchObject({
      reporterId: reporter.id,
      status: 'pending',
      resolution: null,
      pendingKey: `${reporter.id}:story:${story.id}`,
    });
  });

  it('an empty detail is stored as null', async () => {
    const story = await storyOf(t, guide);
    const res = await report(reporter, {
      targetType: 'story',
      targetId: story.id,
      reason: 'other',
      detail: '   ',
    }).expect(201);
    expect(res.body.detail).toBeNull();
  });

  describe('validation', () => {
    const valid = { targetType: 'user', targetId: 1, reason: 'spam' };
    it.each([
      ['unknown targetType', { ...valid, targetType: 'review' }, 'targetType'],
      ['unknown reason', { ...valid, reason: 'boring' }, 'reason'],
      ['detail of 1001 characters', { ...valid, detail: 'x'.repeat(1001) }, 'detail'],
      ['detail null', { ...valid, detail: null }, 'detail'],
      ['detail a number', { ...valid, detail: 5 }, 'detail'],
      ['targetId null', { ...valid, targetId: null }, 'targetId'],
      ['targetId a string', { ...valid, targetId: '1' }, 'targetId'],
      ['targetId 0', { ...valid, targetId: 0 }, 'targetId'],
      ['targetId beyond the id range', { ...valid, targetId: 2 ** 31 }, 'targetId'],
      ['reason missing', { targetType: 'user', targetId: 1 }, 'reason'],
      ['an unknown field', { ...valid, severity: 'high' }, 'severity'],
    ])('400 for %s', async (_name, body, field) => {
      const res = await report(reporter, body).expect(400);
      expectError(res.body, 400, 'VALIDATION_FAILED');
      expect((res.body.details as { field: string }[]).map((d) => d.field)).toContain(field);
    });

    it('400 for a body that is not an object', async () => {
      const res = await t
        .http()
        .post(url)
        .set(reporter.auth)
        .set('Content-Type', 'application/json')
        .send('[1,2]');
      expect(res.status).toBe(400);
    });

    it('a detail of exactly 1000 characters is fine', async () => {
      const target = await signIn(t);
      await report(reporter, { ...valid, targetId: target.id, detail: 'x'.repeat(1000) }).expect(
        201,
      );
    });
  });

  describe('what may be reported', () => {
    it('a comment on a visible story', async () => {
      const story = await storyOf(t, guide);
      const commentId = await comment(guide, story.id);
      await report(reporter, {
        targetType: 'comment',
        targetId: commentId,
        reason: 'abuse',
      }).expect(201);
    });

    it('a comment on a hidden story, a deleted comment, an unknown comment: 404', async () => {
      const story = await storyOf(t, guide);
      const commentId = await comment(guide, story.id);
      await t.dataSource.getRepository(Story).update(story.id, { status: 'hidden' });
      expectError(
        (
          await report(reporter, {
            targetType: 'comment',
            targetId: commentId,
            reason: 'spam',
          }).expect(404)
        ).body,
        404,
        'NOT_FOUND',
      );

      const open = await storyOf(t, guide);
      const deletedId = await comment(guide, open.id);
      await t.http().delete(`/api/v1/comments/${deletedId}`).set(guide.auth).expect(204);
      await report(reporter, { targetType: 'comment', targetId: deletedId, reason: 'spam' }).expect(
        404,
      );
      await report(reporter, { targetType: 'comment', targetId: 999999, reason: 'spam' }).expect(
        404,
      );
    });

    it('a hidden, deleted or unknown story: 404', async () => {
      const hidden = await storyOf(t, guide, { status: 'hidden' });
      const deleted = await storyOf(t, guide, { status: 'deleted' });
      for (const targetId of [hidden.id, deleted.id, 999999]) {
        const res = await report(reporter, { targetType: 'story', targetId, reason: 'spam' });
        expect(res.status).toBe(404);
        expectError(res.body, 404, 'NOT_FOUND');
      }
    });

    it('a user; not a withdrawn or unknown one', async () => {
      const target = await signIn(t, { nickname: 'troll' });
      await report(reporter, { targetType: 'user', targetId: target.id, reason: 'abuse' }).expect(
        201,
      );
      const gone = await signIn(t);
      await t.http().delete('/api/v1/users/me').set(gone.auth).expect(204);
      await report(reporter, { targetType: 'user', targetId: gone.id, reason: 'abuse' }).expect(
        404,
      );
      await report(reporter, { targetType: 'user', targetId: 999999, reason: 'abuse' }).expect(404);
    });

    it('a chat message, by members of its room only', async () => {
      const room = await openChatRoom(t);
      const sent = await t
        .http()
        .post(`/api/v1/chat/rooms/${room.roomId}/messages`)
        .set(room.guide.auth)
        .send({ content: 'pay me in cash only' })
        .expect(201);
      const body = { targetType: 'message', targetId: sent.body.id, reason: 'fraud' };
      const outsider = await report(reporter, body).expect(404);
      expectError(outsider.body, 404, 'NOT_FOUND');
      // admins are not members either: a private conversation
      await report(admin, body).expect(404);
      await report(room.traveler, body).expect(201);
      await report(reporter, { ...body, targetId: 999999 }).expect(404);
      // and its own author cannot
      expectError((await report(room.guide, body).expect(400)).body, 400, 'VALIDATION_FAILED');
    });

    it('yourself or your own content: 400', async () => {
      const story = await storyOf(t, guide);
      const commentId = await comment(reporter, story.id);
      for (const body of [
        { targetType: 'user', targetId: reporter.id, reason: 'spam' },
        { targetType: 'comment', targetId: commentId, reason: 'spam' },
        { targetType: 'story', targetId: story.id, reason: 'spam', as: 'guide' },
      ]) {
        const { as, ...payload } = body as typeof body & { as?: string };
        const res = await report(as ? guide : reporter, payload).expect(400);
        expectError(res.body, 400, 'VALIDATION_FAILED');
      }
      expect(
        await t.dataSource
          .getRepository(Report)
          .countBy({ targetType: 'story', targetId: story.id }),
      ).toBe(0);
    });
  });

  describe('duplicates', () => {
    it('the same reporter on the same pending target: 409 REPORT_DUPLICATE; others may', async () => {
      const target = await signIn(t);
      const body = { targetType: 'user', targetId: target.id, reason: 'spam' };
      await report(reporter, body).expect(201);
      const again = await report(reporter, { ...body, reason: 'abuse' }).expect(409);
      expectError(again.body, 409, 'REPORT_DUPLICATE');
      await report(admin, body).expect(201);
    });

    it('five identical reports at once: one 201, four 409', async () => {
      const story = await storyOf(t, guide);
      const body = { targetType: 'story', targetId: story.id, reason: 'spam' };
      const results = await Promise.all(
        Array.from({ length: 5 }, () => report(reporter, body).then((r) => r)),
      );
      expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
      for (const r of results.filter((x) => x.status === 409)) {
        expectError(r.body, 409, 'REPORT_DUPLICATE');
      }
      expect(
        await t.dataSource
          .getRepository(Report)
          .countBy({ targetType: 'story', targetId: story.id }),
      ).toBe(1);
    });
    it('the same for a target without a story lock (a user): one 201, four 409', async () => {
      const target = await signIn(t);
      const body = { targetType: 'user', targetId: target.id, reason: 'abuse' };
      const results = await Promise.all(Array.from({ length: 5 }, () => report(reporter, body)));
      expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
      expect(
        await t.dataSource
          .getRepository(Report)
          .countBy({ targetType: 'user', targetId: target.id }),
      ).toBe(1);
    });
  });

  describe('admin queue', () => {
    it('pages with a cursor, one entry per target, oldest first', async () => {
      const targets = [await signIn(t), await signIn(t), await signIn(t)];
      const reporters = [await signIn(t), await signIn(t)];
      for (const target of targets) {
        for (const r of reporters) {
          await report(r, { targetType: 'user', targetId: target.id, reason: 'spam' }).expect(201);
        }
      }
      const seen: { targetId: number; reportCount: number; target: unknown }[] = [];
      let cursor: string | null = null;
      do {
        const res: { body: { items: typeof seen; nextCursor: string | null } } = await t
          .http()
          .get('/api/v1/admin/reports')
          .query({ targetType: 'user', limit: 2, ...(cursor ? { cursor } : {}) })
          .set(admin.auth)
          .expect(200);
        expect(res.body.items.length).toBeLessThanOrEqual(2);
        seen.push(...res.body.items);
        cursor = res.body.nextCursor;
      } while (cursor);
      const mine = seen.filter((i) => targets.some((x) => x.id === i.targetId));
      expect(mine.map((i) => i.targetId)).toEqual(targets.map((x) => x.id));
      expect(mine.every((i) => i.reportCount === 2)).toBe(true);
      const nickname = (
        await t.dataSource.getRepository(User).findOneByOrFail({ id: targets[0].id })
      ).nickname;
      expect(mine[0].target).toEqual({ nickname, status: 'active' });
      const ids = seen.map((i) => i.targetId);
      expect(new Set(ids).size).toBe(ids.length);
    });

    it('400 for an unknown status, target type, action, a long note; 404 for an unknown report', async () => {
      await t.http().get('/api/v1/admin/reports?status=open').set(admin.auth).expect(400);
      await t.http().get('/api/v1/admin/reports?targetType=review').set(admin.auth).expect(400);
      await t.http().get('/api/v1/admin/reports?cursor=abc').set(admin.auth).expect(400);
      const target = await signIn(t);
      const created = await report(reporter, {
        targetType: 'user',
        targetId: target.id,
        reason: 'spam',
      }).expect(201);
      const resolve = (body: object) =>
        t
          .http()
          .post(`/api/v1/admin/reports/${created.body.id}/resolve`)
          .set(admin.auth)
          .send(body);
      await resolve({ action: 'ban' }).expect(400);
      await resolve({ action: 'dismiss', note: 'x'.repeat(1001) }).expect(400);
      await resolve({ action: 'dismiss', note: null }).expect(400);
      await resolve({ action: 'dismiss', extra: 1 }).expect(400);
      // nothing to hide on a user
      expectError((await resolve({ action: 'hide' }).expect(400)).body, 400, 'VALIDATION_FAILED');
      await t
        .http()
        .post('/api/v1/admin/reports/999999/resolve')
        .set(admin.auth)
        .send({ action: 'dismiss' })
        .expect(404);
      // still pending after all the refusals
      const row = await t.dataSource.getRepository(Report).findOneByOrFail({ id: created.body.id });
      expect(row.status).toBe('pending');
    });

    it('a chat message can only be dismissed or its sender suspended; the message stays', async () => {
      const room = await openChatRoom(t);
      const sent = await t
        .http()
        .post(`/api/v1/chat/rooms/${room.roomId}/messages`)
        .set(room.traveler.auth)
        .send({ content: 'rude words' })
        .expect(201);
      const created = await report(room.guide, {
        targetType: 'message',
        targetId: sent.body.id,
        reason: 'abuse',
      }).expect(201);
      const resolve = (body: object) =>
        t
          .http()
          .post(`/api/v1/admin/reports/${created.body.id}/resolve`)
          .set(admin.auth)
          .send(body);
      await resolve({ action: 'hide' }).expect(400);
      await resolve({ action: 'delete' }).expect(400);
      const res = await resolve({ action: 'suspend_user' }).expect(200);
      expect(res.body.target).toEqual({ content: 'rude words', roomId: room.roomId });
      const user = await t.dataSource.getRepository(User).findOneByOrFail({ id: room.traveler.id });
      expect(user.status).toBe('suspended');
    });

    it('two admins deciding at once: one wins, the other gets 409', async () => {
      const target = await signIn(t);
      const created = await report(reporter, {
        targetType: 'user',
        targetId: target.id,
        reason: 'spam',
      }).expect(201);
      const results = await Promise.all(
        ['dismiss', 'dismiss', 'dismiss'].map((action) =>
          t
            .http()
            .post(`/api/v1/admin/reports/${created.body.id}/resolve`)
            .set(admin.auth)
            .send({ action })
            .then((r) => r.status),
        ),
      );
      expect(results.sort()).toEqual([200, 409, 409]);
    });
  });
});

describe('auto-hide threshold (REPORT_AUTO_HIDE_THRESHOLD=3)', () => {
  const adminKakaoId = uniqueKakaoId();
  let t: TestApp;
  let admin: SignedIn;
  let guide: GuideFixture;
  let viewer: SignedIn;

  beforeAll(async () => {
    t = await createTestApp({ REPORT_AUTO_HIDE_THRESHOLD: '3', ADMIN_KAKAO_IDS: adminKakaoId });
    admin = await signIn(t, { kakaoId: adminKakaoId });
    guide = await approvedGuide(t);
    viewer = await signIn(t);
  });
  afterAll(async () => t.close());

  const reportStory = (user: SignedIn, storyId: number) =>
    t
      .http()
      .post(url)
      .set(user.auth)
      .send({ targetType: 'story', targetId: storyId, reason: 'spam' });
  const status = async (storyId: number) =>
    (await t.dataSource.getRepository(Story).findOneByOrFail({ id: storyId })).status;

  it('counts distinct reporters with pending reports only', async () => {
    const story = await storyOf(t, guide);
    const [a, b, c, d] = [await signIn(t), await signIn(t), await signIn(t), await signIn(t)];
    await reportStory(a, story.id).expect(201);
    await reportStory(a, story.id).expect(409); // the same reporter twice counts once
    await reportStory(b, story.id).expect(201);
    expect(await status(story.id)).toBe('published');

    // decided reports no longer count
    const queue = await t.http().get('/api/v1/admin/reports').set(admin.auth).expect(200);
    const entry = (queue.body.items as { id: number; targetId: number; targetType: string }[]).find(
      (i) => i.targetType === 'story' && i.targetId === story.id,
    );
    await t
      .http()
      .post(`/api/v1/admin/reports/${entry?.id}/resolve`)
      .set(admin.auth)
      .send({ action: 'dismiss' })
      .expect(200);
    await reportStory(c, story.id).expect(201);
    await reportStory(d, story.id).expect(201);
    expect(await status(story.id)).toBe('published');
    await t.http().get(`/api/v1/stories/${story.id}`).set(viewer.auth).expect(200);

    await reportStory(a, story.id).expect(201);
    expect(await status(story.id)).toBe('hidden');
    await t.http().get(`/api/v1/stories/${story.id}`).set(viewer.auth).expect(404);
  });

  it('reports arriving at once still hide the story, and the author is told once', async () => {
    const author = await approvedGuide(t);
    const story = await storyOf(t, author);
    const reporters = await Promise.all(Array.from({ length: 3 }, () => signIn(t)));
    const results = await Promise.all(reporters.map((r) => reportStory(r, story.id)));
    expect(results.map((r) => r.status)).toEqual([201, 201, 201]);
    expect(await status(story.id)).toBe('hidden');
    const notes = await t.http().get('/api/v1/notifications').set(author.auth).expect(200);
    expect(
      (notes.body.items as { type: string }[]).filter((n) => n.type === 'CONTENT_HIDDEN'),
    ).toHaveLength(1);
  });

  it('dismissing reports on a story an admin hid shows it no more than before', async () => {
    // a dismissal only undoes the automatic hide, never an admin's
    const hiddenByAdmin = await storyOf(t, guide, { status: 'hidden', hiddenReason: 'by admin' });
    const someone = await signIn(t);
    await t.dataSource.getRepository(Report).insert({
      reporterId: someone.id,
      targetType: 'story',
      targetId: hiddenByAdmin.id,
      reason: 'spam',
      detail: null,
      status: 'pending',
      pendingKey: `${someone.id}:story:${hiddenByAdmin.id}`,
      createdAt: new Date(),
    });
    const row = await t.dataSource
      .getRepository(Report)
      .findOneByOrFail({ targetType: 'story', targetId: hiddenByAdmin.id });
    await t
      .http()
      .post(`/api/v1/admin/reports/${row.id}/resolve`)
      .set(admin.auth)
      .send({ action: 'dismiss' })
      .expect(200);
    expect(await status(hiddenByAdmin.id)).toBe('hidden');
  });
});
