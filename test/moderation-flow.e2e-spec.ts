import { AuditLog } from '../src/audit/entities/audit-log.entity';
import { Report } from '../src/reports/entities/report.entity';
import { Comment } from '../src/stories/entities/comment.entity';
import { Story } from '../src/stories/entities/story.entity';
import { User } from '../src/users/entities/user.entity';
import { approvedGuide, GuideFixture, storyOf } from './support/fixtures';
import { disconnection, SocketPool } from './support/sockets';
import { createTestApp, TestApp } from './support/test-app';
import { expectError, signIn, SignedIn, uniqueKakaoId } from './support/users';

interface QueueItem {
  id: number;
  targetType: string;
  targetId: number;
  target: Record<string, unknown> | null;
  reason: string;
  detail: string | null;
  status: string;
  reporter: { id: number; nickname: string };
  reportCount: number;
  createdAt: string;
  resolvedAt: string | null;
  resolution: string | null;
}

/** docs/api.md, Reports and moderation, the whole moderation flow: users report, the app hides, an admin decides. */
describe('moderation flow (reports → auto-hide → admin decision)', () => {
  const adminKakaoId = uniqueKakaoId();
  let t: TestApp;
  let admin: SignedIn;
  let guide: GuideFixture;
  let reporters: SignedIn[];
  let bystander: SignedIn;
  const sockets = new SocketPool();

  beforeAll(async () => {
    t = await createTestApp({ ADMIN_KAKAO_IDS: adminKakaoId });
    admin = await signIn(t, { kakaoId: adminKakaoId });
    guide = await approvedGuide(t, 'reported-guide');
    reporters = [];
    for (let i = 0; i < 5; i++) reporters.push(await signIn(t, { nickname: `reporter${i}` }));
    bystander = await signIn(t, { nickname: 'bystander' });
  });
  afterEach(() => sockets.closeAll());
  afterAll(async () => t.close());

  const report = (user: SignedIn, body: object) =>
    t.http().post('/api/v1/reports').set(user.auth).send(body);

  async function reportByAll(targetType: string, targetId: number, users = reporters) {
    for (const user of users) {
      await report(user, { targetType, targetId, reason: 'spam' }).expect(201);
    }
  }

  async function queue(query = ''): Promise<QueueItem[]> {
    const res = await t.http().get(`/api/v1/admin/reports${query}`).set(admin.auth).expect(200);
    return res.body.items as QueueItem[];
  }

  const resolve = (reportId: number, body: object) =>
    t.http().post(`/api/v1/admin/reports/${reportId}/resolve`).set(admin.auth).send(body);

  async function reportsOn(targetType: string, targetId: number) {
    return t.dataSource
      .getRepository(Report)
      .find({ where: { targetType: targetType as Report['targetType'], targetId } });
  }

  async function auditFor(targetType: string, targetId: number) {
    return t.dataSource.getRepository(AuditLog).find({ where: { targetType, targetId } });
  }

  it('five reports hide a story at once, the author is told, and the queue shows it once; dismiss shows it again', async () => {
    const story = await storyOf(t, guide, { title: 'Suspicious tour' });
    await reportByAll('story', story.id, reporters.slice(0, 4));
    // four reports: still visible
    await t.http().get(`/api/v1/stories/${story.id}`).set(bystander.auth).expect(200);
    await report(reporters[4], {
      targetType: 'story',
      targetId: story.id,
      reason: 'fraud',
      detail: 'asks for money up front',
    }).expect(201);

    // hidden at once: 404 to others, visible to its author
    const gone = await t.http().get(`/api/v1/stories/${story.id}`).set(bystander.auth).expect(404);
    expectError(gone.body, 404, 'NOT_FOUND');
    await t.http().get(`/api/v1/stories/${story.id}`).expect(404);
    const own = await t.http().get(`/api/v1/stories/${story.id}`).set(guide.auth).expect(200);
    expect(own.body.status).toBe('hidden');

    const notes = await t.http().get('/api/v1/notifications').set(guide.auth).expect(200);
    const hidden = (notes.body.items as { type: string; data: Record<string, unknown> }[]).filter(
      (n) => n.type === 'CONTENT_HIDDEN',
    );
    expect(hidden).toHaveLength(1);
    expect(hidden[0].data).toMatchObject({ targetType: 'story', targetId: story.id });

    const items = (await queue('?status=pending&targetType=story')).filter(
      (i) => i.targetId === story.id,
    );
    expect(items).toHaveLength(1);
    expect(items[0]).toEqual({
      id: expect.any(Number),
      targetType: 'story',
      targetId: story.id,
      target: { title: 'Suspicious tour', status: 'hidden' },
      reason: 'spam',
      detail: null,
      status: 'pending',
      reporter: { id: reporters[0].id, nickname: 'reporter0' },
      reportCount: 5,
      createdAt: expect.any(String),
      resolvedAt: null,
      resolution: null,
      note: null,
    });

    const res = await resolve(items[0].id, { action: 'dismiss', note: 'not spam' }).expect(200);
    expect(res.body).toMatchObject({
      id: items[0].id,
      status: 'dismissed',
      resolution: 'dismiss',
      reportCount: 5,
      target: { title: 'Suspicious tour', status: 'published' },
    });
    expect(new Date(res.body.resolvedAt).toISOString()).toBe(res.body.resolvedAt);

    await t.http().get(`/api/v1/stories/${story.id}`).set(bystander.auth).expect(200);
    const rows = await reportsOn('story', story.id);
    expect(rows).toHaveLength(5);
    for (const row of rows) {
      expect(row).toMatchObject({
        status: 'dismissed',
        resolution: 'dismiss',
        resolvedBy: admin.id,
        note: 'not spam',
        pendingKey: null,
      });
      expect(row.resolvedAt).toBeInstanceOf(Date);
    }
    expect((await queue()).some((i) => i.targetId === story.id && i.targetType === 'story')).toBe(
      false,
    );
    const dismissed = (await queue('?status=dismissed')).filter((i) => i.targetId === story.id);
    expect(dismissed).toHaveLength(5);
    expect(dismissed.every((i) => i.reportCount === 5)).toBe(true);

    const audit = await auditFor('story', story.id);
    expect(audit).toEqual([
      expect.objectContaining({ adminId: admin.id, action: 'report.dismiss', reason: 'not spam' }),
    ]);

    // deciding it again is a conflict; a dismissed reporter may report again
    expectError((await resolve(items[0].id, { action: 'hide' }).expect(409)).body, 409, 'CONFLICT');
    await report(reporters[0], { targetType: 'story', targetId: story.id, reason: 'spam' }).expect(
      201,
    );
    await t.http().get(`/api/v1/stories/${story.id}`).set(bystander.auth).expect(200);
  });

  it('hide keeps an auto-hidden story hidden and resolves all its reports', async () => {
    const story = await storyOf(t, guide, { title: 'Hidden for good' });
    await reportByAll('story', story.id);
    const [item] = (await queue()).filter(
      (i) => i.targetType === 'story' && i.targetId === story.id,
    );
    expect(item.reportCount).toBe(5);
    await resolve(item.id, { action: 'hide', note: 'misleading' }).expect(200);

    await t.http().get(`/api/v1/stories/${story.id}`).set(bystander.auth).expect(404);
    const row = await t.dataSource.getRepository(Story).findOneByOrFail({ id: story.id });
    expect(row).toMatchObject({ status: 'hidden', hiddenReason: 'misleading' });
    const rows = await reportsOn('story', story.id);
    expect(rows.map((r) => [r.status, r.resolution])).toEqual(
      Array.from({ length: 5 }, () => ['resolved', 'hide']),
    );
    expect(await auditFor('story', story.id)).toEqual([
      expect.objectContaining({ action: 'report.hide', reason: 'misleading' }),
    ]);
  });

  it('hide on a published story (below the threshold) hides it and notifies the author', async () => {
    const story = await storyOf(t, guide, { title: 'One report only' });
    const created = await report(reporters[0], {
      targetType: 'story',
      targetId: story.id,
      reason: 'abuse',
    }).expect(201);
    const before = await t.http().get('/api/v1/notifications').set(guide.auth).expect(200);
    await resolve(created.body.id, { action: 'hide' }).expect(200);
    await t.http().get(`/api/v1/stories/${story.id}`).set(bystander.auth).expect(404);
    const after = await t.http().get('/api/v1/notifications').set(guide.auth).expect(200);
    const fresh = (after.body.items as { id: number; type: string; data: object }[]).filter(
      (n) => !(before.body.items as { id: number }[]).some((b) => b.id === n.id),
    );
    expect(fresh).toEqual([
      expect.objectContaining({
        type: 'CONTENT_HIDDEN',
        data: { targetType: 'story', targetId: story.id },
      }),
    ]);
  });

  it('delete soft-deletes the story, with one audit entry', async () => {
    const story = await storyOf(t, guide, { title: 'To be deleted' });
    await reportByAll('story', story.id);
    const [item] = (await queue()).filter(
      (i) => i.targetType === 'story' && i.targetId === story.id,
    );
    const res = await resolve(item.id, { action: 'delete', note: 'fraud' }).expect(200);
    expect(res.body).toMatchObject({ status: 'resolved', resolution: 'delete' });
    expect(res.body.target).toEqual({ title: 'To be deleted', status: 'deleted' });
    await t.http().get(`/api/v1/stories/${story.id}`).set(bystander.auth).expect(404);
    const row = await t.dataSource.getRepository(Story).findOneByOrFail({ id: story.id });
    expect(row.status).toBe('deleted');
    const notes = await t.http().get('/api/v1/notifications').set(guide.auth).expect(200);
    expect(notes.body.items).toContainEqual(
      expect.objectContaining({
        type: 'CONTENT_HIDDEN',
        data: { targetType: 'story', targetId: story.id },
      }),
    );
    expect((await reportsOn('story', story.id)).every((r) => r.status === 'resolved')).toBe(true);
    expect(await auditFor('story', story.id)).toHaveLength(1);
  });

  it('hide on a comment soft-deletes it and tells its author', async () => {
    const story = await storyOf(t, guide);
    const commenter = await signIn(t, { nickname: 'rude-one' });
    const comment = await t
      .http()
      .post(`/api/v1/stories/${story.id}/comments`)
      .set(commenter.auth)
      .send({ content: 'you are all idiots' })
      .expect(201);
    await reportByAll('comment', comment.body.id, reporters.slice(0, 2));
    const [item] = (await queue('?targetType=comment')).filter(
      (i) => i.targetId === comment.body.id,
    );
    expect(item).toMatchObject({
      reportCount: 2,
      target: { content: 'you are all idiots', deleted: false },
    });
    const res = await resolve(item.id, { action: 'hide', note: 'insults' }).expect(200);
    expect(res.body.target).toEqual({ content: '', deleted: true });
    const row = await t.dataSource.getRepository(Comment).findOneByOrFail({ id: comment.body.id });
    expect(row.deletedAt).not.toBeNull();
    expect(
      (await t.dataSource.getRepository(Story).findOneByOrFail({ id: story.id })).commentCount,
    ).toBe(0);
    const notes = await t.http().get('/api/v1/notifications').set(commenter.auth).expect(200);
    expect(notes.body.items).toEqual([
      expect.objectContaining({
        type: 'CONTENT_HIDDEN',
        data: { targetType: 'comment', targetId: comment.body.id },
      }),
    ]);
    expect(await auditFor('comment', comment.body.id)).toEqual([
      expect.objectContaining({ action: 'report.hide', reason: 'insults' }),
    ]);
  });

  it('suspend_user suspends the author: 403 on the next request, refresh refused, socket disconnected', async () => {
    const author = await approvedGuide(t, 'scammer');
    const story = await storyOf(t, author, { title: 'Cheap tours!!!' });
    const socket = await sockets.connect(t.baseUrl, author.accessToken);
    const closed = disconnection(socket);
    const created = await report(reporters[0], {
      targetType: 'story',
      targetId: story.id,
      reason: 'fraud',
    }).expect(201);
    await resolve(created.body.id, { action: 'suspend_user', note: 'scam' }).expect(200);

    await closed;
    expect(socket.connected).toBe(false);
    expectError(
      (await t.http().get('/api/v1/users/me').set(author.auth).expect(403)).body,
      403,
      'ACCOUNT_SUSPENDED',
    );
    const refresh = await t
      .http()
      .post('/api/v1/auth/refresh')
      .send({ refreshToken: author.refreshToken });
    // docs/api.md, Auth: refresh is 403 ACCOUNT_SUSPENDED (suspension also revoked the tokens)
    expect(refresh.status).toBe(403);
    expectError(refresh.body, 403, 'ACCOUNT_SUSPENDED');
    const user = await t.dataSource.getRepository(User).findOneByOrFail({ id: author.id });
    expect(user).toMatchObject({
      status: 'suspended',
      suspendReason: 'scam',
      suspendedUntil: null,
    });
    // the content itself is left as it is
    await t.http().get(`/api/v1/stories/${story.id}`).set(bystander.auth).expect(200);
    expect(await auditFor('story', story.id)).toEqual([
      expect.objectContaining({ action: 'report.suspend_user', reason: 'scam' }),
    ]);
  });

  it('only admins see the queue and decide', async () => {
    expectError(
      (await t.http().get('/api/v1/admin/reports').set(bystander.auth).expect(403)).body,
      403,
      'FORBIDDEN',
    );
    await t
      .http()
      .post('/api/v1/admin/reports/1/resolve')
      .set(bystander.auth)
      .send({ action: 'dismiss' })
      .expect(403);
    await t.http().get('/api/v1/admin/reports').expect(401);
  });
});
