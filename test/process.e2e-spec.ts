import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { Agent, get, IncomingMessage } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { RawHttpConnection } from './support/raw-http';
import { TEST_JWT_SECRET } from './support/test-app';

// each test starts the service with ts-node, which takes long on a loaded machine
jest.setTimeout(180_000);
/**
 * The service as an operator runs it: src/main.ts in its own process, configured only through
 * the environment. Proves the start-up config check, JSON request logs and graceful shutdown.
 */

const ROOT = resolve(__dirname, '..');

function startServer(env: Record<string, string>): {
  child: ChildProcessWithoutNullStreams;
  output: () => { stdout: string; stderr: string };
} {
  const child = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', join(ROOT, 'src/main.ts')],
    {
      cwd: ROOT,
      // only what is given here: no DATABASE_URL from the caller's shell, no .env side effects
      env: { PATH: process.env.PATH ?? '', DOTENV_CONFIG_PATH: '/nonexistent', ...env },
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return { child, output: () => ({ stdout, stderr }) };
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/** The keys that occur more than once in one object of a JSON text (any depth). */
function duplicateKeys(json: string): string[] {
  const duplicates: string[] = [];
  // the open containers: a Set of keys for an object, null for an array
  const open: (Set<string> | null)[] = [];
  let expectKey = false;
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (c === '"') {
      let end = i + 1;
      while (json[end] !== '"') end += json[end] === '\\' ? 2 : 1;
      const keys = open[open.length - 1];
      if (expectKey && keys) {
        const key = json.slice(i + 1, end);
        if (keys.has(key)) duplicates.push(key);
        keys.add(key);
      }
      expectKey = false;
      i = end;
    } else if (c === '{' || c === '[') {
      open.push(c === '{' ? new Set() : null);
      expectKey = c === '{';
    } else if (c === '}' || c === ']') {
      open.pop();
    } else if (c === ',') {
      expectKey = open[open.length - 1] instanceof Set;
    }
  }
  return duplicates;
}

/** Resolves when the child's stdout has contained `text`, or fails after `timeoutMs`. */
function outputContains(
  child: ChildProcessWithoutNullStreams,
  output: () => { stdout: string },
  text: string,
  timeoutMs = 90_000,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (!output().stdout.includes(text)) return;
      clearTimeout(timer);
      child.stdout.off('data', check);
      resolve();
    };
    const timer = setTimeout(() => {
      child.stdout.off('data', check);
      reject(new Error(`timed out waiting for "${text}" in the output`));
    }, timeoutMs);
    // the stdout 'data' listener of startServer runs first, so output() already holds the chunk
    child.stdout.on('data', check);
    check();
  });
}

