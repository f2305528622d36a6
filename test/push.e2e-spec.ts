import { generateKeyPairSync, KeyObject } from 'node:crypto';
import { JobQueue, JobRecord } from '../src/jobs/job-queue';
import { RealtimeService } from '../src/realtime/realtime.service';
import { Device } from '../src/notifications/entities/device.entity';
import { Notification } from '../src/notifications/entities/notification.entity';
import { ChatPushListener } from '../src/notifications/push/chat-push.listener';
import { tokenHash } from '../src/notifications/push/devices.service';
import { FcmStub, ReceivedPush } from './support/fcm-stub';
import { approvedGuide, GuideFixture, storyOf } from './support/fixtures';
import { openChatRoom, SocketPool } from './support/sockets';
import {
  createSiblingApp,
  createTestApp,
  SiblingApp,
  TEST_REDIS_URL,
  TestApp,
} from './support/test-app';
import { expectError, signIn, SignedIn } from './support/users';

const PROJECT_ID = 'storybook-push-test';
const CLIENT_EMAIL = 'fcm-sender@storybook-push-test.iam.gserviceaccount.com';
const KEY_ID = 'test-key-0001';

/** A key pair of our own: the private half goes into the service account, the public to the stub. */
function keyPair(): { privateKeyPem: string; publicKey: KeyObject } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKey,
  };
}

/** The service-account JSON as the Firebase console hands it out, pointed at the stub. */
function serviceAccountEnv(stub: FcmStub, privateKeyPem: string): Record<string, string> {
  return {
    FCM_SERVICE_ACCOUNT: JSON.stringify({
      type: 'service_account',
      project_id: PROJECT_ID,
      private_key_id: KEY_ID,
      private_key: privateKeyPem,
      client_email: CLIENT_EMAIL,
      client_id: '100000000000000000001',
      auth_uri: 'https://accounts.google.com/o/oauth2/auth',
      token_uri: stub.tokenUri,
    }),
    FCM_API_URL: stub.url,
  };
}

async function startStub(): Promise<{ stub: FcmStub; env: Record<string, string> }> {
  const { privateKeyPem, publicKey } = keyPair();
  const stub = await new FcmStub({
    publicKey,
    clientEmail: CLIENT_EMAIL,
    projectId: PROJECT_ID,
    privateKeyId: KEY_ID,
  }).start();
  return { stub, env: serviceAccountEnv(stub, privateKeyPem) };
}

let tokenSequence = 0;
/** A token shaped like FCM's (`<instance id>:APA91b…`), unique in this run. */
function fcmToken(label: string): string {
  tokenSequence += 1;
  return `${label}${process.pid}x${tokenSequence}:APA91b${'Qx7_-'.repeat(28)}`;
}

async function register(t: TestApp, who: SignedIn, token: string, platform = 'android') {
  await t
    .http()
    .put('/api/v1/users/me/devices')
    .set(who.auth)
    .send({ token, platform, locale: 'ko-KR' })
    .expect(204);
}

