import { DiagnosticSeverity, Parser } from '@asyncapi/parser';
import type { AsyncAPIDocumentInterface, MessageInterface } from '@asyncapi/parser';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CHAT_CLIENT_EVENTS } from '../src/chat/chat.gateway';
import { ErrorCode } from '../src/common/errors/error-codes';
import { mp4 } from './support/media';
import { ChatRoomFixture, emitAck, nextEvent, openChatRoom, SocketPool } from './support/sockets';
import { createTestApp, TestApp } from './support/test-app';

/**
 * docs/asyncapi.yaml against the running gateway: the document parses without errors, names
 * exactly the events the code has, every documented example payload is accepted with an ack
 * of the documented shape, and every server event, made to happen, has the documented shape.
 */

const ROOT = resolve(__dirname, '..');
const DOCUMENT = readFileSync(join(ROOT, 'docs', 'asyncapi.yaml'), 'utf8');

/** Socket.IO's own handshake refusal: documented, but emitted by no code of ours. */
const BUILT_IN_EVENTS = new Set(['connect_error']);

/** Events the gateway listens to (its listeners are built from this list, typed exactly). */
function gatewayEvents(): string[] {
  return [...CHAT_CLIENT_EVENTS].sort();
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [full] : [];
  });
}

/**
 * Events the server emits to clients: the event argument of every `emitToUser` /
 * `emitToRoom` call in src (RealtimeService is the only way out to sockets), a string
 * literal or a constant declared with one.
 */
