/**
 * Benchmark runner (issue 11).
 *
 *   npm run bench -- list
 *   npm run bench -- <name> [--db sqlite|mariadb] [--pairs N] [--duration S] [--connections C] [--no-profile]
 *   npm run bench -- all [same options]
 *
 * Runs bench/<name>.bench.ts: the app from the compiled build (`npm run build` first when dist/
 * is older than src/) and its baselines as separate processes, load from child processes,
 * app and baseline runs interleaved; prints medians and writes docs/benchmarks/<name>.md.
 * See bench/README.md.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBuild } from './lib/app';
import type { Benchmark, BenchOptions } from './lib/bench';
import { compiledBenchDir, removeCompiled } from './lib/compile';
import { DbKind, ROOT, say, TempDir } from './lib/common';
import { dropScratchDatabases } from './lib/database';
import { loadAverage } from './lib/machine';
import { killAll } from './lib/processes';
import { Report } from './lib/report';

/** The order of `all`; benchmarks not named here run after these. */
const ORDER = [
  'stories-list',
  'story-detail',
  'chat-throughput',
  'chat-latency',
  'idle-sockets',
  'upload-jpeg',
  'cold-start',
];

function benchmarkNames(): string[] {
  const found = readdirSync(join(ROOT, 'bench'))
    .filter((f) => f.endsWith('.bench.ts'))
    .map((f) => f.replace(/\.bench\.ts$/, ''));
  return [
    ...ORDER.filter((n) => found.includes(n)),
    ...found.filter((n) => !ORDER.includes(n)).sort(),
  ];
}

function load(name: string): Benchmark {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(join(ROOT, 'bench', `${name}.bench.ts`)) as { default: Benchmark }).default;
}

function parse(argv: string[]): { target: string; options: BenchOptions } {
  const options: BenchOptions = {
    db: null,
    pairs: 3,
    duration: null,
    connections: 10,
    profile: true,
  };
  let target = '';
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === '--db') {
      const db = value();
      if (db !== 'sqlite' && db !== 'mariadb') throw new Error('--db is sqlite or mariadb');
      options.db = db as DbKind;
    } else if (arg === '--pairs') options.pairs = Math.max(1, Number(value()));
    else if (arg === '--duration') options.duration = Number(value());
    else if (arg === '--connections') options.connections = Number(value());
    else if (arg === '--no-profile') options.profile = false;
    else if (arg.startsWith('--')) throw new Error(`unknown option ${arg}`);
    else if (!target) target = arg;
    else throw new Error(`unexpected argument ${arg}`);
  }
  if (!Number.isFinite(options.pairs) || (options.duration !== null && !(options.duration > 0))) {
    throw new Error('--pairs and --duration take positive numbers');
  }
  return { target, options };
}

async function runOne(name: string, options: BenchOptions, argv: string[]): Promise<string> {
  const benchmark = load(name);
  const dir = new TempDir(name);
  // the command that reruns this benchmark alone, with the same options
  const command = `npm run bench -- ${[name, ...argv.slice(1)].join(' ')}`;
  const report = new Report(name, benchmark.title, command);
  say(`\n== ${name}: ${benchmark.title} (load ${loadAverage()})`);
  const started = Date.now();
  try {
    await benchmark.run({
      options,
      dir,
      report,
      duration: options.duration ?? benchmark.defaultDuration,
      dbs: options.db ? [options.db] : benchmark.defaultDbs,
    });
    const path = await report.write();
    say(`== ${name} done in ${((Date.now() - started) / 1000).toFixed(0)} s → ${path}`);
    return path;
  } finally {
    dir.remove();
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const { target, options } = parse(argv);
  const names = benchmarkNames();
  if (!target || target === 'list') {
    say(
      'Benchmarks (npm run bench -- <name>|all [--db sqlite|mariadb] [--pairs N] [--duration S]):',
    );
    for (const name of names) say(`  ${name.padEnd(16)} ${load(name).summary}`);
    return;
  }
  const selected = target === 'all' ? names : [target];
  for (const name of selected) {
    if (!names.includes(name)) throw new Error(`no benchmark ${name}; see npm run bench -- list`);
  }
  ensureBuild();
  compiledBenchDir();
  const failures: string[] = [];
  for (const name of selected) {
    try {
      await runOne(name, options, argv);
    } catch (error) {
      // one broken benchmark must not cost the others' numbers in `all`
      failures.push(name);
      console.error(
        `== ${name} FAILED: ${error instanceof Error ? (error.stack ?? error.message) : error}`,
      );
      killAll();
      await dropScratchDatabases();
    }
  }
  if (failures.length > 0) throw new Error(`failed: ${failures.join(', ')}`);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killAll();
    void dropScratchDatabases().finally(() => process.exit(130));
  });
}

main()
  .catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  })
  .finally(() => {
    killAll();
    removeCompiled();
  });
