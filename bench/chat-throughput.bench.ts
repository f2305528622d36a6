/**
 * Chat throughput: 1,000 sockets in 500 rooms, every socket sending `message:send` and the next
 * one when its ack is back; messages stored (acked) and delivered (`message:new` at the other
 * member) per second, the app vs a Socket.IO echo server without a database. Goals: ≥ 0.35 of
 * echo, and ≥ 3,500 msg/s on MariaDB.
 */
import { mkdirSync } from 'node:fs';
import { Benchmark, BenchContext, interleave, ratioCell, spread } from './lib/bench';
import { roomSockets, startEcho, connectedClients } from './lib/chat';
import type { ChatClientSpec, ThroughputResult } from './lib/chat-load';
import { say, sleep } from './lib/common';
import { monotonicMicros, profileIn, profileMarkdown, summariseProfile } from './lib/cpu-profile';
import type { Worker } from './lib/processes';
import { statementsMarkdown } from './lib/http-compare';
import { describeSeed, setUp, Setup } from './lib/setup';
import { fmt } from './lib/stats';

const WARMUP_SECONDS = 2;

/** The SQL the app issues for one `message:send` (app restarted with DB_LOGGING=true). */
async function sendStatements(setup: Setup, sockets: ChatClientSpec[]): Promise<string[]> {
  const app = await setup.restartApp({ env: { DB_LOGGING: 'true' } });
  const clients = await connectedClients(app, sockets);
  try {
    const statements: string[] = [];
    app.onLine((line) => {
      if (line.startsWith('query:')) statements.push(line.slice('query:'.length).trim());
    });
    const ack = await clients.call<{ ok: boolean }>('sendOne');
    await sleep(300);
    app.onLine(null);
    if (!ack.ok) throw new Error(`message:send failed: ${JSON.stringify(ack)}`);
    return statements;
  } finally {
    await clients.stop();
  }
}

function describe(r: ThroughputResult): string {
  return (
    `${fmt(r.rate)} msg/s (${r.storedAndDelivered} stored+delivered of ${r.sent} sent, ${r.failed} failed), ` +
    `ack p50 ${fmt(r.ackP50)} ms p99 ${fmt(r.ackP99)} ms`
  );
}

function check(name: string, r: ThroughputResult): ThroughputResult {
  if (r.failed > 0 || r.lost > 0) {
    throw new Error(
      `${name}: ${r.failed} failed sends (${r.errors.join(', ')}), ${r.lost} acked but not delivered`,
    );
  }
  return r;
}

