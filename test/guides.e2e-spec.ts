import type { Response } from 'supertest';
import { Guide } from '../src/guides/entities/guide.entity';
import { Region } from '../src/regions/entities/region.entity';
import { approvedGuide, GuideFixture, storyOf } from './support/fixtures';
import { createTestApp, TestApp } from './support/test-app';
import { expectError, signIn, SignedIn, uniqueKakaoId } from './support/users';

describe('guides', () => {
  let t: TestApp;
  let admin: SignedIn;
  const adminKakaoId = uniqueKakaoId();

  beforeAll(async () => {
    t = await createTestApp({ ADMIN_KAKAO_IDS: adminKakaoId });
    admin = await signIn(t, { kakaoId: adminKakaoId });
  });
  afterAll(async () => t.close());

  const guides = () => t.dataSource.getRepository(Guide);
  const regionId = async (code: string) =>
    (await t.dataSource.getRepository(Region).findOneByOrFail({ code })).id;

  let jejuId: number;
  let seogwipoId: number;
  beforeAll(async () => {
    jejuId = await regionId('jeju');
    seogwipoId = await regionId('jeju-seogwipo');
  });

  const application = (overrides: Record<string, unknown> = {}) => ({
    introduction: '  제주에서 20년 살았어요. 오름과 바다를 안내합니다.  ',
    languages: ['ko', ' en '],
    regionIds: [jejuId, seogwipoId],
    career: '  관광통역안내사 10년  ',
    ...overrides,
  });

  const apply = (user: SignedIn, overrides: Record<string, unknown> = {}) =>
    t.http().post('/api/v1/guides/apply').set(user.auth).send(application(overrides));

  const approve = (guideId: number) =>
    t.http().post(`/api/v1/admin/guides/${guideId}/approve`).set(admin.auth);
  const reject = (guideId: number, reason = 'Please tell us more about your tours.') =>
    t.http().post(`/api/v1/admin/guides/${guideId}/reject`).set(admin.auth).send({ reason });

  describe('POST /guides/apply', () => {
    it('creates a pending guide profile (trimmed) → 201', async () => {
      const user = await signIn(t);
      const res = await apply(user).expect(201);
      expect(res.body).toEqual({
        id: expect.any(Number),
        userId: user.id,
        status: 'pending',
        introduction: '제주에서 20년 살았어요. 오름과 바다를 안내합니다.',
        languages: ['ko', 'en'],
        regions: [
          expect.objectContaining({ id: await regionId('jeju'), code: 'jeju', name: '제주' }),
          expect.objectContaining({ id: await regionId('jeju-seogwipo'), code: 'jeju-seogwipo' }),
        ],
        career: '관광통역안내사 10년',
        rejectionReason: null,
        suspendReason: null,
        averageRating: 0,
        reviewCount: 0,
        appliedAt: expect.any(String),
        approvedAt: null,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      const row = await guides().findOneOrFail({
        where: { userId: user.id },
        relations: { regions: true },
      });
      expect(row).toMatchObject({ status: 'pending', languages: ',ko,en,' });
      expect(row.regions?.map((r) => r.code).sort()).toEqual(['jeju', 'jeju-seogwipo']);
      // the role changes only on approval
      const me = await t.http().get('/api/v1/users/me').set(user.auth).expect(200);
      expect(me.body).toMatchObject({ role: 'user', guide: { id: row.id, status: 'pending' } });
    });

    const invalid: [string, Record<string, unknown>, string][] = [
      ['an upper-case language code', { languages: ['KO'] }, 'languages'],
      ['an unknown language code', { languages: ['ko', 'xx'] }, 'languages'],
      ['a three-letter language code', { languages: ['kor'] }, 'languages'],
      ['no languages', { languages: [] }, 'languages'],
      [
        'eleven languages',
        { languages: ['ko', 'en', 'ja', 'zh', 'fr', 'de', 'es', 'it', 'ru', 'pt', 'vi'] },
        'languages',
      ],
      ['a repeated language', { languages: ['ko', 'ko'] }, 'languages'],
      ['languages not a list', { languages: 'ko' }, 'languages'],
      ['no regions', { regionIds: [] }, 'regionIds'],
      ['six regions', { regionIds: [1, 2, 3, 4, 5, 6] }, 'regionIds'],
      ['a region id that is not a number', { regionIds: ['1'] }, 'regionIds'],
      ['a region that does not exist', { regionIds: [2147483000] }, 'regionIds'],
      [
        'an introduction too short after trimming',
        { introduction: '   짧아요   ' },
        'introduction',
      ],
      ['an introduction too long', { introduction: 'x'.repeat(2001) }, 'introduction'],
      ['no introduction', { introduction: undefined }, 'introduction'],
      ['a career too long', { career: 'x'.repeat(1001) }, 'career'],
      ['an unknown field', { status: 'approved' }, 'status'],
    ];
    it.each(invalid)(
      '%s → 400 VALIDATION_FAILED naming the field, nothing stored',
      async (_n, overrides, field) => {
        const user = await signIn(t);
        const res = await apply(user, overrides);
        expect(res.status).toBe(400);
        expectError(res.body, 400, 'VALIDATION_FAILED');
        expect(res.body.details).toEqual(
          expect.arrayContaining([{ field, errors: expect.arrayContaining([expect.any(String)]) }]),
        );
        expect(await guides().countBy({ userId: user.id })).toBe(0);
      },
    );

    it('401 without a token', async () => {
      const res = await t.http().post('/api/v1/guides/apply').send(application()).expect(401);
      expectError(res.body, 401, 'UNAUTHORIZED');
    });

    it('a second application while pending or approved → 409 GUIDE_ALREADY_APPLIED', async () => {
      const user = await signIn(t);
      const first = await apply(user).expect(201);
      expectError((await apply(user).expect(409)).body, 409, 'GUIDE_ALREADY_APPLIED');
      await approve(first.body.id).expect(200);
      expectError((await apply(user).expect(409)).body, 409, 'GUIDE_ALREADY_APPLIED');
      expect(await guides().countBy({ userId: user.id })).toBe(1);
    });

    it('two applications at once: one 201, one 409, one row', async () => {
      const user = await signIn(t);
      const results = await Promise.all([apply(user), apply(user)]);
      expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
      expect(await guides().countBy({ userId: user.id })).toBe(1);
    });

    it('after a rejection the same profile is submitted again: pending, new time, reason cleared', async () => {
      const user = await signIn(t);
      const first = await apply(user).expect(201);
      await reject(first.body.id, 'Too short').expect(200);
      const mine = await t.http().get('/api/v1/guides/me').set(user.auth).expect(200);
      expect(mine.body).toMatchObject({ status: 'rejected', rejectionReason: 'Too short' });

      await new Promise((resolve) => setTimeout(resolve, 1100)); // appliedAt has second precision on MySQL
      const again = await apply(user, {
        introduction: 'Now with a much longer introduction.',
        languages: ['ja'],
        regionIds: [await regionId('busan')],
        career: '',
      }).expect(201);
      expect(again.body).toMatchObject({
        id: first.body.id,
        status: 'pending',
        rejectionReason: null,
        introduction: 'Now with a much longer introduction.',
        languages: ['ja'],
        regions: [expect.objectContaining({ code: 'busan' })],
        career: null,
      });
      expect(new Date(again.body.appliedAt).getTime()).toBeGreaterThan(
        new Date(first.body.appliedAt).getTime(),
      );
      expect(await guides().countBy({ userId: user.id })).toBe(1);
    });
  });

  describe('GET /guides/me, PATCH /guides/me', () => {
    it('GET /guides/me: 404 before applying', async () => {
      const user = await signIn(t);
      expectError(
        (await t.http().get('/api/v1/guides/me').set(user.auth).expect(404)).body,
        404,
        'NOT_FOUND',
      );
    });

    it('PATCH /guides/me: 403 GUIDE_REQUIRED unless approved, saying why', async () => {
      const nobody = await signIn(t);
      const patch = (u: SignedIn) =>
        t.http().patch('/api/v1/guides/me').set(u.auth).send({ career: 'more' });
      const none = expectError((await patch(nobody).expect(403)).body, 403, 'GUIDE_REQUIRED');
      expect(none.message).toMatch(/apply/i);

      const pending = await signIn(t);
      const applied = await apply(pending).expect(201);
      expect(
        expectError((await patch(pending).expect(403)).body, 403, 'GUIDE_REQUIRED').message,
      ).toMatch(/review/i);
      await reject(applied.body.id).expect(200);
      expect(
        expectError((await patch(pending).expect(403)).body, 403, 'GUIDE_REQUIRED').message,
      ).toMatch(/rejected/i);

      const guide = await approvedGuide(t);
      await t
        .http()
        .post(`/api/v1/admin/guides/${guide.guideId}/suspend`)
        .set(admin.auth)
        .send({ reason: 'complaints' })
        .expect(200);
      expect(
        expectError((await patch(guide).expect(403)).body, 403, 'GUIDE_REQUIRED').message,
      ).toMatch(/suspended/i);
      expect((await guides().findOneByOrFail({ id: guide.guideId })).career).toBeNull();
    });

    it('PATCH /guides/me: an approved guide edits the profile; regions are replaced', async () => {
      const guide = await approvedGuide(t);
      const res = await t
        .http()
        .patch('/api/v1/guides/me')
        .set(guide.auth)
        .send({
          introduction: '  Updated introduction text  ',
          languages: ['en', 'fr'],
          regionIds: [await regionId('gyeongbuk-gyeongju')],
        })
        .expect(200);
      expect(res.body).toMatchObject({
        id: guide.guideId,
        status: 'approved',
        introduction: 'Updated introduction text',
        languages: ['en', 'fr'],
        regions: [expect.objectContaining({ code: 'gyeongbuk-gyeongju' })],
      });
      const row = await guides().findOneOrFail({
        where: { id: guide.guideId },
        relations: { regions: true },
      });
      expect(row.languages).toBe(',en,fr,');
      expect(row.regions?.map((r) => r.code)).toEqual(['gyeongbuk-gyeongju']);

      const bad = await t
        .http()
        .patch('/api/v1/guides/me')
        .set(guide.auth)
        .send({ regionIds: [2147483000] })
        .expect(400);
      expect(bad.body.details).toEqual([{ field: 'regionIds', errors: [expect.any(String)] }]);
    });
  });

  describe('approval', () => {
    it("the applicant's very next request sees role guide, with the same access token", async () => {
      const user = await signIn(t);
      const applied = await apply(user).expect(201);
      await approve(applied.body.id).expect(200);
      const me = await t.http().get('/api/v1/users/me').set(user.auth).expect(200);
      expect(me.body).toMatchObject({
        role: 'guide',
        guide: { id: applied.body.id, status: 'approved' },
      });
      await t
        .http()
        .patch('/api/v1/guides/me')
        .set(user.auth)
        .send({ career: 'now approved' })
        .expect(200);
      const profile = await t.http().get(`/api/v1/users/${user.id}`).expect(200);
      expect(profile.body.guideId).toBe(applied.body.id);
    });
  });

  describe('GET /guides/:id', () => {
    it('shows the public profile with counts', async () => {
      const guide = await approvedGuide(t, 'profile-guide');
      await storyOf(t, guide);
      await storyOf(t, guide);
      await storyOf(t, guide, { status: 'hidden' });
      await storyOf(t, guide, { status: 'deleted', deletedAt: new Date() });
      const res = await t.http().get(`/api/v1/guides/${guide.guideId}`).expect(200);
      expect(res.body).toEqual({
        id: guide.guideId,
        userId: guide.id,
        nickname: 'profile-guide',
        profileImageUrl: null,
        introduction: expect.any(String),
        languages: ['ko', 'en'],
        regions: [expect.objectContaining({ code: 'seoul', name: '서울', nameEn: 'Seoul' })],
        career: null,
        status: 'approved',
        averageRating: 0,
        reviewCount: 0,
        storyCount: 2,
        completedMatchingCount: 0,
        createdAt: expect.any(String),
      });
    });

    it('a guide that is not approved is 404 to others, but visible to the guide and admins', async () => {
      const user = await signIn(t);
      const applied = await apply(user).expect(201);
      const id = applied.body.id as number;
      const stranger = await signIn(t);
      for (const res of [
        await t.http().get(`/api/v1/guides/${id}`),
        await t.http().get(`/api/v1/guides/${id}`).set(stranger.auth),
        await t.http().get(`/api/v1/guides/${id}/stories`),
        await t.http().get(`/api/v1/guides/${id}/reviews`).set(stranger.auth),
      ]) {
        expect(res.status).toBe(404);
        expectError(res.body, 404, 'NOT_FOUND');
      }
      const self = await t.http().get(`/api/v1/guides/${id}`).set(user.auth).expect(200);
      expect(self.body).toMatchObject({ id, status: 'pending' });
      const byAdmin = await t.http().get(`/api/v1/guides/${id}`).set(admin.auth).expect(200);
      expect(byAdmin.body).toMatchObject({ id, status: 'pending' });
      expectError(
        (await t.http().get('/api/v1/guides/2147483000').expect(404)).body,
        404,
        'NOT_FOUND',
      );
      expectError(
        (await t.http().get('/api/v1/guides/abc').expect(400)).body,
        400,
        'VALIDATION_FAILED',
      );
    });

    it('GET /guides/:id/stories: published stories, newest first, in pages', async () => {
      const guide = await approvedGuide(t);
      const published = [];
      for (let i = 0; i < 5; i++) published.push(await storyOf(t, guide, { title: `story ${i}` }));
      await storyOf(t, guide, { status: 'hidden' });
      const seen: number[] = [];
      let cursor: string | null = null;
      do {
        const res: Response = await t
          .http()
          .get(`/api/v1/guides/${guide.guideId}/stories`)
          .query({ limit: 2, ...(cursor ? { cursor } : {}) })
          .expect(200);
        expect(res.body.items.length).toBeLessThanOrEqual(2);
        for (const item of res.body.items) {
          expect(item).toMatchObject({ guide: { id: guide.guideId }, likedByMe: false });
          seen.push(item.id);
        }
        cursor = res.body.nextCursor;
      } while (cursor);
      expect(seen).toEqual(published.map((s) => s.id).reverse());
    });

    it('GET /guides/:id/reviews: an empty page until reviews exist', async () => {
      const guide = await approvedGuide(t);
      const res = await t.http().get(`/api/v1/guides/${guide.guideId}/reviews`).expect(200);
      expect(res.body).toEqual({ items: [], nextCursor: null });
    });
  });

  describe('GET /guides', () => {
    // an area no other test uses, so the list holds only this block's guides
    let gyeongnam: number;
    let tongyeong: number;
    let geoje: number;
    const made: Record<string, GuideFixture> = {};

    async function guideIn(
      name: string,
      regionCodes: number[],
      fields: Partial<Guide>,
    ): Promise<GuideFixture> {
      const g = await approvedGuide(t, `guide-${name}`);
      const row = await guides().findOneOrFail({ where: { id: g.guideId } });
      row.regions = await t.dataSource
        .getRepository(Region)
        .findBy(regionCodes.map((id) => ({ id })));
      Object.assign(row, fields);
      await guides().save(row);
      made[name] = g;
      return g;
    }

    beforeAll(async () => {
      gyeongnam = await regionId('gyeongnam');
      tongyeong = await regionId('gyeongnam-tongyeong');
      geoje = await regionId('gyeongnam-geoje');
      const day = (n: number) => new Date(Date.UTC(2026, 0, n, 9));
      await guideIn('a', [tongyeong], {
        averageRating: 4.5,
        reviewCount: 10,
        approvedAt: day(1),
        languages: ',ko,en,',
      });
      await guideIn('b', [geoje], {
        averageRating: 4.9,
        reviewCount: 3,
        approvedAt: day(2),
        languages: ',ko,',
      });
      await guideIn('c', [gyeongnam], {
        averageRating: 4.5,
        reviewCount: 20,
        approvedAt: day(3),
        languages: ',en,ja,',
      });
      await guideIn('d', [tongyeong, geoje], {
        averageRating: 3.0,
        reviewCount: 20,
        approvedAt: day(3),
        languages: ',ko,ja,',
      });
      await guideIn('e', [geoje], {
        averageRating: 4.5,
        reviewCount: 10,
        approvedAt: day(5),
        languages: ',zh,',
      });
      // never listed: not approved
      const pending = await guideIn('pending', [tongyeong], { approvedAt: day(9) });
      await guides().update({ id: pending.guideId }, { status: 'pending' });
      const suspended = await guideIn('suspended', [geoje], { approvedAt: day(9) });
      await guides().update({ id: suspended.guideId }, { status: 'suspended' });
    });

    async function allPages(query: Record<string, string | number>, limit = 2): Promise<number[]> {
      const ids: number[] = [];
      let cursor: string | null = null;
      do {
        const res: Response = await t
          .http()
          .get('/api/v1/guides')
          .query({ ...query, limit, ...(cursor ? { cursor } : {}) })
          .expect(200);
        expect(res.body.items.length).toBeLessThanOrEqual(limit);
        ids.push(...res.body.items.map((g: { id: number }) => g.id));
        cursor = res.body.nextCursor;
      } while (cursor);
      expect(new Set(ids).size).toBe(ids.length);
      return ids;
    }
    const idsOf = (...names: string[]) => names.map((n) => made[n].guideId);

    it('filters by region, its areas included, and sorts by latest approval by default', async () => {
      expect(await allPages({ regionId: gyeongnam })).toEqual(idsOf('e', 'd', 'c', 'b', 'a'));
      expect(await allPages({ regionId: geoje })).toEqual(idsOf('e', 'd', 'b'));
    });

    it('sort=rating: average rating, then review count, then newest', async () => {
      expect(await allPages({ regionId: gyeongnam, sort: 'rating' })).toEqual(
        idsOf('b', 'c', 'e', 'a', 'd'),
      );
    });

    it('sort=reviews: review count, then rating, then newest', async () => {
      expect(await allPages({ regionId: gyeongnam, sort: 'reviews' }, 1)).toEqual(
        idsOf('c', 'd', 'e', 'a', 'b'),
      );
    });

    it('filters by language', async () => {
      expect(await allPages({ regionId: gyeongnam, language: 'ja' })).toEqual(idsOf('d', 'c'));
      expect(await allPages({ regionId: gyeongnam, language: 'ko', sort: 'rating' })).toEqual(
        idsOf('b', 'a', 'd'),
      );
    });

    it('shows the list item shape', async () => {
      const res = await t.http().get('/api/v1/guides').query({ regionId: tongyeong }).expect(200);
      expect(res.body.items[0]).toEqual({
        id: made.d.guideId,
        userId: made.d.id,
        nickname: 'guide-d',
        profileImageUrl: null,
        introduction: expect.any(String),
        languages: ['ko', 'ja'],
        regions: [
          expect.objectContaining({ id: tongyeong, code: 'gyeongnam-tongyeong' }),
          expect.objectContaining({ id: geoje, code: 'gyeongnam-geoje' }),
        ],
        averageRating: 3,
        reviewCount: 20,
        createdAt: expect.any(String),
      });
    });

    it('pages stay stable while guides are added', async () => {
      const first = await t
        .http()
        .get('/api/v1/guides')
        .query({ regionId: gyeongnam, sort: 'rating', limit: 2 })
        .expect(200);
      await guideIn('late', [geoje], { averageRating: 5, reviewCount: 1, approvedAt: new Date() });
      const second = await t
        .http()
        .get('/api/v1/guides')
        .query({ regionId: gyeongnam, sort: 'rating', limit: 10, cursor: first.body.nextCursor })
        .expect(200);
      expect(second.body.items.map((g: { id: number }) => g.id)).toEqual(idsOf('e', 'a', 'd'));
    });

    it('bad filters → 400', async () => {
      for (const query of [
        { sort: 'best' },
        { language: 'KO' },
        { regionId: 'x' },
        { limit: 0 },
        { limit: 51 },
        { cursor: 'not-a-cursor' },
      ]) {
        const res = await t.http().get('/api/v1/guides').query(query);
        expect({ query, status: res.status }).toEqual({ query, status: 400 });
        expectError(res.body, 400, 'VALIDATION_FAILED');
      }
    });
  });
});
