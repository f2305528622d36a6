import { addDays, dateIn } from '../src/common/time/zoned';
import { MatchingRequest } from '../src/matching/entities/matching-request.entity';
import { Review } from '../src/matching/entities/review.entity';
import { Notification } from '../src/notifications/entities/notification.entity';
import { approvedGuide, GuideFixture, storyOf } from './support/fixtures';
import { freePort, listening, ServerProcess, startServer, waitFor } from './support/server-process';
import { nextEvent, SocketPool } from './support/sockets';
import { createTestApp, siblingEnv, TEST_REDIS_URL, TestApp } from './support/test-app';
import { expectError, signIn, SignedIn } from './support/users';

/**
 * The lifecycle on its schedule, in real time: durations of seconds and a tick of one second
 * (docs/api.md, Lifecycle), with jobs on Redis (BullMQ) as several instances run them.
 */
const LIFECYCLE_ENV = {
  JOBS_TICK: '1s',
  MATCHING_PENDING_TTL: '3s',
  REVIEW_REMINDER_AFTER: '1s',
  REVIEW_WINDOW: '4s',
};
/** Long enough for a few ticks on a loaded machine. */
const TICKS_MS = 20_000;

interface NotificationEvent {
  type: string;
  data: { requestId?: number };
}

describe('the matching lifecycle on its schedule', () => {
  let t: TestApp;
  const sockets = new SocketPool();

  beforeAll(async () => {
    t = await createTestApp({ ...LIFECYCLE_ENV, REDIS_URL: TEST_REDIS_URL });
  });
  afterEach(() => sockets.closeAll());
  afterAll(async () => t.close());

  const url = (id: number, action = '') =>
    `/api/v1/matching-requests/${id}${action && '/'}${action}`;
  const today = () => dateIn(new Date(), t.config.lifecycle.timeZone);

  async function requestBetween(
    steps: ('accept' | 'complete')[] = [],
  ): Promise<{ guide: GuideFixture; traveller: SignedIn; id: number }> {
    const guide = await approvedGuide(t);
    const traveller = await signIn(t);
    const story = await storyOf(t, guide);
    const res = await t
      .http()
      .post('/api/v1/matching-requests')
      .set(traveller.auth)
      .send({ storyId: story.id, desiredDate: addDays(today(), 10) })
      .expect(201);
    const id = res.body.id as number;
    for (const step of steps) await t.http().post(url(id, step)).set(guide.auth).expect(200);
    return { guide, traveller, id };
  }

  /** The next notification of `type` on the socket (others before it are skipped). */
  async function notification(
    socket: Awaited<ReturnType<SocketPool['connect']>>,
    type: string,
  ): Promise<NotificationEvent> {
    const deadline = Date.now() + TICKS_MS;
    for (;;) {
      const event = await nextEvent<NotificationEvent>(
        socket,
        'notification:new',
        Math.max(1, deadline - Date.now()),
      );
      if (event.type === type) return event;
    }
  }

  const notifiedCount = async (type: string, ids: number[]) =>
    (await t.dataSource.getRepository(Notification).findBy({ type: type as never })).filter((n) =>
      ids.includes(Number(n.data.requestId)),
    ).length;

  it('an unanswered request expires MATCHING_PENDING_TTL after it was made; the traveller hears it live', async () => {
    const guide = await approvedGuide(t);
    const traveller = await signIn(t);
    const socket = await sockets.connect(t.baseUrl, traveller.accessToken);
    const story = await storyOf(t, guide);
    const created = await t
      .http()
      .post('/api/v1/matching-requests')
      .set(traveller.auth)
      .send({ storyId: story.id, desiredDate: addDays(today(), 10) })
      .expect(201);
    const id = created.body.id as number;

    const event = await notification(socket, 'MATCHING_EXPIRED');
    expect(event.data.requestId).toBe(id);
    const detail = await t.http().get(url(id)).set(traveller.auth).expect(200);
    expect(detail.body.status).toBe('expired');
    const madeAt = Date.parse(created.body.createdAt as string);
    // not before the TTL (datetime columns keep whole seconds on MySQL/MariaDB)
    expect(Date.parse(detail.body.expiredAt as string)).toBeGreaterThan(madeAt + 3000 - 1000);

    const res = await t.http().post(url(id, 'accept')).set(guide.auth).expect(409);
    expectError(res.body, 409, 'MATCHING_INVALID_STATE');
  });

  it('the traveller is reminded to review, and after REVIEW_WINDOW reviews are refused', async () => {
    const p = await requestBetween(['accept', 'complete']);
    const socket = await sockets.connect(t.baseUrl, p.traveller.accessToken);

    const event = await notification(socket, 'REVIEW_REMINDER');
    expect(event.data.requestId).toBe(p.id);

    const completedAt = (
      await t.dataSource.getRepository(MatchingRequest).findOneByOrFail({ id: p.id })
    ).completedAt as Date;
    // the window is a duration from completion: nothing to await but the clock
    await waitFor(() => Date.now() > completedAt.getTime() + 4000, 'REVIEW_WINDOW', TICKS_MS);
    const res = await t
      .http()
      .post(url(p.id, 'review'))
      .set(p.traveller.auth)
      .send({ rating: 5 })
      .expect(409);
    expectError(res.body, 409, 'REVIEW_WINDOW_CLOSED');
    expect(res.body.message).toBe(
      'Reviews are accepted for 4 seconds after the trip was completed',
    );
    expect(await t.dataSource.getRepository(Review).countBy({ matchingRequestId: p.id })).toBe(0);
    expect(await notifiedCount('REVIEW_REMINDER', [p.id])).toBe(1);
  });

  describe('with more instances on the same database', () => {
    const others: ServerProcess[] = [];
    afterAll(async () => {
      for (const other of others) {
        other.child.kill('SIGTERM');
        await other.exited;
      }
    });

    it('each request expires and is announced exactly once, whether instances share Redis or not', async () => {
      // one more on the same Redis (one shared schedule) and one without (its own timer):
      // three instances acting on the same rows every second
      const shared = siblingEnv(t, {
        ...LIFECYCLE_ENV,
        UPLOAD_DIR: t.uploadDir,
        LOG_LEVEL: 'info', // for the start-up line
        PORT: String(await freePort()),
      });
      const alone: Record<string, string> = { ...shared, PORT: String(await freePort()) };
      delete alone.REDIS_URL;
      others.push(startServer(shared), startServer(alone));
      await Promise.all(others.map((other) => listening(other, 90_000)));

      const requests = await Promise.all(Array.from({ length: 8 }, () => requestBetween()));
      const ids = requests.map((r) => r.id);
      await waitFor(
        async () => (await notifiedCount('MATCHING_EXPIRED', ids)) >= ids.length,
        'every request to expire',
        TICKS_MS,
      );
      const rows = await t.dataSource
        .getRepository(MatchingRequest)
        .findBy(ids.map((id) => ({ id })));
      expect(rows.map((r) => r.status)).toEqual(ids.map(() => 'expired'));
      // a few more ticks of every instance change nothing
      const settled = Date.now() + 3000;
      await waitFor(() => Date.now() > settled, 'three more ticks', 5000);
      expect(await notifiedCount('MATCHING_EXPIRED', ids)).toBe(ids.length);
      for (const r of requests) {
        const mine = await t.dataSource
          .getRepository(Notification)
          .findBy({ userId: r.traveller.id, type: 'MATCHING_EXPIRED' });
        expect(mine).toHaveLength(1);
      }
    }, 180_000);
  });
});
