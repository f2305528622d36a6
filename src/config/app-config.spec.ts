import { ConfigError, loadConfig } from './app-config';

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
      JWT_SECRET: SECRET,
      AUTH_DEV_LOGIN: 'true',
    });
    expect(config.auth.devLoginEnabled).toBe(false);
  });
});
