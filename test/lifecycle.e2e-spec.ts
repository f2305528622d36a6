import { In } from 'typeorm';
import { addDays, dateIn, endOfDate, instantOf } from '../src/common/time/zoned';
import { MatchingRequest } from '../src/matching/entities/matching-request.entity';
import { Review } from '../src/matching/entities/review.entity';
import { MatchingLifecycle } from '../src/matching/matching-lifecycle';
import { Notification } from '../src/notifications/entities/notification.entity';
import { NotificationsRetention } from '../src/notifications/notifications-retention';
import { approvedGuide, GuideFixture, storyOf } from './support/fixtures';
import { waitFor } from './support/server-process';
import { createSiblingApp, createTestApp, TestApp } from './support/test-app';
import { expectError, signIn, SignedIn } from './support/users';

/**
 * The rules of the time-driven lifecycle (docs/api.md, Lifecycle) with the default durations, run for a
 * chosen instant (MatchingLifecycle.run(at)) so each boundary is checked to the second. The
 * schedule itself (JOBS_TICK) is tested in lifecycle-schedule.e2e-spec.ts.
 */
const HOUR = 3600_000;
const DAY = 24 * HOUR;
const ZONE = 'Asia/Seoul'; // SERVICE_TIME_ZONE's default
const at = (base: Date, offsetMs: number) => new Date(base.getTime() + offsetMs);

