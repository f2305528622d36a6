import { GuideDecisionEvent } from '../src/guides/guides.events';
import type { Response } from 'supertest';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { AuditLog } from '../src/audit/entities/audit-log.entity';
import { Guide } from '../src/guides/entities/guide.entity';
import { Region } from '../src/regions/entities/region.entity';
import { User } from '../src/users/entities/user.entity';
import { approvedGuide } from './support/fixtures';
import { createTestApp, TestApp } from './support/test-app';
import { expectError, signIn, SignedIn, uniqueKakaoId } from './support/users';

describe('admin: guide applications and the audit log', () => {
  let t: TestApp;
  let admin: SignedIn;
  let otherAdmin: SignedIn;
  let regionId: number;
  const adminKakaoIds = [uniqueKakaoId(), uniqueKakaoId()];
  const events: { name: string; payload: unknown }[] = [];

  beforeAll(async () => {
    t = await createTestApp({ ADMIN_KAKAO_IDS: adminKakaoIds.join(',') });
    admin = await signIn(t, { kakaoId: adminKakaoIds[0] });
    otherAdmin = await signIn(t, { kakaoId: adminKakaoIds[1] });
    regionId = (await t.dataSource.getRepository(Region).findOneByOrFail({ code: 'jeju' })).id;
    const emitter = t.app.get(EventEmitter2);
    for (const name of [GuideDecisionEvent.APPROVED, GuideDecisionEvent.REJECTED]) {
      emitter.on(name, (payload: unknown) => events.push({ name, payload }));
    }
  });
  afterAll(async () => t.close());

  const guides = () => t.dataSource.getRepository(Guide);
  const users = () => t.dataSource.getRepository(User);
  const logs = () => t.dataSource.getRepository(AuditLog);

  async function applicant(): Promise<SignedIn & { guideId: number }> {
    const user = await signIn(t);
    const res = await t
      .http()
      .post('/api/v1/guides/apply')
      .set(user.auth)
      .send({
        introduction: 'I show people around Jeju.',
        languages: ['ko'],
        regionIds: [regionId],
      })
      .expect(201);
    return { ...user, guideId: res.body.id };
  }

  const post = (path: string, who: SignedIn, body?: object) =>
    t.http().post(`/api/v1/admin/guides/${path}`).set(who.auth).send(body);

  describe('access', () => {
    const routes: [string, string, object | null][] = [
      ['get', '/api/v1/admin/guides', null],
      ['get', '/api/v1/admin/audit-logs', null],
      ['post', '/api/v1/admin/guides/1/approve', null],
      ['post', '/api/v1/admin/guides/1/reject', { reason: 'x' }],
      ['post', '/api/v1/admin/guides/1/suspend', { reason: 'x' }],
    ];

    it.each(routes)(
      '%s %s: 401 without a token, 403 FORBIDDEN for users and guides',
      async (method, path, body) => {
        const call = (auth?: Record<string, string>) => {
          const req =
            method === 'get'
              ? t.http().get(path)
              : t
                  .http()
                  .post(path)
                  .send(body ?? {});
          return auth ? req.set(auth) : req;
        };
        expectError((await call().expect(401)).body, 401, 'UNAUTHORIZED');
        const user = await signIn(t);
        expectError((await call(user.auth).expect(403)).body, 403, 'FORBIDDEN');
        const guide = await approvedGuide(t);
        expectError((await call(guide.auth).expect(403)).body, 403, 'FORBIDDEN');
      },
    );
  });

  describe('GET /admin/guides', () => {
    it('pending applications oldest first by default, in stable pages; other states by ?status=', async () => {
      const before = (await guides().findBy({ status: 'pending' })).map((g) => g.id);
      const mine: number[] = [];
      for (let i = 0; i < 3; i++) mine.push((await applicant()).guideId);
      // application times decide the order, not ids
      const base = Date.UTC(2020, 0, 1);
      await guides().update({ id: mine[0] }, { appliedAt: new Date(base + 3 * 60_000) });
      await guides().update({ id: mine[1] }, { appliedAt: new Date(base + 1 * 60_000) });
      await guides().update({ id: mine[2] }, { appliedAt: new Date(base + 2 * 60_000) });

      const seen: number[] = [];
      let cursor: string | null = null;
      do {
        const res: Response = await t
          .http()
          .get('/api/v1/admin/guides')
          .set(admin.auth)
          .query({ limit: 2, ...(cursor ? { cursor } : {}) })
          .expect(200);
        for (const item of res.body.items) {
          expect(item.status).toBe('pending');
          seen.push(item.id);
        }
        cursor = res.body.nextCursor;
      } while (cursor);
      expect(seen.slice(0, 3)).toEqual([mine[1], mine[2], mine[0]]);
      expect(seen.sort()).toEqual([...before, ...mine].sort());

      const first = await t.http().get('/api/v1/admin/guides').set(admin.auth).expect(200);
      expect(first.body.items[0]).toEqual({
        id: mine[1],
        userId: expect.any(Number),
        nickname: expect.any(String),
        profileImageUrl: null,
        status: 'pending',
        introduction: 'I show people around Jeju.',
        languages: ['ko'],
        regions: [expect.objectContaining({ id: regionId, code: 'jeju' })],
        career: null,
        rejectionReason: null,
        suspendReason: null,
        averageRating: 0,
        reviewCount: 0,
        appliedAt: new Date(base + 60_000).toISOString(),
        approvedAt: null,
        createdAt: expect.any(String),
      });

      const approved = await approvedGuide(t);
      const list = await t
        .http()
        .get('/api/v1/admin/guides')
        .set(admin.auth)
        .query({ status: 'approved', limit: 50 })
        .expect(200);
      expect(list.body.items.map((g: { id: number }) => g.id)).toContain(approved.guideId);
      expect(list.body.items.every((g: { status: string }) => g.status === 'approved')).toBe(true);

      const bad = await t
        .http()
        .get('/api/v1/admin/guides')
        .set(admin.auth)
        .query({ status: 'deleted' })
        .expect(400);
      expectError(bad.body, 400, 'VALIDATION_FAILED');
    });
  });

  describe('decisions', () => {
    it('approve: pending → approved, role guide at once, one audit entry, guide.approved event', async () => {
      const user = await applicant();
      const res = await post(`${user.guideId}/approve`, admin).expect(200);
      expect(res.body).toMatchObject({
        id: user.guideId,
        status: 'approved',
        approvedAt: expect.any(String),
      });
      expect(await guides().findOneByOrFail({ id: user.guideId })).toMatchObject({
        status: 'approved',
        approvedAt: expect.any(Date),
      });
      expect((await users().findOneByOrFail({ id: user.id })).role).toBe('guide');
      // the same access token, the very next request
      const me = await t.http().get('/api/v1/users/me').set(user.auth).expect(200);
      expect(me.body).toMatchObject({
        role: 'guide',
        guide: { id: user.guideId, status: 'approved' },
      });
      expect(await logs().findBy({ targetType: 'guide', targetId: user.guideId })).toEqual([
        expect.objectContaining({ adminId: admin.id, action: 'guide.approve', reason: null }),
      ]);
      expect(events).toContainEqual({
        name: GuideDecisionEvent.APPROVED,
        payload: expect.objectContaining({ guideId: user.guideId, userId: user.id, reason: null }),
      });
    });

    it('two admins approving at once: one 200, one 409, one audit entry', async () => {
      const user = await applicant();
      const results = await Promise.all([
        post(`${user.guideId}/approve`, admin),
        post(`${user.guideId}/approve`, otherAdmin),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
      expectError(results.find((r) => r.status === 409)?.body, 409, 'CONFLICT');
      expect(await logs().countBy({ targetType: 'guide', targetId: user.guideId })).toBe(1);
      expect(
        events.filter(
          (e) =>
            e.name === GuideDecisionEvent.APPROVED &&
            (e.payload as { guideId: number }).guideId === user.guideId,
        ),
      ).toHaveLength(1);
    });

    it('approve or reject what is not pending → 409 CONFLICT; unknown guides → 404', async () => {
      const guide = await approvedGuide(t);
      expectError(
        (await post(`${guide.guideId}/approve`, admin).expect(409)).body,
        409,
        'CONFLICT',
      );
      expectError(
        (await post(`${guide.guideId}/reject`, admin, { reason: 'no' }).expect(409)).body,
        409,
        'CONFLICT',
      );
      expectError((await post('2147483000/approve', admin).expect(404)).body, 404, 'NOT_FOUND');
      expect(await logs().countBy({ targetType: 'guide', targetId: guide.guideId })).toBe(0);
    });

    it('reject: a reason is required; pending → rejected with the reason; role unchanged', async () => {
      const user = await applicant();
      for (const body of [
        {},
        { reason: '   ' },
        { reason: 'x'.repeat(1001) },
        { reason: 'ok', extra: 1 },
      ]) {
        const res = await post(`${user.guideId}/reject`, admin, body).expect(400);
        expectError(res.body, 400, 'VALIDATION_FAILED');
      }
      expect((await guides().findOneByOrFail({ id: user.guideId })).status).toBe('pending');

      const res = await post(`${user.guideId}/reject`, otherAdmin, {
        reason: '  Photos of your tours, please.  ',
      }).expect(200);
      expect(res.body).toMatchObject({
        status: 'rejected',
        rejectionReason: 'Photos of your tours, please.',
      });
      expect((await users().findOneByOrFail({ id: user.id })).role).toBe('user');
      const mine = await t.http().get('/api/v1/guides/me').set(user.auth).expect(200);
      expect(mine.body).toMatchObject({
        status: 'rejected',
        rejectionReason: 'Photos of your tours, please.',
      });
      expect(await logs().findBy({ targetType: 'guide', targetId: user.guideId })).toEqual([
        expect.objectContaining({
          adminId: otherAdmin.id,
          action: 'guide.reject',
          reason: 'Photos of your tours, please.',
        }),
      ]);
      expect(events).toContainEqual({
        name: GuideDecisionEvent.REJECTED,
        payload: expect.objectContaining({
          guideId: user.guideId,
          userId: user.id,
          reason: 'Photos of your tours, please.',
        }),
      });
    });

    it('suspend: approved → suspended; the guide can no longer act as one but keeps the role', async () => {
      const pending = await applicant();
      expectError(
        (await post(`${pending.guideId}/suspend`, admin, { reason: 'x' }).expect(409)).body,
        409,
        'CONFLICT',
      );
      const guide = await approvedGuide(t);
      await t
        .http()
        .patch('/api/v1/guides/me')
        .set(guide.auth)
        .send({ career: 'before' })
        .expect(200);
      const res = await post(`${guide.guideId}/suspend`, admin, {
        reason: 'Many complaints',
      }).expect(200);
      expect(res.body).toMatchObject({ status: 'suspended', suspendReason: 'Many complaints' });
      expectError(
        (
          await t
            .http()
            .patch('/api/v1/guides/me')
            .set(guide.auth)
            .send({ career: 'after' })
            .expect(403)
        ).body,
        403,
        'GUIDE_REQUIRED',
      );
      expect((await users().findOneByOrFail({ id: guide.id })).role).toBe('guide');
      // no longer in the public directory or profile
      expectError(
        (await t.http().get(`/api/v1/guides/${guide.guideId}`).expect(404)).body,
        404,
        'NOT_FOUND',
      );
      expect(await logs().findBy({ targetType: 'guide', targetId: guide.guideId })).toEqual([
        expect.objectContaining({
          adminId: admin.id,
          action: 'guide.suspend',
          reason: 'Many complaints',
        }),
      ]);
    });

    it('approving an admin’s own application keeps them an admin', async () => {
      const user = await signIn(t, { kakaoId: adminKakaoIds[1] });
      const res = await t
        .http()
        .post('/api/v1/guides/apply')
        .set(user.auth)
        .send({
          introduction: 'An admin who also guides.',
          languages: ['en'],
          regionIds: [regionId],
        })
        .expect(201);
      await post(`${res.body.id}/approve`, admin).expect(200);
      expect((await users().findOneByOrFail({ id: user.id })).role).toBe('admin');
      await t.http().patch('/api/v1/guides/me').set(user.auth).send({ career: 'both' }).expect(200);
    });
  });

  describe('GET /admin/audit-logs', () => {
    it('every action, newest first, with filters and stable pages', async () => {
      const a = await applicant();
      const b = await applicant();
      await post(`${a.guideId}/approve`, admin).expect(200);
      await post(`${b.guideId}/reject`, otherAdmin, { reason: 'not yet' }).expect(200);
      await post(`${a.guideId}/suspend`, otherAdmin, { reason: 'later' }).expect(200);

      const res = await t
        .http()
        .get('/api/v1/admin/audit-logs')
        .set(admin.auth)
        .query({ limit: 3 })
        .expect(200);
      expect(res.body.items).toEqual([
        {
          id: expect.any(Number),
          adminId: otherAdmin.id,
          action: 'guide.suspend',
          targetType: 'guide',
          targetId: a.guideId,
          reason: 'later',
          createdAt: expect.any(String),
        },
        expect.objectContaining({ action: 'guide.reject', targetId: b.guideId, reason: 'not yet' }),
        expect.objectContaining({
          action: 'guide.approve',
          targetId: a.guideId,
          adminId: admin.id,
        }),
      ]);

      const all: number[] = [];
      let cursor: string | null = null;
      do {
        const page: Response = await t
          .http()
          .get('/api/v1/admin/audit-logs')
          .set(admin.auth)
          .query({ limit: 2, ...(cursor ? { cursor } : {}) })
          .expect(200);
        all.push(...page.body.items.map((i: { id: number }) => i.id));
        cursor = page.body.nextCursor;
      } while (cursor);
      const rows = await logs().find({ order: { id: 'DESC' } });
      expect(all).toEqual(rows.map((r) => r.id));

      const byAdmin = await t
        .http()
        .get('/api/v1/admin/audit-logs')
        .set(admin.auth)
        .query({ adminId: otherAdmin.id, limit: 50 })
        .expect(200);
      expect(byAdmin.body.items.length).toBe(await logs().countBy({ adminId: otherAdmin.id }));
      expect(
        byAdmin.body.items.every((i: { adminId: number }) => i.adminId === otherAdmin.id),
      ).toBe(true);
      const rejects = await t
        .http()
        .get('/api/v1/admin/audit-logs')
        .set(admin.auth)
        .query({ action: 'guide.reject', targetType: 'guide', limit: 50 })
        .expect(200);
      expect(rejects.body.items.length).toBe(await logs().countBy({ action: 'guide.reject' }));
      expect(rejects.body.items.every((i: { action: string }) => i.action === 'guide.reject')).toBe(
        true,
      );
      const none = await t
        .http()
        .get('/api/v1/admin/audit-logs')
        .set(admin.auth)
        .query({ targetType: 'story' })
        .expect(200);
      expect(none.body).toEqual({ items: [], nextCursor: null });
      expectError(
        (
          await t
            .http()
            .get('/api/v1/admin/audit-logs')
            .set(admin.auth)
            .query({ adminId: 'me' })
            .expect(400)
        ).body,
        400,
        'VALIDATION_FAILED',
      );
    });
  });
});
