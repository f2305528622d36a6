/**
 * Constants and small helpers shared by the benchmark runner, the benchmarks and the child
 * processes they start (load generators, baseline servers).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The repository (worktree) root; transpiled children are told it through BENCH_ROOT. */
export const ROOT = process.env.BENCH_ROOT ?? resolve(__dirname, '..', '..');

/**
 * The JWT secret every server under test runs with (app, baselines, echo), so the runner can
 * sign access tokens itself. At least 32 characters, as production requires.
 */
export const BENCH_JWT_SECRET = 'storybook-bench-secret-0123456789abcdef0123456789';

export type DbKind = 'sqlite' | 'mariadb';

/** MariaDB server the benchmarks create their scratch databases on. */
export const MARIADB = { host: '127.0.0.1', port: 3306, user: 'root', password: '' };

/** A scratch directory under the OS temp dir, removed by {@link TempDir.remove}. */
export class TempDir {
  readonly path: string;

  constructor(prefix: string) {
    this.path = mkdtempSync(join(tmpdir(), `storybook-bench-${prefix}-`));
  }

  join(...parts: string[]): string {
    return join(this.path, ...parts);
  }

  remove(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}

export const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

/** Writes a line to stdout (the lint rules keep console.log out of the code base). */
export function say(line = ''): void {
  process.stdout.write(`${line}\n`);
}
