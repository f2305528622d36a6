/**
 * What a benchmark is, the options the runner gives it, and the helpers they share:
 * interleaved runs (A B A B …) and the app-vs-baseline table rows.
 */
import type { DbKind, TempDir } from './common';
import { say } from './common';
import { loadAverage } from './machine';
import type { Report } from './report';
import { fmt, max, median, min, spread } from './stats';

export interface BenchOptions {
  /** --db: one database instead of the benchmark's defaults. */
  db: DbKind | null;
  /** --pairs: interleaved app/baseline pairs (at least 3 by default). */
  pairs: number;
  /** --duration: seconds per run, instead of the benchmark's default. */
  duration: number | null;
  /** --connections: HTTP connections of the load generator. */
  connections: number;
  /** --no-profile turns the CPU profile phase off where a benchmark has one. */
  profile: boolean;
}

export interface BenchContext {
  options: BenchOptions;
  /** A temp dir for this benchmark, removed afterwards. */
  dir: TempDir;
  report: Report;
  /** Seconds per run: --duration or the benchmark's default. */
  duration: number;
  /** Databases to run on: --db or the benchmark's defaults. */
  dbs: DbKind[];
}

export interface Benchmark {
  name: string;
  title: string;
  /** One line for `npm run bench -- list`. */
  summary: string;
  defaultDbs: DbKind[];
  defaultDuration: number;
  run(ctx: BenchContext): Promise<void>;
}

export interface RunRecord<T> {
  side: 'app' | 'baseline';
  pair: number;
  value: T;
  loadAverage: string;
}

/**
 * Runs `app` and `baseline` alternately, A B A B …, `pairs` times; each run's result is kept
 * with the load average at its end.
 */
export async function interleave<T>(
  label: string,
  pairs: number,
  app: () => Promise<T>,
  baseline: () => Promise<T>,
  describe: (value: T) => string,
  baselineName = 'baseline',
): Promise<{ app: T[]; baseline: T[]; runs: RunRecord<T>[] }> {
  const runs: RunRecord<T>[] = [];
  for (let pair = 1; pair <= pairs; pair++) {
    for (const [side, fn] of [
      ['app', app],
      ['baseline', baseline],
    ] as const) {
      const value = await fn();
      runs.push({ side, pair, value, loadAverage: loadAverage() });
      const name = side === 'app' ? 'app' : baselineName;
      say(`  ${label} pair ${pair} ${name.padEnd(8)} ${describe(value)}  (load ${loadAverage()})`);
    }
  }
  return {
    app: runs.filter((r) => r.side === 'app').map((r) => r.value),
    baseline: runs.filter((r) => r.side === 'baseline').map((r) => r.value),
    runs,
  };
}

/** Per-pair ratios app / baseline. */
export function pairRatios(app: number[], baseline: number[]): number[] {
  return app.map((value, i) => value / baseline[i]);
}

/** `median (min–max)` of per-pair ratios, two decimals. */
export function ratioCell(app: number[], baseline: number[]): string {
  const ratios = pairRatios(app, baseline);
  return `**${fmt(median(ratios), 2)}** (${fmt(min(ratios), 2)}–${fmt(max(ratios), 2)})`;
}

export { spread };
