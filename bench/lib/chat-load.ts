/**
 * Chat load generator child process (run through {@link Worker}): Socket.IO clients over the
 * WebSocket transport, one per (room, member), as the app's mobile clients connect
 * (`io(base + '/chat', { auth: { token } })`, docs/api.md, Chat).
 *
 * Commands: `connect` (all sockets, optionally `room:join` each), `throughput` (every socket
 * sends `message:send` with an ack, the next one when the ack is back), `fixedRate` (a fixed
 * number of messages per second spread over the sockets, whatever the acks do; latency from
 * the scheduled send time), `disconnect`.
 */
import { performance } from 'node:perf_hooks';
import { io, Socket } from 'socket.io-client';
import { serveWorker } from './processes';

export interface ChatClientSpec {
  token: string;
  userId: number;
  roomId: number;
}

interface Client extends ChatClientSpec {
  index: number;
  socket: Socket;
}

interface Ack {
  ok: boolean;
  error?: { code: string; message: string };
}

export interface ThroughputResult {
  seconds: number;
  sent: number;
  acked: number;
  failed: number;
  /** `message:new` received by the other member's socket. */
  deliveredToPeer: number;
  /** Acked (stored) and delivered to the peer. */
  storedAndDelivered: number;
  /** Acked but never delivered to the peer (within the drain time). */
  lost: number;
  rate: number;
  ackP50: number;
  ackP99: number;
  errors: string[];
}

export interface FixedRateResult {
  offeredRate: number;
  seconds: number;
  sent: number;
  acked: number;
  failed: number;
  unanswered: number;
  deliveredToPeer: number;
  ackP50: number;
  ackP99: number;
  ackMax: number;
  deliveryP50: number;
  deliveryP99: number;
  /** How late the client itself sent, p99 (ms behind schedule): a busy client shows here. */
  sendLagP99: number;
  errors: string[];
}

let clients: Client[] = [];
/** Sends whose ack has not come back yet, over all commands. */
let inFlight = 0;

/**
 * Waits until every earlier send was answered, so a run never starts on the backlog of the
 * one before (an overloaded server keeps working through it after the run has ended).
 */
