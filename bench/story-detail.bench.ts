/**
 * `GET /api/v1/stories/:id` with a token: the app vs baseline (b), a bare node:http server
 * issuing 3–4 prepared statements per request (caller, view upsert, view counter when the view
 * counts, story with media). Goal: app ≥ 0.80 × (b) on SQLite and on MariaDB.
 */
import { Benchmark, BenchContext, ratioCell, spread } from './lib/bench';
import { say } from './lib/common';
import { jsonDiff } from './lib/compare';
import { profileMarkdown } from './lib/cpu-profile';
import { getWithToken } from './lib/http';
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

/** Stories of the checks: spread over the ids, so with and without media, tags, likes. */
function sampleStories(ids: number[], n: number): number[] {
  return Array.from({ length: n }, (_, i) => ids[Math.floor((i * (ids.length - 1)) / (n - 1))]);
}

/**
 * Fails loudly unless app and baseline answer the same JSON: for each story, a view that does
 * not count (the same viewer again within 10 minutes) on both, and a view counted by the
 * baseline compared with the app's answer right after (same viewer, so not counted again).
 */
async function checkSameDetail(setup: Setup, baselineUrl: string): Promise<number> {
  const guides = setup.fixture.guides;
  let compared = 0;
  const stories = sampleStories(setup.fixture.stories, 24);
  for (const [i, storyId] of stories.entries()) {
    const path = `/api/v1/stories/${storyId}`;
    const first = accessToken(guides[i % guides.length].userId, 'guide');
    const second = accessToken(guides[(i + 25) % guides.length].userId, 'guide');
    await getWithToken(setup.app.url + path, first);
    const pairs = [
      [
        await getWithToken(setup.app.url + path, first),
        await getWithToken(baselineUrl + path, first),
      ],
      [
        await getWithToken(baselineUrl + path, second),
        await getWithToken(setup.app.url + path, second),
      ],
    ];
    for (const [index, [x, y]] of pairs.entries()) {
      const [app, baseline] = index === 0 ? [x, y] : [y, x];
      if (app.status !== 200) throw new Error(`app answered ${app.status} to ${path}: ${app.body}`);
      const diff = jsonDiff(app.body, baseline.body);
      if (diff.length > 0) {
        const what = index === 0 ? 'a repeated view' : 'a view counted by the baseline';
        throw new Error(
          `baseline (b) differs from the app for ${path} (${what}):\n  ${diff.join('\n  ')}`,
        );
      }
      compared++;
    }
    // each server counting a first view itself: the same body but one view more; a view is
    // no edit, so updatedAt stays
    const third = accessToken(guides[(i + 10) % guides.length].userId, 'guide');
    const fourth = accessToken(guides[(i + 35) % guides.length].userId, 'guide');
    const app = JSON.parse((await getWithToken(setup.app.url + path, third)).body) as Counted;
    const baseline = JSON.parse((await getWithToken(baselineUrl + path, fourth)).body) as Counted;
    const problems = jsonDiff(
      JSON.stringify({ ...app, viewCount: 0 }),
      JSON.stringify({ ...baseline, viewCount: 0 }),
    );
    if (baseline.viewCount !== app.viewCount + 1) problems.push('viewCount did not go up by one');
    if (problems.length > 0) {
      throw new Error(
        `a view counted by each server differs for ${path}:\n  ${problems.join('\n  ')}`,
      );
    }
    compared += 2;
  }
  return compared;
}

interface Counted {
  viewCount: number;
  updatedAt: string;
}

