import { IsNull } from 'typeorm';
import { Guide } from '../src/guides/entities/guide.entity';
import { Region } from '../src/regions/entities/region.entity';
import { TOP_LEVEL_REGIONS, TOURIST_AREAS } from '../src/regions/region-seed.data';
import { RegionSeeder } from '../src/regions/regions.seed';
import { Story } from '../src/stories/entities/story.entity';
import { approvedGuide, GuideFixture, storyOf } from './support/fixtures';
import { createTestApp, TestApp } from './support/test-app';
import { expectError } from './support/users';

describe('regions', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  const regions = () => t.dataSource.getRepository(Region);
  const byCode = (code: string) => regions().findOneByOrFail({ code });

  describe('seed', () => {
    it('has the 17 top-level regions and the tourist areas under them, with coordinates', async () => {
      const all = await regions().find();
      const seeded = new Set([...TOP_LEVEL_REGIONS, ...TOURIST_AREAS].map((r) => r.code));
      const top = all.filter((r) => r.parentId === null && seeded.has(r.code));
      expect(top).toHaveLength(17);
      expect(top.map((r) => r.name).sort()).toEqual(
        [
          '서울',
          '부산',
          '대구',
          '인천',
          '광주',
          '대전',
          '울산',
          '세종',
          '경기',
          '강원',
          '충북',
          '충남',
          '전북',
          '전남',
          '경북',
          '경남',
          '제주',
        ].sort(),
      );
      const areas = all.filter((r) => r.parentId !== null);
      expect(areas.length).toBeGreaterThanOrEqual(30);
      const jeju = await byCode('jeju');
      expect(await byCode('jeju-seogwipo')).toMatchObject({
        name: '서귀포',
        nameEn: 'Seogwipo',
        parentId: jeju.id,
      });
      expect((await byCode('gangwon-gangneung')).parentId).toBe((await byCode('gangwon')).id);
      expect((await byCode('gyeongbuk-gyeongju')).parentId).toBe((await byCode('gyeongbuk')).id);
      for (const r of all) {
        // inside South Korea
        expect(r.latitude).toBeGreaterThan(33);
        expect(r.latitude).toBeLessThan(38.7);
        expect(r.longitude).toBeGreaterThan(124.5);
        expect(r.longitude).toBeLessThan(131);
      }
    });

    it('is idempotent: running it again changes nothing and adds no rows', async () => {
      const before = await regions().find({ order: { id: 'ASC' } });
      const seeder = t.app.get(RegionSeeder);
      expect(await seeder.seed()).toBe(0);
      await Promise.all([seeder.seed(), seeder.seed()]);
      expect(await regions().find({ order: { id: 'ASC' } })).toEqual(before);
    });

    it('puts back a seed row that went missing and repairs a changed one, keyed on code', async () => {
      const seeder = t.app.get(RegionSeeder);
      const sejong = await byCode('sejong');
      const danyang = await byCode('chungbuk-danyang');
      await regions().update({ id: sejong.id }, { name: '바뀐이름', latitude: 1 });
      await regions().delete({ id: danyang.id });
      expect(await seeder.seed()).toBe(2);
      expect(await byCode('sejong')).toEqual(sejong);
      expect(await byCode('chungbuk-danyang')).toEqual({ ...danyang, id: expect.any(Number) });
    });
  });

  describe('story counts', () => {
    let guide: GuideFixture;
    let other: GuideFixture;
    const ids: Record<string, number> = {};

    beforeAll(async () => {
      guide = await approvedGuide(t, 'region-guide');
      other = await approvedGuide(t, 'region-guide2');
      for (const code of [
        'jeju',
        'jeju-city',
        'jeju-seogwipo',
        'gangwon',
        'gangwon-gangneung',
        'gangwon-sokcho',
        'busan',
      ]) {
        ids[code] = (await byCode(code)).id;
      }
      const s = (
        regionCode: string,
        extra: Omit<Partial<Story>, 'tags'> & { tags?: string[] } = {},
      ) =>
        storyOf(t, extra.guideId === other.guideId ? other : guide, {
          regionId: ids[regionCode],
          ...extra,
        });
      // 제주: 1 on the top level, 2 in 제주시, 3 in 서귀포 → 6 published
      await s('jeju', { category: 'nature', tags: ['오름', '바다'] });
      await s('jeju-city', { category: 'food', tags: ['흑돼지', '바다'] });
      await s('jeju-city', { category: 'food', tags: ['흑돼지'] });
      await s('jeju-seogwipo', { category: 'nature', tags: ['바다', '폭포'] });
      await s('jeju-seogwipo', { category: 'nature', tags: ['바다'] });
      await s('jeju-seogwipo', { category: 'healing', tags: ['숲'] });
      // never counted: hidden and deleted stories
      await s('jeju-seogwipo', { category: 'food', status: 'hidden', tags: ['숨김'] });
      await s('jeju-city', {
        category: 'food',
        status: 'deleted',
        deletedAt: new Date(),
        tags: ['삭제'],
      });
      // 강원: 2 in 강릉, 1 in 속초
      await s('gangwon-gangneung', { category: 'food', tags: ['커피'] });
      await s('gangwon-gangneung', { category: 'culture', tags: ['커피'] });
      await s('gangwon-sokcho', { category: 'food', guideId: other.guideId });
    });

    it('GET /regions: every region with published story counts, parents counting their areas', async () => {
      const res = await t.http().get('/api/v1/regions').expect(200);
      const byCodeRes = new Map(
        (res.body as { code: string; storyCount: number }[]).map((r) => [r.code, r]),
      );
      expect(res.body.length).toBe(await regions().count());
      expect(byCodeRes.get('jeju')).toEqual({
        id: ids.jeju,
        code: 'jeju',
        name: '제주',
        nameEn: 'Jeju',
        parentId: null,
        latitude: expect.any(Number),
        longitude: expect.any(Number),
        storyCount: 6,
      });
      expect(byCodeRes.get('jeju-city')?.storyCount).toBe(2);
      expect(byCodeRes.get('jeju-seogwipo')?.storyCount).toBe(3);
      expect(byCodeRes.get('gangwon')?.storyCount).toBe(3);
      expect(byCodeRes.get('gangwon-gangneung')?.storyCount).toBe(2);
      expect(byCodeRes.get('busan')?.storyCount).toBe(0);
      // a parent comes before its areas
      const order = (res.body as { code: string }[]).map((r) => r.code);
      expect(order.indexOf('jeju')).toBeLessThan(order.indexOf('jeju-seogwipo'));
    });

    it('counts equal what the rows say, for every region', async () => {
      const res = await t.http().get('/api/v1/regions').expect(200);
      const all = await regions().find();
      const stories = await t.dataSource.getRepository(Story).find();
      for (const region of all) {
        const inRegion = new Set(
          all.filter((r) => r.id === region.id || r.parentId === region.id).map((r) => r.id),
        );
        const expected = stories.filter(
          (s) => s.status === 'published' && inRegion.has(s.regionId),
        ).length;
        const item = (res.body as { id: number; storyCount: number }[]).find(
          (r) => r.id === region.id,
        );
        expect({ code: region.code, count: item?.storyCount }).toEqual({
          code: region.code,
          count: expected,
        });
      }
    });

    it('GET /regions/map: the top-level regions with their areas’ stories, top categories and tags', async () => {
      const res = await t.http().get('/api/v1/regions/map').expect(200);
      expect(res.body).toHaveLength(await regions().countBy({ parentId: IsNull() }));
      const jeju = (res.body as { id: number }[]).find((r) => r.id === ids.jeju);
      expect(jeju).toEqual({
        id: ids.jeju,
        name: '제주',
        latitude: expect.any(Number),
        longitude: expect.any(Number),
        storyCount: 6,
        topCategories: [
          { category: 'nature', count: 3 },
          { category: 'food', count: 2 },
          { category: 'healing', count: 1 },
        ],
        topTags: ['바다', '흑돼지', '숲', '오름', '폭포'],
      });
      const gangwon = (res.body as { id: number }[]).find((r) => r.id === ids.gangwon);
      expect(gangwon).toMatchObject({
        storyCount: 3,
        topCategories: [
          { category: 'food', count: 2 },
          { category: 'culture', count: 1 },
        ],
        topTags: ['커피'],
      });
      const busan = (res.body as { id: number }[]).find((r) => r.id === ids.busan);
      expect(busan).toMatchObject({ storyCount: 0, topCategories: [], topTags: [] });
    });

    it('GET /regions/map?parentId=: the areas under that region, each on its own', async () => {
      const res = await t.http().get(`/api/v1/regions/map?parentId=${ids.jeju}`).expect(200);
      const areas = await regions().find({ where: { parentId: ids.jeju } });
      expect(res.body).toHaveLength(areas.length);
      const seogwipo = (res.body as { id: number }[]).find((r) => r.id === ids['jeju-seogwipo']);
      expect(seogwipo).toEqual({
        id: ids['jeju-seogwipo'],
        name: '서귀포',
        latitude: expect.any(Number),
        longitude: expect.any(Number),
        storyCount: 3,
        topCategories: [
          { category: 'nature', count: 2 },
          { category: 'healing', count: 1 },
        ],
        topTags: ['바다', '숲', '폭포'],
      });
      const city = (res.body as { id: number }[]).find((r) => r.id === ids['jeju-city']);
      expect(city).toMatchObject({
        storyCount: 2,
        topCategories: [{ category: 'food', count: 2 }],
        topTags: ['흑돼지', '바다'],
      });
      expect(
        (await t.http().get(`/api/v1/regions/map?parentId=${ids['jeju-city']}`).expect(200)).body,
      ).toEqual([]);
      expectError(
        (await t.http().get('/api/v1/regions/map?parentId=2147483000').expect(404)).body,
        404,
        'NOT_FOUND',
      );
      expectError(
        (await t.http().get('/api/v1/regions/map?parentId=abc').expect(400)).body,
        400,
        'VALIDATION_FAILED',
      );
    });

    it('GET /regions/:id: counts with areas, guide count, top categories, popular stories', async () => {
      const stories = t.dataSource.getRepository(Story);
      const liked = await storyOf(t, guide, {
        regionId: ids['jeju-seogwipo'],
        category: 'festival',
        likeCount: 10,
      });
      const viewed = await storyOf(t, guide, {
        regionId: ids['jeju-city'],
        category: 'festival',
        viewCount: 250, // 25 points, less than 10 likes (30)
      });
      await storyOf(t, guide, {
        regionId: ids['jeju-city'],
        status: 'hidden',
        likeCount: 1000,
      });
      // serving 제주시 counts for 제주; serving 부산 does not
      const guides = t.dataSource.getRepository(Guide);
      const inJeju = await guides.findOneOrFail({
        where: { id: other.guideId },
        relations: { regions: true },
      });
      inJeju.regions = [await byCode('jeju-city')];
      await guides.save(inJeju);
      const fixtureGuide = await guides.findOneOrFail({
        where: { id: guide.guideId },
        relations: { regions: true },
      });
      fixtureGuide.regions = [await byCode('jeju'), await byCode('jeju-seogwipo')];
      await guides.save(fixtureGuide);

      const res = await t.http().get(`/api/v1/regions/${ids.jeju}`).expect(200);
      expect(res.body).toMatchObject({
        id: ids.jeju,
        code: 'jeju',
        name: '제주',
        nameEn: 'Jeju',
        parentId: null,
        storyCount: 8,
        guideCount: 2,
        topCategories: [
          { category: 'nature', count: 3 },
          { category: 'festival', count: 2 },
          { category: 'food', count: 2 },
        ],
      });
      expect(res.body.popularStories).toHaveLength(5);
      expect(res.body.popularStories[0]).toMatchObject({
        id: liked.id,
        likeCount: 10,
        region: { id: ids['jeju-seogwipo'] },
      });
      expect(res.body.popularStories[1].id).toBe(viewed.id);
      // the rest: no score, newest first
      const rest = await stories
        .createQueryBuilder('s')
        .where('s.status = :p AND s.region_id IN (:...r) AND s.id NOT IN (:...x)', {
          p: 'published',
          r: [ids.jeju, ids['jeju-city'], ids['jeju-seogwipo']],
          x: [liked.id, viewed.id],
        })
        .orderBy('s.id', 'DESC')
        .limit(3)
        .getMany();
      expect(res.body.popularStories.slice(2).map((s: { id: number }) => s.id)).toEqual(
        rest.map((s) => s.id),
      );

      const area = await t.http().get(`/api/v1/regions/${ids['jeju-seogwipo']}`).expect(200);
      expect(area.body).toMatchObject({ storyCount: 4, guideCount: 1 });
      expect(area.body.popularStories[0].id).toBe(liked.id);

      const empty = await t.http().get(`/api/v1/regions/${ids.busan}`).expect(200);
      expect(empty.body).toMatchObject({
        storyCount: 0,
        guideCount: 0,
        topCategories: [],
        popularStories: [],
      });
    });

    it('GET /regions/:id: 404 for unknown regions, 400 for bad ids', async () => {
      expectError(
        (await t.http().get('/api/v1/regions/2147483000').expect(404)).body,
        404,
        'NOT_FOUND',
      );
      expectError(
        (await t.http().get('/api/v1/regions/x1').expect(400)).body,
        400,
        'VALIDATION_FAILED',
      );
    });
  });
});
