import { StoryTag } from '../src/stories/entities/story-tag.entity';
import { Story } from '../src/stories/entities/story.entity';
import { approvedGuide, GuideFixture, regionByCode } from './support/fixtures';
import { createTestApp, TestApp } from './support/test-app';

const PARALLEL = 6;
const ROUNDS = 25;

/**
 * Concurrent writes to stories never end in a 5xx. On MariaDB also: none of them makes
 * InnoDB pick a deadlock victim in this suite's database (the transaction retry would hide
 * most of them as slow requests, and a few as 500s under load).
 */
describe('stories under concurrent writes', () => {
  let t: TestApp;
  let guides: GuideFixture[];
  let regionId: number;
  const mysql = () => t.dataSource.options.type !== 'better-sqlite3';

  beforeAll(async () => {
    t = await createTestApp();
    guides = [];
    for (let i = 0; i < PARALLEL; i++) guides.push(await approvedGuide(t, `busy${i}`));
    regionId = (await regionByCode(t, 'busan')).id;
  });
  afterAll(async () => t.close());

  async function deadlocks(): Promise<number> {
    if (!mysql()) return 0;
    const [row] = (await t.dataSource.query(`SHOW GLOBAL STATUS LIKE 'Innodb_deadlocks'`)) as {
      Value: string;
    }[];
    return Number(row.Value);
  }

  /** The latest deadlock InnoDB reports, when it involved this suite's database. */
  async function ourLatestDeadlock(): Promise<string | null> {
    const [status] = (await t.dataSource.query('SHOW ENGINE INNODB STATUS')) as {
      Status: string;
    }[];
    const section = /LATEST DETECTED DEADLOCK\n-+\n([\s\S]*?)\n-{3,}\nTRANSACTIONS/.exec(
      status.Status,
    );
    const [{ name }] = (await t.dataSource.query('SELECT DATABASE() AS name')) as {
      name: string;
    }[];
    return section && section[1].includes(`\`${name}\``) ? section[1] : null;
  }

  it(`${PARALLEL} guides publishing tagged stories at once, ${ROUNDS} times: all 201`, async () => {
    const before = await deadlocks();
    const statuses: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const results = await Promise.all(
        guides.map((guide, i) =>
          t
            .http()
            .post('/api/v1/stories')
            .set(guide.auth)
            .send({
              title: `Round ${round} by ${i}`,
              content: 'Fish market, then the beach.',
              category: 'food',
              regionId,
              tags: ['busan', `round${round}`, `guide${i}`],
            }),
        ),
      );
      statuses.push(...results.map((r) => r.status));
    }
    expect(statuses.filter((s) => s !== 201)).toEqual([]);
    expect(await t.dataSource.getRepository(Story).count()).toBe(PARALLEL * ROUNDS);
    expect(await t.dataSource.getRepository(StoryTag).count()).toBe(PARALLEL * ROUNDS * 3);
    if ((await deadlocks()) > before) expect(await ourLatestDeadlock()).toBeNull();
  });

  it('editing tags of neighbouring stories at once: all 200, tags as last written', async () => {
    const mine = await t.dataSource.getRepository(Story).find({
      select: { id: true, userId: true },
      order: { id: 'ASC' },
    });
    const before = await deadlocks();
    for (let round = 0; round < 10; round++) {
      const results = await Promise.all(
        guides.map((guide) => {
          const story = mine.filter((s) => s.userId === guide.id)[round];
          return t
            .http()
            .patch(`/api/v1/stories/${story.id}`)
            .set(guide.auth)
            .send({ tags: [`edited${round}`, 'busan'] })
            .then((res) => ({ res, story }));
        }),
      );
      for (const { res, story } of results) {
        expect(res.status).toBe(200);
        expect(res.body.tags).toEqual([`edited${round}`, 'busan']);
        const rows = await t.dataSource
          .getRepository(StoryTag)
          .find({ where: { storyId: story.id }, order: { position: 'ASC' } });
        expect(rows.map((r) => r.tag)).toEqual([`edited${round}`, 'busan']);
      }
    }
    if ((await deadlocks()) > before) expect(await ourLatestDeadlock()).toBeNull();
  });
});
