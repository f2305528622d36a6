import { ChatMessage } from '../src/chat/entities/chat-message.entity';
import { closeChatRoom, ChatRoomFixture, openChatRoom } from './support/sockets';
import { createTestApp, TestApp } from './support/test-app';
import { expectError, signIn, SignedIn } from './support/users';

describe('Chat over REST (docs/api.md, Chat)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  const rooms = '/api/v1/chat/rooms';

  function send(user: SignedIn, roomId: number, body: Record<string, unknown>) {
    return t.http().post(`${rooms}/${roomId}/messages`).set(user.auth).send(body);
  }

  describe('a room between a traveller and a guide', () => {
    let room: ChatRoomFixture;

    beforeAll(async () => {
      room = await openChatRoom(t);
    });

    it('shows both members the room with the other as peer, no message and nothing unread', async () => {
      const asTraveler = await t
        .http()
        .get(`${rooms}/${room.roomId}`)
        .set(room.traveler.auth)
        .expect(200);
      expect(asTraveler.body).toEqual({
        id: room.roomId,
        matchingRequestId: room.matchingRequestId,
        story: { id: room.storyId, title: room.storyTitle, thumbnailUrl: null },
        peer: { id: room.guide.id, nickname: expect.any(String), profileImageUrl: null },
        lastMessage: null,
        unreadCount: 0,
        closed: false,
        updatedAt: expect.any(String),
      });
      const asGuide = await t
        .http()
        .get(`${rooms}/${room.roomId}`)
        .set(room.guide.auth)
        .expect(200);
      expect(asGuide.body.peer.id).toBe(room.traveler.id);
    });

    it('stores messages, lists them newest first with a cursor to older ones', async () => {
      const sent: number[] = [];
      for (let i = 1; i <= 5; i++) {
        const sender = i % 2 === 1 ? room.traveler : room.guide;
        const res = await send(sender, room.roomId, { content: `  message ${i}  ` }).expect(201);
        expect(res.body).toEqual({
          id: expect.any(Number),
          roomId: room.roomId,
          senderId: sender.id,
          type: 'text',
          content: `message ${i}`,
          clientMessageId: null,
          createdAt: expect.any(String),
        });
        sent.push(res.body.id);
      }
      const first = await t
        .http()
        .get(`${rooms}/${room.roomId}/messages?limit=2`)
        .set(room.guide.auth)
        .expect(200);
      expect(first.body.items.map((m: { id: number }) => m.id)).toEqual([sent[4], sent[3]]);
      expect(first.body.nextCursor).toEqual(expect.any(String));

      // a message arriving meanwhile does not shift the older pages
      await send(room.guide, room.roomId, { content: 'late' }).expect(201);
      const second = await t
        .http()
        .get(`${rooms}/${room.roomId}/messages?limit=2&cursor=${first.body.nextCursor}`)
        .set(room.guide.auth)
        .expect(200);
      expect(second.body.items.map((m: { id: number }) => m.id)).toEqual([sent[2], sent[1]]);
      const third = await t
        .http()
        .get(`${rooms}/${room.roomId}/messages?limit=2&cursor=${second.body.nextCursor}`)
        .set(room.guide.auth)
        .expect(200);
      expect(third.body.items.map((m: { id: number }) => m.id)).toEqual([sent[0]]);
      expect(third.body.nextCursor).toBeNull();
    });

    it('counts unread messages from the peer for each member, and the read position never moves back', async () => {
      const fresh = await openChatRoom(t);
      const ids: number[] = [];
      for (const content of ['t1', 't2', 't3']) {
        ids.push((await send(fresh.traveler, fresh.roomId, { content }).expect(201)).body.id);
      }
      const g1 = (await send(fresh.guide, fresh.roomId, { content: 'g1' }).expect(201)).body.id;

      const unread = async (user: SignedIn) =>
        (await t.http().get(`${rooms}/${fresh.roomId}`).set(user.auth).expect(200)).body
          .unreadCount;
      expect(await unread(fresh.guide)).toBe(3);
      expect(await unread(fresh.traveler)).toBe(1);

      const read = await t
        .http()
        .post(`${rooms}/${fresh.roomId}/read`)
        .set(fresh.guide.auth)
        .send({ messageId: ids[1] })
        .expect(200);
      expect(read.body).toEqual({
        roomId: fresh.roomId,
        lastReadMessageId: ids[1],
        unreadCount: 1,
      });
      expect(await unread(fresh.guide)).toBe(1);

      // an older id does not move it back
      const back = await t
        .http()
        .post(`${rooms}/${fresh.roomId}/read`)
        .set(fresh.guide.auth)
        .send({ messageId: ids[0] })
        .expect(200);
      expect(back.body).toEqual({
        roomId: fresh.roomId,
        lastReadMessageId: ids[1],
        unreadCount: 1,
      });

      // reading up to the newest message (the guide's own) clears the guide's count
      await t
        .http()
        .post(`${rooms}/${fresh.roomId}/read`)
        .set(fresh.guide.auth)
        .send({ messageId: g1 })
        .expect(200);
      expect(await unread(fresh.guide)).toBe(0);
      expect(await unread(fresh.traveler)).toBe(1);

      // a message id of another room is not found
      await t
        .http()
        .post(`${rooms}/${fresh.roomId}/read`)
        .set(fresh.guide.auth)
        .send({ messageId: 999999 })
        .expect(404);
    });

    it('lists my rooms, most recent activity first, with last message and unread count', async () => {
      const traveler = await signIn(t);
      const a = await openChatRoom(t, { traveler });
      const b = await openChatRoom(t, { traveler });
      const c = await openChatRoom(t, { traveler });
      await send(a.guide, a.roomId, { content: 'hello from a' }).expect(201);
      await send(c.guide, c.roomId, { content: 'hello from c' }).expect(201);
      const lastA = await send(a.guide, a.roomId, { content: 'again from a' }).expect(201);

      const page1 = await t.http().get(`${rooms}?limit=2`).set(traveler.auth).expect(200);
      expect(page1.body.items.map((r: { id: number }) => r.id)).toEqual([a.roomId, c.roomId]);
      expect(page1.body.items[0]).toEqual(
        expect.objectContaining({
          lastMessage: expect.objectContaining({ id: lastA.body.id, content: 'again from a' }),
          unreadCount: 2,
          peer: expect.objectContaining({ id: a.guide.id }),
          story: expect.objectContaining({ id: a.storyId, title: a.storyTitle }),
          closed: false,
        }),
      );
      expect(page1.body.items[1].unreadCount).toBe(1);
      const page2 = await t
        .http()
        .get(`${rooms}?limit=2&cursor=${page1.body.nextCursor}`)
        .set(traveler.auth)
        .expect(200);
      expect(page2.body.items.map((r: { id: number }) => r.id)).toEqual([b.roomId]);
      expect(page2.body.items[0].lastMessage).toBeNull();
      expect(page2.body.nextCursor).toBeNull();

      await t.http().get(`${rooms}?cursor=garbage`).set(traveler.auth).expect(400);
    });
  });

  describe('clientMessageId makes retries safe', () => {
    it('answers the first message with 200 on a sequential retry and stores one row', async () => {
      const room = await openChatRoom(t);
      const first = await send(room.traveler, room.roomId, {
        content: 'once',
        clientMessageId: 'c-1',
      }).expect(201);
      const retry = await send(room.traveler, room.roomId, {
        content: 'once',
        clientMessageId: 'c-1',
      }).expect(200);
      expect(retry.body).toEqual(first.body);
      // the same client id from the other member is another message
      await send(room.guide, room.roomId, { content: 'mine', clientMessageId: 'c-1' }).expect(201);
      const rows = await t.dataSource
        .getRepository(ChatMessage)
        .countBy({ roomId: room.roomId, clientMessageId: 'c-1' });
      expect(rows).toBe(2);
    });

    it('stores one row when 10 retries race', async () => {
      const room = await openChatRoom(t);
      const results = await Promise.all(
        Array.from({ length: 10 }, () =>
          send(room.traveler, room.roomId, { content: 'racing', clientMessageId: 'race-1' }),
        ),
      );
      const statuses = results.map((r) => r.status).sort();
      expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
      expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
      const rows = await t.dataSource
        .getRepository(ChatMessage)
        .countBy({ roomId: room.roomId, senderId: room.traveler.id });
      expect(rows).toBe(1);
    });
  });

  it('refuses messages in a closed room with 403 CHAT_ROOM_CLOSED, but keeps history readable', async () => {
    const room = await openChatRoom(t);
    const before = await send(room.traveler, room.roomId, { content: 'before' }).expect(201);
    await closeChatRoom(t, room);
    // closing twice is a no-op, and so is closing a request without a room
    await closeChatRoom(t, room);
    await closeChatRoom(t, { ...room, matchingRequestId: 987654321 });
    const res = await send(room.guide, room.roomId, { content: 'after' }).expect(403);
    expectError(res.body, 403, 'CHAT_ROOM_CLOSED');
    const detail = await t.http().get(`${rooms}/${room.roomId}`).set(room.guide.auth).expect(200);
    expect(detail.body.closed).toBe(true);
    const history = await t
      .http()
      .get(`${rooms}/${room.roomId}/messages`)
      .set(room.guide.auth)
      .expect(200);
    expect(history.body.items.map((m: { id: number }) => m.id)).toEqual([before.body.id]);
    await t
      .http()
      .post(`${rooms}/${room.roomId}/read`)
      .set(room.guide.auth)
      .send({ messageId: before.body.id })
      .expect(200);
  });

  it('opening the room of one request twice gives the same room', async () => {
    const room = await openChatRoom(t);
    const { runInTransaction } = await import('../src/database/transaction');
    const { ChatService } = await import('../src/chat/chat.service');
    const again = await runInTransaction(t.dataSource, (manager) =>
      t.app.get(ChatService).openRoomForRequest(manager, {
        matchingRequestId: room.matchingRequestId,
        storyId: room.storyId,
        travelerId: room.traveler.id,
        guideUserId: room.guide.id,
      }),
    );
    expect(again).toBe(room.roomId);
  });

  it('answers 404 to a third user on the room, its history, sending and reading', async () => {
    const room = await openChatRoom(t);
    const msg = await send(room.traveler, room.roomId, { content: 'private' }).expect(201);
    const stranger = await signIn(t);
    expectError(
      (await t.http().get(`${rooms}/${room.roomId}`).set(stranger.auth).expect(404)).body,
      404,
      'NOT_FOUND',
    );
    await t.http().get(`${rooms}/${room.roomId}/messages`).set(stranger.auth).expect(404);
    await send(stranger, room.roomId, { content: 'let me in' }).expect(404);
    await t
      .http()
      .post(`${rooms}/${room.roomId}/read`)
      .set(stranger.auth)
      .send({ messageId: msg.body.id })
      .expect(404);
    const mine = await t.http().get(rooms).set(stranger.auth).expect(200);
    expect(mine.body).toEqual({ items: [], nextCursor: null });
    // unknown rooms look the same
    await t.http().get(`${rooms}/99999`).set(stranger.auth).expect(404);
    expect(await t.dataSource.getRepository(ChatMessage).countBy({ roomId: room.roomId })).toBe(1);
  });

  it('needs a token', async () => {
    const res = await t.http().get(rooms).expect(401);
    expectError(res.body, 401, 'UNAUTHORIZED');
  });

  it.each([
    ['no content', {}],
    ['empty content', { content: '' }],
    ['only spaces', { content: '    ' }],
    ['2001 characters', { content: 'x'.repeat(2001) }],
    ['content not a string', { content: 12 }],
    ['clientMessageId of 65 characters', { content: 'hi', clientMessageId: 'c'.repeat(65) }],
    ['an unknown field', { content: 'hi', roomId: 3 }],
  ])('answers 400 VALIDATION_FAILED to a message with %s', async (_name, body) => {
    const room = await openChatRoom(t);
    const res = await send(room.traveler, room.roomId, body).expect(400);
    expectError(res.body, 400, 'VALIDATION_FAILED');
    expect(await t.dataSource.getRepository(ChatMessage).countBy({ roomId: room.roomId })).toBe(0);
  });

  it('accepts exactly 2000 characters and a 64-character clientMessageId', async () => {
    const room = await openChatRoom(t);
    await send(room.traveler, room.roomId, {
      content: 'x'.repeat(2000),
      clientMessageId: 'c'.repeat(64),
    }).expect(201);
  });

  it('answers 400 to bad read bodies and bad ids', async () => {
    const room = await openChatRoom(t);
    for (const body of [{}, { messageId: 'abc' }, { messageId: 0 }, { messageId: 1, x: 1 }]) {
      await t
        .http()
        .post(`${rooms}/${room.roomId}/read`)
        .set(room.traveler.auth)
        .send(body)
        .expect(400);
    }
    await t.http().get(`${rooms}/abc`).set(room.traveler.auth).expect(400);
    await t
      .http()
      .get(`${rooms}/${room.roomId}/messages?limit=51`)
      .set(room.traveler.auth)
      .expect(400);
  });
});