/** The child's exit, or `null` when it has not exited `withinMs` from now. */
async function exitWithin(
  exited: Promise<unknown[]>,
  withinMs: number,
): Promise<{ code: number | null; signal: NodeJS.Signals | null } | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), withinMs)));
  const result = await Promise.race([
    exited.then(([code, signal]) => ({
      code: code as number | null,
      signal: signal as NodeJS.Signals | null,
    })),
    late,
  ]);
  clearTimeout(timer);
  return result;
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the service process', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'storybook-proc-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses to start on bad configuration, naming every bad variable', async () => {
    const { child, output } = startServer({
      NODE_ENV: 'production',
      PORT: 'not-a-port',
      JWT_ACCESS_TTL: 'soon',
      SQLITE_PATH: join(dir, 'never.sqlite'),
    });
    const [code] = await once(child, 'exit');
    expect(code).toBe(1);
    const { stderr } = output();
    expect(stderr).toContain('"PORT"');
    expect(stderr).toContain('"JWT_ACCESS_TTL"');
    expect(stderr).toContain('"JWT_SECRET"'); // required in production
  });

  it('in production, refuses to start on SQLite without ALLOW_SQLITE_IN_PRODUCTION', async () => {
    const { child, output } = startServer({
      NODE_ENV: 'production',
      JWT_SECRET: TEST_JWT_SECRET,
      SQLITE_PATH: join(dir, 'never.sqlite'),
    });
    const [code] = await once(child, 'exit');
    expect(code).toBe(1);
    expect(output().stderr).toContain(
      '"DATABASE_URL" is required in production (set ALLOW_SQLITE_IN_PRODUCTION=true to run on SQLite)',
    );
  });

  it('without JWT_SECRET, keeps sessions over a restart: the secret is generated once and kept', async () => {
    const env = {
      AUTH_DEV_LOGIN: 'true',
      SQLITE_PATH: join(dir, 'kept', 'app.sqlite'),
      UPLOAD_DIR: join(dir, 'kept', 'uploads'),
    };
    const run = async (then: (base: string) => Promise<void>): Promise<string> => {
      const port = await freePort();
      const { child, output } = startServer({ ...env, PORT: String(port) });
      const exited = once(child, 'exit');
      try {
        await waitFor(() => output().stdout.includes('Story Book API on port'), 'start-up');
        await then(`http://127.0.0.1:${port}/api/v1`);
      } finally {
        child.kill('SIGTERM');
      }
      await exited;
      return output().stdout + output().stderr;
    };
    let accessToken = '';
    const first = await run(async (base) => {
      const login = await fetch(`${base}/auth/dev-login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ kakaoId: '778', nickname: 'stays' }),
      });
      expect(login.status).toBe(200);
      accessToken = ((await login.json()) as { accessToken: string }).accessToken;
    });
    const file = join(dir, 'kept', 'jwt-secret');
    expect(first).toContain(`JWT_SECRET is not set: generated one and kept it in ${file}`);
    const secret = readFileSync(file, 'utf8').trim();
    expect(statSync(file).mode & 0o777).toBe(0o600);

    const second = await run(async (base) => {
      const me = await fetch(`${base}/users/me`, {
        headers: { authorization: `Bearer ${accessToken}` },
      });
      expect(me.status).toBe(200);
    });
    expect(second).toContain(`JWT_SECRET is not set: using the one kept in ${file}`);
    expect(first + second).not.toContain(secret);
  });

  it('starts with a few lines ending in the facts, serves, logs one JSON line per request without tokens, and shuts down on SIGTERM', async () => {
    const port = await freePort();
    const sqlitePath = join(dir, 'app.sqlite');
    const { child, output } = startServer({
      PORT: String(port),
      JWT_SECRET: TEST_JWT_SECRET,
      AUTH_DEV_LOGIN: 'true',
      METRICS_ENABLED: 'true',
      SQLITE_PATH: sqlitePath,
      UPLOAD_DIR: join(dir, 'uploads'),
    });
    const exited = once(child, 'exit');
    try {
      await waitFor(() => output().stdout.includes('Story Book API on port'), 'start-up');
      // the start-up output (LOG_LEVEL=info): a few JSON lines, the last one naming the address,
      // Swagger UI, the database, the ffmpeg in use and what is on; no deprecation warning
      const startUp = output();
      const startLines = startUp.stdout.split('\n').filter((line) => line.trim().length > 0);
      expect(startLines.length).toBeLessThanOrEqual(10);
      for (const line of startLines) expect(duplicateKeys(line)).toEqual([]);
      const last = JSON.parse(startLines[startLines.length - 1]) as Record<string, unknown>;
      const ffmpeg = last.ffmpeg as { version: string; path: string };
      expect(last).toMatchObject({
        level: 30,
        url: `http://localhost:${port}`,
        docs: `http://localhost:${port}/docs`,
        database: `sqlite ${sqlitePath}`,
        ffmpeg: { version: expect.stringMatching(/^n?\d+\.\d+/), path: expect.any(String) },
        push: false,
        redis: null,
        s3: null,
      });
      expect(ffmpeg.path.startsWith('/')).toBe(true);
      expect(last.msg).toBe(
        `Story Book API on port ${port}: http://localhost:${port}, ` +
          `Swagger UI http://localhost:${port}/docs; database sqlite ${sqlitePath}; ` +
          `ffmpeg ${ffmpeg.version} at ${ffmpeg.path}; push off, Redis off, S3 off; jobs run here`,
      );
      expect(`${startUp.stdout}${startUp.stderr}`).not.toMatch(/deprecat/i);
      expect(startUp.stderr).toBe('');

      const base = `http://127.0.0.1:${port}/api/v1`;
      const login = await fetch(`${base}/auth/dev-login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ kakaoId: '777', nickname: 'logger' }),
      });
      expect(login.status).toBe(200);
      const tokens = (await login.json()) as { accessToken: string; refreshToken: string };
      const me = await fetch(`${base}/users/me?access_token=${tokens.accessToken}`, {
        headers: {
          authorization: `Bearer ${tokens.accessToken}`,
          'x-request-id': 'proc-test-0001',
        },
      });
      expect(me.status).toBe(200);

      await waitFor(() => output().stdout.includes('proc-test-0001'), 'the request log line');
      const lines = output()
        .stdout.split('\n')
        .filter((line) => line.trim().length > 0);
      const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
      const meLine = entries.find((e) => e.requestId === 'proc-test-0001');
      // each key once: strict log stores refuse a line with a key twice (JSON.parse keeps the last)
      const raw = lines.find((line) => line.includes('proc-test-0001')) as string;
      expect(duplicateKeys(raw)).toEqual([]);
      expect(meLine).toMatchObject({
        req: { method: 'GET', path: '/api/v1/users/me' },
        res: { status: 200 },
      });
      expect(typeof meLine?.userId).toBe('number');
      expect(output().stdout).not.toContain(tokens.accessToken);
      expect(output().stdout).not.toContain(tokens.refreshToken);
      expect(output().stdout.toLowerCase()).not.toContain('authorization');

      // with METRICS_ENABLED the same request is in the histogram under its route template;
      // scrapes get no log line of their own
      const metrics = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toMatch(
        /^http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/users\/me",status="200"\} 1$/m,
      );
      expect(output().stdout).not.toContain('"/metrics"');
    } finally {
      child.kill('SIGTERM');
    }
    const [code, signal] = await exited;
    // Nest's shutdown hooks close the server and the database, then re-raise the signal
    expect({ code, signal }).toEqual({ code: null, signal: 'SIGTERM' });
    expect(output().stdout).toContain('Shutdown complete (SIGTERM)');
  });

  describe('graceful shutdown (docs/api.md, Operations)', () => {
    const SHUTDOWN_TIMEOUT_MS = 3000;
    let child: ChildProcessWithoutNullStreams | null = null;

    afterEach(() => {
      // a process that did not stop by itself must not outlive its test
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      child = null;
    });

    async function startForShutdown(name: string) {
      const port = await freePort();
      const server = startServer({
        PORT: String(port),
        JWT_SECRET: TEST_JWT_SECRET,
        AUTH_DEV_LOGIN: 'true',
        RATE_LIMIT_ENABLED: 'false',
        SQLITE_PATH: join(dir, `${name}.sqlite`),
        UPLOAD_DIR: join(dir, `${name}-uploads`),
        SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
      });
      child = server.child;
      const exited = once(server.child, 'exit');
      // ts-node compiles the whole service first: slow on a busy machine
      await outputContains(server.child, server.output, 'Story Book API on port', 90_000);
      return { ...server, port, exited };
    }

    type Outcome =
      | { kind: 'response'; status: number; complete: boolean; body: string; sentAt: number }
      | { kind: 'error'; code: string; reusedSocket: boolean; sentAt: number };

    /** One GET on the keep-alive agent; settles with what came back, never rejects. */
    function fetchRegions(port: number, agent: Agent): Promise<Outcome> {
      const sentAt = Date.now();
      return new Promise((resolve) => {
        const req = get({ host: '127.0.0.1', port, path: '/api/v1/regions', agent }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('error', () => undefined); // a cut body shows as complete: false below
          res.on('close', () =>
            resolve({
              kind: 'response',
              status: res.statusCode ?? 0,
              complete: (res as IncomingMessage).complete,
              body,
              sentAt,
            }),
          );
        });
        req.on('error', (error: NodeJS.ErrnoException) =>
          resolve({
            kind: 'error',
            code: error.code ?? error.message,
            reusedSocket: req.reusedSocket,
            sentAt,
          }),
        );
      });
    }

    it('ends within SHUTDOWN_TIMEOUT_MS under steady keep-alive load, finishing what runs', async () => {
      const server = await startForShutdown('load');
      const agent = new Agent({ keepAlive: true, maxSockets: 10 });
      const outcomes: Outcome[] = [];
      let termAt = Infinity;
      let warmedUp!: () => void;
      const warm = new Promise<void>((resolve) => (warmedUp = resolve));
      let refused!: () => void;
      const stoppedAccepting = new Promise<void>((resolve) => (refused = resolve));

      // 10 clients, each sending its next request as soon as the previous one is answered
      const clients = Array.from({ length: 10 }, async () => {
        for (;;) {
          const outcome = await fetchRegions(server.port, agent);
          outcomes.push(outcome);
          if (outcomes.length === 300) warmedUp();
          if (outcome.kind === 'error') {
            // a keep-alive request that hit a connection the server had just closed reached
            // no handler: clients retry those (Node documents the pattern)
            if (outcome.reusedSocket && outcome.code === 'ECONNRESET') continue;
            if (outcome.code === 'ECONNREFUSED') refused();
            return; // nothing listens any more
          }
        }
      });

      // one more keep-alive client whose request is still running when the stop begins (the
      // server has read its headers and waits for the rest of its body)
      const body = JSON.stringify({ kakaoId: '4243', nickname: 'inflight' });
      const running = await RawHttpConnection.open(server.port);
      await running.write(
        'POST /api/v1/auth/dev-login HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
          `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n` +
          'Expect: 100-continue\r\n\r\n',
      );
      await running.until((text) => text.includes('100 Continue'), '100 Continue');
      await running.write(body.slice(0, 10));

      // clients that all ended before the warm-up (an error before the stop) fail the test
      // here, rather than leaving it waiting for the warm-up until its timeout
      const allEnded = Promise.all(clients);
      await Promise.race([
        warm,
        allEnded.then(() => {
          throw new Error(
            `every client ended before 300 answers: ${JSON.stringify(outcomes.slice(-3))}`,
          );
        }),
      ]);
      termAt = Date.now();
      server.child.kill('SIGTERM');
      // a refused connection says the listener is closed; so does every client having ended
      // on an error after the stop (a new connection reset rather than refused)
      await Promise.race([stoppedAccepting, allEnded]);
      // the running request ends after the stop began: it is answered in full, and then its
      // connection closes instead of carrying the client's next requests
      await running.write(body.slice(10));
      const answer = await running.response();
      expect(answer.status).toBe(200);
      expect(answer.headers.connection).toBe('close');
      const answers = () => running.text().split('HTTP/1.1 200 OK').length - 1;
      while (running.closedAt === null && Date.now() - termAt < SHUTDOWN_TIMEOUT_MS + 2000) {
        const before = answers();
        await running
          .write('GET /api/v1/regions HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')
          .catch(() => undefined);
        await running.until(() => answers() > before, 'an answer').catch(() => undefined);
      }
      expect(answers()).toBe(1);

      const exit = await exitWithin(server.exited, SHUTDOWN_TIMEOUT_MS + 2000);
      const stoppedAfterMs = Date.now() - termAt;
      await Promise.all(clients);
      agent.destroy();

      expect(exit).toEqual({ code: null, signal: 'SIGTERM' });
      expect(stoppedAfterMs).toBeLessThan(SHUTDOWN_TIMEOUT_MS + 2000);
      expect(server.output().stdout).toContain('Shutdown complete (SIGTERM)');

      // every answer that began was whole: in-flight requests finished, none was cut
      const responses = outcomes.filter((o) => o.kind === 'response');
      expect(responses.length).toBeGreaterThanOrEqual(300);
      for (const response of responses) {
        expect(response).toMatchObject({ status: 200, complete: true });
        expect(() => JSON.parse(response.body) as unknown).not.toThrow();
      }
      // nothing failed before the stop; after it, only connections that were gone
      const errors = outcomes.filter((o) => o.kind === 'error');
      for (const error of errors) {
        expect(error.sentAt).toBeGreaterThanOrEqual(termAt);
        expect(['ECONNREFUSED', 'ECONNRESET']).toContain(error.code);
      }
      // the keep-alive connections closed after their current request: no stream of answers
      const answeredAfterTerm = responses.filter((o) => o.sentAt >= termAt).length;
      expect(answeredAfterTerm).toBeLessThanOrEqual(20);
    }, 150_000);

    it('lets a request finish during the stop and cuts the one still running at the deadline', async () => {
      const server = await startForShutdown('deadline');
      const body = JSON.stringify({ kakaoId: '4242', nickname: 'latecomer' });
      const head =
        'POST /api/v1/auth/dev-login HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
        `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n` +
        // the server answers 100 Continue once it has read the headers: the request is running
        'Expect: 100-continue\r\n\r\n';
      const finishing = await RawHttpConnection.open(server.port);
      const stuck = await RawHttpConnection.open(server.port);
      for (const connection of [finishing, stuck]) {
        await connection.write(head);
        await connection.until((text) => text.includes('100 Continue'), '100 Continue');
        await connection.write(body.slice(0, 10)); // half a body: the request cannot end yet
      }

      const termAt = Date.now();
      server.child.kill('SIGTERM');
      await outputContains(server.child, server.output, 'Stopping: no new connections');
      // one request finishes while the service stops: it is answered, and told to close
      await finishing.write(body.slice(10));
      const answer = await finishing.response();
      expect(answer.status).toBe(200);
      expect(answer.headers.connection).toBe('close');
      await finishing.untilClosed();

      // the other one never finishes: it is cut at the deadline and the process still ends
      const exit = await exitWithin(server.exited, SHUTDOWN_TIMEOUT_MS + 2000);
      expect(exit).toEqual({ code: null, signal: 'SIGTERM' });
      await stuck.untilClosed();
      const cutAfterMs = (stuck.closedAt as number) - termAt;
      expect(cutAfterMs).toBeGreaterThanOrEqual(SHUTDOWN_TIMEOUT_MS - 200);
      expect(cutAfterMs).toBeLessThan(SHUTDOWN_TIMEOUT_MS + 2000);
      expect(stuck.text()).not.toContain('HTTP/1.1 200');
      expect(server.output().stdout).toContain('Shutdown timeout: cutting 1 unfinished request(s)');
      expect(server.output().stdout).toContain('Shutdown complete (SIGTERM)');
    }, 150_000);
  });
});
