/**
 * `GET /api/v1/stories?limit=20` with a token: the app vs baseline (b), a bare node:http
 * server issuing 2 prepared statements per request (caller, page). Goal: app ≥ 0.70 × (b) on
 * SQLite and on MariaDB.
 */
import { Benchmark, BenchContext, ratioCell, spread } from './lib/bench';
import { say } from './lib/common';
import { jsonDiff } from './lib/compare';
import { profileMarkdown } from './lib/cpu-profile';
import { getWithToken, HttpResponse } from './lib/http';
import {
  appStatements,
  compareHttp,
  profileHttp,
  HTTP_RESULT_HEADERS,
  RAW_HTTP_HEADERS,
  rawHttpRows,
  statementsMarkdown,
} from './lib/http-compare';
import type { HttpLoadResult } from './lib/http-load';
import { describeSeed, setUp, Setup } from './lib/setup';
import { accessToken } from './lib/tokens';

const PATH = '/api/v1/stories?limit=20';
/** Callers whose tokens the load rotates through (likedByMe/bookmarkedByMe vary by caller). */
const CALLERS = 100;

/** Fails loudly unless the app and the baseline answer the same JSON for the same requests. */
export async function checkSameList(setup: Setup, baselineUrl: string): Promise<number> {
  const travellers = setup.fixture.travellers;
  const tokens = [null, ...travellers.slice(0, 4).map((id) => accessToken(id, 'user'))];
  const paths = [PATH, '/api/v1/stories?limit=50', '/api/v1/stories'];
  let compared = 0;
  for (const token of tokens) {
    for (const first of paths) {
      let path: string | null = first;
      for (let page = 0; page < 3 && path; page++) {
        const a: HttpResponse = await getWithToken(setup.app.url + path, token);
        const b: HttpResponse = await getWithToken(baselineUrl + path, token);
        if (a.status !== 200) throw new Error(`app answered ${a.status} to ${path}: ${a.body}`);
        const diff = jsonDiff(a.body, b.body);
        if (diff.length > 0) {
          throw new Error(`baseline (b) differs from the app for ${path}:\n  ${diff.join('\n  ')}`);
        }
        compared++;
        const next: string | null = (JSON.parse(a.body) as { nextCursor: string | null })
          .nextCursor;
        path = next ? `${first}${first.includes('?') ? '&' : '?'}cursor=${next}` : null;
      }
    }
  }
  return compared;
}

const benchmark: Benchmark = {
  name: 'stories-list',
  title: 'GET /api/v1/stories?limit=20 with a token: app vs the physical limit (b)',
  summary: 'story list page, app vs bare node:http + prepared statements (b), SQLite and MariaDB',
  defaultDbs: ['sqlite', 'mariadb'],
  defaultDuration: 5,
  async run(ctx: BenchContext) {
    const { report } = ctx;
    report.describe(
      'The first page of the story list (`GET /api/v1/stories?limit=20`, 20 summaries, docs/api.md, Stories and media) with a ' +
        `Bearer token, the caller rotating over ${CALLERS} travellers. **App**: \`node dist/src/main.js\` ` +
        '(NODE_ENV=production, LOG_LEVEL=warn, rate limits off). **Baseline (b)**: ' +
        '`bench/baselines/stories-server.ts`, a bare `node:http` server that verifies the HS256 JWT with ' +
        'node:crypto, looks up the caller (1 prepared statement) and reads the page with everything the ' +
        'summaries need in 1 prepared statement (tags as a JSON array, first ready thumbnail, likedByMe, ' +
        'bookmarkedByMe) — 2 statements per request; better-sqlite3 or mysql2 `execute`. Before measuring, ' +
        'both answer 45 requests (5 callers incl. anonymous × 3 limits × 3 pages) and the bodies must be ' +
        'identical JSON text, else the benchmark fails.',
      `Load: autocannon in a child process, ${ctx.options.connections} connections, ${ctx.duration} s per run, ` +
        `after a 2 s warm-up of each server; ${ctx.options.pairs} interleaved pairs (app, (b), app, (b), …). ` +
        'The ratio is app / (b) per pair; its median and min–max are shown. Goal: ≥ 0.70 on both databases.',
    );
    const rows: (string | number)[][] = [];
    const raw: (string | number)[][] = [];
    for (const db of ctx.dbs) {
      say(`stories-list on ${db}`);
      const setup = await setUp(ctx, db);
      try {
        const baseline = await setup.startBaseline('baseline (b)', 'baselines/stories-server');
        const compared = await checkSameList(setup, baseline.url);
        say(`  ${compared} responses identical`);
        const tokens = setup.fixture.travellers
          .slice(0, CALLERS)
          .map((id) => accessToken(id, 'user'));
        const work = { paths: [PATH], tokens };
        const result = await compareHttp(ctx, `list/${db}`, setup.app, baseline, () => work);
        const rps = (rs: HttpLoadResult[]) => rs.map((r) => r.rps);
        const p99 = (rs: HttpLoadResult[]) => rs.map((r) => r.latencyP99);
        rows.push([
          db === 'sqlite' ? 'SQLite' : 'MariaDB',
          spread(rps(result.app)),
          spread(rps(result.baseline)),
          ratioCell(rps(result.app), rps(result.baseline)),
          '≥ 0.70',
          spread(p99(result.app)),
          spread(p99(result.baseline)),
        ]);
        raw.push(...rawHttpRows(db, result.runs));
        const statements = await appStatements(setup, PATH, tokens[0]);
        rows[rows.length - 1].push(`${statements.length} / 2`);
        report.section(
          `Statements the app issues for the first page (${db})`,
          `Captured with DB_LOGGING=true (TypeORM prints each statement), shortened.\n\n${statementsMarkdown(statements)}`,
        );
        if (ctx.options.profile && db === 'sqlite') {
          say('  CPU profile of the app under the same load');
          const profile = await profileHttp(ctx, 'stories-list', setup, work, ctx.duration);
          report.section(
            `CPU profile of the app (${db}), top self time`,
            `\`node --cpu-prof\` on the app process, one extra ${ctx.duration} s run under the same load after a ` +
              `2 s warm-up (samples outside the load left out).\n\n${profileMarkdown(profile)}`,
          );
        }
        if (db === ctx.dbs[0]) report.describe(describeSeed(setup.fixture));
      } finally {
        await setup.close();
      }
    }
    report.measurement('Requests per second, median (min–max)', {
      headers: HTTP_RESULT_HEADERS,
      rows,
    });
    report.raw('All runs', { headers: RAW_HTTP_HEADERS, rows: raw });
  },
};

export default benchmark;