describe('the matching lifecycle (docs/api.md, Lifecycle)', () => {
  let t: TestApp;
  let lifecycle: MatchingLifecycle;

  beforeAll(async () => {
    t = await createTestApp();
    lifecycle = t.app.get(MatchingLifecycle);
  });
  afterAll(async () => t.close());

  const url = (id: number, action = '') =>
    `/api/v1/matching-requests/${id}${action && '/'}${action}`;

  interface Pair {
    guide: GuideFixture;
    traveller: SignedIn;
    id: number;
  }

  /** A new guide and traveller, and a request between them moved through `steps`. */
  async function requestBetween(
    body: { desiredDate: string; desiredTime?: string },
    steps: ('accept' | 'complete')[] = [],
  ): Promise<Pair> {
    const guide = await approvedGuide(t);
    const traveller = await signIn(t);
    const story = await storyOf(t, guide);
    const res = await t
      .http()
      .post('/api/v1/matching-requests')
      .set(traveller.auth)
      .send({ storyId: story.id, ...body })
      .expect(201);
    const id = res.body.id as number;
    for (const step of steps) await t.http().post(url(id, step)).set(guide.auth).expect(200);
    return { guide, traveller, id };
  }

  const detail = async (p: Pair) =>
    (await t.http().get(url(p.id)).set(p.traveller.auth).expect(200)).body as {
      status: string;
      expiredAt: string | null;
      completedAt: string | null;
    };

  const row = (id: number) => t.dataSource.getRepository(MatchingRequest).findOneByOrFail({ id });

  /** The notifications of `type` about request `id`, by user id. */
  async function notified(type: string, id: number): Promise<number[]> {
    const rows = await t.dataSource.getRepository(Notification).findBy({ type: type as never });
    return rows
      .filter((n) => n.data.requestId === id)
      .map((n) => n.userId)
      .sort((a, b) => a - b);
  }

  const today = () => dateIn(new Date(), ZONE);

  describe('a pending request expires', () => {
    it('MATCHING_PENDING_TTL (72h) after it was made: status expired, the traveller told once, transitions 409', async () => {
      const p = await requestBetween({ desiredDate: addDays(today(), 30) });
      const made = (await row(p.id)).createdAt;

      await lifecycle.run(at(made, 72 * HOUR - 1000));
      expect((await detail(p)).status).toBe('pending');
      expect(await notified('MATCHING_EXPIRED', p.id)).toEqual([]);

      const when = at(made, 72 * HOUR + 1000);
      await lifecycle.run(when);
      const expired = await detail(p);
      expect(expired.status).toBe('expired');
      // datetime columns keep whole seconds on MySQL/MariaDB
      expect(Math.abs(Date.parse(expired.expiredAt as string) - when.getTime())).toBeLessThan(1000);
      expect(await notified('MATCHING_EXPIRED', p.id)).toEqual([p.traveller.id]);

      await lifecycle.run(at(when, HOUR));
      expect(await notified('MATCHING_EXPIRED', p.id)).toEqual([p.traveller.id]);

      for (const [who, action] of [
        [p.guide, 'accept'],
        [p.guide, 'reject'],
        [p.traveller, 'cancel'],
        [p.guide, 'complete'],
      ] as const) {
        const res = await t.http().post(url(p.id, action)).set(who.auth).send({}).expect(409);
        expectError(res.body, 409, 'MATCHING_INVALID_STATE');
      }
      expect((await detail(p)).status).toBe('expired');

      // the expired request is no longer open: the traveller may ask again
      const story = (await row(p.id)).storyId;
      await t
        .http()
        .post('/api/v1/matching-requests')
        .set(p.traveller.auth)
        .send({ storyId: story, desiredDate: addDays(today(), 30) })
        .expect(201);
      const listed = await t
        .http()
        .get('/api/v1/matching-requests?role=traveler&status=expired')
        .set(p.traveller.auth)
        .expect(200);
      expect(listed.body.items.map((r: { id: number }) => r.id)).toEqual([p.id]);
    });

    it(`at the end of its desiredDate in SERVICE_TIME_ZONE when that comes first`, async () => {
      const date = today();
      const p = await requestBetween({ desiredDate: date, desiredTime: '23:30' });
      const end = endOfDate(date, ZONE);
      // midnight in Seoul is 15:00 UTC
      expect(end.toISOString()).toBe(`${date}T15:00:00.000Z`);

      await lifecycle.run(at(end, -1000));
      expect((await detail(p)).status).toBe('pending');
      await lifecycle.run(end);
      expect(await detail(p)).toMatchObject({ status: 'expired', expiredAt: end.toISOString() });
      expect(await notified('MATCHING_EXPIRED', p.id)).toEqual([p.traveller.id]);
    });

    it('accepted, rejected and cancelled requests never expire', async () => {
      const accepted = await requestBetween({ desiredDate: addDays(today(), 3) }, ['accept']);
      const rejected = await requestBetween({ desiredDate: addDays(today(), 3) });
      await t.http().post(url(rejected.id, 'reject')).set(rejected.guide.auth).send({}).expect(200);
      const cancelled = await requestBetween({ desiredDate: addDays(today(), 3) });
      await t.http().post(url(cancelled.id, 'cancel')).set(cancelled.traveller.auth).expect(200);

      await lifecycle.run(at(new Date(), 4 * DAY));
      const rows = await t.dataSource
        .getRepository(MatchingRequest)
        .findBy({ id: In([accepted.id, rejected.id, cancelled.id]) });
      expect(rows.map((r) => [r.id, r.status, r.expiredAt])).toEqual(
        expect.arrayContaining([
          [rejected.id, 'rejected', null],
          [cancelled.id, 'cancelled', null],
        ]),
      );
      expect(rows.find((r) => r.id === accepted.id)?.status).not.toBe('expired');
      for (const p of [accepted, rejected, cancelled]) {
        expect(await notified('MATCHING_EXPIRED', p.id)).toEqual([]);
      }
    });
  });

  describe('trip reminders', () => {
    it('both participants hear of the trip TRIP_REMINDER_BEFORE (24h) ahead of desiredDate + desiredTime, once', async () => {
      const date = addDays(today(), 3);
      const p = await requestBetween({ desiredDate: date, desiredTime: '10:00' }, ['accept']);
      const trip = instantOf(date, ZONE, '10:00');
      expect(trip.toISOString()).toBe(`${date}T01:00:00.000Z`);

      await lifecycle.run(at(trip, -DAY - 1000));
      expect(await notified('TRIP_REMINDER', p.id)).toEqual([]);

      await lifecycle.run(at(trip, -DAY + 1000));
      const both = [p.guide.id, p.traveller.id].sort((a, b) => a - b);
      expect(await notified('TRIP_REMINDER', p.id)).toEqual(both);

      await lifecycle.run(at(trip, -HOUR));
      expect(await notified('TRIP_REMINDER', p.id)).toEqual(both);
      expect((await row(p.id)).tripRemindedAt?.toISOString()).toBe(
        at(trip, -DAY + 1000).toISOString(),
      );
    });

    it('without a desiredTime the trip starts at the beginning of its day', async () => {
      const date = addDays(today(), 5);
      const p = await requestBetween({ desiredDate: date }, ['accept']);
      const start = instantOf(date, ZONE);

      await lifecycle.run(at(start, -DAY - 1000));
      expect(await notified('TRIP_REMINDER', p.id)).toEqual([]);
      await lifecycle.run(at(start, -DAY));
      expect(await notified('TRIP_REMINDER', p.id)).toHaveLength(2);
    });

    it('a reminder missed while the service was down is still sent while the trip lies ahead; never after it began', async () => {
      const date = addDays(today(), 7);
      const ahead = await requestBetween({ desiredDate: date, desiredTime: '18:00' }, ['accept']);
      const begun = await requestBetween({ desiredDate: date, desiredTime: '09:00' }, ['accept']);

      // the first run after the downtime: 10:00 that day
      await lifecycle.run(instantOf(date, ZONE, '10:00'));
      expect(await notified('TRIP_REMINDER', ahead.id)).toHaveLength(2);
      expect(await notified('TRIP_REMINDER', begun.id)).toEqual([]);
      // and it is not sent later either
      await lifecycle.run(instantOf(date, ZONE, '11:00'));
      expect(await notified('TRIP_REMINDER', begun.id)).toEqual([]);
    });

    it('pending and cancelled requests get no reminder', async () => {
      const date = addDays(today(), 9);
      const pending = await requestBetween({ desiredDate: date });
      const cancelled = await requestBetween({ desiredDate: date }, ['accept']);
      await t.http().post(url(cancelled.id, 'cancel')).set(cancelled.traveller.auth).expect(200);

      await lifecycle.run(at(instantOf(date, ZONE), -HOUR));
      expect(await notified('TRIP_REMINDER', pending.id)).toEqual([]);
      expect(await notified('TRIP_REMINDER', cancelled.id)).toEqual([]);
    });
  });

  describe('automatic completion', () => {
    it('an accepted request completes MATCHING_AUTO_COMPLETE_AFTER (48h) after the end of its desiredDate; both are told once', async () => {
      const date = addDays(today(), 2);
      const p = await requestBetween({ desiredDate: date }, ['accept']);
      const due = at(endOfDate(date, ZONE), 48 * HOUR);
      const before = (await t.http().get(`/api/v1/guides/${p.guide.guideId}`).expect(200)).body
        .completedMatchingCount as number;

      await lifecycle.run(at(due, -1000));
      expect((await detail(p)).status).toBe('accepted');
      expect(await notified('MATCHING_COMPLETED', p.id)).toEqual([]);

      await lifecycle.run(due);
      expect(await detail(p)).toMatchObject({
        status: 'completed',
        completedAt: due.toISOString(),
      });
      const both = [p.guide.id, p.traveller.id].sort((a, b) => a - b);
      expect(await notified('MATCHING_COMPLETED', p.id)).toEqual(both);
      const guide = await t.http().get(`/api/v1/guides/${p.guide.guideId}`).expect(200);
      expect(guide.body.completedMatchingCount).toBe(before + 1);

      await lifecycle.run(at(due, HOUR));
      expect(await notified('MATCHING_COMPLETED', p.id)).toEqual(both);

      // the trip is over: the traveller reviews it like one completed by hand
      await t
        .http()
        .post(url(p.id, 'review'))
        .set(p.traveller.auth)
        .send({ rating: 4, content: 'good' })
        .expect(201);
    });

    it('a pending request is not completed but expires', async () => {
      const date = addDays(today(), 1);
      const p = await requestBetween({ desiredDate: date });
      await lifecycle.run(at(endOfDate(date, ZONE), 49 * HOUR));
      expect((await detail(p)).status).toBe('expired');
      expect(await notified('MATCHING_COMPLETED', p.id)).toEqual([]);
    });
  });

  describe('review reminders and the review window', () => {
    it('the traveller gets one REVIEW_REMINDER REVIEW_REMINDER_AFTER (72h) after completion when no review exists', async () => {
      const p = await requestBetween({ desiredDate: addDays(today(), 1) }, ['accept', 'complete']);
      const done = (await row(p.id)).completedAt as Date;

      await lifecycle.run(at(done, 72 * HOUR - 1000));
      expect(await notified('REVIEW_REMINDER', p.id)).toEqual([]);
      await lifecycle.run(at(done, 72 * HOUR + 1000));
      expect(await notified('REVIEW_REMINDER', p.id)).toEqual([p.traveller.id]);
      await lifecycle.run(at(done, 80 * HOUR));
      expect(await notified('REVIEW_REMINDER', p.id)).toEqual([p.traveller.id]);
    });

    it('no reminder once reviewed, nor after the review window closed', async () => {
      const reviewed = await requestBetween({ desiredDate: addDays(today(), 1) }, [
        'accept',
        'complete',
      ]);
      await t
        .http()
        .post(url(reviewed.id, 'review'))
        .set(reviewed.traveller.auth)
        .send({ rating: 5 })
        .expect(201);
      const late = await requestBetween({ desiredDate: addDays(today(), 1) }, [
        'accept',
        'complete',
      ]);
      const done = (await row(late.id)).completedAt as Date;

      await lifecycle.run(at(done, 4 * DAY));
      expect(await notified('REVIEW_REMINDER', reviewed.id)).toEqual([]);
      // a service down for the whole window does not remind of a review it would refuse
      const other = await requestBetween({ desiredDate: addDays(today(), 1) }, [
        'accept',
        'complete',
      ]);
      await lifecycle.run(at((await row(other.id)).completedAt as Date, 14 * DAY + 1000));
      expect(await notified('REVIEW_REMINDER', other.id)).toEqual([]);
    });

    it('a review REVIEW_WINDOW (14d) after completion → 409 REVIEW_WINDOW_CLOSED, nothing stored', async () => {
      const p = await requestBetween({ desiredDate: addDays(today(), 1) }, ['accept', 'complete']);
      // completed 14 days and a second ago
      const completedAt = at(new Date(), -14 * DAY - 1000);
      await t.dataSource.getRepository(MatchingRequest).update(p.id, { completedAt });

      const res = await t
        .http()
        .post(url(p.id, 'review'))
        .set(p.traveller.auth)
        .send({ rating: 5, content: 'late' })
        .expect(409);
      expectError(res.body, 409, 'REVIEW_WINDOW_CLOSED');
      expect(res.body.message).toBe(
        'Reviews are accepted for 14 days after the trip was completed',
      );
      expect(await t.dataSource.getRepository(Review).countBy({ matchingRequestId: p.id })).toBe(0);

      // just inside the window it is taken
      await t.dataSource
        .getRepository(MatchingRequest)
        .update(p.id, { completedAt: at(new Date(), -14 * DAY + 60_000) });
      await t
        .http()
        .post(url(p.id, 'review'))
        .set(p.traveller.auth)
        .send({ rating: 5, content: 'in time' })
        .expect(201);
    });
  });

  describe('retention', () => {
    it('read notifications older than NOTIFICATION_RETENTION (90d) are deleted; unread ones stay', async () => {
      const p = await requestBetween({ desiredDate: addDays(today(), 1) }, ['accept']);
      // the traveller has MATCHING_ACCEPTED; reads it; the guide keeps MATCHING_REQUESTED unread
      await t.http().post('/api/v1/notifications/read-all').set(p.traveller.auth).expect(204);
      const mine = (userId: number) => t.dataSource.getRepository(Notification).findBy({ userId });
      const read = await mine(p.traveller.id);
      const unread = await mine(p.guide.id);
      expect(read.length).toBeGreaterThan(0);
      expect(read.every((n) => n.readAt !== null)).toBe(true);
      expect(unread.length).toBeGreaterThan(0);
      const newest = Math.max(...[...read, ...unread].map((n) => n.createdAt.getTime()));
      const retention = t.app.get(NotificationsRetention);

      await retention.run(
        at(new Date(Math.min(...read.map((n) => n.createdAt.getTime()))), 90 * DAY - 1000),
      );
      expect(await mine(p.traveller.id)).toHaveLength(read.length);

      expect(await retention.run(at(new Date(newest), 90 * DAY + 1000))).toBeGreaterThanOrEqual(
        read.length,
      );
      expect(await mine(p.traveller.id)).toEqual([]);
      expect(await mine(p.guide.id)).toHaveLength(unread.length);
    });
  });

  describe('after a stop', () => {
    it('a request whose expiry passed while the service was stopped expires right after start', async () => {
      const p = await requestBetween({ desiredDate: addDays(today(), 30) });
      const made = (await row(p.id)).createdAt;
      // this instance keeps the 72h TTL; for one with a 1s TTL the request is overdue by now
      await waitFor(() => Date.now() > made.getTime() + 1500, 'the 1s TTL to pass', 5000);
      const started = await createSiblingApp(t, {
        MATCHING_PENDING_TTL: '1s',
        JOBS_TICK: '1h',
      });
      try {
        // its first tick comes at start, not an hour later
        await waitFor(
          async () => (await notified('MATCHING_EXPIRED', p.id)).length > 0,
          'the expiry',
          15_000,
        );
        expect((await row(p.id)).status).toBe('expired');
        expect(await notified('MATCHING_EXPIRED', p.id)).toEqual([p.traveller.id]);
      } finally {
        await started.close();
      }
    });
  });
});