async function backlogGone(maxMs = 180_000): Promise<void> {
  const until = performance.now() + maxMs;
  while (inFlight > 0 && performance.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** `message:send` with an ack (or a timeout error), counted in {@link inFlight}. */
async function send(
  client: Client,
  payload: Record<string, unknown>,
  timeoutMs: number,
): Promise<Ack> {
  inFlight++;
  try {
    return (await client.socket.timeout(timeoutMs).emitWithAck('message:send', payload)) as Ack;
  } finally {
    inFlight--;
  }
}
/** Handlers of `message:new` per message key, set by the running measurement. */
let onDelivered: ((key: string, at: number) => void) | null = null;

function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

function open(url: string, spec: ChatClientSpec, index: number): Promise<Client> {
  return new Promise((resolve, reject) => {
    const socket = io(`${url}/chat`, {
      auth: { token: spec.token },
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      timeout: 60_000,
    });
    const client: Client = { ...spec, index, socket };
    socket.once('connect', () => resolve(client));
    socket.once('connect_error', (error) => reject(new Error(`connect: ${error.message}`)));
    socket.on('message:new', (message: { senderId: number; clientMessageId: string | null }) => {
      if (message.senderId !== spec.userId && message.clientMessageId) {
        onDelivered?.(message.clientMessageId, performance.now());
      }
    });
  });
}

async function connect(input: {
  url: string;
  sockets: ChatClientSpec[];
  join: boolean;
  concurrency?: number;
}): Promise<{ connected: number; ms: number }> {
  const started = performance.now();
  const pending = input.sockets.map((spec, index) => ({ spec, index }));
  const opened: Client[] = [];
  const lane = async () => {
    for (let next = pending.shift(); next; next = pending.shift()) {
      const client = await open(input.url, next.spec, clients.length + next.index);
      if (input.join) {
        const ack = (await client.socket
          .timeout(60_000)
          .emitWithAck('room:join', { roomId: client.roomId })) as Ack;
        if (!ack.ok) throw new Error(`room:join ${client.roomId}: ${JSON.stringify(ack.error)}`);
      }
      opened.push(client);
    }
  };
  await Promise.all(Array.from({ length: input.concurrency ?? 50 }, lane));
  clients.push(...opened);
  return { connected: opened.length, ms: performance.now() - started };
}

const content = (size: number, key: string) =>
  `${key} ${'메시지 text '.repeat(size)}`.slice(0, 20 + size * 10);

async function throughput(input: {
  durationSec: number;
  size?: number;
  drainMs?: number;
}): Promise<ThroughputResult> {
  await backlogGone();
  const acked = new Set<string>();
  const delivered = new Set<string>();
  const latencies: number[] = [];
  const errors = new Map<string, number>();
  let sent = 0;
  let failed = 0;
  onDelivered = (key) => delivered.add(key);
  const started = performance.now();
  const end = started + input.durationSec * 1000;
  await Promise.all(
    clients.map(async (client) => {
      for (let seq = 0; performance.now() < end; seq++) {
        const key = `t${client.index}.${seq}.${started.toFixed(0)}`;
        const at = performance.now();
        sent++;
        try {
          const ack = await send(
            client,
            { roomId: client.roomId, content: content(input.size ?? 6, key), clientMessageId: key },
            30_000,
          );
          if (ack.ok) {
            acked.add(key);
            latencies.push(performance.now() - at);
          } else {
            failed++;
            const code = ack.error?.code ?? '?';
            errors.set(code, (errors.get(code) ?? 0) + 1);
          }
        } catch (error) {
          failed++;
          const code = (error as Error).message;
          errors.set(code, (errors.get(code) ?? 0) + 1);
        }
      }
    }),
  );
  // every send's ack is awaited, so this is all messages over the time the server was kept
  // busy: a window count would depend on where the rounds fall (the app answers the 1,000
  // messages of a round nearly together: its database pool serves their statements in turn)
  const seconds = (performance.now() - started) / 1000;
  const drainUntil = performance.now() + (input.drainMs ?? 5000);
  while (delivered.size < acked.size && performance.now() < drainUntil) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  onDelivered = null;
  let storedAndDelivered = 0;
  for (const key of acked) if (delivered.has(key)) storedAndDelivered++;
  let lost = 0;
  for (const key of acked) if (!delivered.has(key)) lost++;
  return {
    seconds,
    lost,
    sent,
    acked: acked.size,
    failed,
    deliveredToPeer: delivered.size,
    storedAndDelivered,
    rate: storedAndDelivered / seconds,
    ackP50: percentile(latencies, 50),
    ackP99: percentile(latencies, 99),
    errors: [...errors].map(([code, n]) => `${code} ×${n}`),
  };
}

async function fixedRate(input: {
  rate: number;
  durationSec: number;
  size?: number;
  drainMs?: number;
}): Promise<FixedRateResult> {
  await backlogGone();
  const total = Math.round(input.rate * input.durationSec);
  const scheduled = new Map<string, number>();
  const ackLatencies: number[] = [];
  const deliveryLatencies: number[] = [];
  const sendLags: number[] = [];
  const errors = new Map<string, number>();
  let acked = 0;
  let failed = 0;
  let delivered = 0;
  let answered = 0;
  onDelivered = (key, at) => {
    const due = scheduled.get(key);
    if (due !== undefined) {
      delivered++;
      deliveryLatencies.push(at - due);
    }
  };
  const start = performance.now() + 50;
  let next = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      // message k is due at start + k / rate and goes out on socket k mod N
      while (next < total && start + (next * 1000) / input.rate <= now) {
        const k = next++;
        const due = start + (k * 1000) / input.rate;
        const client = clients[k % clients.length];
        const key = `f${k}.${start.toFixed(0)}`;
        scheduled.set(key, due);
        sendLags.push(now - due);
        send(
          client,
          { roomId: client.roomId, content: content(input.size ?? 6, key), clientMessageId: key },
          60_000,
        ).then(
          (ack: Ack) => {
            answered++;
            if (ack.ok) {
              acked++;
              ackLatencies.push(performance.now() - due);
            } else {
              failed++;
              const code = ack.error?.code ?? '?';
              errors.set(code, (errors.get(code) ?? 0) + 1);
            }
          },
          (error: Error) => {
            answered++;
            failed++;
            errors.set(error.message, (errors.get(error.message) ?? 0) + 1);
          },
        );
      }
      if (next < total) setTimeout(tick, 1);
      else resolve();
    };
    setTimeout(tick, 50);
  });
  const seconds = (performance.now() - start) / 1000;
  const drainUntil = performance.now() + (input.drainMs ?? 30_000);
  while ((answered < total || delivered < acked) && performance.now() < drainUntil) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  onDelivered = null;
  return {
    offeredRate: input.rate,
    seconds,
    sent: total,
    acked,
    failed,
    unanswered: total - answered,
    deliveredToPeer: delivered,
    ackP50: percentile(ackLatencies, 50),
    ackP99: percentile(ackLatencies, 99),
    ackMax: ackLatencies.length ? Math.max(...ackLatencies) : NaN,
    deliveryP50: percentile(deliveryLatencies, 50),
    deliveryP99: percentile(deliveryLatencies, 99),
    sendLagP99: percentile(sendLags, 99),
    errors: [...errors].map(([code, n]) => `${code} ×${n}`),
  };
}

/** One message from the first socket, when its ack is back. */
async function sendOne(): Promise<Ack> {
  const client = clients[0];
  return send(
    client,
    { roomId: client.roomId, content: 'one message', clientMessageId: `one-${Date.now()}` },
    30_000,
  );
}

async function disconnect(): Promise<{ closed: number }> {
  const closed = clients.length;
  for (const client of clients) client.socket.disconnect();
  clients = [];
  return { closed };
}

if (require.main === module) serveWorker({ connect, throughput, fixedRate, sendOne, disconnect });
