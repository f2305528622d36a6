/**
 * App vs baseline (b) on one HTTP route: warm-up, interleaved runs with autocannon in a child
 * process, checks that every response was 2xx, and an optional CPU profile of the app under
 * the same load.
 */
import { mkdirSync } from 'node:fs';
import { BenchContext, interleave, RunRecord } from './bench';
import { say } from './common';
import { monotonicMicros, ProfileSummary, profileIn, summariseProfile } from './cpu-profile';
import { getWithToken } from './http';
import type { HttpLoadResult } from './http-load';
import { ServerProcess, Worker } from './processes';
import type { Setup } from './setup';
import { fmt } from './stats';

export interface Workload {
  paths: string[];
  tokens: string[];
}

export const WARMUP_SECONDS = 2;

function describe(r: HttpLoadResult): string {
  return `${fmt(r.rps)} req/s, p50 ${r.latencyP50} ms, p99 ${r.latencyP99} ms`;
}

function check(name: string, r: HttpLoadResult): void {
  if (r.non2xx > 0 || r.errors > 0 || r.timeouts > 0) {
    throw new Error(
      `${name}: ${r.non2xx} non-2xx responses, ${r.errors} errors, ${r.timeouts} timeouts of ${r.requests}`,
    );
  }
}

export async function compareHttp(
  ctx: BenchContext,
  label: string,
  app: ServerProcess,
  baseline: ServerProcess,
  /** The workload of run k (0-based, warm-ups included: 0 and 1 are the warm-ups). */
  workload: (run: number) => Workload,
): Promise<{
  app: HttpLoadResult[];
  baseline: HttpLoadResult[];
  runs: RunRecord<HttpLoadResult>[];
}> {
  const load = Worker.start('lib/http-load');
  let run = 0;
  const once = async (server: ServerProcess, seconds: number) => {
    const result = await load.call<HttpLoadResult>('run', {
      url: server.url,
      connections: ctx.options.connections,
      durationSec: seconds,
      ...workload(run++),
    });
    check(`${label} on ${server.spec.name}`, result);
    return result;
  };
  try {
    say(`  ${label}: warm-up ${WARMUP_SECONDS} s each`);
    await once(app, WARMUP_SECONDS);
    await once(baseline, WARMUP_SECONDS);
    return await interleave(
      label,
      ctx.options.pairs,
      () => once(app, ctx.duration),
      () => once(baseline, ctx.duration),
      describe,
    );
  } finally {
    await load.stop();
  }
}

/**
 * Restarts the app with `--cpu-prof`, warms it up, loads it for `seconds`, stops it, and
 * summarises the samples taken during the load.
 */
export async function profileHttp(
  ctx: BenchContext,
  label: string,
  setup: Setup,
  work: Workload,
  seconds: number,
): Promise<ProfileSummary> {
  const dir = ctx.dir.join(`cpu-profile-${setup.db.kind}-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  const app = await setup.restartApp({ cpuProfileDir: dir });
  const load = Worker.start('lib/http-load');
  try {
    const input = { url: app.url, connections: ctx.options.connections, ...work };
    await load.call<HttpLoadResult>('run', { ...input, durationSec: WARMUP_SECONDS });
    const from = monotonicMicros();
    const result = await load.call<HttpLoadResult>('run', { ...input, durationSec: seconds });
    const to = monotonicMicros();
    check('profiled run', result);
    say(`  profiled run: ${describe(result)}`);
    await app.stop();
    return summariseProfile(profileIn(dir, `${label}-${setup.db.kind}`), 15, { from, to });
  } finally {
    await load.stop();
  }
}

/** Rows of raw runs for the report. */
export function rawHttpRows(db: string, runs: RunRecord<HttpLoadResult>[]): (string | number)[][] {
  return runs.map((r) => [
    db,
    r.pair,
    r.side === 'app' ? 'app' : 'baseline (b)',
    fmt(r.value.rps),
    r.value.requests,
    r.value.latencyP50,
    r.value.latencyP99,
    r.loadAverage,
  ]);
}

/** The summary table of an app-vs-(b) HTTP benchmark. */
export const HTTP_RESULT_HEADERS = [
  'Database',
  'App req/s',
  '(b) req/s',
  'App / (b)',
  'Goal',
  'App p99 ms',
  '(b) p99 ms',
  'Statements app / (b)',
];

export const RAW_HTTP_HEADERS = [
  'Database',
  'Pair',
  'Server',
  'Requests/s',
  'Requests',
  'p50 ms',
  'p99 ms',
  'Load average after',
];

/**
 * The SQL the app issues for one request: restarts it with DB_LOGGING=true (TypeORM prints
 * every statement), sends the request and collects the statements. The app keeps logging
 * SQL until the next restart.
 */
export async function appStatements(setup: Setup, path: string, token: string): Promise<string[]> {
  const app = await setup.restartApp({ env: { DB_LOGGING: 'true' } });
  const statements: string[] = [];
  app.onLine((line) => {
    if (line.startsWith('query:')) statements.push(line.slice('query:'.length).trim());
  });
  const response = await getWithToken(app.url + path, token);
  await new Promise((resolve) => setTimeout(resolve, 300));
  app.onLine(null);
  if (response.status !== 200) throw new Error(`${path} answered ${response.status}`);
  return statements;
}

/** A Markdown list of statements, each cut to its start and its WHERE clause. */
export function statementsMarkdown(statements: string[]): string {
  const short = (sql: string) => {
    const params = sql.indexOf(' -- PARAMETERS:');
    const text = params === -1 ? sql : sql.slice(0, params);
    const select = /^SELECT .* FROM ("?\w+"?|`\w+`)/.exec(text);
    const head = select ? `SELECT … FROM ${select[1]}` : text.slice(0, 200);
    const where = text.search(/ WHERE /);
    const tail =
      where === -1
        ? ''
        : ` …${text.slice(where, where + 160)}${text.length > where + 160 ? '…' : ''}`;
    return `${head}${select ? tail : ''}`.replace(/\|/g, '\\|').replace(/`/g, "'");
  };
  return statements.map((sql, i) => `${i + 1}. \`${short(sql)}\``).join('\n');
}
