/**
 * Cold start: from spawning `node dist/src/main.js` on a fresh SQLite file to the first
 * `GET /health` 200, against the floor of the stack (node:http + better-sqlite3 opening a new
 * file). Goal: app ≤ 1.0 s.
 */
import { mkdirSync } from 'node:fs';
import { startApp } from './lib/app';
import { Benchmark, BenchContext, interleave, ratioCell, spread } from './lib/bench';
import { say, TempDir } from './lib/common';
import type { ScratchDb } from './lib/database';
import { freePort, startScriptServer } from './lib/processes';
import { fmt } from './lib/stats';

interface Start {
  fresh: number;
  existing: number;
}

const benchmark: Benchmark = {
  name: 'cold-start',
  title: 'Cold start to the first /health 200 on SQLite',
  summary:
    'spawn → first GET /health 200 on a fresh SQLite file, app vs node:http + better-sqlite3',
  defaultDbs: ['sqlite'],
  defaultDuration: 0,
  async run(ctx: BenchContext) {
    const { report } = ctx;
    const pairs = Math.max(5, ctx.options.pairs);
    report.describe(
      'Time from spawning the process to the first 200 of `GET /health`, polled every 5 ms. **App**: `node ' +
        'dist/src/main.js` (NODE_ENV=production, LOG_LEVEL=warn, Swagger on as by default) on a new, empty ' +
        'SQLite file — so the start includes creating the schema (synchronize) and seeding the regions — and ' +
        'then once more on the same, now existing file. **Floor**: `bench/baselines/health-floor.ts`, ' +
        'node:http + better-sqlite3 opening a new file in WAL mode, /health answered with `SELECT 1`. The ' +
        'runner itself is another process; the files are read from the page cache after a first, uncounted ' +
        'start of each.',
      `${pairs} interleaved pairs. Goal: app ≤ 1.0 s (fresh file).`,
    );
    let n = 0;
    const fresh = (): ScratchDb => {
      const dir = ctx.dir.join(`db-${++n}`);
      mkdirSync(dir, { recursive: true });
      const path = `${dir}/cold.sqlite`;
      return {
        kind: 'sqlite',
        env: { SQLITE_PATH: path, DATABASE_URL: '' },
        sqlitePath: path,
        connect: () => Promise.reject(new Error('not used')),
        drop: async () => undefined,
      };
    };
    const appStart = async (): Promise<Start> => {
      const db = fresh();
      const dir: TempDir = ctx.dir;
      const first = await startApp({ db, dir });
      await first.stop();
      const second = await startApp({ db, dir });
      await second.stop();
      return { fresh: first.readyAfterMs, existing: second.readyAfterMs };
    };
    const floorStart = async (): Promise<Start> => {
      const db = fresh();
      const env = { SQLITE_PATH: db.sqlitePath as string };
      const first = await startScriptServer(
        'floor',
        'baselines/health-floor',
        await freePort(),
        env,
      );
      await first.stop();
      const second = await startScriptServer(
        'floor',
        'baselines/health-floor',
        await freePort(),
        env,
      );
      await second.stop();
      return { fresh: first.readyAfterMs, existing: second.readyAfterMs };
    };
    say('cold-start: one uncounted start of each');
    await appStart();
    await floorStart();
    const result = await interleave(
      'cold-start',
      pairs,
      appStart,
      floorStart,
      (s) => `fresh file ${fmt(s.fresh)} ms, existing file ${fmt(s.existing)} ms`,
      'floor',
    );
    const col = (ss: Start[], key: keyof Start) => ss.map((s) => s[key]);
    report.measurement('Milliseconds from spawn to the first /health 200, median (min–max)', {
      headers: ['SQLite file', 'App ms', 'Floor ms', 'App / floor', 'Goal'],
      rows: [
        [
          'fresh (schema + regions created)',
          spread(col(result.app, 'fresh')),
          spread(col(result.baseline, 'fresh')),
          ratioCell(col(result.app, 'fresh'), col(result.baseline, 'fresh')),
          '≤ 1,000 ms',
        ],
        [
          'existing',
          spread(col(result.app, 'existing')),
          spread(col(result.baseline, 'existing')),
          ratioCell(col(result.app, 'existing'), col(result.baseline, 'existing')),
          '',
        ],
      ],
    });
    report.raw('All runs', {
      headers: ['Pair', 'Server', 'Fresh file ms', 'Existing file ms', 'Load average after'],
      rows: result.runs.map((r) => [
        r.pair,
        r.side === 'app' ? 'app' : 'floor',
        fmt(r.value.fresh),
        fmt(r.value.existing),
        r.loadAverage,
      ]),
    });
  },
};

export default benchmark;
