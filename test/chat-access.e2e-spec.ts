import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ChatMessage } from '../src/chat/entities/chat-message.entity';
import { RealtimeService } from '../src/realtime/realtime.service';
import { approvedGuide, GuideFixture, storyOf } from './support/fixtures';
import { dateIn } from './support/domain-fixtures';
import { disconnection, emitAck, openChatRoom, SocketPool } from './support/sockets';
import {
  createSiblingApp,
  createTestApp,
  SiblingApp,
  TEST_REDIS_URL,
  TestApp,
  uniqueRedisPrefix,
} from './support/test-app';
import { waitFor } from './support/server-process';
import { TcpProxy } from './support/tcp-proxy';
import { signIn, SignedIn, uniqueKakaoId } from './support/users';

/** The INSERTs into chat_messages `dataSource` runs while `work` runs. */
async function messageInsertsOf(
  dataSource: DataSource,
  work: () => Promise<unknown>,
): Promise<number> {
  const logger = dataSource.logger;
  const original = logger.logQuery;
  let inserts = 0;
  logger.logQuery = function (query, parameters, runner) {
    if (/^\s*INSERT INTO chat_messages/i.test(query)) inserts++;
    return original.call(this, query, parameters, runner);
  };
  try {
    await work();
  } finally {
    logger.logQuery = original;
  }
  return inserts;
}

/**
 * The facts a chat send is authorized by are kept by each instance (ChatAccess). Whatever
 * changes one is known on every instance when its request is answered: here the change is
 * made through instance A and the next send goes through instance B, whose copy was warm.
 */
