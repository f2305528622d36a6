import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { TEST_JWT_SECRET } from './support/test-app';

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

async function waitFor(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
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

  it('serves, logs one JSON line per request without tokens, and shuts down on SIGTERM', async () => {
    const port = await freePort();
    const { child, output } = startServer({
      PORT: String(port),
      JWT_SECRET: TEST_JWT_SECRET,
      AUTH_DEV_LOGIN: 'true',
      SQLITE_PATH: join(dir, 'app.sqlite'),
      UPLOAD_DIR: join(dir, 'uploads'),
    });
    const exited = once(child, 'exit');
    try {
      await waitFor(() => output().stdout.includes('Story Book API on port'), 'start-up');
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
      expect(meLine).toMatchObject({
        req: { method: 'GET', path: '/api/v1/users/me' },
        res: { status: 200 },
      });
      expect(typeof meLine?.userId).toBe('number');
      expect(output().stdout).not.toContain(tokens.accessToken);
      expect(output().stdout).not.toContain(tokens.refreshToken);
      expect(output().stdout.toLowerCase()).not.toContain('authorization');
    } finally {
      child.kill('SIGTERM');
    }
    const [code, signal] = await exited;
    // Nest's shutdown hooks close the server and the database, then re-raise the signal
    expect({ code, signal }).toEqual({ code: null, signal: 'SIGTERM' });
    expect(output().stdout).toContain('Shutdown complete (SIGTERM)');
  });
});
