import { DataSource, In } from 'typeorm';
import { ChatService } from '../src/chat/chat.service';
import { ChatMessage } from '../src/chat/entities/chat-message.entity';
import { ChatRoom } from '../src/chat/entities/chat-room.entity';
import type { AuthUser } from '../src/common/decorators/current-user.decorator';
import type { Socket } from 'socket.io-client';
import {
  ChatRoomFixture,
  emitAck,
  EVENT_TIMEOUT_MS,
  openChatRoom,
  SocketPool,
} from './support/sockets';
import { createTestApp, TestApp } from './support/test-app';

/** Every statement the data source runs while `work` runs (TypeORM's logger sees them all). */
async function statementsOf<T>(
  dataSource: DataSource,
  work: () => Promise<T>,
): Promise<{ result: T; statements: string[] }> {
  const logger = dataSource.logger;
  const original = logger.logQuery;
  const statements: string[] = [];
  logger.logQuery = function (query, parameters, runner) {
    statements.push(query);
    return original.call(this, query, parameters, runner);
  };
  try {
    return { result: await work(), statements };
  } finally {
    logger.logQuery = original;
  }
}

/** The first `message:new` on `socket` sent by `senderId`. */
function messageFrom(socket: Socket, senderId: number): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off('message:new', listener);
      reject(new Error(`no message from ${senderId} within ${EVENT_TIMEOUT_MS} ms`));
    }, EVENT_TIMEOUT_MS);
    const listener = (message: Record<string, unknown>) => {
      if (message.senderId !== senderId) return;
      clearTimeout(timer);
      socket.off('message:new', listener);
      resolve(message);
    };
    socket.on('message:new', listener);
  });
}

const isBegin = (sql: string) => /^(START TRANSACTION|BEGIN)/i.test(sql.trim());
const isCommit = (sql: string) => /^COMMIT/i.test(sql.trim());

/**
 * Group commit of chat messages (ChatMessageWriter): sends that arrive together are stored
 * in one transaction, each answered with its stored row; retries and failures inside a
 * batch answer exactly the senders concerned.
 */
