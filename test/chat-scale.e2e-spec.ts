import type { NestExpressApplication } from '@nestjs/platform-express';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { RealtimeService } from '../src/realtime/realtime.service';
import { createApp } from '../src/app.setup';
import { loadConfig } from '../src/config/app-config';
import {
  ChatRoomFixture,
  disconnection,
  emitAck,
  nextEvent,
  openChatRoom,
  SocketPool,
} from './support/sockets';
import { createTestApp, TestApp } from './support/test-app';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * Two instances of the app on one database and one Redis (docs/api.md, Operations: several instances): what one
 * instance emits reaches sockets connected to the other. A random JWT secret per run also
 * gives the run Socket.IO channels of its own on the shared Redis.
 */
describe('Chat across two instances (Redis adapter)', () => {
  const secret = randomBytes(32).toString('hex');
  let a: TestApp;
  let b: NestExpressApplication;
  let baseUrlB: string;
  const sockets = new SocketPool();

  beforeAll(async () => {
    a = await createTestApp({ REDIS_URL, JWT_SECRET: secret });
    const db = a.config.database;
    // instance B: the same configuration (database, Kakao stub, secret, Redis) as A
    const config = loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      JWT_SECRET: secret,
      AUTH_DEV_LOGIN: 'true',
      RATE_LIMIT_ENABLED: 'false',
      KAKAO_CLIENT_ID: a.kakao.clientId,
      KAKAO_API_URL: a.kakao.url,
      KAKAO_AUTH_URL: a.kakao.url,
      KAKAO_TIMEOUT_MS: '1000',
      UPLOAD_DIR: a.uploadDir,
      REDIS_URL,
      // A's job queues: B runs jobs too, and must never take another suite's
      REDIS_KEY_PREFIX: a.config.redisKeyPrefix,
      ...(db.type === 'sqlite'
        ? { SQLITE_PATH: db.path }
        : {
            DATABASE_URL: db.flavor === 'mariadb' ? db.url.replace(/^mysql:/, 'mariadb:') : db.url,
          }),
    });
    b = await createApp(config);
    await b.listen(0, '127.0.0.1');
    baseUrlB = `http://127.0.0.1:${(b.getHttpServer().address() as AddressInfo).port}`;
  });

  afterEach(() => sockets.closeAll());

  afterAll(async () => {
    sockets.closeAll();
    await b?.close();
    await a?.close();
  });

  let room: ChatRoomFixture;
  beforeEach(async () => {
    room = await openChatRoom(a);
  });

  it('delivers a message sent through instance B to a member connected to instance A', async () => {
    const [onA, onB] = await Promise.all([
      sockets.connect(a.baseUrl, room.guide.accessToken),
      sockets.connect(baseUrlB, room.traveler.accessToken),
    ]);
    expect((await emitAck(onA, 'room:join', { roomId: room.roomId })).ok).toBe(true);
    expect((await emitAck(onB, 'room:join', { roomId: room.roomId })).ok).toBe(true);

    const arrived = nextEvent(onA, 'message:new');
    const ack = await emitAck(onB, 'message:send', { roomId: room.roomId, content: 'from B' });
    expect(ack.ok).toBe(true);
    expect(await arrived).toEqual(ack.message);

    // and back, with typing too
    const back = nextEvent(onB, 'message:new');
    const typing = nextEvent(onB, 'typing');
    await emitAck(onA, 'typing', { roomId: room.roomId, isTyping: true });
    expect(await typing).toEqual({ roomId: room.roomId, userId: room.guide.id, isTyping: true });
    const reply = await emitAck(onA, 'message:send', { roomId: room.roomId, content: 'from A' });
    expect(await back).toEqual(reply.message);
  });

  it('delivers a REST message posted to instance B to a socket on instance A', async () => {
    const onA = await sockets.connect(a.baseUrl, room.guide.accessToken);
    await emitAck(onA, 'room:join', { roomId: room.roomId });
    const arrived = nextEvent(onA, 'message:new');
    const res = await request(b.getHttpServer())
      .post(`/api/v1/chat/rooms/${room.roomId}/messages`)
      .set(room.traveler.auth)
      .send({ content: 'via REST on B' })
      .expect(201);
    expect(await arrived).toEqual(res.body);
  });

  it('emitToUser on instance A reaches the user’s sockets on both instances', async () => {
    const [onA, onB] = await Promise.all([
      sockets.connect(a.baseUrl, room.traveler.accessToken),
      sockets.connect(baseUrlB, room.traveler.accessToken),
    ]);
    const events = [nextEvent(onA, 'notification:new'), nextEvent(onB, 'notification:new')];
    a.app.get(RealtimeService).emitToUser(room.traveler.id, 'notification:new', { id: 1 });
    expect(await Promise.all(events)).toEqual([{ id: 1 }, { id: 1 }]);
  });

  it('disconnectUser on instance A closes the user’s socket on instance B', async () => {
    const [onB, guideOnB] = await Promise.all([
      sockets.connect(baseUrlB, room.traveler.accessToken),
      sockets.connect(baseUrlB, room.guide.accessToken),
    ]);
    const gone = disconnection(onB);
    await a.app.get(RealtimeService).disconnectUser(room.traveler.id);
    expect(await gone).toBe('io server disconnect');
    // the other user stays connected: they still get what is sent to them
    const ping = nextEvent(guideOnB, 'notification:new');
    a.app.get(RealtimeService).emitToUser(room.guide.id, 'notification:new', { id: 2 });
    expect(await ping).toEqual({ id: 2 });
  });
});