function emittedEvents(): string[] {
  const files = sourceFiles(join(ROOT, 'src')).map((file) => readFileSync(file, 'utf8'));
  const constants = new Map<string, string>();
  for (const text of files) {
    for (const m of text.matchAll(/const\s+([A-Z_]+)\s*=\s*'([^']+)'/g)) constants.set(m[1], m[2]);
  }
  const events = new Set<string>();
  for (const text of files) {
    for (const m of text.matchAll(/\.emitTo(?:User|Room)\(\s*[^,]+,\s*('([^']+)'|[A-Z_]+)/g)) {
      const event = m[2] ?? constants.get(m[1]);
      if (!event) throw new Error(`cannot resolve the event name ${m[1]}`);
      events.add(event);
    }
  }
  return [...events].sort();
}

describe('docs/asyncapi.yaml', () => {
  let doc: AsyncAPIDocumentInterface;

  beforeAll(async () => {
    const { document, diagnostics } = await new Parser().parse(DOCUMENT);
    const errors = diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error);
    expect(errors.map((d) => `${d.path.join('.')}: ${d.message}`)).toEqual([]);
    expect(document).toBeDefined();
    doc = document as AsyncAPIDocumentInterface;
  });

  const clientEvents = () =>
    doc
      .operations()
      .filterByReceive()
      .map((op) => op.messages().all()[0].name() as string)
      .sort();
  const serverEvents = () =>
    doc
      .operations()
      .filterBySend()
      .map((op) => op.messages().all()[0].name() as string)
      .sort();

  it('is valid AsyncAPI 3 (no diagnostics of severity error)', () => {
    expect(doc.version()).toMatch(/^3\./);
    expect(
      doc
        .channels()
        .all()
        .map((c) => c.address()),
    ).toEqual(['/chat']);
  });

  it('documents exactly the events the gateway handles, each with an ack and an example', () => {
    expect(gatewayEvents().length).toBeGreaterThanOrEqual(5);
    expect(clientEvents()).toEqual(gatewayEvents());
    for (const op of doc.operations().filterByReceive()) {
      expect(op.reply()?.messages().all()).toHaveLength(1);
      expect(op.messages().all()[0].examples().all().length).toBeGreaterThan(0);
    }
  });

  it('names only error codes the server has', () => {
    const codes = doc.components().schemas().get('ErrorCode')?.enum() ?? [];
    expect(codes.length).toBeGreaterThan(5);
    expect(codes.filter((code) => typeof code !== 'string' || !(code in ErrorCode))).toEqual([]);
  });

  it('documents exactly the events the server emits', () => {
    const documented = serverEvents().filter((event) => !BUILT_IN_EVENTS.has(event));
    expect(emittedEvents().length).toBeGreaterThanOrEqual(5);
    expect(documented).toEqual(emittedEvents());
  });

  describe('against the running gateway', () => {
    let t: TestApp;
    let room: ChatRoomFixture;
    const sockets = new SocketPool();
    const ajv = addFormats(new Ajv({ strict: false, allErrors: true }));
    const validators = new Map<MessageInterface, ValidateFunction>();

    /** Fails with the validator's errors when `value` does not fit the message's payload. */
    const expectFits = (message: MessageInterface, value: unknown, what: string) => {
      let validate = validators.get(message);
      if (!validate) {
        validate = ajv.compile(message.payload()?.json() as object);
        validators.set(message, validate);
      }
      const valid = validate(value);
      expect({ what, value, errors: valid ? null : validate.errors }).toEqual({
        what,
        value,
        errors: null,
      });
    };

    const messageOf = (action: 'send' | 'receive', event: string) => {
      const ops =
        action === 'send' ? doc.operations().filterBySend() : doc.operations().filterByReceive();
      const op = ops.find((o) => o.messages().all()[0].name() === event);
      if (!op) throw new Error(`no ${action} operation for ${event}`);
      return op;
    };

    beforeAll(async () => {
      t = await createTestApp();
      room = await openChatRoom(t);
    }, 60_000);

    afterEach(() => sockets.closeAll());
    afterAll(async () => {
      sockets.closeAll();
      await t?.close();
    });

    it('accepts every client event with its documented example and answers the documented ack', async () => {
      const traveler = await sockets.connect(t.baseUrl, room.traveler.accessToken);
      // a message of the room, for examples that name one
      const first = await t
        .http()
        .post(`/api/v1/chat/rooms/${room.roomId}/messages`)
        .set(room.guide.auth)
        .send({ content: 'Welcome!' })
        .expect(201);
      const ids: Record<string, number> = { roomId: room.roomId, messageId: first.body.id };
      // room:join first, room:leave last: the others act in a joined room
      const order = (event: string) => (event === 'room:join' ? 0 : event === 'room:leave' ? 2 : 1);
      const ops = doc
        .operations()
        .filterByReceive()
        .sort(
          (a, b) => order(a.messages().all()[0].name()!) - order(b.messages().all()[0].name()!),
        );
      const walked: string[] = [];
      for (const op of ops) {
        const message = op.messages().all()[0];
        const event = message.name() as string;
        for (const example of message.examples().all()) {
          const payload = { ...(example.payload() as Record<string, unknown>) };
          for (const key of Object.keys(payload)) if (key in ids) payload[key] = ids[key];
          expectFits(message, payload, `${event} example payload`);
          const ack = await emitAck(traveler, event, payload);
          expect({ event, ok: ack.ok, error: ack.error }).toEqual({
            event,
            ok: true,
            error: undefined,
          });
          expectFits(op.reply()!.messages().all()[0], ack, `${event} ack`);
        }
        walked.push(event);
      }
      expect(walked.sort()).toEqual(gatewayEvents());
    });

    it('answers refusals with the documented failure ack', async () => {
      const outsider = await openChatRoom(t);
      const socket = await sockets.connect(t.baseUrl, outsider.traveler.accessToken);
      const join = messageOf('receive', 'room:join');
      const refused = await emitAck(socket, 'room:join', { roomId: room.roomId });
      expect(refused.error?.code).toBe('NOT_FOUND');
      expectFits(join.reply()!.messages().all()[0], refused, 'room:join refusal');
      const invalid = await emitAck(socket, 'message:send', { roomId: '1', content: '' });
      expect(invalid.error?.code).toBe('VALIDATION_FAILED');
      expectFits(
        messageOf('receive', 'message:send').reply()!.messages().all()[0],
        invalid,
        'message:send refusal',
      );
    });

    it('emits every documented server event with the documented payload', async () => {
      const traveler = await sockets.connect(t.baseUrl, room.traveler.accessToken);
      const guide = await sockets.connect(t.baseUrl, room.guide.accessToken);
      for (const socket of [traveler, guide]) {
        expect((await emitAck(socket, 'room:join', { roomId: room.roomId })).ok).toBe(true);
      }
      /** How to make each server event happen; its payload as the client receives it. */
      const triggers: Record<string, () => Promise<unknown>> = {
        'message:new': async () => {
          const event = nextEvent(traveler, 'message:new');
          await emitAck(guide, 'message:send', { roomId: room.roomId, content: 'On my way' });
          return event;
        },
        typing: async () => {
          const event = nextEvent(traveler, 'typing');
          await emitAck(guide, 'typing', { roomId: room.roomId, isTyping: true });
          return event;
        },
        'message:read': async () => {
          const sent = await emitAck(traveler, 'message:send', {
            roomId: room.roomId,
            content: 'See you',
          });
          const event = nextEvent(traveler, 'message:read');
          await emitAck(guide, 'message:read', {
            roomId: room.roomId,
            messageId: sent.message!.id,
          });
          return event;
        },
        'notification:new': async () => {
          const event = nextEvent(guide, 'notification:new');
          await t
            .http()
            .post(`/api/v1/stories/${room.storyId}/comments`)
            .set(room.traveler.auth)
            .send({ content: 'Looks wonderful!' })
            .expect(201);
          return event;
        },
        'media:ready': async () => {
          const event = nextEvent(guide, 'media:ready', 60_000);
          await t
            .http()
            .post(`/api/v1/stories/${room.storyId}/media`)
            .set(room.guide.auth)
            .attach('media', await mp4(), 'clip.mp4')
            .expect(201);
          return event;
        },
        connect_error: async () => {
          const refusal = (await sockets.refusal(t.baseUrl, { token: 'not-a-token' })) as Error & {
            data?: unknown;
          };
          return { message: refusal.message, data: refusal.data };
        },
      };
      const seen: string[] = [];
      for (const op of doc.operations().filterBySend()) {
        const message = op.messages().all()[0];
        const event = message.name() as string;
        const trigger = triggers[event];
        if (!trigger) throw new Error(`the test cannot make "${event}" happen: add a trigger`);
        expectFits(message, await trigger(), `${event} payload`);
        seen.push(event);
      }
      expect(seen.sort()).toEqual(serverEvents());
    }, 90_000);
  });
});