describe('Chat group commit', () => {
  let t: TestApp;
  let chat: ChatService;
  let rooms: ChatRoomFixture[];
  const sockets = new SocketPool();
  const as = (u: { id: number }): AuthUser => ({ id: u.id, role: 'user', status: 'active' });
  /** Every member of every room, each with its room. */
  const senders = () =>
    rooms.flatMap((room) => [
      { room, user: room.traveler },
      { room, user: room.guide },
    ]);
  const stored = (clientMessageIds: string[]) =>
    t.dataSource
      .getRepository(ChatMessage)
      .find({ where: { clientMessageId: In(clientMessageIds) }, order: { id: 'ASC' } });

  beforeAll(async () => {
    t = await createTestApp();
    chat = t.app.get(ChatService);
    rooms = [];
    for (let i = 0; i < 4; i++) rooms.push(await openChatRoom(t));
    // the facts a send is authorized by are known after a first message of each
    for (const s of senders()) await chat.sendMessage(as(s.user), s.room.roomId, { content: 'hi' });
    // and once together (what the writer asks the database once, it has asked)
    await Promise.all(
      senders().map((s) => chat.sendMessage(as(s.user), s.room.roomId, { content: 'hi again' })),
    );
  });

  afterEach(() => sockets.closeAll());

  afterAll(async () => {
    sockets.closeAll();
    await t.close();
  });

  it('stores sends made at once in one transaction, at most 2 statements each, nothing read', async () => {
    const all = senders();
    const { result: sent, statements } = await statementsOf(t.dataSource, () =>
      Promise.all(
        all.map((s, i) =>
          chat.sendMessage(as(s.user), s.room.roomId, {
            content: `together ${i}`,
            clientMessageId: `together-${i}-${process.pid}`,
          }),
        ),
      ),
    );
    expect(statements.filter(isBegin)).toHaveLength(1);
    expect(statements.filter(isCommit)).toHaveLength(1);
    const work = statements.filter((s) => !isBegin(s) && !isCommit(s));
    expect(work.length).toBeLessThanOrEqual(2 * all.length);
    expect(work.filter((s) => /^\s*SELECT/i.test(s))).toEqual([]);

    // each answered with its own stored row, stored once
    const rows = await stored(all.map((_, i) => `together-${i}-${process.pid}`));
    expect(rows).toHaveLength(all.length);
    for (const [i, s] of all.entries()) {
      expect(sent[i].created).toBe(true);
      const row = rows.find((r) => r.id === sent[i].message.id) as ChatMessage;
      expect(sent[i].message).toEqual({
        id: row.id,
        roomId: s.room.roomId,
        senderId: s.user.id,
        type: 'text',
        content: `together ${i}`,
        clientMessageId: `together-${i}-${process.pid}`,
        createdAt: row.createdAt.toISOString(),
      });
    }
    // each room's last message is its newest
    for (const room of rooms) {
      const stored = await t.dataSource
        .getRepository(ChatRoom)
        .findOneByOrFail({ id: room.roomId });
      const newest = Math.max(...rows.filter((r) => r.roomId === room.roomId).map((r) => r.id));
      expect(stored.lastMessageId).toBe(newest);
    }
  });

  it('acks every one of many sockets sending at once, each message stored once and delivered', async () => {
    const all = senders();
    const connected = await Promise.all(
      all.map((s) => sockets.connect(t.baseUrl, s.user.accessToken)),
    );
    for (const [i, socket] of connected.entries()) {
      expect((await emitAck(socket, 'room:join', { roomId: all[i].room.roomId })).ok).toBe(true);
    }
    // each socket hears the message of the other member of its room
    const heard = connected.map((socket, i) => {
      const peerIndex = i % 2 === 0 ? i + 1 : i - 1;
      return messageFrom(socket, all[peerIndex].user.id);
    });
    const acks = await Promise.all(
      connected.map((socket, i) =>
        emitAck(socket, 'message:send', {
          roomId: all[i].room.roomId,
          content: `socket ${i}`,
          clientMessageId: `socket-${i}-${process.pid}`,
        }),
      ),
    );
    expect(acks.map((a) => a.ok)).toEqual(all.map(() => true));
    const rows = await stored(all.map((_, i) => `socket-${i}-${process.pid}`));
    expect(rows.map((r) => r.id).sort()).toEqual(acks.map((a) => a.message?.id).sort());
    const delivered = await Promise.all(heard);
    for (const [i, message] of delivered.entries()) {
      const peerIndex = i % 2 === 0 ? i + 1 : i - 1;
      expect(message).toEqual(acks[peerIndex].message);
    }
  });

  it('answers a retry inside the same batch with the first message, stored once', async () => {
    const [a, b] = senders();
    const id = `dup-in-batch-${process.pid}`;
    const [first, retry, other] = await Promise.all([
      chat.sendMessage(as(a.user), a.room.roomId, { content: 'once', clientMessageId: id }),
      chat.sendMessage(as(a.user), a.room.roomId, { content: 'once', clientMessageId: id }),
      chat.sendMessage(as(b.user), b.room.roomId, { content: 'someone else' }),
    ]);
    expect(first.created).toBe(true);
    expect(retry).toEqual({ message: first.message, created: false });
    expect(other.created).toBe(true);
    expect(await stored([id])).toHaveLength(1);
  });

  it('answers a retry of a stored message in a later batch, and stores the rest of that batch', async () => {
    const [a, b, c] = senders();
    const id = `dup-across-${process.pid}`;
    const first = await chat.sendMessage(as(a.user), a.room.roomId, {
      content: 'stored first',
      clientMessageId: id,
    });
    const { result, statements } = await statementsOf(t.dataSource, () =>
      Promise.all([
        chat.sendMessage(as(b.user), b.room.roomId, {
          content: 'new one',
          clientMessageId: `${id}-b`,
        }),
        chat.sendMessage(as(a.user), a.room.roomId, {
          content: 'stored first',
          clientMessageId: id,
        }),
        chat.sendMessage(as(c.user), c.room.roomId, {
          content: 'another',
          clientMessageId: `${id}-c`,
        }),
      ]),
    );
    // the retry went into the batch and was caught by the unique index, not looked up first
    expect(statements.filter(isBegin).length).toBeGreaterThanOrEqual(2);
    expect(result[1]).toEqual({ message: first.message, created: false });
    expect(result[0].created).toBe(true);
    expect(result[2].created).toBe(true);
    expect(await stored([id])).toHaveLength(1);
    expect((await stored([`${id}-b`, `${id}-c`])).map((r) => r.id)).toEqual(
      [result[0].message.id, result[2].message.id].sort((x, y) => x - y),
    );
  });

  it('takes message:send payloads as the REST body: trimmed, CRLF as LF, the same refusals', async () => {
    const [a] = senders();
    const socket = await sockets.connect(t.baseUrl, a.user.accessToken);
    const roomId = a.room.roomId;
    const ok = await emitAck(socket, 'message:send', {
      roomId,
      content: '  line one\r\nline two \t ',
      clientMessageId: null,
    });
    expect(ok.message).toMatchObject({ content: 'line one\nline two', clientMessageId: null });
    const refusals: [object, string][] = [
      [{ roomId, content: '   ' }, 'content'],
      [{ roomId, content: 'x'.repeat(2001) }, 'content'],
      [{ roomId, content: 'bell \u0007' }, 'content'],
      [{ roomId, content: 'hi', clientMessageId: 'two\nlines' }, 'clientMessageId'],
      [{ roomId, content: 'hi', clientMessageId: '' }, 'clientMessageId'],
      [{ roomId, content: 'hi', clientMessageId: 7 }, 'clientMessageId'],
      [{ roomId, content: 'hi', extra: true }, 'extra'],
      [{ roomId: '1', content: 'hi' }, 'roomId'],
    ];
    for (const [payload, field] of refusals) {
      const ack = await emitAck(socket, 'message:send', payload);
      expect(ack.error?.code).toBe('VALIDATION_FAILED');
      expect(ack.error?.details).toEqual(
        expect.arrayContaining([expect.objectContaining({ field })]),
      );
    }
  });

  describe('a failure in the middle of a batch', () => {
    const isSqlite = () => t.config.database.type === 'sqlite';

    beforeAll(async () => {
      // the database refuses one message: a trigger, as a constraint of the server would
      await t.dataSource.query(
        isSqlite()
          ? "CREATE TRIGGER test_chat_refuse BEFORE INSERT ON chat_messages WHEN NEW.content = 'refused' " +
              "BEGIN SELECT RAISE(ABORT, 'refused'); END"
          : 'CREATE TRIGGER test_chat_refuse BEFORE INSERT ON chat_messages FOR EACH ROW BEGIN ' +
              "IF NEW.content = 'refused' THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'refused'; " +
              'END IF; END',
      );
    });

    afterAll(async () => {
      await t.dataSource.query('DROP TRIGGER test_chat_refuse');
    });

    it('fails only the sender concerned; nothing of the failed transaction stays stored', async () => {
      const [a, b, c] = senders();
      const tag = `mid-${process.pid}`;
      const results = await Promise.allSettled([
        chat.sendMessage(as(a.user), a.room.roomId, {
          content: 'before',
          clientMessageId: `${tag}-a`,
        }),
        chat.sendMessage(as(b.user), b.room.roomId, {
          content: 'refused',
          clientMessageId: `${tag}-b`,
        }),
        chat.sendMessage(as(c.user), c.room.roomId, {
          content: 'after',
          clientMessageId: `${tag}-c`,
        }),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      const rows = await stored([`${tag}-a`, `${tag}-b`, `${tag}-c`]);
      // each acknowledged message exactly once, the refused one not at all
      expect(rows.map((r) => [r.clientMessageId, r.content])).toEqual([
        [`${tag}-a`, 'before'],
        [`${tag}-c`, 'after'],
      ]);
      const roomB = await t.dataSource
        .getRepository(ChatRoom)
        .findOneByOrFail({ id: b.room.roomId });
      const lastB = await t.dataSource
        .getRepository(ChatMessage)
        .findOneByOrFail({ id: roomB.lastMessageId as number });
      expect(lastB.content).not.toBe('refused');
    });

    it('answers a socket sender whose message fails with an error ack, the others with theirs', async () => {
      const [a, b] = senders();
      const [onA, onB] = await Promise.all([
        sockets.connect(t.baseUrl, a.user.accessToken),
        sockets.connect(t.baseUrl, b.user.accessToken),
      ]);
      const [ok, refused] = await Promise.all([
        emitAck(onA, 'message:send', { roomId: a.room.roomId, content: 'fine' }),
        emitAck(onB, 'message:send', { roomId: b.room.roomId, content: 'refused' }),
      ]);
      expect(ok.ok).toBe(true);
      expect(refused).toEqual({
        ok: false,
        error: { code: 'INTERNAL_ERROR', message: 'Something went wrong' },
      });
    });
  });
});
