/**
 * Chat latency at a fixed offered load: 1,000 messages per second spread over 1,000 sockets
 * in 500 rooms (each socket sends one a second, whatever the acks do), send→ack p50/p99 of the
 * app vs the Socket.IO echo server. Goal: app p99 ≤ 50 ms on MariaDB.
 */
import { Benchmark, BenchContext, interleave, spread } from './lib/bench';
import { connectedClients, roomSockets, startEcho } from './lib/chat';
import type { FixedRateResult } from './lib/chat-load';
import { say } from './lib/common';
import type { Worker } from './lib/processes';
import { describeSeed, setUp } from './lib/setup';
import { fmt } from './lib/stats';

const RATE = 1000;
const WARMUP_SECONDS = 3;

function describe(r: FixedRateResult): string {
  return (
    `ack p50 ${fmt(r.ackP50, 1)} ms p99 ${fmt(r.ackP99, 1)} ms max ${fmt(r.ackMax)} ms; ` +
    `${r.acked}/${r.sent} acked, ${r.failed} failed, ${r.unanswered} unanswered; client lag p99 ${fmt(r.sendLagP99, 1)} ms`
  );
}

const benchmark: Benchmark = {
  name: 'chat-latency',
  title: 'Chat at a fixed 1,000 msg/s offered, 1,000 sockets: send→ack latency',
  summary:
    'send→ack p50/p99 at 1,000 msg/s offered over 1,000 sockets, app vs echo (MariaDB by default)',
  defaultDbs: ['mariadb'],
  defaultDuration: 6,
  async run(ctx: BenchContext) {
    const { report } = ctx;
    report.describe(
      `${RATE} messages per second offered for ${ctx.duration} s, spread evenly over 1,000 Socket.IO clients ` +
        '(WebSocket transport, one child process) in 500 rooms — each socket sends one message a second, on ' +
        'schedule, whether or not its previous acks are back (open loop). Latency is from the scheduled send ' +
        'time to the ack (so a late client or a queue in the server both count), and to the `message:new` at the ' +
        "other member's socket. **App**: `node dist/src/main.js` (NODE_ENV=production, LOG_LEVEL=warn, rate " +
        'limits off); **echo**: `bench/baselines/chat-echo-server.ts` (no database). "Client lag" is how late ' +
        'the client process itself put messages on the wire (its own health).',
      `${ctx.options.pairs} interleaved pairs after a ${WARMUP_SECONDS} s warm-up of each; a run starts only when ` +
        'every message of the runs before it has been answered (an overloaded server works through its backlog ' +
        'after a run ends). Percentiles are of the acked messages; "Acked %" shows how many were answered within ' +
        '30 s after the run. Goal: app ack p99 ≤ 50 ms on MariaDB.',
    );
    const rows: (string | number)[][] = [];
    const raw: (string | number)[][] = [];
    for (const db of ctx.dbs) {
      say(`chat-latency on ${db}`);
      const setup = await setUp(ctx, db);
      const workers: Worker[] = [];
      try {
        const echo = await startEcho();
        const sockets = roomSockets(setup.fixture);
        const appClients = await connectedClients(setup.app, sockets);
        workers.push(appClients);
        const echoClients = await connectedClients(echo, sockets);
        workers.push(echoClients);
        const run = (worker: Worker, seconds: number) => () =>
          worker.call<FixedRateResult>('fixedRate', { rate: RATE, durationSec: seconds });
        await run(appClients, WARMUP_SECONDS)();
        await run(echoClients, WARMUP_SECONDS)();
        const result = await interleave(
          `latency/${db}`,
          ctx.options.pairs,
          run(appClients, ctx.duration),
          run(echoClients, ctx.duration),
          describe,
          'echo',
        );
        await echo.stop();
        const col = (rs: FixedRateResult[], f: (r: FixedRateResult) => number) => rs.map(f);
        for (const [side, rs] of [
          ['App', result.app],
          ['Echo', result.baseline],
        ] as const) {
          rows.push([
            db === 'sqlite' ? 'SQLite' : 'MariaDB',
            side,
            spread(
              col(rs, (r) => r.ackP50),
              1,
            ),
            spread(
              col(rs, (r) => r.ackP99),
              1,
            ),
            spread(
              col(rs, (r) => r.deliveryP99),
              1,
            ),
            spread(
              col(rs, (r) => (r.acked / r.sent) * 100),
              1,
            ),
            side === 'App' && db === 'mariadb' ? 'p99 ≤ 50 ms' : '',
          ]);
        }
        raw.push(
          ...result.runs.map((r) => [
            db,
            r.pair,
            r.side === 'app' ? 'app' : 'echo',
            r.value.sent,
            r.value.acked,
            r.value.failed,
            r.value.unanswered,
            fmt(r.value.ackP50, 1),
            fmt(r.value.ackP99, 1),
            fmt(r.value.ackMax),
            fmt(r.value.deliveryP99, 1),
            fmt(r.value.sendLagP99, 1),
            r.loadAverage,
          ]),
        );
        if (db === ctx.dbs[0]) report.describe(describeSeed(setup.fixture));
      } finally {
        await Promise.all(workers.map((w) => w.stop()));
        await setup.close();
      }
    }
    report.measurement(`Latency at ${RATE} msg/s offered, median of runs (min–max)`, {
      headers: [
        'Database',
        'Server',
        'Ack p50 ms',
        'Ack p99 ms',
        'Delivery p99 ms',
        'Acked %',
        'Goal',
      ],
      rows,
    });
    report.raw('All runs', {
      headers: [
        'Database',
        'Pair',
        'Server',
        'Sent',
        'Acked',
        'Failed',
        'Unanswered',
        'Ack p50 ms',
        'Ack p99 ms',
        'Ack max ms',
        'Delivery p99 ms',
        'Client lag p99 ms',
        'Load average after',
      ],
      rows: raw,
    });
  },
};

export default benchmark;