/** Deterministic shuffle, so the requests do not walk the ids in order. */
function shuffled(values: number[]): number[] {
  const out = [...values];
  let seed = 7;
  for (let i = out.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    const j = seed % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

const benchmark: Benchmark = {
  name: 'story-detail',
  title: 'GET /api/v1/stories/:id with a token: app vs the physical limit (b)',
  summary:
    'story detail (counts a view), app vs bare node:http + prepared statements (b), SQLite and MariaDB',
  defaultDbs: ['sqlite', 'mariadb'],
  defaultDuration: 5,
  async run(ctx: BenchContext) {
    const { report } = ctx;
    const runsPerDb = 2 * ctx.options.pairs + 2 + (ctx.options.profile ? 2 : 0);
    report.describe(
      'A story with its media (`GET /api/v1/stories/:id`, docs/api.md, Stories and media "Story detail") with a Bearer token. The ' +
        'route counts a view, at most once per viewer per 10 minutes, so every request here is a first view: ' +
        'each run has its own set of travellers, and request i of a run goes to the pair (traveller i mod T, ' +
        'story …) so no pair repeats within the run (T travellers × 2,000 published stories, shuffled). ' +
        '**App**: `node dist/src/main.js` (NODE_ENV=production, LOG_LEVEL=warn, rate limits off). **Baseline ' +
        '(b)**: `bench/baselines/stories-server.ts`, a bare `node:http` server: HS256 JWT checked with ' +
        'node:crypto, then prepared statements — the caller (1); the view as one upsert that inserts or renews ' +
        "the viewer's row only when the last one is older than 10 minutes (2), and the counter when it counted " +
        '(3; in one transaction with (2) on SQLite, autocommit on MariaDB); the story with its summary fields, ' +
        'tags and media as JSON (4). Before measuring, for 24 stories: a repeated view on both, and a view counted by (b) ' +
        'read back from the app, must give identical JSON text; and a first view counted by each must differ ' +
        'only in viewCount (+1); else the benchmark fails.',
      `Load: autocannon in a child process, ${ctx.options.connections} connections, ${ctx.duration} s per run, ` +
        `after a 2 s warm-up of each server; ${ctx.options.pairs} interleaved pairs. Ratio app / (b) per pair, ` +
        'median and min–max. Goal: ≥ 0.80 on both databases.',
    );
    const rows: (string | number)[][] = [];
    const raw: (string | number)[][] = [];
    for (const db of ctx.dbs) {
      say(`story-detail on ${db}`);
      const setup = await setUp(ctx, db);
      try {
        const baseline = await setup.startBaseline('baseline (b)', 'baselines/stories-server');
        const compared = await checkSameDetail(setup, baseline.url);
        say(`  ${compared} responses checked against the app's`);
        const { travellers, stories } = setup.fixture;
        const perRun = Math.floor(travellers.length / runsPerDb);
        const paths = shuffled(stories).map((id) => `/api/v1/stories/${id}`);
        const work = (run: number) => ({
          paths,
          tokens: travellers
            .slice(run * perRun, (run + 1) * perRun)
            .map((id) => accessToken(id, 'user')),
        });
        const result = await compareHttp(ctx, `detail/${db}`, setup.app, baseline, work);
        const rps = (rs: HttpLoadResult[]) => rs.map((r) => r.rps);
        const p99 = (rs: HttpLoadResult[]) => rs.map((r) => r.latencyP99);
        rows.push([
          db === 'sqlite' ? 'SQLite' : 'MariaDB',
          spread(rps(result.app)),
          spread(rps(result.baseline)),
          ratioCell(rps(result.app), rps(result.baseline)),
          '≥ 0.80',
          spread(p99(result.app)),
          spread(p99(result.baseline)),
        ]);
        raw.push(...rawHttpRows(db, result.runs));
        const statements = await appStatements(
          setup,
          `/api/v1/stories/${stories[5]}`,
          accessToken(setup.fixture.guides[49].userId, 'guide'),
        );
        rows[rows.length - 1].push(`${statements.length} / 3–4`);
        report.section(
          `Statements the app issues for a first view (${db})`,
          `Captured with DB_LOGGING=true (TypeORM prints each statement), shortened.\n\n${statementsMarkdown(statements)}`,
        );
        if (ctx.options.profile && db === 'sqlite') {
          say('  CPU profile of the app under the same load');
          const profile = await profileHttp(
            ctx,
            'story-detail',
            setup,
            work(runsPerDb - 1),
            ctx.duration,
          );
          report.section(
            `CPU profile of the app (${db}), top self time`,
            `\`node --cpu-prof\` on the app process, one extra ${ctx.duration} s run of first views after a ` +
              `2 s warm-up (samples outside the load left out).\n\n${profileMarkdown(profile)}`,
          );
        }
        if (db === ctx.dbs[0]) {
          report.describe(
            `${describeSeed(setup.fixture)} ${perRun} travellers per run, so up to ${perRun * stories.length} ` +
              'distinct first views per run.',
          );
        }
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
