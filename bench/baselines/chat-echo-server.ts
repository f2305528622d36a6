/**
 * The chat baseline: a Socket.IO server without a database, speaking the app's protocol
 * (docs/api.md, Chat) on the same namespace. The handshake verifies the HS256 access token
 * (`auth.token`) with node:crypto and joins the user's channel; `room:join` joins the room's
 * channel; `message:send` makes the message (an id from a counter), emits `message:new` to
 * the room (the sender's sockets included, as the app does) and acks `{ ok: true, message }`.
 * Nothing is checked against stored state and nothing is stored: the ceiling of Socket.IO on
 * this machine for the same traffic.
 *
 * Environment: PORT, JWT_SECRET. GET /health answers 200.
 */
import { createHmac, createSecretKey, KeyObject, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { Server } from 'socket.io';

type Ack = (response: unknown) => void;

function verifyToken(token: string, key: KeyObject): number | null {
  const [header, payload, signature] = token.split('.');
  if (!header || !payload || !signature) return null;
  try {
    const alg = (JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { alg?: string })
      .alg;
    if (alg !== 'HS256') return null;
    const expected = createHmac('sha256', key).update(`${header}.${payload}`).digest();
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
      sub?: unknown;
      exp?: unknown;
    };
    if (typeof claims.exp === 'number' && Date.now() / 1000 >= claims.exp) return null;
    const id = typeof claims.sub === 'string' ? Number(claims.sub) : NaN;
    return Number.isSafeInteger(id) && id >= 1 ? id : null;
  } catch {
    return null;
  }
}

const validId = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 1;

function main(): void {
  const key = createSecretKey(Buffer.from(process.env.JWT_SECRET ?? '', 'utf8'));
  const http = createServer((req, res) => {
    if (req.url === '/health') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"status":"ok"}');
      return;
    }
    res.writeHead(404);
    res.end();
  });
  const io = new Server(http);
  const chat = io.of('/chat');
  let nextId = 1;

  chat.use((socket, next) => {
    const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
    const id =
      typeof token === 'string' ? verifyToken(token.replace(/^Bearer\s+/i, ''), key) : null;
    if (id === null) return next(new Error('UNAUTHORIZED'));
    socket.data.userId = id;
    next();
  });

  chat.on('connection', (socket) => {
    const userId = socket.data.userId as number;
    void socket.join(`user:${userId}`);
    socket.on('room:join', (payload: { roomId?: unknown }, ack?: Ack) => {
      if (!validId(payload?.roomId)) {
        ack?.({ ok: false, error: { code: 'VALIDATION_FAILED', message: 'roomId' } });
        return;
      }
      void socket.join(`room:${payload.roomId}`);
      ack?.({ ok: true, room: { id: payload.roomId } });
    });
    socket.on(
      'message:send',
      (payload: { roomId?: unknown; content?: unknown; clientMessageId?: unknown }, ack?: Ack) => {
        if (!validId(payload?.roomId) || typeof payload.content !== 'string') {
          ack?.({ ok: false, error: { code: 'VALIDATION_FAILED', message: 'roomId, content' } });
          return;
        }
        const message = {
          id: nextId++,
          roomId: payload.roomId,
          senderId: userId,
          type: 'text',
          content: payload.content.trim(),
          clientMessageId:
            typeof payload.clientMessageId === 'string' ? payload.clientMessageId : null,
          createdAt: new Date().toISOString(),
        };
        chat.to(`room:${payload.roomId}`).emit('message:new', message);
        ack?.({ ok: true, message });
      },
    );
  });

  http.listen(Number(process.env.PORT), '127.0.0.1');
  process.on('SIGTERM', () => {
    void io.close();
    process.exit(0);
  });
}

main();
