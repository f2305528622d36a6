import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FcmStub } from './support/fcm-stub';
import { freePort, listening, ServerProcess, startServer, waitFor } from './support/server-process';
import { freshDatabase, TEST_JWT_SECRET } from './support/test-app';

const ADMIN_KAKAO_ID = '880000301';

// each test starts the service in a process of its own (ts-node): slow on a busy machine
jest.setTimeout(180_000);

/**
 * docs/api.md, Operations and Push and devices: no secrets in the logs. The service as an operator runs it (its own process,
 * LOG_LEVEL=debug), with push on: device tokens (registered, deleted through the path, dead,
 * retried), the stub's access tokens and the service account's private key never show in
 * stdout or stderr. Without a service account the start says once that push is off.
 */
describe('push and the logs', () => {
  let dir: string;
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let stub: FcmStub;
  let server: ServerProcess | null = null;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'storybook-push-logs-'));
    db = await freshDatabase();
  });
  afterAll(async () => {
    server?.child.kill('SIGKILL');
    await stub?.stop();
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const baseEnv = () => ({
    JWT_SECRET: TEST_JWT_SECRET,
    AUTH_DEV_LOGIN: 'true',
    ADMIN_KAKAO_IDS: ADMIN_KAKAO_ID,
    RATE_LIMIT_ENABLED: 'false',
    LOG_LEVEL: 'debug',
    UPLOAD_DIR: join(dir, 'uploads'),
    SQLITE_PATH: join(dir, 'app.sqlite'),
    ...db.env,
  });

  async function stop(process: ServerProcess): Promise<string> {
    process.child.kill('SIGTERM');
    await process.exited;
    const { stdout, stderr } = process.output();
    return stdout + stderr;
  }

  it('says once at start that push is off without FCM_SERVICE_ACCOUNT', async () => {
    const port = await freePort();
    server = startServer({ ...baseEnv(), PORT: String(port) });
    await listening(server);
    const output = await stop(server);
    server = null;
    expect(
      output.match(/Push notifications are off: FCM_SERVICE_ACCOUNT is not set/g),
    ).toHaveLength(1);
  });

  it('logs no device token, access token or private key while pushing', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    stub = await new FcmStub({
      publicKey,
      clientEmail: 'logs@storybook-logs.iam.gserviceaccount.com',
      projectId: 'storybook-logs',
    }).start();
    const port = await freePort();
    const base = `http://127.0.0.1:${port}/api/v1`;
    server = startServer({
      ...baseEnv(),
      PORT: String(port),
      FCM_SERVICE_ACCOUNT: JSON.stringify({
        type: 'service_account',
        project_id: 'storybook-logs',
        private_key: privateKeyPem,
        client_email: 'logs@storybook-logs.iam.gserviceaccount.com',
        token_uri: stub.tokenUri,
      }),
      FCM_API_URL: stub.url,
    });
    await listening(server);

    const call = async (method: string, path: string, auth: string | null, body?: object) => {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: {
          ...(auth ? { authorization: auth } : {}),
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
      });
      const text = await res.text();
      return {
        status: res.status,
        body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
      };
    };
    const login = async (kakaoId: string, nickname: string) => {
      const res = await call('POST', '/auth/dev-login', null, { kakaoId, nickname });
      expect(res.status).toBe(200);
      return `Bearer ${res.body.accessToken as string}`;
    };
    const admin = await login(ADMIN_KAKAO_ID, 'admin');
    const applicant = await login('880000302', 'applicant');

    const tokens = {
      fine: `fineLogToken${process.pid}:APA91bSECRETfine`,
      dead: `deadLogToken${process.pid}:APA91bSECRETdead`,
      flaky: `flakyLogToken${process.pid}:APA91bSECRETflaky`,
      removed: `removedLogToken${process.pid}:APA91bSECRETremoved`,
    };
    for (const token of Object.values(tokens)) {
      const res = await call('PUT', '/users/me/devices', applicant, { token, platform: 'ios' });
      expect(res.status).toBe(204);
    }
    const removed = await call(
      'DELETE',
      `/users/me/devices/${encodeURIComponent(tokens.removed)}`,
      applicant,
    );
    expect(removed.status).toBe(204);
    stub.behave(tokens.dead, { kind: 'unregistered' });
    stub.behave(tokens.flaky, { kind: 'unavailable', retryAfterSeconds: 1, times: 1 });

    // a notification: the applicant's guide application is approved
    const regions = (await (await fetch(`${base}/regions`)).json()) as { id: number }[];
    const applied = await call('POST', '/guides/apply', applicant, {
      introduction: 'I show people the old harbour.',
      languages: ['ko'],
      regionIds: [regions[0].id],
    });
    expect(applied.status).toBe(201);
    const approved = await call('POST', `/admin/guides/${String(applied.body.id)}/approve`, admin);
    expect(approved.status).toBe(200);

    await stub.next(tokens.fine);
    await stub.next(tokens.flaky);
    await waitFor(
      () => stub.attempts.some((a) => a.token === tokens.dead && a.status === 404),
      'the dead token to be tried',
      15_000,
    );
    // the removal of the dead device is logged (by id) once it is done
    await waitFor(
      () => server?.output().stdout.includes('removed: FCM answered 404 UNREGISTERED') ?? false,
      'the dead device to be removed',
      15_000,
    );
    const output = await stop(server);
    server = null;

    // the run did log, and what it logged names no secret
    expect(output).toContain('/api/v1/users/me/devices/:token');
    expect(output).toContain('again in 1000 ms');
    for (const token of Object.values(tokens)) {
      expect(output).not.toContain(token);
      expect(output).not.toContain(encodeURIComponent(token));
      expect(output).not.toContain('SECRET');
    }
    expect(output).not.toMatch(/ya29\.stub-[0-9a-f]+/);
    const keyBody = privateKeyPem.split('\n').filter((l) => l && !l.startsWith('-----'));
    for (const line of keyBody) expect(output).not.toContain(line);
    expect(output).not.toContain('PRIVATE KEY');
  });
});
