/**
 * Starting and stopping the processes of a benchmark: servers under test (the app, baselines)
 * with a readiness check, and workers (load generators) that talk to the runner over IPC.
 */
import { ChildProcess, fork, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { childEnv, childScript } from './compile';
import { sleep } from './common';

const live = new Set<ChildProcess>();

/** Kills whatever the runner started and is still running (used on errors and Ctrl-C). */
export function killAll(): void {
  for (const child of live) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  live.clear();
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** GET `url`; resolves with the status code, or null when nothing answered. */
export function httpStatus(url: string, timeoutMs = 1000): Promise<number | null> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? null));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(null));
    req.end();
  });
}

/** The last lines a process wrote, kept for error messages. */
class Tail {
  private lines: string[] = [];
  /** Also gets every line, while set (e.g. to collect logged SQL). */
  listener: ((line: string) => void) | null = null;
  private partial = '';

  push(chunk: Buffer): void {
    const text = this.partial + chunk.toString('utf8');
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) {
      if (!line) continue;
      this.lines.push(line);
      this.listener?.(line);
    }
    if (this.lines.length > 60) this.lines.splice(0, this.lines.length - 60);
  }

  toString(): string {
    return this.lines.join('\n');
  }
}

export interface ServerSpec {
  name: string;
  /** Executable and arguments, e.g. `node dist/src/main.js`. */
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  port: number;
  cwd?: string;
  /** Path answered 200 once the server is ready. */
  readyPath?: string;
  readyTimeoutMs?: number;
}

export class ServerProcess {
  readonly url: string;
  /** Milliseconds from spawn to the first 200 on the readiness path. */
  readyAfterMs = 0;
  private readonly tail = new Tail();
  private readonly exited: Promise<number | null>;

  private constructor(
    readonly spec: ServerSpec,
    readonly child: ChildProcess,
  ) {
    this.url = `http://127.0.0.1:${spec.port}`;
    child.stdout?.on('data', (chunk: Buffer) => this.tail.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => this.tail.push(chunk));
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  get pid(): number {
    return this.child.pid as number;
  }

  get output(): string {
    return this.tail.toString();
  }

  /** Calls `listener` with every line the process writes (stdout and stderr) from now on. */
  onLine(listener: ((line: string) => void) | null): void {
    this.tail.listener = listener;
  }

  static async start(spec: ServerSpec): Promise<ServerProcess> {
    const started = performance.now();
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    live.add(child);
    const server = new ServerProcess(spec, child);
    const deadline = started + (spec.readyTimeoutMs ?? 60_000);
    const readyUrl = `${server.url}${spec.readyPath ?? '/health'}`;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`${spec.name} exited before it was ready:\n${server.output}`);
      }
      if ((await httpStatus(readyUrl)) === 200) break;
      if (performance.now() > deadline) {
        await server.stop();
        throw new Error(`${spec.name} was not ready within the time limit:\n${server.output}`);
      }
      await sleep(5);
    }
    server.readyAfterMs = performance.now() - started;
    return server;
  }

  /** Resident set size of the process in bytes, from /proc/<pid>/status. */
  rssBytes(): number {
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    if (!match) throw new Error(`no VmRSS for pid ${this.pid}`);
    return Number(match[1]) * 1024;
  }

  /** CPU time of the process so far, in clock ticks (user + system, /proc/<pid>/stat). */
  cpuTicks(): number {
    const stat = readFileSync(`/proc/${this.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
  }

  /**
   * Waits until the process is idle — at most 2 ticks of CPU (≈ 8 %) in each of two
   * consecutive 250 ms windows — so that work it does after it answers /health (jobs resumed
   * at start, lazy initialisation) does not run into a measurement. Gives up after `maxMs`.
   */
  async waitIdle(maxMs = 30_000): Promise<number> {
    const started = performance.now();
    let quiet = 0;
    let last = this.cpuTicks();
    while (quiet < 2 && performance.now() - started < maxMs) {
      await sleep(250);
      const now = this.cpuTicks();
      quiet = now - last <= 2 ? quiet + 1 : 0;
      last = now;
    }
    return performance.now() - started;
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code. */
  async stop(graceMs = 20_000): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    live.delete(this.child);
    return this.child.exitCode;
  }
}

/** Starts a transpiled bench script (e.g. a baseline server) as a server process. */
export function startScriptServer(
  name: string,
  script: string,
  port: number,
  env: Record<string, string | undefined>,
  nodeArgs: string[] = [],
): Promise<ServerProcess> {
  return ServerProcess.start({
    name,
    command: process.execPath,
    args: [...nodeArgs, childScript(script)],
    env: childEnv({ ...env, PORT: String(port) }),
    port,
  });
}

type WorkerReply =
  { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

/**
 * A long-lived child (a load generator) driven by request/response messages over IPC: the
 * runner sends `{ id, command, input }`, the child answers `{ id, ok, result | error }`.
 */
export class Worker {
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve(v: unknown): void; reject(e: Error): void }
  >();
  private readonly tail = new Tail();

  private constructor(private readonly child: ChildProcess) {
    child.stderr?.on('data', (chunk: Buffer) => this.tail.push(chunk));
    child.stdout?.on('data', (chunk: Buffer) => this.tail.push(chunk));
    child.on('message', (message: WorkerReply) => {
      const waiter = this.pending.get(message.id);
      if (!waiter) return;
      this.pending.delete(message.id);
      if (message.ok) waiter.resolve(message.result);
      else waiter.reject(new Error(message.error));
    });
    child.once('exit', (code, signal) => {
      live.delete(child);
      for (const waiter of this.pending.values()) {
        waiter.reject(new Error(`worker exited (${code ?? signal}):\n${this.tail.toString()}`));
      }
      this.pending.clear();
    });
  }

  get pid(): number {
    return this.child.pid as number;
  }

  static start(script: string, nodeArgs: string[] = []): Worker {
    const child = fork(childScript(script), [], {
      env: childEnv(),
      execArgv: nodeArgs,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    live.add(child);
    return new Worker(child);
  }

  call<T>(command: string, input: unknown = {}): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ id, command, input });
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}

/**
 * The child side of {@link Worker}: registers the command handlers and answers each message.
 * Handlers run one at a time in the order they arrive.
 */
export function serveWorker(
  handlers: Record<string, (input: never) => Promise<unknown> | unknown>,
): void {
  let queue: Promise<void> = Promise.resolve();
  process.on('message', (message: { id: number; command: string; input: unknown }) => {
    queue = queue.then(async () => {
      const handler = handlers[message.command];
      try {
        if (!handler) throw new Error(`unknown command ${message.command}`);
        const result = await handler(message.input as never);
        process.send?.({ id: message.id, ok: true, result });
      } catch (error) {
        const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
        process.send?.({ id: message.id, ok: false, error: text });
      }
    });
  });
  process.on('SIGTERM', () => process.exit(0));
}