const benchmark: Benchmark = {
  name: 'chat-throughput',
  title: 'Chat throughput, 1,000 sockets in 500 rooms: app vs a Socket.IO echo server',
  summary: 'messages stored and delivered per second, app vs a no-database Socket.IO echo server',
  defaultDbs: ['mariadb', 'sqlite'],
  defaultDuration: 8,
  async run(ctx: BenchContext) {
    const { report } = ctx;
    report.describe(
      '1,000 Socket.IO clients (WebSocket transport, `socket.io-client` in one child process) in 500 rooms: ' +
        'each seeded room (an accepted matching request) has its traveller and its guide connected, each ' +
        'socket joined with `room:join`. Every socket sends `message:send { roomId, content (~80 chars), ' +
        'clientMessageId }` with an ack and sends the next when the ack is back (1,000 messages in flight). ' +
        'A message counts when it was acked `ok` (stored, for the app) **and** arrived as `message:new` at the ' +
        "other member's socket; the rate is those per second from the first send to the last ack (no socket " +
        'sends after the run time, the last messages in flight are awaited). **App**: `node ' +
        'dist/src/main.js` (NODE_ENV=production, LOG_LEVEL=warn, rate limits off). **Echo**: ' +
        '`bench/baselines/chat-echo-server.ts`, Socket.IO on node:http with the same namespace and events, the ' +
        'JWT checked at the handshake, no database.',
      `${ctx.options.pairs} interleaved pairs of ${ctx.duration} s runs after a ${WARMUP_SECONDS} s warm-up of each; ` +
        'the clients stay connected between runs. Goals: app ≥ 0.35 × echo, and ≥ 3,500 msg/s on MariaDB. ' +
        'The clients share the 2 cores with the server (and MariaDB), so against the echo server the client ' +
        'process is likely the limit: the echo figure is a floor of what Socket.IO alone can do here.',
    );
    const rows: (string | number)[][] = [];
    const raw: (string | number)[][] = [];
    for (const db of ctx.dbs) {
      say(`chat-throughput on ${db}`);
      const setup = await setUp(ctx, db);
      const workers: Worker[] = [];
      try {
        const echo = await startEcho();
        const sockets = roomSockets(setup.fixture);
        const appClients = await connectedClients(setup.app, sockets);
        workers.push(appClients);
        const echoClients = await connectedClients(echo, sockets);
        workers.push(echoClients);
        say(`  ${sockets.length} sockets connected and joined to each server`);
        const run = (worker: Worker, name: string, seconds: number) => async () =>
          check(name, await worker.call<ThroughputResult>('throughput', { durationSec: seconds }));
        await run(appClients, 'app warm-up', WARMUP_SECONDS)();
        await run(echoClients, 'echo warm-up', WARMUP_SECONDS)();
        const result = await interleave(
          `chat/${db}`,
          ctx.options.pairs,
          run(appClients, 'app', ctx.duration),
          run(echoClients, 'echo', ctx.duration),
          describe,
          'echo',
        );
        // every acked message of the app is a row
        const client = await setup.db.connect();
        const [{ n }] = await client.all<{ n: number }>(
          "SELECT COUNT(*) AS n FROM chat_messages WHERE client_message_id LIKE 't%'",
        );
        await client.close();
        const rate = (rs: ThroughputResult[]) => rs.map((r) => r.rate);
        const p99 = (rs: ThroughputResult[]) => rs.map((r) => r.ackP99);
        rows.push([
          db === 'sqlite' ? 'SQLite' : 'MariaDB',
          spread(rate(result.app)),
          spread(rate(result.baseline)),
          ratioCell(rate(result.app), rate(result.baseline)),
          db === 'mariadb' ? '≥ 0.35, and ≥ 3,500 msg/s' : '≥ 0.35',
          spread(p99(result.app)),
          spread(p99(result.baseline)),
          Number(n),
        ]);
        raw.push(
          ...result.runs.map((r) => [
            db,
            r.pair,
            r.side === 'app' ? 'app' : 'echo',
            fmt(r.value.rate),
            r.value.sent,
            r.value.storedAndDelivered,
            r.value.failed,
            fmt(r.value.ackP50),
            fmt(r.value.ackP99),
            r.loadAverage,
          ]),
        );
        await Promise.all(workers.splice(0).map((w) => w.stop()));
        await echo.stop();
        const statements = await sendStatements(setup, sockets.slice(0, 2));
        rows[rows.length - 1].push(statements.length);
        report.section(
          `Statements the app issues for one message:send (${db})`,
          'Captured with DB_LOGGING=true, one message sent on a joined socket of an idle app ' +
            `(the \`room:join\` before it not included), shortened.\n\n${statementsMarkdown(statements)}`,
        );
        if (ctx.options.profile && db === 'mariadb') {
          say('  CPU profile of the app under the same load');
          const dir = ctx.dir.join(`cpu-profile-chat-${db}`);
          mkdirSync(dir, { recursive: true });
          const app = await setup.restartApp({ cpuProfileDir: dir });
          const profiled = await connectedClients(app, sockets);
          workers.push(profiled);
          await run(profiled, 'profile warm-up', WARMUP_SECONDS)();
          const from = monotonicMicros();
          const measured = await run(profiled, 'profiled run', ctx.duration)();
          const to = monotonicMicros();
          say(`  profiled run: ${describe(measured)}`);
          await Promise.all(workers.splice(0).map((w) => w.stop()));
          await app.stop();
          report.section(
            `CPU profile of the app (${db}), top self time`,
            `\`node --cpu-prof\` on the app process, one extra ${ctx.duration} s run under the same load after a ` +
              `${WARMUP_SECONDS} s warm-up (samples outside the load left out); ${fmt(measured.rate)} msg/s while ` +
              `profiled.\n\n${profileMarkdown(summariseProfile(profileIn(dir, `chat-throughput-${db}`), 15, { from, to }))}`,
          );
        }
        if (db === ctx.dbs[0]) report.describe(describeSeed(setup.fixture));
      } finally {
        await Promise.all(workers.map((w) => w.stop()));
        await setup.close();
      }
    }
    report.measurement(
      'Messages stored and delivered per second, median (min–max)',
      {
        headers: [
          'Database',
          'App msg/s',
          'Echo msg/s',
          'App / echo',
          'Goal',
          'App ack p99 ms',
          'Echo ack p99 ms',
          'Rows stored by the app',
          'Statements per message (app)',
        ],
        rows,
      },
      [
        'Ack latencies here are under saturation (1,000 messages always in flight), not a latency goal; see ' +
          'chat-latency.md for latency at a fixed offered rate.',
      ],
    );
    report.raw('All runs', {
      headers: [
        'Database',
        'Pair',
        'Server',
        'msg/s',
        'Sent',
        'Stored+delivered',
        'Failed',
        'Ack p50 ms',
        'Ack p99 ms',
        'Load average after',
      ],
      rows: raw,
    });
  },
};

export default benchmark;
