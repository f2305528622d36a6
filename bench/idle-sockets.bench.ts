/**
 * Memory of idle authenticated sockets: RSS of the server process (from /proc/<pid>/status)
 * before and after 1,000 sockets connect with a token and sit idle, per 1,000 sockets, the app
 * vs the Socket.IO echo server. Goal: app ≤ 25 MB per 1,000.
 */
import { Benchmark, BenchContext, interleave, ratioCell, spread } from './lib/bench';
import { connectedClients, roomSockets, startEcho } from './lib/chat';
import { say, sleep } from './lib/common';
import type { ServerProcess } from './lib/processes';
import { describeSeed, setUp } from './lib/setup';
import { fmt } from './lib/stats';

const MB = 1024 * 1024;

interface Sample {
  before: number;
  after: number;
  perThousand: number;
  sockets: number;
}

/** RSS once it stops moving: two readings 500 ms apart within 0.5 %, or after 8 s. */
async function settledRss(server: ServerProcess): Promise<number> {
  let last = server.rssBytes();
  for (let i = 0; i < 16; i++) {
    await sleep(500);
    const now = server.rssBytes();
    if (Math.abs(now - last) / last < 0.005) return now;
    last = now;
  }
  return last;
}

const benchmark: Benchmark = {
  name: 'idle-sockets',
  title: 'Idle authenticated sockets: server memory per 1,000',
  summary: 'RSS per 1,000 idle authenticated sockets, app vs echo (fresh process per run)',
  defaultDbs: ['sqlite'],
  defaultDuration: 3,
  async run(ctx: BenchContext) {
    const { report } = ctx;
    report.describe(
      'Each run starts the server afresh, waits until its resident set size (VmRSS in /proc/<pid>/status) is ' +
        'steady, connects 1,000 Socket.IO clients (WebSocket transport, child process) with valid access ' +
        "tokens — the 500 seeded rooms' travellers and guides; no `room:join`, so each socket is only in its " +
        `user channel — waits ${ctx.duration} s and until RSS is steady again, and reports the growth per ` +
        '1,000 sockets. **App**: `node dist/src/main.js` (NODE_ENV=production); **echo**: ' +
        '`bench/baselines/chat-echo-server.ts`. RSS includes whatever the first connections made the process ' +
        'allocate once (JIT, pools), so it is an upper bound of the per-socket cost.',
      `${ctx.options.pairs} interleaved pairs. Goal: app ≤ 25 MB per 1,000 sockets.`,
    );
    const rows: (string | number)[][] = [];
    const raw: (string | number)[][] = [];
    for (const db of ctx.dbs) {
      say(`idle-sockets on ${db}`);
      const setup = await setUp(ctx, db);
      try {
        const sockets = roomSockets(setup.fixture);
        const measure = async (
          start: () => Promise<ServerProcess>,
          stop: boolean,
        ): Promise<Sample> => {
          const server = await start();
          try {
            const before = await settledRss(server);
            const clients = await connectedClients(server, sockets, false);
            await sleep(ctx.duration * 1000);
            const after = await settledRss(server);
            await clients.stop();
            return {
              before,
              after,
              perThousand: ((after - before) / MB) * (1000 / sockets.length),
              sockets: sockets.length,
            };
          } finally {
            if (stop) await server.stop();
          }
        };
        const result = await interleave(
          `idle/${db}`,
          ctx.options.pairs,
          () => measure(() => setup.restartApp(), false),
          () => measure(startEcho, true),
          (s) =>
            `${fmt(s.before / MB)} → ${fmt(s.after / MB)} MB: ${fmt(s.perThousand, 1)} MB per 1,000`,
          'echo',
        );
        const per = (ss: Sample[]) => ss.map((s) => s.perThousand);
        rows.push([
          db === 'sqlite' ? 'SQLite' : 'MariaDB',
          spread(per(result.app), 1),
          spread(per(result.baseline), 1),
          ratioCell(per(result.app), per(result.baseline)),
          '≤ 25 MB',
          spread(result.app.map((s) => s.before / MB)),
          spread(result.baseline.map((s) => s.before / MB)),
        ]);
        raw.push(
          ...result.runs.map((r) => [
            db,
            r.pair,
            r.side === 'app' ? 'app' : 'echo',
            fmt(r.value.before / MB, 1),
            fmt(r.value.after / MB, 1),
            r.value.sockets,
            fmt(r.value.perThousand, 1),
            r.loadAverage,
          ]),
        );
        if (db === ctx.dbs[0]) report.describe(describeSeed(setup.fixture));
      } finally {
        await setup.close();
      }
    }
    report.measurement('MB of RSS per 1,000 idle sockets, median (min–max)', {
      headers: [
        'Database',
        'App MB / 1,000',
        'Echo MB / 1,000',
        'App / echo',
        'Goal',
        'App RSS before, MB',
        'Echo RSS before, MB',
      ],
      rows,
    });
    report.raw('All runs', {
      headers: [
        'Database',
        'Pair',
        'Server',
        'RSS before MB',
        'RSS after MB',
        'Sockets',
        'MB per 1,000',
        'Load average after',
      ],
      rows: raw,
    });
  },
};

export default benchmark;
