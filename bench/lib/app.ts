/**
 * The app under test: the compiled build (`node dist/src/main.js`), configured by environment
 * only, as a process of its own. Built first when dist/ is older than the sources.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_JWT_SECRET, ROOT, say, TempDir } from './common';
import type { ScratchDb } from './database';
import { freePort, ServerProcess } from './processes';

export const APP_MAIN = join(ROOT, 'dist', 'src', 'main.js');

function newestMtime(path: string): number {
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  return readdirSync(path).reduce(
    (newest, name) => Math.max(newest, newestMtime(join(path, name))),
    0,
  );
}

/** Runs `npm run build` when dist/src/main.js is missing or older than what it is built from. */
export function ensureBuild(): void {
  const inputs = ['src', 'migrations', 'ormconfig.ts', 'tsconfig.json', 'tsconfig.build.json'];
  const newestSource = Math.max(...inputs.map((p) => newestMtime(join(ROOT, p))));
  if (existsSync(APP_MAIN) && statSync(APP_MAIN).mtimeMs >= newestSource) return;
  say('dist/ is older than src/: npm run build');
  execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
}

/**
 * The app's environment: production mode, quiet logs, no rate limits, the bench JWT secret,
 * the scratch database, uploads in the temp dir. Nothing is inherited from the runner's
 * environment but PATH and HOME, so a developer's .env or shell cannot change what is measured
 * (the app also runs in the temp dir, where dotenv finds no .env).
 */
export function appEnv(
  db: ScratchDb,
  dir: TempDir,
  port: number,
  extra: Record<string, string> = {},
) {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? dir.path,
    NODE_ENV: 'production',
    // the SQLite runs measure the embedded database on purpose
    ALLOW_SQLITE_IN_PRODUCTION: 'true',
    PORT: String(port),
    LOG_LEVEL: 'warn',
    RATE_LIMIT_ENABLED: 'false',
    JWT_SECRET: BENCH_JWT_SECRET,
    AUTH_DEV_LOGIN: 'true',
    UPLOAD_DIR: dir.join('uploads'),
    DB_MIGRATIONS_RUN: 'true',
    ...db.env,
    ...extra,
  };
}

export interface AppOptions {
  db: ScratchDb;
  dir: TempDir;
  /** Writes a V8 CPU profile (.cpuprofile) into this directory when the app exits. */
  cpuProfileDir?: string;
  env?: Record<string, string>;
}

export async function startApp(options: AppOptions): Promise<ServerProcess> {
  const port = await freePort();
  const nodeArgs = options.cpuProfileDir
    ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`]
    : [];
  return ServerProcess.start({
    name: 'app',
    command: process.execPath,
    args: [...nodeArgs, APP_MAIN],
    env: appEnv(options.db, options.dir, port, options.env),
    cwd: options.dir.path,
    port,
    readyTimeoutMs: 120_000,
  });
}