async function poll(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Waits until a push job matching `where` has completed (the job ran to its end). */
async function pushJobDone(t: TestApp, where: (data: Record<string, unknown>) => boolean) {
  const queue = t.app.get(JobQueue);
  let found: JobRecord | undefined;
  await poll(async () => {
    const page = await queue.list('completed', 200);
    found = page.items.find(
      (j) => j.name === 'notifications.send-push' && where(j.data as Record<string, unknown>),
    );
    return found !== undefined;
  }, 'the push job to complete');
  return found as JobRecord;
}

/** Waits until every chat-push listener call started so far has decided. */
function trackChatListener(t: TestApp): () => Promise<void> {
  const running: Promise<unknown>[] = [];
  const listener = t.app.get(ChatPushListener);
  const original = listener.onMessageSent.bind(listener);
  jest.spyOn(listener, 'onMessageSent').mockImplementation((e) => {
    const done = original(e);
    running.push(done);
    return done;
  });
  return async () => {
    while (running.length > 0) await Promise.all(running.splice(0));
  };
}

async function comment(t: TestApp, who: SignedIn, storyId: number, content: string) {
  return t
    .http()
    .post(`/api/v1/stories/${storyId}/comments`)
    .set(who.auth)
    .send({ content })
    .expect(201);
}

async function lastNotificationOf(t: TestApp, userId: number): Promise<Notification> {
  return (await t.dataSource
    .getRepository(Notification)
    .findOne({ where: { userId }, order: { id: 'DESC' } })) as Notification;
}

/** HH:mm of `minutes` after midnight, wrapped to the day. */
function hhmm(minutes: number): string {
  const m = ((minutes % 1440) + 1440) % 1440;
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

describe('devices and push notifications (docs/api.md, Push and devices), in-process jobs', () => {
  let t: TestApp;
  let stub: FcmStub;
  const sockets = new SocketPool();
  let settled: () => Promise<void>;

  beforeAll(async () => {
    const started = await startStub();
    stub = started.stub;
    t = await createTestApp(started.env);
    settled = trackChatListener(t);
  });
  afterEach(() => sockets.closeAll());
  afterAll(async () => {
    await t?.close();
    await stub?.stop();
  });

  const devices = () => t.dataSource.getRepository(Device);

  describe('PUT /users/me/devices, DELETE /users/me/devices/:token', () => {
    it('registers a device (204), stores the token with its hash, and moves a token to its new user', async () => {
      const alice = await signIn(t);
      const bob = await signIn(t);
      const token = fcmToken('moving');
      await register(t, alice, token, 'ios');
      let row = await devices().findOneBy({ tokenHash: tokenHash(token) });
      expect(row).toMatchObject({ userId: alice.id, token, platform: 'ios', locale: 'ko-KR' });
      const firstSeen = (row as Device).lastSeenAt.getTime();

      await new Promise((r) => setTimeout(r, 1100)); // whole seconds on some engines
      await t
        .http()
        .put('/api/v1/users/me/devices')
        .set(bob.auth)
        .send({ token, platform: 'android' })
        .expect(204);
      const rows = await devices().findBy({ tokenHash: tokenHash(token) });
      expect(rows).toHaveLength(1);
      row = rows[0];
      expect(row).toMatchObject({ userId: bob.id, platform: 'android', locale: null });
      expect(row.lastSeenAt.getTime()).toBeGreaterThan(firstSeen);
    });

    it('keeps at most 10 devices per user, dropping the least recently seen', async () => {
      const user = await signIn(t);
      const tokens = Array.from({ length: 11 }, (_, i) => fcmToken(`cap${i}`));
      for (const token of tokens.slice(0, 10)) await register(t, user, token);
      // the first one is seen again: now the second is the oldest
      await new Promise((r) => setTimeout(r, 1100));
      await register(t, user, tokens[0]);
      await register(t, user, tokens[10]);
      const mine = await devices().findBy({ userId: user.id });
      expect(mine).toHaveLength(10);
      expect(mine.map((d) => d.token).sort()).toEqual(tokens.filter((_, i) => i !== 1).sort());
    });

    it('refuses bad bodies with 400 VALIDATION_FAILED', async () => {
      const user = await signIn(t);
      const bad = [
        {},
        { token: '', platform: 'android' },
        { token: 'x'.repeat(4097), platform: 'android' },
        { token: fcmToken('bad'), platform: 'windows' },
        { token: fcmToken('bad'), platform: 'ios', locale: 'not a locale!' },
        { token: fcmToken('bad'), platform: 'ios', extra: true },
        { token: 42, platform: 'ios' },
        { token: 'tab\tinside', platform: 'ios' },
      ];
      for (const body of bad) {
        const res = await t.http().put('/api/v1/users/me/devices').set(user.auth).send(body);
        expect([res.status, body]).toEqual([400, body]);
        expectError(res.body, 400, 'VALIDATION_FAILED');
      }
      // the longest token there may be is fine
      await register(t, user, 'y'.repeat(4096));
      await t.http().put('/api/v1/users/me/devices').send({}).expect(401);
    });

    it('DELETE removes only the caller’s own token (204 either way)', async () => {
      const owner = await signIn(t);
      const stranger = await signIn(t);
      const token = fcmToken('del');
      await register(t, owner, token);
      const path = `/api/v1/users/me/devices/${encodeURIComponent(token)}`;
      await t.http().delete(path).set(stranger.auth).expect(204);
      expect(await devices().countBy({ tokenHash: tokenHash(token) })).toBe(1);
      await t.http().delete(path).set(owner.auth).expect(204);
      expect(await devices().countBy({ tokenHash: tokenHash(token) })).toBe(0);
      await t.http().delete(path).set(owner.auth).expect(204);
      await t
        .http()
        .delete(`/api/v1/users/me/devices/${'z'.repeat(4097)}`)
        .set(owner.auth)
        .expect(400);
    });

    it('puts the devices and settings into the data export, and withdrawal removes them', async () => {
      const user = await signIn(t);
      const token = fcmToken('export');
      await register(t, user, token, 'web');
      await t
        .http()
        .patch('/api/v1/users/me/notification-settings')
        .set(user.auth)
        .send({ push: { reviews: false } })
        .expect(200);
      const doc = (await t.http().get('/api/v1/users/me/export').set(user.auth).expect(200))
        .body as Record<string, unknown>;
      expect(doc.devices).toEqual([
        {
          token,
          platform: 'web',
          locale: 'ko-KR',
          createdAt: expect.any(String),
          lastSeenAt: expect.any(String),
        },
      ]);
      expect(doc.notificationSettings).toMatchObject({ push: { reviews: false, chat: true } });
      await t.http().delete('/api/v1/users/me').set(user.auth).expect(204);
      await poll(
        async () => (await devices().countBy({ userId: user.id })) === 0,
        'the devices of the withdrawn user to go',
      );
    });
  });

  describe('GET/PATCH /users/me/notification-settings', () => {
    it('answers the defaults, changes parts, and clears quiet hours with null', async () => {
      const user = await signIn(t);
      const get = () =>
        t.http().get('/api/v1/users/me/notification-settings').set(user.auth).expect(200);
      const patch = (body: object) =>
        t.http().patch('/api/v1/users/me/notification-settings').set(user.auth).send(body);
      const all = { matching: true, chat: true, comments: true, reviews: true, system: true };
      expect((await get()).body).toEqual({ push: all, quietHours: null });

      let res = await patch({ push: { chat: false } }).expect(200);
      expect(res.body).toEqual({ push: { ...all, chat: false }, quietHours: null });
      res = await patch({
        push: { system: false },
        quietHours: { start: '22:30', end: '07:00', timeZone: 'asia/seoul' },
      }).expect(200);
      const quiet = { start: '22:30', end: '07:00', timeZone: 'Asia/Seoul' };
      expect(res.body).toEqual({
        push: { ...all, chat: false, system: false },
        quietHours: quiet,
      });
      // categories left out stay; an empty body changes nothing
      expect((await patch({}).expect(200)).body).toEqual(res.body);
      expect((await get()).body).toEqual(res.body);
      res = await patch({ quietHours: null, push: { chat: true } }).expect(200);
      expect(res.body).toEqual({ push: { ...all, system: false }, quietHours: null });
    });

    it('refuses bad settings with 400 VALIDATION_FAILED', async () => {
      const user = await signIn(t);
      const bad = [
        { push: { chat: 'no' } },
        { push: { chat: null } },
        { push: { sms: true } },
        { push: [] },
        { push: null },
        { quietHours: { start: '22:00', end: '07:00' } },
        { quietHours: { start: '22:00', end: '07:00', timeZone: 'Mars/Olympus' } },
        { quietHours: { start: '22:00', end: '07:00', timeZone: 'EST5EDT' } },
        { quietHours: { start: '24:00', end: '07:00', timeZone: 'Asia/Seoul' } },
        { quietHours: { start: '7:00', end: '08:00', timeZone: 'Asia/Seoul' } },
        { quietHours: { start: '08:00', end: '08:00', timeZone: 'Asia/Seoul' } },
        { quietHours: '22:00-07:00' },
        { quietHours: { start: '22:00', end: '07:00', timeZone: 'Asia/Seoul', days: 5 } },
        { theme: 'dark' },
      ];
      for (const body of bad) {
        const res = await t
          .http()
          .patch('/api/v1/users/me/notification-settings')
          .set(user.auth)
          .send(body);
        expect([res.status, body]).toEqual([400, body]);
        expectError(res.body, 400, 'VALIDATION_FAILED');
      }
    });
  });

  describe('delivery', () => {
    let guide: GuideFixture;
    let guideToken: string;
    let storyId: number;

    beforeAll(async () => {
      guide = await approvedGuide(t, 'push-guide');
      guideToken = fcmToken('guide');
      await register(t, guide, guideToken);
      storyId = (await storyOf(t, guide, { title: '제주 오름 투어' })).id;
    });

    it('pushes a stored notification with its title, body and data (one token exchange, checked by the stub)', async () => {
      const commenter = await signIn(t, { nickname: '댓글러' });
      await comment(t, commenter, storyId, '멋진 여행이네요');
      const n = await lastNotificationOf(t, guide.id);
      expect(n.type).toBe('COMMENT_CREATED');
      const push = await stub.next(guideToken, (p) => p.message.data?.notificationId === `${n.id}`);
      expect(push.message).toEqual({
        token: guideToken,
        notification: { title: n.title, body: n.body },
        data: {
          type: 'COMMENT_CREATED',
          notificationId: String(n.id),
          storyId: String(storyId),
          commentId: String(n.data.commentId),
          title: n.title,
          body: n.body,
        },
        android: { priority: 'high' },
        apns: { headers: { 'apns-priority': '10', 'apns-push-type': 'alert' } },
      });
      expect(n.body).toContain('댓글러');
      expect(n.body).toContain('제주 오름 투어');

      // the access token is cached: another push needs no new exchange
      await comment(t, commenter, storyId, '또 갈래요');
      const second = await lastNotificationOf(t, guide.id);
      await stub.next(guideToken, (p) => p.message.data?.notificationId === `${second.id}`);
      expect(stub.tokenRequests).toEqual([{ granted: true }]);
    });

    it('pushes a chat message to the offline member only, cut to 100 characters, collapsing per room', async () => {
      const traveller = await signIn(t, { nickname: '여행자박' });
      const travellerToken = fcmToken('traveller');
      await register(t, traveller, travellerToken, 'ios');
      const room = await openChatRoom(t, { traveler: traveller, guide });
      // the guide is online (a socket on this instance), the traveller is not
      await sockets.connect(t.baseUrl, guide.accessToken);
      const pushesToGuide = stub.to(guideToken).length;

      const long = '가'.repeat(150);
      const sent = await t
        .http()
        .post(`/api/v1/chat/rooms/${room.roomId}/messages`)
        .set(guide.auth)
        .send({ content: long })
        .expect(201);
      const toGuide = await t
        .http()
        .post(`/api/v1/chat/rooms/${room.roomId}/messages`)
        .set(traveller.auth)
        .send({ content: 'see you at 10' })
        .expect(201);
      await settled();

      const push = await stub.next(travellerToken);
      expect(push.message.notification).toEqual({
        title: 'push-guide',
        body: `${'가'.repeat(99)}…`,
      });
      expect(Array.from(push.message.notification?.body ?? '')).toHaveLength(100);
      expect(push.message.data).toEqual({
        type: 'CHAT_MESSAGE',
        roomId: String(room.roomId),
        messageId: String(sent.body.id),
        senderId: String(guide.id),
        title: 'push-guide',
        body: `${'가'.repeat(99)}…`,
      });
      expect(push.message.android).toMatchObject({
        collapse_key: String(room.roomId),
        notification: { tag: String(room.roomId) },
      });
      expect(push.message.apns?.headers?.['apns-collapse-id']).toBe(String(room.roomId));
      // the connected guide: no job was even queued for the message sent to them
      const jobs = await t.app.get(JobQueue).list('completed', 200);
      const forGuide = [
        ...jobs.items,
        ...(await t.app.get(JobQueue).list('waiting', 200)).items,
        ...(await t.app.get(JobQueue).list('active', 200)).items,
      ].filter((j) => (j.data as { messageId?: number }).messageId === toGuide.body.id);
      expect(forGuide).toEqual([]);
      expect(stub.to(guideToken)).toHaveLength(pushesToGuide);
    });

    it('sends nothing for a category that is off', async () => {
      const traveller = await signIn(t);
      const token = fcmToken('chat-off');
      await register(t, traveller, token);
      await t
        .http()
        .patch('/api/v1/users/me/notification-settings')
        .set(traveller.auth)
        .send({ push: { chat: false } })
        .expect(200);
      const room = await openChatRoom(t, { traveler: traveller, guide });
      const sent = await t
        .http()
        .post(`/api/v1/chat/rooms/${room.roomId}/messages`)
        .set(guide.auth)
        .send({ content: 'are you there?' })
        .expect(201);
      await settled();
      await pushJobDone(t, (d) => d.messageId === sent.body.id);
      expect(stub.to(token)).toEqual([]);
      expect(stub.attempts.filter((a) => a.token === token)).toEqual([]);

      // and back on: the next message arrives
      await t
        .http()
        .patch('/api/v1/users/me/notification-settings')
        .set(traveller.auth)
        .send({ push: { chat: true } })
        .expect(200);
      await t
        .http()
        .post(`/api/v1/chat/rooms/${room.roomId}/messages`)
        .set(guide.auth)
        .send({ content: 'hello again' })
        .expect(201);
      expect((await stub.next(token)).message.notification?.body).toBe('hello again');
    });

    it('sends data only during quiet hours', async () => {
      const owner = await approvedGuide(t, 'quiet-guide');
      const token = fcmToken('quiet');
      await register(t, owner, token, 'ios');
      // Seoul is UTC+9 all year: quiet from an hour ago to an hour from now, local time
      const nowUtc = new Date();
      const seoul = (nowUtc.getUTCHours() + 9) * 60 + nowUtc.getUTCMinutes();
      await t
        .http()
        .patch('/api/v1/users/me/notification-settings')
        .set(owner.auth)
        .send({
          quietHours: { start: hhmm(seoul - 60), end: hhmm(seoul + 60), timeZone: 'Asia/Seoul' },
        })
        .expect(200);
      const story = await storyOf(t, owner);
      await comment(t, await signIn(t), story.id, 'quiet please');
      const n = await lastNotificationOf(t, owner.id);
      const push = await stub.next(token);
      expect(push.message.notification).toBeUndefined();
      expect(push.message.data).toMatchObject({
        type: 'COMMENT_CREATED',
        notificationId: String(n.id),
        title: n.title,
        body: n.body,
      });
      expect(push.message.android).toEqual({ priority: 'normal' });
      expect(push.message.apns).toEqual({
        headers: { 'apns-priority': '5', 'apns-push-type': 'background' },
        payload: { aps: { 'content-available': 1 } },
      });

      // outside them (the next two hours are quiet no more): alerts again
      await t
        .http()
        .patch('/api/v1/users/me/notification-settings')
        .set(owner.auth)
        .send({
          quietHours: {
            start: hhmm(seoul + 120),
            end: hhmm(seoul + 180),
            timeZone: 'Asia/Seoul',
          },
        })
        .expect(200);
      await comment(t, await signIn(t), story.id, 'loud again');
      const loud = await lastNotificationOf(t, owner.id);
      const next = await stub.next(token, (p) => p.message.data?.notificationId === `${loud.id}`);
      expect(next.message.notification).toEqual({ title: loud.title, body: loud.body });
    });

    it('deletes the devices FCM calls dead (404 UNREGISTERED, 400 INVALID_ARGUMENT) and still reaches the others', async () => {
      const owner = await approvedGuide(t, 'dead-guide');
      const dead = fcmToken('unregistered');
      const invalid = fcmToken('invalid');
      const alive = fcmToken('alive');
      for (const token of [dead, invalid, alive]) await register(t, owner, token);
      stub.behave(dead, { kind: 'unregistered' });
      stub.behave(invalid, { kind: 'invalid-argument' });
      const story = await storyOf(t, owner);
      await comment(t, await signIn(t), story.id, 'hello');
      await stub.next(alive);
      await poll(
        async () => (await devices().countBy({ userId: owner.id })) === 1,
        'the dead devices to be deleted',
      );
      expect((await devices().findBy({ userId: owner.id })).map((d) => d.token)).toEqual([alive]);
      expect(stub.attempts.filter((a) => a.token === dead).map((a) => a.status)).toEqual([404]);
      expect(stub.attempts.filter((a) => a.token === invalid).map((a) => a.status)).toEqual([400]);
    });

    it('retries a device that got 503 after its Retry-After, without sending twice to the others', async () => {
      const owner = await approvedGuide(t, 'flaky-guide');
      const flaky = fcmToken('flaky');
      const steady = fcmToken('steady');
      await register(t, owner, flaky);
      await register(t, owner, steady);
      stub.behave(flaky, { kind: 'unavailable', retryAfterSeconds: 2, times: 1 });
      const story = await storyOf(t, owner);
      await comment(t, await signIn(t), story.id, 'try again');
      const n = await lastNotificationOf(t, owner.id);
      const delivered = await stub.next(flaky);
      expect(delivered.message.data?.notificationId).toBe(String(n.id));
      const tries = stub.attempts.filter((a) => a.token === flaky);
      expect(tries.map((a) => a.status)).toEqual([503, 200]);
      // Retry-After (2 s) was longer than the first backoff (1 s), and was honoured
      expect(tries[1].at - tries[0].at).toBeGreaterThanOrEqual(1900);
      const retry = await pushJobDone(t, (d) => d.notificationId === n.id && d.attempt === 2);
      expect(retry.data).toEqual({
        kind: 'notification',
        notificationId: n.id,
        attempt: 2,
        deviceIds: [(await devices().findOneBy({ tokenHash: tokenHash(flaky) }))?.id],
      });
      expect(stub.to(steady)).toHaveLength(1);
      expect(stub.to(flaky)).toHaveLength(1);
    });

    it('lets the action succeed at once while FCM is down, and delivers once it is back', async () => {
      const owner = await approvedGuide(t, 'down-guide');
      const token = fcmToken('down');
      await register(t, owner, token);
      const story = await storyOf(t, owner);
      const commenter = await signIn(t);
      const room = await openChatRoom(t, { traveler: commenter, guide: owner });
      await stub.down();
      try {
        const started = Date.now();
        await comment(t, commenter, story.id, 'anyone?');
        const sent = await t
          .http()
          .post(`/api/v1/chat/rooms/${room.roomId}/messages`)
          .set(commenter.auth)
          .send({ content: 'hello while FCM sleeps' })
          .expect(201);
        expect(Date.now() - started).toBeLessThan(3000);
        await settled();
        const n = await lastNotificationOf(t, owner.id);
        expect(n.type).toBe('COMMENT_CREATED');
        // the first tries failed (connection refused) and are waiting for their retry
        await pushJobDone(t, (d) => d.notificationId === n.id && d.attempt === undefined);
        await pushJobDone(t, (d) => d.messageId === sent.body.id && d.attempt === undefined);
        expect(stub.to(token)).toEqual([]);
      } finally {
        await stub.up();
      }
      const got: ReceivedPush[] = [];
      await poll(() => {
        got.splice(0, got.length, ...stub.to(token));
        return got.length >= 2;
      }, 'both pushes after FCM came back');
      expect(got.map((p) => p.message.data?.type).sort()).toEqual([
        'CHAT_MESSAGE',
        'COMMENT_CREATED',
      ]);
    });
  });
});

describe('push on BullMQ (REDIS_URL), and push off', () => {
  it('delivers a notification and a chat message through the Redis queue, retrying a 503; a member connected to another instance gets no push', async () => {
    const { stub, env } = await startStub();
    const t = await createTestApp({ ...env, REDIS_URL: TEST_REDIS_URL });
    const sockets = new SocketPool();
    let sibling: SiblingApp | null = null;
    try {
      const guide = await approvedGuide(t, 'bull-guide');
      const token = fcmToken('bull');
      await register(t, guide, token);
      stub.behave(token, { kind: 'unavailable', retryAfterSeconds: 1, times: 1 });
      const story = await storyOf(t, guide);
      const traveller = await signIn(t, { nickname: 'bull-traveller' });
      await comment(t, traveller, story.id, 'via redis');
      const n = await lastNotificationOf(t, guide.id);
      const push = await stub.next(token, (p) => p.message.data?.notificationId === `${n.id}`);
      expect(push.message.notification).toEqual({ title: n.title, body: n.body });
      expect(stub.attempts.filter((a) => a.token === token).map((a) => a.status)).toEqual([
        503, 200,
      ]);

      // the guide is connected to another instance: the Redis adapter tells this one
      const settled = trackChatListener(t);
      sibling = await createSiblingApp(t);
      const socket = await sockets.connect(sibling.baseUrl, guide.accessToken);
      const room = await openChatRoom(t, { traveler: traveller, guide });
      const online = await t
        .http()
        .post(`/api/v1/chat/rooms/${room.roomId}/messages`)
        .set(traveller.auth)
        .send({ content: 'you are online elsewhere' })
        .expect(201);
      await settled();
      socket.disconnect();
      await poll(async () => !(await t.app.get(RealtimeService).hasSockets(guide.id)), 'offline');
      await t
        .http()
        .post(`/api/v1/chat/rooms/${room.roomId}/messages`)
        .set(traveller.auth)
        .send({ content: 'through the adapter' })
        .expect(201);
      const chat = await stub.next(token, (p) => p.message.data?.type === 'CHAT_MESSAGE');
      expect(chat.message.notification).toEqual({
        title: 'bull-traveller',
        body: 'through the adapter',
      });
      const queue = t.app.get(JobQueue);
      const all = await Promise.all(
        (['waiting', 'active', 'delayed', 'completed', 'failed'] as const).map((state) =>
          queue.list(state, 200),
        ),
      );
      const messageIds = all
        .flatMap((p) => p.items)
        .map((j) => (j.data as { messageId?: number }).messageId);
      expect(messageIds).not.toContain(online.body.id);
      expect(stub.to(token).filter((p) => p.message.data?.type === 'CHAT_MESSAGE')).toHaveLength(1);
    } finally {
      sockets.closeAll();
      await sibling?.close();
      await t.close();
      await stub.stop();
    }
  });

  it('a service account whose key the token endpoint does not know: refused there, nothing sent, retried', async () => {
    const { stub } = await startStub();
    const stranger = keyPair(); // not the key the stub trusts
    const t = await createTestApp(serviceAccountEnv(stub, stranger.privateKeyPem));
    try {
      const guide = await approvedGuide(t);
      const token = fcmToken('wrong-key');
      await register(t, guide, token);
      const story = await storyOf(t, guide);
      await comment(t, await signIn(t), story.id, 'signed by someone else');
      const n = await lastNotificationOf(t, guide.id);
      await pushJobDone(t, (d) => d.notificationId === n.id && d.attempt === undefined);
      expect(stub.tokenRequests).toEqual([{ granted: false, problem: 'signature' }]);
      expect(stub.attempts).toEqual([]);
      // the device is kept (the token was never the problem) and a retry is waiting
      expect(await t.dataSource.getRepository(Device).countBy({ userId: guide.id })).toBe(1);
      const delayed = await t.app.get(JobQueue).list('delayed', 50);
      const deviceId = (await t.dataSource.getRepository(Device).findOneBy({ userId: guide.id }))
        ?.id;
      expect(delayed.items.map((j) => j.data)).toContainEqual({
        kind: 'notification',
        notificationId: n.id,
        attempt: 2,
        deviceIds: [deviceId],
      });
    } finally {
      await t.close();
      await stub.stop();
    }
  });

  it('without FCM_SERVICE_ACCOUNT: devices can be registered, and nothing is queued', async () => {
    const t = await createTestApp();
    try {
      const guide = await approvedGuide(t);
      await register(t, guide, fcmToken('off'));
      const story = await storyOf(t, guide);
      await comment(t, await signIn(t), story.id, 'no push');
      const queue = t.app.get(JobQueue);
      const all = await Promise.all(
        (['waiting', 'active', 'delayed', 'completed', 'failed'] as const).map((s) =>
          queue.list(s, 200),
        ),
      );
      expect(all.flatMap((p) => p.items).filter((j) => j.queue === 'push')).toEqual([]);
    } finally {
      await t.close();
    }
  });
});
