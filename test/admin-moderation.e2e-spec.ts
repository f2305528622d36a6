import { AuditLog } from '../src/audit/entities/audit-log.entity';
import { RefreshToken } from '../src/auth/entities/refresh-token.entity';
import { Comment } from '../src/stories/entities/comment.entity';
import { Story } from '../src/stories/entities/story.entity';
import { StoriesService } from '../src/stories/stories.service';
import { User } from '../src/users/entities/user.entity';
import { UsersService } from '../src/users/users.service';
import { approvedGuide, GuideFixture, storyOf } from './support/fixtures';
import { disconnection, SocketPool } from './support/sockets';
import { createTestApp, TestApp } from './support/test-app';
import { expectError, signIn, SignedIn, uniqueKakaoId } from './support/users';

interface OpenApiDocument {
  paths: Record<string, Record<string, { tags?: string[] }>>;
}

describe('admin moderation: users, stories, comments', () => {
  let t: TestApp;
  let admin: SignedIn;
  const sockets = new SocketPool();
  const adminKakaoId = uniqueKakaoId();

  beforeAll(async () => {
    t = await createTestApp({ ADMIN_KAKAO_IDS: adminKakaoId });
    admin = await signIn(t, { kakaoId: adminKakaoId });
  });
  afterEach(() => sockets.closeAll());
  afterAll(async () => t.close());

  const users = () => t.dataSource.getRepository(User);
  const logs = () => t.dataSource.getRepository(AuditLog);
  const post = (path: string, who: SignedIn | null, body?: object) => {
    const req = t.http().post(`/api/v1/admin/${path}`);
    return (who ? req.set(who.auth) : req).send(body);
  };
  /** Every audit entry for this action on this target. */
  const auditOf = (action: string, targetId: number) => logs().findBy({ action, targetId });
  const me = (who: SignedIn) => t.http().get('/api/v1/users/me').set(who.auth);
  const notificationsOf = async (who: SignedIn) =>
    (await t.http().get('/api/v1/notifications').set(who.auth).expect(200)).body.items as {
      type: string;
      body: string;
      data: Record<string, unknown>;
    }[];

  describe('access to every admin route (from the OpenAPI document)', () => {
    it('lists each admin route under the one tag "admin", which is described', async () => {
      const doc = (await t.http().get('/docs-json').expect(200)).body as OpenApiDocument & {
        tags?: { name: string; description?: string }[];
      };
      const adminPaths = Object.keys(doc.paths).filter((p) => p.startsWith('/api/v1/admin/'));
      for (const route of [
        '/api/v1/admin/users',
        '/api/v1/admin/users/{id}/suspend',
        '/api/v1/admin/users/{id}/unsuspend',
        '/api/v1/admin/stories/{id}/hide',
        '/api/v1/admin/stories/{id}/unhide',
        '/api/v1/admin/comments/{id}',
        '/api/v1/admin/stats',
        '/api/v1/admin/audit-logs',
        '/api/v1/admin/guides',
      ]) {
        expect(adminPaths).toContain(route);
      }
      for (const path of adminPaths) {
        for (const operation of Object.values(doc.paths[path])) {
          expect(operation.tags).toEqual(['admin']);
        }
      }
      const tag = doc.tags?.find((x) => x.name === 'admin');
      expect(tag?.description).toEqual(expect.stringContaining('suspend'));
    });

    it('answers 401 without a token and 403 FORBIDDEN to a user and a guide, on every admin route', async () => {
      const doc = (await t.http().get('/docs-json').expect(200)).body as OpenApiDocument;
      const routes: [string, string][] = [];
      for (const [path, operations] of Object.entries(doc.paths)) {
        if (!path.startsWith('/api/v1/admin/')) continue;
        for (const method of Object.keys(operations)) {
          routes.push([method, path.replace(/\{[^}]+\}/g, '1')]);
        }
      }
      expect(routes.length).toBeGreaterThanOrEqual(12);
      const user = await signIn(t);
      const guide = await approvedGuide(t);
      const before = await logs().count();
      for (const [method, path] of routes) {
        const call = (who?: SignedIn) => {
          const req = t.http()[method as 'get' | 'post' | 'delete' | 'patch' | 'put'](path);
          return (who ? req.set(who.auth) : req).send({ reason: 'x' });
        };
        const anonymous = await call();
        expect([method, path, anonymous.status]).toEqual([method, path, 401]);
        expectError(anonymous.body, 401, 'UNAUTHORIZED');
        for (const who of [user, guide]) {
          const res = await call(who);
          expect([method, path, res.status]).toEqual([method, path, 403]);
          expectError(res.body, 403, 'FORBIDDEN');
        }
      }
      expect(await logs().count()).toBe(before);
    });
  });

  describe('POST /admin/users/:id/suspend and /unsuspend', () => {
    it('suspends at once: same access token → 403, refresh refused, socket dropped; unsuspend lifts it', async () => {
      const user = await signIn(t);
      const second = await signIn(t, { kakaoId: user.kakaoId }); // a second device
      await me(user).expect(200);
      const socket = await sockets.connect(t.baseUrl, user.accessToken);
      const dropped = disconnection(socket);

      const res = await post(`users/${user.id}/suspend`, admin, {
        reason: '  spam in chat  ',
      }).expect(200);
      expect(res.body).toEqual(
        expect.objectContaining({
          id: user.id,
          status: 'suspended',
          suspendReason: 'spam in chat',
          suspendedUntil: null,
        }),
      );

      expect(await dropped).toBe('io server disconnect');
      expectError((await me(user).expect(403)).body, 403, 'ACCOUNT_SUSPENDED');
      expectError((await me(second).expect(403)).body, 403, 'ACCOUNT_SUSPENDED');
      // docs/api.md, Auth: refresh answers 403 ACCOUNT_SUSPENDED (the tokens are revoked as well)
      for (const refreshToken of [user.refreshToken, second.refreshToken]) {
        const refused = await t.http().post('/api/v1/auth/refresh').send({ refreshToken });
        expect(refused.status).toBe(403);
        expectError(refused.body, 403, 'ACCOUNT_SUSPENDED');
      }
      const tokens = await t.dataSource.getRepository(RefreshToken).findBy({ userId: user.id });
      expect(tokens.length).toBe(2);
      expect(tokens.every((row) => row.revokedAt !== null)).toBe(true);
      expect((await sockets.refusal(t.baseUrl, { token: user.accessToken })).message).toBe(
        'ACCOUNT_SUSPENDED',
      );
      const login = await t
        .http()
        .post('/api/v1/auth/dev-login')
        .send({ kakaoId: user.kakaoId, nickname: 'again' });
      expectError(login.body, 403, 'ACCOUNT_SUSPENDED');

      const suspendLogs = await auditOf('user.suspend', user.id);
      expect(suspendLogs).toEqual([
        expect.objectContaining({
          adminId: admin.id,
          action: 'user.suspend',
          targetType: 'user',
          targetId: user.id,
          reason: 'spam in chat',
        }),
      ]);

      const lifted = await post(`users/${user.id}/unsuspend`, admin).expect(200);
      expect(lifted.body).toEqual(
        expect.objectContaining({
          id: user.id,
          status: 'active',
          suspendReason: null,
          suspendedUntil: null,
        }),
      );
      await me(user).expect(200); // the access token works again
      await sockets.connect(t.baseUrl, user.accessToken);
      expect(await auditOf('user.unsuspend', user.id)).toEqual([
        expect.objectContaining({
          adminId: admin.id,
          targetType: 'user',
          targetId: user.id,
          reason: null,
        }),
      ]);

      const again = await post(`users/${user.id}/unsuspend`, admin).expect(409);
      expectError(again.body, 409, 'CONFLICT');
      expect(await auditOf('user.unsuspend', user.id)).toHaveLength(1);
    });

    it('a timed suspension ends by itself, and a second suspension replaces reason and end', async () => {
      const user = await signIn(t);
      const until = new Date(Math.floor(Date.now() / 1000) * 1000 + 60 * 60_000 + 200);
      const stored = new Date(until.getTime() - 200 + 1000); // whole seconds, rounded up
      const res = await post(`users/${user.id}/suspend`, admin, {
        reason: 'cool down',
        until: until.toISOString(),
      }).expect(200);
      expect(res.body.suspendedUntil).toBe(stored.toISOString());
      expectError((await me(user).expect(403)).body, 403, 'ACCOUNT_SUSPENDED');

      const later = new Date(Math.floor(Date.now() / 1000) * 1000 + 2 * 60 * 60_000);
      const changed = await post(`users/${user.id}/suspend`, admin, {
        reason: 'longer',
        until: later.toISOString().replace('Z', '+00:00'),
      }).expect(200);
      expect(changed.body).toEqual(
        expect.objectContaining({ suspendReason: 'longer', suspendedUntil: later.toISOString() }),
      );
      expect((await auditOf('user.suspend', user.id)).map((l) => l.reason)).toEqual([
        'cool down',
        'longer',
      ]);

      // time passes (the end is moved into the past instead of waiting for it)
      await users().update({ id: user.id }, { suspendedUntil: new Date(Date.now() - 1000) });
      const back = await me(user).expect(200);
      expect(back.body.status).toBe('active');
      expect(await users().findOneByOrFail({ id: user.id })).toEqual(
        expect.objectContaining({ status: 'active', suspendedUntil: null, suspendReason: null }),
      );
    });

    it('GET /admin/users?status=suspended shows suspensions in force only', async () => {
      const running = await signIn(t);
      const ended = await signIn(t);
      await post(`users/${running.id}/suspend`, admin, { reason: 'r' }).expect(200);
      await post(`users/${ended.id}/suspend`, admin, {
        reason: 'r',
        until: new Date(Date.now() + 60_000).toISOString(),
      }).expect(200);
      await users().update({ id: ended.id }, { suspendedUntil: new Date(Date.now() - 1000) });

      const list = await t
        .http()
        .get('/api/v1/admin/users')
        .set(admin.auth)
        .query({ status: 'suspended', limit: 50 })
        .expect(200);
      const ids = list.body.items.map((u: { id: number }) => u.id);
      expect(ids).toContain(running.id);
      expect(ids).not.toContain(ended.id);
      expect((await users().findOneByOrFail({ id: ended.id })).status).toBe('active');
    });

    it('refuses bad bodies (400), admins (409) and unknown or withdrawn users (404), writing nothing', async () => {
      const user = await signIn(t);
      const withdrawn = await signIn(t);
      await t.http().delete('/api/v1/users/me').set(withdrawn.auth).expect(204);
      const before = await logs().count();
      const soon = new Date(Date.now() + 60_000).toISOString();

      for (const body of [
        {},
        { reason: '' },
        { reason: '   ' },
        { reason: 'x'.repeat(1001) },
        { reason: 42 },
        { reason: null },
        { reason: 'x', until: null },
        { reason: 'x', until: 'tomorrow' },
        { reason: 'x', until: '2099-01-01' },
        { reason: 'x', until: '2099-01-01T10:00:00' },
        { reason: 'x', until: '2099-02-30T10:00:00Z' },
        { reason: 'x', until: 1 },
        { reason: 'x', until: new Date(Date.now() - 60_000).toISOString() },
        { reason: 'x', until: soon, extra: true },
      ]) {
        const res = await post(`users/${user.id}/suspend`, admin, body);
        expect([body, res.status]).toEqual([body, 400]);
        expectError(res.body, 400, 'VALIDATION_FAILED');
      }
      const past = await post(`users/${user.id}/suspend`, admin, {
        reason: 'x',
        until: '2001-01-01T00:00:00Z',
      });
      expect(past.body.details).toEqual([{ field: 'until', errors: [expect.any(String)] }]);

      const otherAdminKakao = uniqueKakaoId();
      const otherAdmin = await signIn(t, { kakaoId: otherAdminKakao });
      await users().update({ id: otherAdmin.id }, { role: 'admin' });
      expectError(
        (await post(`users/${otherAdmin.id}/suspend`, admin, { reason: 'x' }).expect(409)).body,
        409,
        'CONFLICT',
      );
      expectError(
        (await post(`users/${admin.id}/suspend`, admin, { reason: 'x' }).expect(409)).body,
        409,
        'CONFLICT',
      );
      await me(admin).expect(200);
      for (const id of [withdrawn.id, 2_000_000_000]) {
        expectError(
          (await post(`users/${id}/suspend`, admin, { reason: 'x' }).expect(404)).body,
          404,
          'NOT_FOUND',
        );
        expectError(
          (await post(`users/${id}/unsuspend`, admin).expect(404)).body,
          404,
          'NOT_FOUND',
        );
      }
      expect((await users().findOneByOrFail({ id: user.id })).status).toBe('active');
      expect(await logs().count()).toBe(before);
    });

    it('UsersService.suspend without a manager commits, revokes and disconnects by itself', async () => {
      const user = await signIn(t);
      const socket = await sockets.connect(t.baseUrl, user.accessToken);
      const dropped = disconnection(socket);
      await t.app.get(UsersService).suspend({ userId: user.id, reason: 'auto', until: null });
      await dropped;
      expectError((await me(user).expect(403)).body, 403, 'ACCOUNT_SUSPENDED');
      const tokens = await t.dataSource.getRepository(RefreshToken).findBy({ userId: user.id });
      expect(tokens.every((row) => row.revokedAt !== null)).toBe(true);
      expect(await auditOf('user.suspend', user.id)).toHaveLength(0); // callers audit
      await t.app.get(UsersService).unsuspend({ userId: user.id });
      await me(user).expect(200);
    });
  });

  describe('POST /admin/stories/:id/hide and /unhide', () => {
    let guide: GuideFixture;
    let reader: SignedIn;
    beforeAll(async () => {
      guide = await approvedGuide(t);
      reader = await signIn(t);
    });
    const story = (id: number, who?: SignedIn) => {
      const req = t.http().get(`/api/v1/stories/${id}`);
      return who ? req.set(who.auth) : req;
    };

    it('hides from everyone but the author and admins, notifies the author; unhide publishes again', async () => {
      const { id } = await storyOf(t, guide, { title: 'To be hidden' });
      await story(id, reader).expect(200);

      const res = await post(`stories/${id}/hide`, admin, { reason: ' Unlicensed tour ' }).expect(
        200,
      );
      expect(res.body).toEqual({
        id,
        userId: guide.id,
        status: 'hidden',
        hiddenReason: 'Unlicensed tour',
      });
      expectError((await story(id, reader).expect(404)).body, 404, 'NOT_FOUND');
      await story(id).expect(404);
      const list = await t.http().get('/api/v1/stories').query({ limit: 50 }).expect(200);
      expect(list.body.items.map((s: { id: number }) => s.id)).not.toContain(id);
      expect((await story(id, guide).expect(200)).body.status).toBe('hidden');
      await story(id, admin).expect(200);

      const notes = (await notificationsOf(guide)).filter((n) => n.type === 'CONTENT_HIDDEN');
      expect(notes).toEqual([
        expect.objectContaining({
          type: 'CONTENT_HIDDEN',
          body: expect.stringContaining('Unlicensed tour'),
          data: expect.objectContaining({ targetType: 'story', targetId: id }),
        }),
      ]);
      expect(await auditOf('story.hide', id)).toEqual([
        expect.objectContaining({
          adminId: admin.id,
          targetType: 'story',
          targetId: id,
          reason: 'Unlicensed tour',
        }),
      ]);

      expectError(
        (await post(`stories/${id}/hide`, admin, { reason: 'again' }).expect(409)).body,
        409,
        'CONFLICT',
      );
      expect(await auditOf('story.hide', id)).toHaveLength(1);

      const shown = await post(`stories/${id}/unhide`, admin).expect(200);
      expect(shown.body).toEqual({ id, userId: guide.id, status: 'published', hiddenReason: null });
      await story(id, reader).expect(200);
      expect(await auditOf('story.unhide', id)).toEqual([
        expect.objectContaining({ adminId: admin.id, targetType: 'story', reason: null }),
      ]);
      expectError((await post(`stories/${id}/unhide`, admin).expect(409)).body, 409, 'CONFLICT');
      expect(await auditOf('story.unhide', id)).toHaveLength(1);
      // only the hide notified
      expect(
        (await notificationsOf(guide)).filter((n) => n.type === 'CONTENT_HIDDEN'),
      ).toHaveLength(1);
    });

    it('404 for unknown and deleted stories, 400 without a reason', async () => {
      const deleted = await storyOf(t, guide, { status: 'deleted', deletedAt: new Date() });
      const open = await storyOf(t, guide);
      const before = await logs().count();
      for (const id of [deleted.id, 2_000_000_000]) {
        expectError(
          (await post(`stories/${id}/hide`, admin, { reason: 'x' }).expect(404)).body,
          404,
          'NOT_FOUND',
        );
        expectError((await post(`stories/${id}/unhide`, admin).expect(404)).body, 404, 'NOT_FOUND');
      }
      for (const body of [{}, { reason: '' }, { reason: null }, { reason: 'x'.repeat(1001) }]) {
        const res = await post(`stories/${open.id}/hide`, admin, body);
        expect([body, res.status]).toEqual([body, 400]);
      }
      expect(await logs().count()).toBe(before);
      expect(
        (await t.dataSource.getRepository(Story).findOneByOrFail({ id: open.id })).status,
      ).toBe('published');
    });

    it('StoriesService.hide/unhide move only from the expected state', async () => {
      const s = await storyOf(t, guide);
      const service = t.app.get(StoriesService);
      expect(await service.hide({ storyId: s.id, reason: null })).toEqual({ authorId: guide.id });
      expect(await service.hide({ storyId: s.id, reason: 'x' })).toBeNull();
      const row = await t.dataSource.getRepository(Story).findOneByOrFail({ id: s.id });
      expect([row.status, row.hiddenReason]).toEqual(['hidden', null]);
      expect(await service.unhide({ storyId: s.id })).toEqual({ authorId: guide.id });
      expect(await service.unhide({ storyId: s.id })).toBeNull();
    });
  });

  describe('DELETE /admin/comments/:id', () => {
    it('soft-deletes someone else’s comment once: 204, one audit entry, the author notified', async () => {
      const guide = await approvedGuide(t);
      const { id: storyId } = await storyOf(t, guide);
      const author = await signIn(t);
      const created = await t
        .http()
        .post(`/api/v1/stories/${storyId}/comments`)
        .set(author.auth)
        .send({ content: 'Buy cheap followers at example.com' })
        .expect(201);
      const commentId: number = created.body.id;

      await t.http().delete(`/api/v1/admin/comments/${commentId}`).set(admin.auth).expect(204);
      const row = await t.dataSource.getRepository(Comment).findOneByOrFail({ id: commentId });
      expect(row.deletedAt).not.toBeNull();
      expect(row.content).toBe('');
      expect(
        (await t.dataSource.getRepository(Story).findOneByOrFail({ id: storyId })).commentCount,
      ).toBe(0);
      expect(await auditOf('comment.delete', commentId)).toEqual([
        expect.objectContaining({ adminId: admin.id, targetType: 'comment', targetId: commentId }),
      ]);
      const hidden = () =>
        notificationsOf(author).then((n) => n.filter((x) => x.type === 'CONTENT_HIDDEN'));
      expect(await hidden()).toEqual([
        expect.objectContaining({
          data: expect.objectContaining({ targetType: 'comment', targetId: commentId }),
        }),
      ]);

      // again: nothing changes
      await t.http().delete(`/api/v1/admin/comments/${commentId}`).set(admin.auth).expect(204);
      expect(await auditOf('comment.delete', commentId)).toHaveLength(1);
      expect(await hidden()).toHaveLength(1);

      const missing = await t
        .http()
        .delete('/api/v1/admin/comments/2000000000')
        .set(admin.auth)
        .expect(404);
      expectError(missing.body, 404, 'NOT_FOUND');
    });
  });
});
