import { EventEmitter2 } from '@nestjs/event-emitter';
import { Guide } from '../src/guides/entities/guide.entity';
import { Review } from '../src/matching/entities/review.entity';
import { ReviewCreatedEvent } from '../src/matching/matching.events';
import { approvedGuide, GuideFixture, storyOf } from './support/fixtures';
import { createTestApp, TestApp } from './support/test-app';
import { expectError, signIn, SignedIn } from './support/users';

const DAY_MS = 24 * 60 * 60 * 1000;
const inAWeek = () => new Date(Date.now() + 7 * DAY_MS).toISOString().slice(0, 10);

describe('reviews', () => {
  let t: TestApp;
  let guide: GuideFixture;
  let traveller: SignedIn;
  let other: SignedIn;
  const events: ReviewCreatedEvent[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    t.app.get(EventEmitter2).on(ReviewCreatedEvent.NAME, (e: ReviewCreatedEvent) => {
      events.push(e);
    });
    guide = await approvedGuide(t, 'guide-park');
    traveller = await signIn(t, { nickname: 'reviewer' });
    other = await signIn(t);
  });
  afterAll(async () => t.close());

  const url = (id: number, action: string) => `/api/v1/matching-requests/${id}/${action}`;

  /** A request of `who` to a new story of `g`, moved through the given steps. */
  async function requestOf(
    who: SignedIn,
    g: GuideFixture,
    steps: ('accept' | 'complete')[],
  ): Promise<number> {
    const story = await storyOf(t, g);
    const res = await t
      .http()
      .post('/api/v1/matching-requests')
      .set(who.auth)
      .send({ storyId: story.id, desiredDate: inAWeek() })
      .expect(201);
    const id = res.body.id as number;
    for (const step of steps) await t.http().post(url(id, step)).set(g.auth).expect(200);
    return id;
  }

  const completed = (who: SignedIn, g: GuideFixture) => requestOf(who, g, ['accept', 'complete']);

  function review(user: SignedIn, id: number, body: object) {
    return t.http().post(url(id, 'review')).set(user.auth).send(body);
  }

  async function profile(g: GuideFixture) {
    return (await t.http().get(`/api/v1/guides/${g.guideId}`).expect(200)).body as {
      averageRating: number;
      reviewCount: number;
      completedMatchingCount: number;
    };
  }

  it('only a completed request can be reviewed', async () => {
    const pendingId = await requestOf(traveller, guide, []);
    const acceptedId = await requestOf(traveller, guide, ['accept']);
    for (const id of [pendingId, acceptedId]) {
      const res = await review(traveller, id, { rating: 5, content: 'great' }).expect(409);
      expectError(res.body, 409, 'MATCHING_INVALID_STATE');
    }
    await t.http().post(url(pendingId, 'reject')).set(guide.auth).expect(200);
    expectError(
      (await review(traveller, pendingId, { rating: 5 }).expect(409)).body,
      409,
      'MATCHING_INVALID_STATE',
    );
    expect(await t.dataSource.getRepository(Review).count()).toBe(0);
  });

  it('the traveller reviews once; the guide gets 403, others 404', async () => {
    const id = await completed(traveller, guide);
    expectError((await review(guide, id, { rating: 5 }).expect(403)).body, 403, 'FORBIDDEN');
    expectError((await review(other, id, { rating: 5 }).expect(404)).body, 404, 'NOT_FOUND');
    const before = events.length;
    const res = await review(traveller, id, { rating: 4, content: '  친절했어요  ' }).expect(201);
    expect(res.body).toEqual({
      id: expect.any(Number),
      matchingRequestId: id,
      guideId: guide.guideId,
      rating: 4,
      content: '친절했어요',
      traveler: { id: traveller.id, nickname: 'reviewer', profileImageUrl: null },
      createdAt: expect.any(String),
    });
    expect(events.slice(before)).toEqual([
      {
        reviewId: res.body.id,
        requestId: id,
        guideId: guide.guideId,
        guideUserId: guide.id,
        travelerId: traveller.id,
        rating: 4,
      },
    ]);
    const again = await review(traveller, id, { rating: 1, content: 'changed my mind' }).expect(
      409,
    );
    expectError(again.body, 409, 'REVIEW_EXISTS');
    expect(await t.dataSource.getRepository(Review).countBy({ matchingRequestId: id })).toBe(1);
  });

  it.each([
    ['rating 0', { rating: 0 }, 'rating'],
    ['rating 6', { rating: 6 }, 'rating'],
    ['rating 3.5', { rating: 3.5 }, 'rating'],
    ['a missing rating', { content: 'nice' }, 'rating'],
    ['content over 1000 chars', { rating: 3, content: 'x'.repeat(1001) }, 'content'],
    ['an unknown field', { rating: 3, stars: 3 }, 'stars'],
    ['a null content', { rating: 3, content: null }, 'content'],
  ])('refuses %s with 400', async (_label, body, field) => {
    const id = await completed(traveller, guide);
    const res = await review(traveller, id, body).expect(400);
    expectError(res.body, 400, 'VALIDATION_FAILED');
    expect(res.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
  });

  it('two reviews of one request at once: one 201, one 409 REVIEW_EXISTS', async () => {
    const g = await approvedGuide(t);
    const id = await completed(traveller, g);
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) => review(traveller, id, { rating: (i % 5) + 1 })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
    for (const r of results.filter((x) => x.status === 409)) {
      expectError(r.body, 409, 'REVIEW_EXISTS');
    }
    const winner = results.find((r) => r.status === 201)?.body as { rating: number };
    const p = await profile(g);
    expect(p).toMatchObject({ reviewCount: 1, averageRating: winner.rating });
  });

  it("keeps the guide's count and average exact (5, 4, 2 → 3.67), lists reviews newest first", async () => {
    const g = await approvedGuide(t, 'rated');
    expect(await profile(g)).toMatchObject({
      averageRating: 0,
      reviewCount: 0,
      completedMatchingCount: 0,
    });
    const travellers = [traveller, other, await signIn(t, { nickname: 'third' })];
    const ids: number[] = [];
    for (const who of travellers) ids.push(await completed(who, g));
    // a request that is only accepted does not count as completed
    await requestOf(traveller, g, ['accept']);
    const written: number[] = [];
    for (const [i, rating] of [5, 4, 2].entries()) {
      const res = await review(travellers[i], ids[i], { rating, content: `r${rating}` }).expect(
        201,
      );
      written.push(res.body.id as number);
    }
    expect(await profile(g)).toMatchObject({
      averageRating: 3.67,
      reviewCount: 3,
      completedMatchingCount: 3,
    });
    const row = await t.dataSource.getRepository(Guide).findOneByOrFail({ id: g.guideId });
    expect(row).toMatchObject({ reviewCount: 3, averageRating: 3.67 });
    const summary = await t.http().get(`/api/v1/guides`).query({ sort: 'rating' }).expect(200);
    expect(summary.body.items.find((x: { id: number }) => x.id === g.guideId)).toMatchObject({
      averageRating: 3.67,
      reviewCount: 3,
    });

    const first = await t
      .http()
      .get(`/api/v1/guides/${g.guideId}/reviews`)
      .query({ limit: 2 })
      .expect(200);
    expect(first.body.items).toEqual([
      {
        id: written[2],
        rating: 2,
        content: 'r2',
        traveler: { id: travellers[2].id, nickname: 'third', profileImageUrl: null },
        createdAt: expect.any(String),
      },
      expect.objectContaining({
        id: written[1],
        rating: 4,
        traveler: expect.objectContaining({ id: other.id }),
      }),
    ]);
    const rest = await t
      .http()
      .get(`/api/v1/guides/${g.guideId}/reviews`)
      .query({ limit: 2, cursor: first.body.nextCursor })
      .expect(200);
    expect(rest.body).toEqual({
      items: [expect.objectContaining({ id: written[0], rating: 5 })],
      nextCursor: null,
    });
  });

  it('concurrent reviews of different requests of one guide keep count and average exact', async () => {
    const g = await approvedGuide(t);
    const people = await Promise.all(Array.from({ length: 6 }, () => signIn(t)));
    const ids: number[] = [];
    for (const who of people) ids.push(await completed(who, g));
    const ratings = [5, 5, 4, 3, 1, 2];
    const results = await Promise.all(
      people.map((who, i) => review(who, ids[i], { rating: ratings[i] })),
    );
    expect(results.map((r) => r.status)).toEqual(Array<number>(6).fill(201));
    expect(await profile(g)).toMatchObject({
      reviewCount: 6,
      averageRating: 3.33,
      completedMatchingCount: 6,
    });
  });

  it('reviews of an unknown or non-approved guide are 404', async () => {
    await t.http().get('/api/v1/guides/999999/reviews').expect(404);
    const g = await approvedGuide(t);
    await t.dataSource.getRepository(Guide).update(g.guideId, { status: 'suspended' });
    await t.http().get(`/api/v1/guides/${g.guideId}/reviews`).expect(404);
  });
});
