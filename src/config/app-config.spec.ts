import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './app-config';
import { withKeptJwtSecret } from './start-up';

const SECRET = 'x'.repeat(40);

function problems(env: NodeJS.ProcessEnv): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('runs on a bare environment: SQLite under ./data, a per-process JWT secret', () => {
    const config = loadConfig({});
    expect(config.database).toEqual({
      type: 'sqlite',
      path: './data/storybook.sqlite',
      logging: false,
    });
    expect(config.port).toBe(3000);
    expect(config.jwt.secretGenerated).toBe(true);
    expect(config.jwt.secret.length).toBeGreaterThanOrEqual(32);
    expect(config.jwt.accessTtlSeconds).toBe(15 * 60);
    expect(config.jwt.refreshTtlSeconds).toBe(30 * 86400);
    expect(config.auth.devLoginEnabled).toBe(false);
    expect(config.rateLimit.auth).toEqual({ limit: 10, ttlSeconds: 60 });
    expect(config.kakao.authUrl).toBe('https://kauth.kakao.com');
    expect(config.kakao.apiUrl).toBe('https://kapi.kakao.com');
  });

  it('selects MySQL for mysql:// and the MariaDB dialect for mariadb://', () => {
    expect(loadConfig({ DATABASE_URL: 'mysql://u:p@db:3306/sb' }).database).toMatchObject({
      type: 'mysql',
      flavor: 'mysql',
      url: 'mysql://u:p@db:3306/sb',
      migrationsRun: true,
    });
    expect(
      loadConfig({ DATABASE_URL: 'mariadb://u@db/sb', DB_MIGRATIONS_RUN: 'false' }).database,
    ).toMatchObject({
      type: 'mysql',
      flavor: 'mariadb',
      url: 'mysql://u@db/sb',
      migrationsRun: false,
    });
  });

  it('parses lists, durations, rates and URLs', () => {
    const config = loadConfig({
      JWT_SECRET: SECRET,
      JWT_ACCESS_TTL: '900',
      JWT_REFRESH_TTL: '12h',
      ADMIN_KAKAO_IDS: '11, 22',
      CORS_ORIGINS: 'https://a.example, https://b.example ,',
      RATE_LIMIT_WRITE: '5/10',
      KAKAO_API_URL: 'http://127.0.0.1:9999/',
      TRUST_PROXY: '1',
      AUTH_DEV_LOGIN: 'true',
    });
    expect(config.jwt).toMatchObject({
      secret: SECRET,
      secretGenerated: false,
      accessTtlSeconds: 900,
      refreshTtlSeconds: 12 * 3600,
    });
    expect(config.auth.adminKakaoIds).toEqual(['11', '22']);
    expect(config.auth.devLoginEnabled).toBe(true);
    expect(config.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(config.rateLimit.write).toEqual({ limit: 5, ttlSeconds: 10 });
    expect(config.kakao.apiUrl).toBe('http://127.0.0.1:9999');
    expect(config.trustProxy).toBe(1);
  });

  it('reports every bad variable at once, by name', () => {
    const message = problems({
      PORT: '70000',
      DATABASE_URL: 'postgres://x/y',
      JWT_SECRET: 'short',
      RATE_LIMIT_AUTH: 'ten',
      ADMIN_KAKAO_IDS: 'abc',
    });
    for (const name of [
      'PORT',
      'DATABASE_URL',
      'JWT_SECRET',
      'RATE_LIMIT_AUTH',
      'ADMIN_KAKAO_IDS',
    ]) {
      expect(message).toContain(`"${name}"`);
    }
  });

  it('requires a real JWT secret in production and never enables dev-login there', () => {
    expect(problems({ NODE_ENV: 'production' })).toContain('"JWT_SECRET"');
    const config = loadConfig({
      NODE_ENV: 'production',
      DATABASE_URL: 'mysql://u@db/sb',
      JWT_SECRET: SECRET,
      AUTH_DEV_LOGIN: 'true',
    });
    expect(config.auth.devLoginEnabled).toBe(false);
    // said at start rather than ignored in silence
    expect(config.startUpWarnings).toEqual([
      'AUTH_DEV_LOGIN=true is ignored in production: dev-login stays off',
    ]);
    const quiet = loadConfig({
      NODE_ENV: 'production',
      DATABASE_URL: 'mysql://u@db/sb',
      JWT_SECRET: SECRET,
    });
    expect(quiet.startUpWarnings).toEqual([]);
    expect(loadConfig({ AUTH_DEV_LOGIN: 'true' }).startUpWarnings).toEqual([]);
  });

  it('refuses SQLite in production unless ALLOW_SQLITE_IN_PRODUCTION=true', () => {
    const message = problems({ NODE_ENV: 'production', JWT_SECRET: SECRET });
    expect(message).toContain(
      '"DATABASE_URL" is required in production (set ALLOW_SQLITE_IN_PRODUCTION=true to run on SQLite)',
    );
    const allowed = loadConfig({
      NODE_ENV: 'production',
      JWT_SECRET: SECRET,
      ALLOW_SQLITE_IN_PRODUCTION: 'true',
    });
    expect(allowed.database.type).toBe('sqlite');
    // outside production SQLite stays the default
    expect(loadConfig({ NODE_ENV: 'development' }).database.type).toBe('sqlite');
  });

  it('gives dev-login a rate-limit budget of its own', () => {
    expect(loadConfig({}).rateLimit.devLogin).toEqual({ limit: 300, ttlSeconds: 60 });
    expect(loadConfig({ RATE_LIMIT_DEV_LOGIN: '50/30' }).rateLimit.devLogin).toEqual({
      limit: 50,
      ttlSeconds: 30,
    });
    expect(problems({ RATE_LIMIT_DEV_LOGIN: 'lots' })).toContain('"RATE_LIMIT_DEV_LOGIN"');
  });

  it('defaults to one process on local storage: role all, in-process jobs', () => {
    const config = loadConfig({});
    expect(config.processRole).toBe('all');
    expect(config.storage).toEqual({ driver: 'local' });
    expect(config.redisKeyPrefix).toBe('storybook');
    expect(config.mediaPublicBaseUrl).toBeNull();
  });

  it('refuses PROCESS_ROLE=api or worker without REDIS_URL, naming the variable', () => {
    for (const role of ['api', 'worker']) {
      const message = problems({ PROCESS_ROLE: role });
      expect(message).toContain('"PROCESS_ROLE"');
      expect(message).toContain('REDIS_URL');
    }
    expect(problems({ PROCESS_ROLE: 'both' })).toContain('"PROCESS_ROLE"');
    const api = loadConfig({ PROCESS_ROLE: 'API', REDIS_URL: 'redis://cache:6379' });
    expect(api.processRole).toBe('api');
  });

  it('reads the S3 settings, and requires the bucket and whole key pairs', () => {
    expect(problems({ STORAGE_DRIVER: 's3' })).toContain('"S3_BUCKET"');
    expect(problems({ STORAGE_DRIVER: 's3', S3_BUCKET: 'media', S3_ACCESS_KEY_ID: 'k' })).toContain(
      '"S3_SECRET_ACCESS_KEY"',
    );
    expect(problems({ STORAGE_DRIVER: 'ftp' })).toContain('"STORAGE_DRIVER"');
    expect(problems({ STORAGE_DRIVER: 's3', S3_BUCKET: 'Not_A_Bucket' })).toContain('"S3_BUCKET"');
    expect(problems({ STORAGE_DRIVER: 's3', S3_BUCKET: 'media', S3_PRESIGN_TTL: '8d' })).toContain(
      '"S3_PRESIGN_TTL"',
    );
    const config = loadConfig({
      STORAGE_DRIVER: 's3',
      S3_ENDPOINT: 'http://minio:9000/',
      S3_PUBLIC_ENDPOINT: 'http://localhost:9000',
      S3_BUCKET: 'storybook-media',
      S3_ACCESS_KEY_ID: 'key',
      S3_SECRET_ACCESS_KEY: 'secret',
      S3_FORCE_PATH_STYLE: 'true',
      S3_PRESIGN_TTL: '15m',
      MEDIA_PUBLIC_BASE_URL: 'https://cdn.example.com/media/',
    });
    expect(config.storage).toEqual({
      driver: 's3',
      endpoint: 'http://minio:9000',
      publicEndpoint: 'http://localhost:9000',
      region: 'us-east-1',
      bucket: 'storybook-media',
      credentials: { accessKeyId: 'key', secretAccessKey: 'secret' },
      forcePathStyle: true,
      presignTtlSeconds: 900,
      timeoutMs: 10_000,
      checksums: 'WHEN_REQUIRED',
    });
    expect(config.mediaPublicBaseUrl).toBe('https://cdn.example.com/media');
    // no keys: the SDK's own credential chain (an instance role on AWS)
    const aws = loadConfig({ STORAGE_DRIVER: 's3', S3_BUCKET: 'media' });
    expect(aws.storage).toMatchObject({ endpoint: null, credentials: null });
  });

  it('never puts S3 secrets into its error messages', () => {
    const message = problems({
      STORAGE_DRIVER: 's3',
      S3_ACCESS_KEY_ID: 'AKIAEXAMPLE',
      S3_SECRET_ACCESS_KEY: 'very-secret-value',
    });
    expect(message).not.toContain('very-secret-value');
  });

  it('reads the lifecycle: defaults, durations with units, the service time zone', () => {
    expect(loadConfig({}).lifecycle).toEqual({
      timeZone: 'Asia/Seoul',
      tickSeconds: 60,
      pendingTtlSeconds: 72 * 3600,
      tripReminderBeforeSeconds: 24 * 3600,
      autoCompleteAfterSeconds: 48 * 3600,
      reviewWindowSeconds: 14 * 86400,
      reviewReminderAfterSeconds: 72 * 3600,
      notificationRetentionSeconds: 90 * 86400,
    });
    // what the tests use: everything in seconds
    const fast = loadConfig({
      SERVICE_TIME_ZONE: 'Europe/Berlin',
      JOBS_TICK: '1s',
      MATCHING_PENDING_TTL: '3s',
      TRIP_REMINDER_BEFORE: '2m',
      MATCHING_AUTO_COMPLETE_AFTER: '1h',
      REVIEW_WINDOW: '4s',
      REVIEW_REMINDER_AFTER: '1s',
      NOTIFICATION_RETENTION: '1d',
    }).lifecycle;
    expect(fast).toEqual({
      timeZone: 'Europe/Berlin',
      tickSeconds: 1,
      pendingTtlSeconds: 3,
      tripReminderBeforeSeconds: 120,
      autoCompleteAfterSeconds: 3600,
      reviewWindowSeconds: 4,
      reviewReminderAfterSeconds: 1,
      notificationRetentionSeconds: 86400,
    });
    const message = problems({ SERVICE_TIME_ZONE: 'Mars/Olympus', MATCHING_PENDING_TTL: 'soon' });
    expect(message).toContain('"SERVICE_TIME_ZONE" must be an IANA time zone');
    expect(message).toContain('"MATCHING_PENDING_TTL"');
  });

  it('reads the FCM service account as JSON text or a file, and never echoes the key', () => {
    expect(loadConfig({}).push).toEqual({
      serviceAccount: null,
      apiUrl: 'https://fcm.googleapis.com',
    });
    const account = {
      type: 'service_account',
      project_id: 'storybook-test',
      private_key_id: 'k1',
      private_key: '-----BEGIN PRIVATE KEY-----\nsecret-key-material\n-----END PRIVATE KEY-----\n',
      client_email: 'push@storybook-test.iam.gserviceaccount.com',
    };
    const expected = {
      projectId: 'storybook-test',
      clientEmail: account.client_email,
      privateKey: account.private_key,
      privateKeyId: 'k1',
      tokenUri: 'https://oauth2.googleapis.com/token',
    };
    const fromText = loadConfig({
      FCM_SERVICE_ACCOUNT: JSON.stringify(account),
      FCM_API_URL: 'http://127.0.0.1:9999/',
    }).push;
    expect(fromText).toEqual({ serviceAccount: expected, apiUrl: 'http://127.0.0.1:9999' });

    const dir = mkdtempSync(join(tmpdir(), 'fcm-config-'));
    try {
      const file = join(dir, 'service-account.json');
      writeFileSync(file, JSON.stringify(account));
      expect(loadConfig({ FCM_SERVICE_ACCOUNT: file }).push.serviceAccount).toEqual(expected);
      expect(() => loadConfig({ FCM_SERVICE_ACCOUNT: join(dir, 'missing.json') })).toThrow(
        /"FCM_SERVICE_ACCOUNT" is neither service-account JSON nor a readable file/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(() => loadConfig({ FCM_SERVICE_ACCOUNT: '{not json' })).toThrow(
      /"FCM_SERVICE_ACCOUNT" does not hold valid JSON/,
    );
    const noEmail: Partial<typeof account> = { ...account };
    delete noEmail.client_email;
    let refusal = '';
    try {
      loadConfig({ FCM_SERVICE_ACCOUNT: JSON.stringify(noEmail) });
    } catch (error) {
      refusal = (error as Error).message;
    }
    expect(refusal).toContain('"FCM_SERVICE_ACCOUNT" lacks client_email');
    expect(refusal).not.toContain('secret-key-material');
    expect(problems({ FCM_API_URL: 'ftp://fcm' })).toContain('"FCM_API_URL"');
  });

  it('keeps metrics off unless asked, and checks the metrics token without echoing it', () => {
    expect(loadConfig({}).metrics).toEqual({ enabled: false, token: null });
    const token = 'scrape-token-0123456789';
    expect(loadConfig({ METRICS_ENABLED: 'true', METRICS_TOKEN: token }).metrics).toEqual({
      enabled: true,
      token,
    });
    const message = problems({ METRICS_ENABLED: 'maybe', METRICS_TOKEN: 'short secret' });
    expect(message).toContain('"METRICS_ENABLED"');
    expect(message).toContain('"METRICS_TOKEN"');
    expect(message).not.toContain('short secret');
  });
});

describe('withKeptJwtSecret (start-up without JWT_SECRET)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'storybook-config-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const sqlitePath = () => join(dir, 'data', 'storybook.sqlite');

  it('generates the secret once, keeps it in the data folder (0600) and reuses it', () => {
    const first = withKeptJwtSecret(loadConfig({ SQLITE_PATH: sqlitePath() }));
    const file = join(dir, 'data', 'jwt-secret');
    expect(first.dataDir).toBe(join(dir, 'data'));
    expect(readFileSync(file, 'utf8').trim()).toBe(first.jwt.secret);
    expect(first.jwt.secret.length).toBeGreaterThanOrEqual(32);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(first.startUpWarnings).toEqual([
      `JWT_SECRET is not set: generated one and kept it in ${file}`,
    ]);

    // the next start (a restart) signs with the same secret, so sessions survive it
    const second = withKeptJwtSecret(loadConfig({ SQLITE_PATH: sqlitePath() }));
    expect(second.jwt.secret).toBe(first.jwt.secret);
    expect(second.startUpWarnings).toEqual([
      `JWT_SECRET is not set: using the one kept in ${file}`,
    ]);
    for (const warning of [...first.startUpWarnings, ...second.startUpWarnings]) {
      expect(warning).not.toContain(first.jwt.secret);
    }
  });

  it('leaves nothing beside the file, and replaces a file cut short (an empty one)', () => {
    const data = join(dir, 'data');
    const file = join(data, 'jwt-secret');
    const first = withKeptJwtSecret(loadConfig({ SQLITE_PATH: sqlitePath() }));
    expect(readdirSync(data)).toEqual(['jwt-secret']);
    writeFileSync(file, ''); // as a write cut short would have left it
    const healed = withKeptJwtSecret(loadConfig({ SQLITE_PATH: sqlitePath() }));
    expect(healed.jwt.secret.length).toBeGreaterThanOrEqual(32);
    expect(healed.jwt.secret).not.toBe(first.jwt.secret);
    expect(readFileSync(file, 'utf8').trim()).toBe(healed.jwt.secret);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(healed.startUpWarnings).toEqual([
      `JWT_SECRET is not set: ${file} was unusable, generated a new one in its place`,
    ]);
    expect(readdirSync(data)).toEqual(['jwt-secret']);
    // and it is kept from then on
    expect(withKeptJwtSecret(loadConfig({ SQLITE_PATH: sqlitePath() })).jwt.secret).toBe(
      healed.jwt.secret,
    );
  });

  it('writes nothing when JWT_SECRET is given', () => {
    const config = withKeptJwtSecret(loadConfig({ SQLITE_PATH: sqlitePath(), JWT_SECRET: SECRET }));
    expect(config.jwt.secret).toBe(SECRET);
    expect(existsSync(join(dir, 'data'))).toBe(false);
    expect(config.startUpWarnings).toEqual([]);
  });

  it('keeps a per-process secret, and says so, when the data folder cannot be used', () => {
    const blocked = join(dir, 'file');
    writeFileSync(blocked, 'not a folder');
    const config = withKeptJwtSecret(loadConfig({ SQLITE_PATH: join(blocked, 'db.sqlite') }));
    expect(config.jwt.secret.length).toBeGreaterThanOrEqual(32);
    expect(config.startUpWarnings).toHaveLength(1);
    expect(config.startUpWarnings[0]).toContain('sessions end at restart');
    expect(config.startUpWarnings[0]).not.toContain(config.jwt.secret);
  });
});
