import { EventEmitter2 } from '@nestjs/event-emitter';
import { sign } from 'jsonwebtoken';
import type { Socket } from 'socket.io-client';
import { RealtimeService } from '../src/realtime/realtime.service';
import { User } from '../src/users/entities/user.entity';
import { UserWithdrawnEvent } from '../src/users/users.events';
import {
  ChatRoomFixture,
  closeChatRoom,
  disconnection,
  emitAck,
  nextEvent,
  openChatRoom,
  record,
  SocketPool,
} from './support/sockets';
import { createTestApp, TEST_JWT_SECRET, TestApp } from './support/test-app';
import { signIn } from './support/users';

describe('Chat over Socket.IO (docs/api.md, Chat)', () => {
  let t: TestApp;
  const sockets = new SocketPool();

  beforeAll(async () => {
    t = await createTestApp();
  });

  afterEach(() => sockets.closeAll());

  afterAll(async () => {
    sockets.closeAll();
    await t.close();
  });

  describe('handshake', () => {
    it('refuses a missing token with UNAUTHORIZED', async () => {
      expect((await sockets.refusal(t.baseUrl, undefined)).message).toBe('UNAUTHORIZED');
      expect((await sockets.refusal(t.baseUrl, { token: '' })).message).toBe('UNAUTHORIZED');
      expect((await sockets.refusal(t.baseUrl, { token: 42 })).message).toBe('UNAUTHORIZED');
    });

    it('refuses garbage, a wrong signature and alg none with UNAUTHORIZED', async () => {
      const user = await signIn(t);
      expect((await sockets.refusal(t.baseUrl, { token: 'garbage' })).message).toBe('UNAUTHORIZED');
      const wrongKey = sign(
        { sub: String(user.id) },
        'another-secret-that-is-long-enough-0123456789',
        {
          algorithm: 'HS256',
          expiresIn: 60,
        },
      );
      expect((await sockets.refusal(t.baseUrl, { token: wrongKey })).message).toBe('UNAUTHORIZED');
      const none = sign({ sub: String(user.id) }, '', { algorithm: 'none', expiresIn: 60 });
      expect((await sockets.refusal(t.baseUrl, { token: none })).message).toBe('UNAUTHORIZED');
      const noSubject = sign({ role: 'user' }, TEST_JWT_SECRET, { algorithm: 'HS256' });
      expect((await sockets.refusal(t.baseUrl, { token: noSubject })).message).toBe('UNAUTHORIZED');
    });

    it('refuses an expired token with TOKEN_EXPIRED', async () => {
      const user = await signIn(t);
      const expired = sign(
        { sub: String(user.id), exp: Math.floor(Date.now() / 1000) - 60 },
        TEST_JWT_SECRET,
        { algorithm: 'HS256' },
      );
      expect((await sockets.refusal(t.baseUrl, { token: expired })).message).toBe('TOKEN_EXPIRED');
    });

    it('refuses a suspended user with ACCOUNT_SUSPENDED and a withdrawn one with UNAUTHORIZED', async () => {
      const suspended = await signIn(t);
      await t.dataSource.getRepository(User).update(suspended.id, { status: 'suspended' });
      const refusal = await sockets.refusal(t.baseUrl, { token: suspended.accessToken });
      expect(refusal.message).toBe('ACCOUNT_SUSPENDED');

      const withdrawn = await signIn(t);
      await t.dataSource.getRepository(User).update(withdrawn.id, { status: 'withdrawn' });
      expect((await sockets.refusal(t.baseUrl, { token: withdrawn.accessToken })).message).toBe(
        'UNAUTHORIZED',
      );
    });

    it('connects with a valid token', async () => {
      const user = await signIn(t);
      const socket = await sockets.connect(t.baseUrl, user.accessToken);
      expect(socket.connected).toBe(true);
    });
  });

  describe('two members in a room', () => {
    let room: ChatRoomFixture;
    let traveler: Socket;
    let travelerPhone: Socket;
    let guide: Socket;
    let stranger: Socket;
    let strangerId: number;

    beforeEach(async () => {
      room = await openChatRoom(t);
      const other = await signIn(t);
      strangerId = other.id;
      [traveler, travelerPhone, guide, stranger] = await Promise.all([
        sockets.connect(t.baseUrl, room.traveler.accessToken),
        sockets.connect(t.baseUrl, room.traveler.accessToken),
        sockets.connect(t.baseUrl, room.guide.accessToken),
        sockets.connect(t.baseUrl, other.accessToken),
      ]);
      for (const socket of [traveler, travelerPhone, guide]) {
        const ack = await emitAck(socket, 'room:join', { roomId: room.roomId });
        expect(ack).toEqual({ ok: true, room: expect.objectContaining({ id: room.roomId }) });
      }
    });

    it('answers room:join with the room in the REST shape', async () => {
      const ack = await emitAck(guide, 'room:join', { roomId: room.roomId });
      const rest = await t
        .http()
        .get(`/api/v1/chat/rooms/${room.roomId}`)
        .set(room.guide.auth)
        .expect(200);
      expect(ack).toEqual({ ok: true, room: rest.body });
    });

    it('delivers messages both ways, once and in order, after storing them', async () => {
      const atGuide = record<{ id: number }>(guide, 'message:new');
      const atTraveler = record<{ id: number }>(traveler, 'message:new');
      const atPhone = record<{ id: number }>(travelerPhone, 'message:new');
      const atStranger = record(stranger, 'message:new');

      const acks = [];
      for (let i = 1; i <= 5; i++) {
        acks.push(
          await emitAck(i % 2 ? traveler : guide, 'message:send', {
            roomId: room.roomId,
            content: `hello ${i}`,
            clientMessageId: `m-${i}`,
          }),
        );
      }
      for (const ack of acks) expect(ack).toEqual({ ok: true, message: expect.any(Object) });
      const ids = acks.map((a) => a.message?.id);
      expect(acks[0].message).toEqual({
        id: expect.any(Number),
        roomId: room.roomId,
        senderId: room.traveler.id,
        type: 'text',
        content: 'hello 1',
        clientMessageId: 'm-1',
        createdAt: expect.any(String),
      });

      // barrier: one more message every socket has to receive; once it is in, nothing sent
      // before it is still on its way (a room's messages arrive in order)
      const barrier = await t
        .http()
        .post(`/api/v1/chat/rooms/${room.roomId}/messages`)
        .set(room.traveler.auth)
        .send({ content: 'over REST' })
        .expect(201);
      const reached = async (list: { id: number }[], socket: typeof guide) => {
        while (!list.some((m) => m.id === barrier.body.id)) await nextEvent(socket, 'message:new');
      };
      await Promise.all([
        reached(atGuide, guide),
        reached(atTraveler, traveler),
        reached(atPhone, travelerPhone),
      ]);
      expect(atGuide[atGuide.length - 1]).toEqual(barrier.body);

      const idsOf = (list: { id: number }[]) => list.map((m) => m.id);
      // docs/api.md, Chat: everyone in the room gets message:new, the sending socket included
      expect(idsOf(atGuide)).toEqual([...ids, barrier.body.id]);
      expect(idsOf(atTraveler)).toEqual([...ids, barrier.body.id]);
      // the traveller's second device also gets what the traveller sent from the first
      expect(idsOf(atPhone)).toEqual([...ids, barrier.body.id]);
      expect(atStranger).toEqual([]);

      const history = await t
        .http()
        .get(`/api/v1/chat/rooms/${room.roomId}/messages`)
        .set(room.guide.auth)
        .expect(200);
      expect(history.body.items.map((m: { id: number }) => m.id)).toEqual(
        [...ids, barrier.body.id].reverse(),
      );
    });

    it('answers a retried send with the first message and delivers it once', async () => {
      const atGuide = record(guide, 'message:new');
      const payload = { roomId: room.roomId, content: 'once', clientMessageId: 'retry-1' };
      const [a, b] = await Promise.all([
        emitAck(traveler, 'message:send', payload),
        emitAck(traveler, 'message:send', payload),
      ]);
      expect(a.ok && b.ok).toBe(true);
      expect(a.message?.id).toBe(b.message?.id);
      await emitAck(traveler, 'message:send', { roomId: room.roomId, content: 'next' });
      const contents = () => atGuide.map((m) => (m as { content: string }).content);
      while (!contents().includes('next')) await nextEvent(guide, 'message:new');
      expect(contents()).toEqual(['once', 'next']);
    });

    it('passes typing and message:read to the other member only', async () => {
      const atStranger = record(stranger, 'typing');
      const readAtStranger = record(stranger, 'message:read');
      const typingAtPhone = record(travelerPhone, 'typing');

      const typing = nextEvent(guide, 'typing');
      expect(await emitAck(traveler, 'typing', { roomId: room.roomId, isTyping: true })).toEqual({
        ok: true,
      });
      expect(await typing).toEqual({
        roomId: room.roomId,
        userId: room.traveler.id,
        isTyping: true,
      });

      const sent = await emitAck(traveler, 'message:send', { roomId: room.roomId, content: 'hi' });
      const read = nextEvent(traveler, 'message:read');
      const readAck = await emitAck(guide, 'message:read', {
        roomId: room.roomId,
        messageId: sent.message?.id,
      });
      expect(readAck).toEqual({
        ok: true,
        read: { roomId: room.roomId, lastReadMessageId: sent.message?.id, unreadCount: 0 },
      });
      expect(await read).toEqual({
        roomId: room.roomId,
        userId: room.guide.id,
        messageId: sent.message?.id,
      });

      // barrier: the stranger DOES receive something sent to them after all of the above
      const barrier = nextEvent(stranger, 'notification:new');
      t.app.get(RealtimeService).emitToUser(strangerId, 'notification:new', { id: 1 });
      await barrier;
      expect(atStranger).toEqual([]);
      expect(readAtStranger).toEqual([]);
      // the typist's own other device is not told that they type
      expect(typingAtPhone).toEqual([]);

      // a stranger cannot type into the room
      const strangerTyping = await emitAck(stranger, 'typing', {
        roomId: room.roomId,
        isTyping: true,
      });
      expect(strangerTyping).toEqual({
        ok: false,
        error: expect.objectContaining({ code: 'NOT_FOUND' }),
      });
    });

    it('answers NOT_FOUND to a non-member joining or sending, and stores nothing', async () => {
      const join = await emitAck(stranger, 'room:join', { roomId: room.roomId });
      expect(join).toEqual({
        ok: false,
        error: { code: 'NOT_FOUND', message: expect.any(String) },
      });
      const send = await emitAck(stranger, 'message:send', { roomId: room.roomId, content: 'x' });
      expect(send).toEqual({
        ok: false,
        error: { code: 'NOT_FOUND', message: expect.any(String) },
      });
      const read = await emitAck(stranger, 'message:read', { roomId: room.roomId, messageId: 1 });
      expect(read.error?.code).toBe('NOT_FOUND');
      const history = await t
        .http()
        .get(`/api/v1/chat/rooms/${room.roomId}/messages`)
        .set(room.guide.auth)
        .expect(200);
      expect(history.body.items).toEqual([]);
    });

    it('answers VALIDATION_FAILED to malformed sends and keeps every socket working', async () => {
      const bad: unknown[] = [
        { roomId: room.roomId },
        { roomId: room.roomId, content: 'x'.repeat(2001) },
        { roomId: room.roomId, content: '   ' },
        { roomId: room.roomId, content: 'hi', extra: true },
        { roomId: 'abc', content: 'hi' },
        { roomId: room.roomId, content: 'hi', clientMessageId: 'c'.repeat(65) },
        'not an object',
        42,
        null,
        [room.roomId, 'hi'],
      ];
      for (const payload of bad) {
        const ack = await emitAck(traveler, 'message:send', payload);
        expect(ack).toEqual({
          ok: false,
          error: expect.objectContaining({
            code: 'VALIDATION_FAILED',
            message: expect.any(String),
          }),
        });
      }
      const atGuide = record<{ content: string }>(guide, 'message:new');
      // no payload at all, and an event without an ack callback, crash nothing
      expect((await emitAck(traveler, 'message:send')).error?.code).toBe('VALIDATION_FAILED');
      traveler.emit('message:send', { roomId: 'abc' });
      traveler.emit('message:send', { roomId: room.roomId, content: 'no ack wanted' });
      expect((await emitAck(traveler, 'typing', { roomId: room.roomId })).error?.code).toBe(
        'VALIDATION_FAILED',
      );
      expect((await emitAck(traveler, 'room:join', { roomId: -1 })).error?.code).toBe(
        'VALIDATION_FAILED',
      );

      const fine = nextEvent<{ content: string }>(guide, 'message:new');
      const ok = await emitAck(traveler, 'message:send', { roomId: room.roomId, content: 'fine' });
      expect(ok.ok).toBe(true);
      await fine;
      // the message sent without an ack was stored and delivered too, in the order sent
      expect(atGuide.map((m) => m.content)).toEqual(['no ack wanted', 'fine']);
      expect(traveler.connected && guide.connected && stranger.connected).toBe(true);
      const history = await t
        .http()
        .get(`/api/v1/chat/rooms/${room.roomId}/messages`)
        .set(room.guide.auth)
        .expect(200);
      expect(history.body.items.map((m: { content: string }) => m.content)).toEqual([
        'fine',
        'no ack wanted',
      ]);
    });

    it('pushes messages sent over REST as message:new to every socket in the room', async () => {
      const all = [traveler, travelerPhone, guide].map((s) => nextEvent(s, 'message:new'));
      const res = await t
        .http()
        .post(`/api/v1/chat/rooms/${room.roomId}/messages`)
        .set(room.guide.auth)
        .send({ content: 'from the web' })
        .expect(201);
      for (const event of await Promise.all(all)) expect(event).toEqual(res.body);
    });

    it('stops delivering to a socket after room:leave', async () => {
      expect(await emitAck(travelerPhone, 'room:leave', { roomId: room.roomId })).toEqual({
        ok: true,
      });
      const atPhone = record(travelerPhone, 'message:new');
      const atTraveler = nextEvent(traveler, 'message:new');
      await emitAck(guide, 'message:send', { roomId: room.roomId, content: 'after leave' });
      await atTraveler;
      // barrier for the phone: something sent to its user channel
      const barrier = nextEvent(travelerPhone, 'notification:new');
      t.app.get(RealtimeService).emitToUser(room.traveler.id, 'notification:new', {});
      await barrier;
      expect(atPhone).toEqual([]);
    });

    it('answers CHAT_ROOM_CLOSED to sends in a closed room', async () => {
      await closeChatRoom(t, room);
      const ack = await emitAck(traveler, 'message:send', { roomId: room.roomId, content: 'hi' });
      expect(ack).toEqual({
        ok: false,
        error: { code: 'CHAT_ROOM_CLOSED', message: expect.any(String) },
      });
      expect(traveler.connected).toBe(true);
    });
  });

  it('disconnects a user suspended mid-session, on every device', async () => {
    const room = await openChatRoom(t);
    const [first, second, guide] = await Promise.all([
      sockets.connect(t.baseUrl, room.traveler.accessToken),
      sockets.connect(t.baseUrl, room.traveler.accessToken),
      sockets.connect(t.baseUrl, room.guide.accessToken),
    ]);
    const gone = [disconnection(first), disconnection(second)];
    await t.dataSource.getRepository(User).update(room.traveler.id, { status: 'suspended' });
    await t.app.get(EventEmitter2).emitAsync('user.suspended', { userId: room.traveler.id });
    expect(await Promise.all(gone)).toEqual(['io server disconnect', 'io server disconnect']);
    expect(guide.connected).toBe(true);
    // and cannot come back
    expect((await sockets.refusal(t.baseUrl, { token: room.traveler.accessToken })).message).toBe(
      'ACCOUNT_SUSPENDED',
    );
  });

  it('answers ACCOUNT_SUSPENDED to the next event of a user suspended without the event, and disconnects', async () => {
    const room = await openChatRoom(t);
    const socket = await sockets.connect(t.baseUrl, room.traveler.accessToken);
    const gone = disconnection(socket);
    await t.dataSource.getRepository(User).update(room.traveler.id, { status: 'suspended' });
    const ack = await emitAck(socket, 'message:send', { roomId: room.roomId, content: 'hi' });
    expect(ack).toEqual({
      ok: false,
      error: { code: 'ACCOUNT_SUSPENDED', message: expect.any(String) },
    });
    expect(await gone).toBe('io server disconnect');
  });

  it('disconnects a withdrawn user', async () => {
    const user = await signIn(t);
    const socket = await sockets.connect(t.baseUrl, user.accessToken);
    const gone = disconnection(socket);
    await t.app
      .get(EventEmitter2)
      .emitAsync(UserWithdrawnEvent.NAME, new UserWithdrawnEvent(user.id));
    expect(await gone).toBe('io server disconnect');
  });

  it('RealtimeService.emitToUser reaches all sockets of that user and nobody else', async () => {
    const user = await signIn(t);
    const other = await signIn(t);
    const [a, b, c] = await Promise.all([
      sockets.connect(t.baseUrl, user.accessToken),
      sockets.connect(t.baseUrl, user.accessToken),
      sockets.connect(t.baseUrl, other.accessToken),
    ]);
    const atOther = record(c, 'notification:new');
    const events = [nextEvent(a, 'notification:new'), nextEvent(b, 'notification:new')];
    t.app.get(RealtimeService).emitToUser(user.id, 'notification:new', { id: 7, type: 'X' });
    expect(await Promise.all(events)).toEqual([
      { id: 7, type: 'X' },
      { id: 7, type: 'X' },
    ]);
    const barrier = nextEvent(c, 'notification:new');
    t.app.get(RealtimeService).emitToUser(other.id, 'notification:new', { id: 8 });
    await barrier;
    expect(atOther).toEqual([{ id: 8 }]);
  });

  it('rate-limits socket sends with the chat budget shared with REST', async () => {
    const limited = await createTestApp({
      RATE_LIMIT_ENABLED: 'true',
      RATE_LIMIT_AUTH: '1000/60',
      RATE_LIMIT_WRITE: '1000/60',
      RATE_LIMIT_CHAT: '3/60',
    });
    const pool = new SocketPool();
    try {
      const room = await openChatRoom(limited);
      const socket = await pool.connect(limited.baseUrl, room.traveler.accessToken);
      await limited
        .http()
        .post(`/api/v1/chat/rooms/${room.roomId}/messages`)
        .set(room.traveler.auth)
        .send({ content: 'rest 1' })
        .expect(201);
      for (const content of ['socket 2', 'socket 3']) {
        expect((await emitAck(socket, 'message:send', { roomId: room.roomId, content })).ok).toBe(
          true,
        );
      }
      const over = await emitAck(socket, 'message:send', { roomId: room.roomId, content: '4' });
      expect(over.error?.code).toBe('RATE_LIMITED');
      await limited
        .http()
        .post(`/api/v1/chat/rooms/${room.roomId}/messages`)
        .set(room.traveler.auth)
        .send({ content: 'rest 5' })
        .expect(429);
      // the other member has a budget of their own
      const guideSocket = await pool.connect(limited.baseUrl, room.guide.accessToken);
      expect(
        (await emitAck(guideSocket, 'message:send', { roomId: room.roomId, content: 'g' })).ok,
      ).toBe(true);
      expect(socket.connected).toBe(true);
    } finally {
      pool.closeAll();
      await limited.close();
    }
  });

  it('answers CORS on the long-polling transport like the HTTP API (CORS_ORIGINS)', async () => {
    const withCors = await createTestApp({ CORS_ORIGINS: 'https://app.example' });
    try {
      const allowed = await withCors
        .http()
        .get('/socket.io/?EIO=4&transport=polling')
        .set('Origin', 'https://app.example')
        .expect(200);
      expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example');
      const other = await withCors
        .http()
        .get('/socket.io/?EIO=4&transport=polling')
        .set('Origin', 'https://evil.example')
        .expect(200);
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await withCors.close();
    }
  });
});
