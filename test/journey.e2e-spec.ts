import type { Socket } from 'socket.io-client';
import { approvedGuide, GuideFixture, storyOf } from './support/fixtures';
import { emitAck, nextEvent, record, SocketPool } from './support/sockets';
import { createTestApp, TestApp } from './support/test-app';
import { signIn, SignedIn } from './support/users';

/**
 * The product's main path, end to end, as two people on two devices each would live it:
 * request → notification → accept → chat in real time → history → unread counts → complete →
 * review → the guide's rating.
 */
describe('journey: from a story to a review', () => {
  let t: TestApp;
  let guide: GuideFixture;
  let traveller: SignedIn;
  let bystander: SignedIn;
  const sockets = new SocketPool();

  beforeAll(async () => {
    t = await createTestApp();
    guide = await approvedGuide(t, 'haenyeo');
    traveller = await signIn(t, { nickname: 'wanderer' });
    bystander = await signIn(t, { nickname: 'bystander' });
  });
  afterAll(async () => {
    sockets.closeAll();
    await t.close();
  });

  it('runs the whole way over REST and Socket.IO', async () => {
    const story = await storyOf(t, guide, { title: 'Diving with the haenyeo' });
    const [guidePhone, guideLaptop, travellerPhone, bystanderPhone] = await Promise.all([
      sockets.connect(t.baseUrl, guide.accessToken),
      sockets.connect(t.baseUrl, guide.accessToken),
      sockets.connect(t.baseUrl, traveller.accessToken),
      sockets.connect(t.baseUrl, bystander.accessToken),
    ]);
    const bystanderSaw = [
      ...record(bystanderPhone, 'message:new'),
      ...record(bystanderPhone, 'typing'),
      ...record(bystanderPhone, 'message:read'),
    ];

    // 1. the traveller asks; the guide hears about it on every device
    const guideNotified = nextEvent<{ type: string; data: { requestId: number } }>(
      guideLaptop,
      'notification:new',
    );
    const day = new Date(Date.now() + 7 * 86400_000).toISOString().slice(0, 10);
    const created = await t
      .http()
      .post('/api/v1/matching-requests')
      .set(traveller.auth)
      .send({
        storyId: story.id,
        desiredDate: day,
        desiredTime: '09:30',
        partySize: 2,
        message: 'Hi!',
      })
      .expect(201);
    const requestId = created.body.id as number;
    expect((await guideNotified).type).toBe('MATCHING_REQUESTED');

    // 2. the guide accepts; the traveller is told, with the room to chat in
    const travellerNotified = nextEvent<{ type: string; data: { chatRoomId: number } }>(
      travellerPhone,
      'notification:new',
    );
    const accepted = await t
      .http()
      .post(`/api/v1/matching-requests/${requestId}/accept`)
      .set(guide.auth)
      .expect(200);
    const roomId = accepted.body.chatRoomId as number;
    expect(roomId).toEqual(expect.any(Number));
    const told = await travellerNotified;
    expect(told).toMatchObject({ type: 'MATCHING_ACCEPTED', data: { chatRoomId: roomId } });
    expect((await t.http().get(`/api/v1/stories/${story.id}`)).body.isMatched).toBe(true);

    // 3. both join; a stranger cannot
    for (const socket of [guidePhone, guideLaptop, travellerPhone]) {
      expect((await emitAck(socket, 'room:join', { roomId })).ok).toBe(true);
    }
    const refused = await emitAck(bystanderPhone, 'room:join', { roomId });
    expect(refused).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });

    // 4. messages both ways arrive once and in order, with acks after storing
    const guideGot = record<{ content: string }>(guideLaptop, 'message:new');
    const travellerGot = record<{ content: string }>(travellerPhone, 'message:new');
    const send = async (socket: Socket, content: string) => {
      const ack = await emitAck(socket, 'message:send', { roomId, content });
      expect(ack.ok).toBe(true);
      return ack.message as { id: number; content: string };
    };
    await send(travellerPhone, 'Hello!');
    await send(guidePhone, 'Welcome, see you at the harbour.');
    await send(travellerPhone, 'What should I bring?');
    const last = await send(guidePhone, 'Just a towel.');
    while (travellerGot.length < 4) await nextEvent(travellerPhone, 'message:new');
    while (guideGot.length < 4) await nextEvent(guideLaptop, 'message:new');
    // everyone in the room gets every message, the sending socket included
    expect(travellerGot.map((m) => m.content)).toEqual([
      'Hello!',
      'Welcome, see you at the harbour.',
      'What should I bring?',
      'Just a towel.',
    ]);
    // the laptop also sees what the guide sent from the phone
    expect(guideGot.map((m) => m.content)).toEqual([
      'Hello!',
      'Welcome, see you at the harbour.',
      'What should I bring?',
      'Just a towel.',
    ]);

    // 5. typing and read receipts reach the other member only
    const typing = nextEvent<{ userId: number; isTyping: boolean }>(travellerPhone, 'typing');
    expect((await emitAck(guidePhone, 'typing', { roomId, isTyping: true })).ok).toBe(true);
    expect(await typing).toMatchObject({ roomId, userId: guide.id, isTyping: true });

    // unread before reading: the traveller has not read the guide's two messages
    const roomsBefore = await t.http().get('/api/v1/chat/rooms').set(traveller.auth).expect(200);
    expect(roomsBefore.body.items[0]).toMatchObject({ id: roomId, unreadCount: 2 });
    const receipt = nextEvent<{ userId: number; messageId: number }>(guidePhone, 'message:read');
    expect((await emitAck(travellerPhone, 'message:read', { roomId, messageId: last.id })).ok).toBe(
      true,
    );
    expect(await receipt).toMatchObject({ roomId, userId: traveller.id, messageId: last.id });
    const roomsAfter = await t.http().get('/api/v1/chat/rooms').set(traveller.auth).expect(200);
    expect(roomsAfter.body.items[0]).toMatchObject({
      id: roomId,
      unreadCount: 0,
      lastMessage: { id: last.id, content: 'Just a towel.' },
      peer: { id: guide.id },
    });
    const guideRooms = await t.http().get('/api/v1/chat/rooms').set(guide.auth).expect(200);
    expect(guideRooms.body.items[0]).toMatchObject({ id: roomId, unreadCount: 2 });

    // 6. history over REST: newest first, paged with a cursor
    const page1 = await t
      .http()
      .get(`/api/v1/chat/rooms/${roomId}/messages?limit=3`)
      .set(guide.auth)
      .expect(200);
    const page2 = await t
      .http()
      .get(`/api/v1/chat/rooms/${roomId}/messages?limit=3&cursor=${page1.body.nextCursor}`)
      .set(guide.auth)
      .expect(200);
    expect(
      [...page1.body.items, ...page2.body.items].map((m: { content: string }) => m.content),
    ).toEqual([
      'Just a towel.',
      'What should I bring?',
      'Welcome, see you at the harbour.',
      'Hello!',
    ]);
    expect(page2.body.nextCursor).toBeNull();
    await t.http().get(`/api/v1/chat/rooms/${roomId}/messages`).set(bystander.auth).expect(404);

    // 7. the trip happens; the traveller reviews; the guide's rating follows
    await t
      .http()
      .post(`/api/v1/matching-requests/${requestId}/complete`)
      .set(guide.auth)
      .expect(200);
    const reviewed = nextEvent<{ type: string }>(guidePhone, 'notification:new');
    await t
      .http()
      .post(`/api/v1/matching-requests/${requestId}/review`)
      .set(traveller.auth)
      .send({ rating: 4, content: 'Unforgettable.' })
      .expect(201);
    expect((await reviewed).type).toBe('REVIEW_CREATED');
    const profile = await t.http().get(`/api/v1/guides/${guide.guideId}`).expect(200);
    expect(profile.body).toMatchObject({
      averageRating: 4,
      reviewCount: 1,
      completedMatchingCount: 1,
    });
    const notes = await t.http().get('/api/v1/notifications').set(guide.auth).expect(200);
    expect(notes.body.items.map((n: { type: string }) => n.type)).toEqual([
      'REVIEW_CREATED',
      'MATCHING_REQUESTED',
    ]);
    const travellerNotes = await t.http().get('/api/v1/notifications').set(traveller.auth);
    expect(travellerNotes.body.items.map((n: { type: string }) => n.type)).toEqual([
      'MATCHING_COMPLETED',
      'MATCHING_ACCEPTED',
    ]);

    // the bystander, connected all along, saw none of it
    expect(bystanderSaw).toEqual([]);
  });
});
