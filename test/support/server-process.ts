import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

/**
 * The service as an operator runs it: src/main.ts in its own process, configured only through
 * the environment given here (no DATABASE_URL from the caller's shell, no .env side effects).
 */
export interface ServerProcess {
  child: ChildProcessWithoutNullStreams;
  output(): { stdout: string; stderr: string };
  exited: Promise<[number | null, NodeJS.Signals | null]>;
}

const ROOT = resolve(__dirname, '..', '..');

export function startServer(
  env: Record<string, string>,
  entry: 'src/main.ts' | 'src/worker.ts' = 'src/main.ts',
): ServerProcess {
  const child = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', join(ROOT, entry)],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', DOTENV_CONFIG_PATH: '/nonexistent', ...env },
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  return { child, output: () => ({ stdout, stderr }), exited };
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/**
 * Polls `check` (sync or async) every 50 ms until it is true; fails after `timeoutMs`, naming
 * `what` (a function is asked at that moment, for output that arrived meanwhile).
 */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  what: string | (() => string),
  timeoutMs = 90_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Waits until `server` prints `line`; fails at once, with what it printed, if it exits first,
 * and with the same after `timeoutMs`.
 */
async function printed(
  server: ServerProcess,
  line: string,
  what: string,
  timeoutMs: number,
): Promise<void> {
  const { child } = server;
  const said = () => {
    const { stdout, stderr } = server.output();
    return `${what} (stdout: ${stdout.slice(-1500)}; stderr: ${stderr.slice(-1000)})`;
  };
  await waitFor(
    () => {
      if (server.output().stdout.includes(line)) return true;
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`exited (${child.exitCode ?? child.signalCode}) before ${said()}`);
      }
      return false;
    },
    said,
    timeoutMs,
  );
}

/** Waits until the process logs that it listens (the start-up line of main.ts). */
export async function listening(server: ServerProcess, timeoutMs = 90_000): Promise<void> {
  await printed(server, 'Story Book API on port', 'start-up', timeoutMs);
}

/** src/worker.ts in its own process (`npm run start:worker`), with only `env`. */
export function startWorkerProcess(env: Record<string, string>): ServerProcess {
  return startServer(env, 'src/worker.ts');
}

/** Waits until a worker process logs that it runs jobs. */
export async function workerRunning(worker: ServerProcess, timeoutMs = 30_000): Promise<void> {
  await printed(worker, 'Story Book worker running jobs', 'worker start-up', timeoutMs);
}