describe('Chat authorization facts across instances', () => {
  const adminKakaoId = uniqueKakaoId();
  let a: TestApp;
  let b: SiblingApp;
  let bData: DataSource;
  let admin: SignedIn;
  let guide: GuideFixture;
  const sockets = new SocketPool();

  beforeAll(async () => {
    // a secret of its own: Socket.IO channels of its own on the shared Redis
    a = await createTestApp({
      REDIS_URL: TEST_REDIS_URL,
      JWT_SECRET: randomBytes(32).toString('hex'),
      ADMIN_KAKAO_IDS: adminKakaoId,
    });
    b = await createSiblingApp(a);
    bData = b.app.get(DataSource);
    admin = await signIn(a, { kakaoId: adminKakaoId });
    guide = await approvedGuide(a);
  });

  afterEach(() => sockets.closeAll());

  afterAll(async () => {
    sockets.closeAll();
    await b?.close();
    await a?.close();
  });

  /** A room, the traveller's socket on B in it, and one message sent (B knows the facts). */
  async function warmRoomOnB(room: { roomId: number; traveler: SignedIn }) {
    const socket = await sockets.connect(b.baseUrl, room.traveler.accessToken);
    expect((await emitAck(socket, 'room:join', { roomId: room.roomId })).ok).toBe(true);
    const first = await emitAck(socket, 'message:send', { roomId: room.roomId, content: 'hi' });
    expect(first.ok).toBe(true);
    return socket;
  }

  const send = (socket: Parameters<typeof emitAck>[0], roomId: number, content: string) =>
    emitAck(socket, 'message:send', { roomId, content });

  it('a block made on A refuses the next send on B at once, without trying to store it', async () => {
    const room = await openChatRoom(a, { guide });
    const socket = await warmRoomOnB(room);
    await a.http().put(`/api/v1/users/${room.traveler.id}/block`).set(guide.auth).expect(204);
    let ack: Awaited<ReturnType<typeof send>> | undefined;
    const inserts = await messageInsertsOf(bData, async () => {
      ack = await send(socket, room.roomId, 'after the block');
    });
    expect(ack?.ok).toBe(false);
    expect(ack?.error?.code).toBe('USER_BLOCKED');
    // B's copy was dropped before A answered: the refusal came from the fact, not the store
    expect(inserts).toBe(0);
  });

  it('an unblock made on A lets the next send on B through', async () => {
    const room = await openChatRoom(a, { guide });
    const socket = await warmRoomOnB(room);
    await a.http().put(`/api/v1/users/${room.traveler.id}/block`).set(guide.auth).expect(204);
    // B now knows the block
    expect((await send(socket, room.roomId, 'blocked')).error?.code).toBe('USER_BLOCKED');
    await a.http().delete(`/api/v1/users/${room.traveler.id}/block`).set(guide.auth).expect(204);
    const ack = await send(socket, room.roomId, 'after the unblock');
    expect(ack.ok).toBe(true);
  });

  it('a cancellation on A closes the room for the next send on B, without trying to store it', async () => {
    const traveler = await signIn(a);
    const story = await storyOf(a, guide);
    const created = await a
      .http()
      .post('/api/v1/matching-requests')
      .set(traveler.auth)
      .send({ storyId: story.id, desiredDate: dateIn(7) })
      .expect(201);
    const requestId = (created.body as { id: number }).id;
    const accepted = await a
      .http()
      .post(`/api/v1/matching-requests/${requestId}/accept`)
      .set(guide.auth)
      .send({})
      .expect(200);
    const roomId = (accepted.body as { chatRoomId: number }).chatRoomId;
    const socket = await warmRoomOnB({ roomId, traveler });
    await a
      .http()
      .post(`/api/v1/matching-requests/${requestId}/cancel`)
      .set(traveler.auth)
      .send({})
      .expect(200);
    let ack: Awaited<ReturnType<typeof send>> | undefined;
    const inserts = await messageInsertsOf(bData, async () => {
      ack = await send(socket, roomId, 'after the cancellation');
    });
    expect(ack?.error?.code).toBe('CHAT_ROOM_CLOSED');
    expect(inserts).toBe(0);
  });

  it('a suspension on A has closed the user’s sockets on B when A answers', async () => {
    const room = await openChatRoom(a, { guide });
    const socket = await warmRoomOnB(room);
    const dropped = disconnection(socket);
    await a
      .http()
      .post(`/api/v1/admin/users/${room.traveler.id}/suspend`)
      .set(admin.auth)
      .send({ reason: 'spam' })
      .expect(200);
    // asked of B right after A answered: nothing of the user is connected any more
    expect(await b.app.get(RealtimeService).hasSockets(room.traveler.id)).toBe(false);
    expect(await dropped).toBe('io server disconnect');
    // and a new socket to B is refused
    expect((await sockets.refusal(b.baseUrl, { token: room.traveler.accessToken })).message).toBe(
      'ACCOUNT_SUSPENDED',
    );
    expect(
      await a.dataSource
        .getRepository(ChatMessage)
        .countBy({ roomId: room.roomId, senderId: room.traveler.id }),
    ).toBe(1);
  });

  it('a withdrawal on A has closed the user’s sockets on B when A answers', async () => {
    const room = await openChatRoom(a, { guide });
    const socket = await warmRoomOnB(room);
    const dropped = disconnection(socket);
    await a.http().delete('/api/v1/users/me').set(room.traveler.auth).expect(204);
    expect(await b.app.get(RealtimeService).hasSockets(room.traveler.id)).toBe(false);
    expect(await dropped).toBe('io server disconnect');
  });

  it('another deployment on the same Redis with the same secret (another REDIS_KEY_PREFIX) is not one of the instances', async () => {
    const other = await createSiblingApp(a, { REDIS_KEY_PREFIX: uniqueRedisPrefix() });
    try {
      const user = await signIn(a);
      const presence = a.app.get(RealtimeService);
      await sockets.connect(other.baseUrl, user.accessToken);
      expect(await presence.hasSockets(user.id)).toBe(false);
      await sockets.connect(b.baseUrl, user.accessToken);
      expect(await presence.hasSockets(user.id)).toBe(true);
    } finally {
      sockets.closeAll();
      await other.close();
    }
  });

  describe('an instance cut off from Redis (its link behind a proxy)', () => {
    let proxy: TcpProxy;
    let c: SiblingApp;

    beforeAll(async () => {
      const redis = new URL(TEST_REDIS_URL);
      proxy = await new TcpProxy({
        host: redis.hostname,
        port: Number(redis.port || 6379),
      }).start();
      c = await createSiblingApp(a, { REDIS_URL: `redis://${proxy.host}:${proxy.port}` });
    });

    afterEach(async () => {
      proxy.setMode('pass');
      await waitFor(async () => c.app.get(RealtimeService).hearsNotices(), 'C back on Redis');
    });

    afterAll(async () => {
      proxy?.setMode('pass');
      await c?.close();
      await proxy?.stop();
    });

    const cutOff = async () => {
      proxy.setMode('close');
      await waitFor(async () => !c.app.get(RealtimeService).hearsNotices(), 'C off Redis');
    };

    it('trusts nothing it keeps meanwhile: a suspension made on A refuses the next send on C', async () => {
      const room = await openChatRoom(a, { guide });
      const socket = await sockets.connect(c.baseUrl, room.traveler.accessToken);
      expect((await emitAck(socket, 'room:join', { roomId: room.roomId })).ok).toBe(true);
      expect((await send(socket, room.roomId, 'known on C')).ok).toBe(true);
      await cutOff();
      // A cannot reach C: its notice is lost, and C's socket stays open
      await a
        .http()
        .post(`/api/v1/admin/users/${room.traveler.id}/suspend`)
        .set(admin.auth)
        .send({ reason: 'spam' })
        .expect(200);
      const dropped = disconnection(socket);
      const ack = await send(socket, room.roomId, 'after the suspension');
      expect(ack.ok).toBe(false);
      expect(ack.error?.code).toBe('ACCOUNT_SUSPENDED');
      expect(await dropped).toBe('io server disconnect');
      expect(
        await a.dataSource
          .getRepository(ChatMessage)
          .countBy({ roomId: room.roomId, senderId: room.traveler.id }),
      ).toBe(1);
    });

    it('forgets what it kept when it is back: a block made on A while C was away counts on C', async () => {
      const room = await openChatRoom(a, { guide });
      const socket = await sockets.connect(c.baseUrl, room.traveler.accessToken);
      expect((await emitAck(socket, 'room:join', { roomId: room.roomId })).ok).toBe(true);
      expect((await send(socket, room.roomId, 'known on C')).ok).toBe(true);
      await cutOff();
      await a.http().put(`/api/v1/users/${room.traveler.id}/block`).set(guide.auth).expect(204);
      proxy.setMode('pass');
      await waitFor(async () => c.app.get(RealtimeService).hearsNotices(), 'C back on Redis');
      let ack: Awaited<ReturnType<typeof send>> | undefined;
      const inserts = await messageInsertsOf(c.app.get(DataSource), async () => {
        ack = await send(socket, room.roomId, 'after the block');
      });
      expect(ack?.error?.code).toBe('USER_BLOCKED');
      expect(inserts).toBe(0); // refused from what C read afresh, not by the store
    });

    it('answers a change made on the cut-off instance without waiting for the others', async () => {
      const room = await openChatRoom(a, { guide });
      await cutOff();
      const started = Date.now();
      await c.http().put(`/api/v1/users/${room.traveler.id}/block`).set(guide.auth).expect(204);
      // the notice is not sent while Redis is away (it used to wait 5 s for answers)
      expect(Date.now() - started).toBeLessThan(2500);
    });
  });
});
