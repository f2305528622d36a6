import request from 'supertest';
import { DataSource } from 'typeorm';
import { OpenApiDocument, requestPrefills } from './support/swagger-sample';
import { createTestApp, TestApp } from './support/test-app';
import { expectError } from './support/users';

describe('platform: errors, request ids, Swagger, CORS, health', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ CORS_ORIGINS: 'https://app.example.com, https://admin.example.com' });
  });
  afterAll(async () => t.close());

  it('every response carries X-Request-Id; a sane incoming one is kept', async () => {
    const generated = await t.http().get('/api/v1/users/1');
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const kept = await t.http().get('/api/v1/nope').set('X-Request-Id', 'trace-abc-12345678');
    expect(kept.headers['x-request-id']).toBe('trace-abc-12345678');
    expect(kept.body.requestId).toBe('trace-abc-12345678');
    const replaced = await t
      .http()
      .get('/api/v1/nope')
      .set('X-Request-Id', 'bad id with spaces and "quotes"');
    expect(replaced.headers['x-request-id']).not.toContain('bad');
  });

  it('unknown routes answer 404 in the error shape', async () => {
    const res = await t.http().get('/api/v1/does-not-exist?x=1').expect(404);
    expectError(res.body, 404, 'NOT_FOUND');
    expect(res.body.path).toBe('/api/v1/does-not-exist');
    expect(new Date(res.body.timestamp).toISOString()).toBe(res.body.timestamp);
  });

  it('serves Swagger UI at /docs and the OpenAPI document at /docs-json', async () => {
    const ui = await t.http().get('/docs').redirects(1).expect(200);
    expect(ui.text).toContain('swagger-ui');
    const doc = await t.http().get('/docs-json').expect(200);
    expect(doc.body.components.securitySchemes.bearer).toMatchObject({ scheme: 'bearer' });
    for (const path of [
      '/api/v1/auth/kakao',
      '/api/v1/auth/kakao/login',
      '/api/v1/auth/kakao/callback',
      '/api/v1/auth/refresh',
      '/api/v1/auth/logout',
      '/api/v1/auth/dev-login',
      '/api/v1/users/me',
      '/api/v1/users/{id}',
      '/api/v1/admin/users',
      '/health',
    ]) {
      expect(doc.body.paths).toHaveProperty([path]);
    }
    const tags = new Set(
      Object.values(doc.body.paths as Record<string, Record<string, { tags: string[] }>>)
        .flatMap((ops) => Object.values(ops))
        .flatMap((op) => op.tags),
    );
    expect([...tags].sort()).toEqual([
      'admin',
      'auth',
      'chat',
      'guides',
      'health',
      'matching',
      'notifications',
      'regions',
      'reports',
      'stories',
      'users',
    ]);
    expect(doc.body.components.schemas.UpdateMeDto.properties.nickname).toMatchObject({
      minLength: 2,
      maxLength: 20,
    });
    expect(doc.body.components.schemas.ErrorBodyDto).toBeDefined();
  });

  it('sets security headers (helmet)', async () => {
    const res = await t.http().get('/api/v1/users/1');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('without an https PUBLIC_BASE_URL: no upgrade-insecure-requests, no HSTS (Swagger UI works over HTTP)', async () => {
    for (const path of ['/docs', '/api/v1/users/1']) {
      const res = await t.http().get(path).redirects(1);
      expect(res.headers['content-security-policy']).toContain("script-src 'self'");
      expect(res.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
      expect(res.headers['strict-transport-security']).toBeUndefined();
    }
  });

  it('Swagger UI pre-fills request bodies that are valid: no placeholders, no id 0, no trap fields', async () => {
    const doc = (await t.http().get('/docs-json').expect(200)).body as OpenApiDocument;
    const prefills = requestPrefills(doc);
    // the routes whose pre-filled bodies were answered with 400, or replayed one message
    expect(prefills['POST /api/v1/chat/rooms/{id}/messages']).toEqual({
      content: expect.any(String),
    });
    expect(prefills['POST /api/v1/stories/{id}/comments']).toEqual({
      content: expect.any(String),
    });
    expect(prefills['POST /api/v1/matching-requests']).toMatchObject({ storyId: 1 });
    expect(prefills['POST /api/v1/chat/rooms/{id}/read']).toEqual({ messageId: 1 });
    expect(Object.keys(prefills).length).toBeGreaterThan(15);
    const suspicious: string[] = [];
    const walk = (value: unknown, where: string): void => {
      if (value === 'string' || value === 0) suspicious.push(where);
      if (value !== null && typeof value === 'object') {
        for (const [key, child] of Object.entries(value)) walk(child, `${where}.${key}`);
      }
    };
    for (const [operation, body] of Object.entries(prefills)) walk(body, operation);
    expect(suspicious).toEqual([]);
    // ids document their range and an example of 1
    expect(doc.components.schemas.CreateMatchingRequestDto.properties?.storyId).toMatchObject({
      type: 'integer',
      minimum: 1,
      example: 1,
    });
  });

  it('allows CORS only for the configured origins', async () => {
    const allowed = await t
      .http()
      .options('/api/v1/users/me')
      .set('Origin', 'https://admin.example.com')
      .set('Access-Control-Request-Method', 'PATCH');
    expect(allowed.headers['access-control-allow-origin']).toBe('https://admin.example.com');
    const denied = await t
      .http()
      .options('/api/v1/users/me')
      .set('Origin', 'https://evil.example.com')
      .set('Access-Control-Request-Method', 'PATCH');
    expect(denied.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('does not serve files outside the upload directory', async () => {
    expect((await t.http().get('/uploads/../package.json')).status).toBe(404);
    expect((await t.http().get('/uploads/%2e%2e/package.json')).status).toBe(404);
  });

  it('GET /health is public: 200 with the database up', async () => {
    const res = await request(t.baseUrl).get('/health').expect(200);
    expect(res.body).toMatchObject({ status: 'ok', info: { database: { status: 'up' } } });
  });

  it('GET /health answers 503 naming the database when it is down', async () => {
    await t.dataSource.destroy();
    const res = await request(t.baseUrl).get('/health').expect(503);
    expect(res.body).toMatchObject({ status: 'error', error: { database: { status: 'down' } } });
    await t.dataSource.initialize(); // so the suite can close normally
  });
});

describe('served over https (PUBLIC_BASE_URL=https://...)', () => {
  it('asks browsers to upgrade insecure requests and sends HSTS', async () => {
    const app = await createTestApp({ PUBLIC_BASE_URL: 'https://api.example.com' });
    try {
      const res = await app.http().get('/api/v1/users/1');
      expect(res.headers['content-security-policy']).toContain('upgrade-insecure-requests');
      expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    } finally {
      await app.close();
    }
  });
});

describe('dev-login switched off', () => {
  it('is 404 without AUTH_DEV_LOGIN=true, and in production even with it', async () => {
    const envs: Record<string, string>[] = [
      { AUTH_DEV_LOGIN: 'false' },
      {
        AUTH_DEV_LOGIN: 'true',
        NODE_ENV: 'production',
        ALLOW_SQLITE_IN_PRODUCTION: 'true',
        SWAGGER_ENABLED: 'false',
      },
    ];
    for (const env of envs) {
      const app = await createTestApp(env);
      try {
        const res = await app
          .http()
          .post('/api/v1/auth/dev-login')
          .send({ kakaoId: '1', nickname: 'nope' })
          .expect(404);
        expectError(res.body, 404, 'NOT_FOUND');
        if (env.SWAGGER_ENABLED === 'false') await app.http().get('/docs-json').expect(404);
      } finally {
        await app.close();
      }
    }
  });
});

describe('rate limits', () => {
  const UNLINK_KEY = 'kakao-admin-key-for-rate-limit-tests';
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({
      RATE_LIMIT_ENABLED: 'true',
      RATE_LIMIT_AUTH: '3/60',
      RATE_LIMIT_WRITE: '2/60',
      KAKAO_ADMIN_KEY: UNLINK_KEY,
    });
  });
  afterAll(async () => t.close());

  it('auth routes: the 4th call from one IP within the window → 429 RATE_LIMITED with Retry-After', async () => {
    // dev-login has a budget of its own: more sign-ins than the auth limit (and the write limit)
    for (let i = 0; i < 4; i++) {
      await t
        .http()
        .post('/api/v1/auth/dev-login')
        .send({ kakaoId: String(9000 + i), nickname: 'rl' })
        .expect(200);
    }
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await t
        .http()
        .post('/api/v1/auth/refresh')
        .send({ refreshToken: `x${i}` });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([401, 401, 401]);
    // limits count across all auth routes
    const limited = await t
      .http()
      .post('/api/v1/auth/kakao')
      .send({ accessToken: 'x' })
      .expect(429);
    expectError(limited.body, 429, 'RATE_LIMITED');
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
  });

  it("Kakao's unlink callback is outside every limit (the auth budget of this IP is spent)", async () => {
    for (let i = 0; i < 5; i++) {
      await t
        .http()
        .post('/api/v1/auth/kakao/unlink')
        .set('Authorization', `KakaoAK ${UNLINK_KEY}`)
        .type('form')
        .send({ user_id: String(7_000_000 + i), referrer_type: 'UNLINK_FROM_APPS' })
        .expect(200);
    }
  });

  it('writes: counted per user, reads are not limited', async () => {
    const db = t.dataSource as DataSource;
    const { User } = await import('../src/users/entities/user.entity');
    // sign in without spending the auth budget: tokens through the API are already limited,
    // so reuse the user created above
    const user = await db.getRepository(User).findOneByOrFail({ kakaoId: '9000' });
    const { TokenService } = await import('../src/auth/token.service');
    const pair = await t.app.get(TokenService).issue(user);
    const auth = { Authorization: `Bearer ${pair.accessToken}` };

    await t.http().patch('/api/v1/users/me').set(auth).send({ bio: 'one' }).expect(200);
    await t.http().patch('/api/v1/users/me').set(auth).send({ bio: 'two' }).expect(200);
    const third = await t.http().patch('/api/v1/users/me').set(auth).send({ bio: 'three' });
    expect(third.status).toBe(429);
    expectError(third.body, 429, 'RATE_LIMITED');
    expect(third.headers['retry-after']).toBeDefined();
    expect((await db.getRepository(User).findOneByOrFail({ id: user.id })).bio).toBe('two');
    for (let i = 0; i < 5; i++) await t.http().get('/api/v1/users/me').set(auth).expect(200);

    const other = await db.getRepository(User).findOneByOrFail({ kakaoId: '9002' });
    const otherPair = await t.app.get(TokenService).issue(other);
    await t
      .http()
      .patch('/api/v1/users/me')
      .set('Authorization', `Bearer ${otherPair.accessToken}`)
      .send({ bio: 'mine' })
      .expect(200);
  });
});

describe('dev-login rate limit (RATE_LIMIT_DEV_LOGIN)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({
      RATE_LIMIT_ENABLED: 'true',
      RATE_LIMIT_AUTH: '10/60',
      RATE_LIMIT_DEV_LOGIN: '15/60',
    });
  });
  afterAll(async () => t.close());

  it('lets sign-ins past the auth limit through, up to its own budget, and spends no auth budget', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 16; i++) {
      const res = await t
        .http()
        .post('/api/v1/auth/dev-login')
        .send({ kakaoId: String(7100 + i), nickname: `qa${i}` });
      statuses.push(res.status);
    }
    // the 11th to the 15th would be 429 under the shared auth limit of 10 a minute
    expect(statuses.slice(0, 15)).toEqual(Array(15).fill(200));
    expect(statuses[15]).toBe(429);
    const limited = await t
      .http()
      .post('/api/v1/auth/dev-login')
      .send({ kakaoId: '7199', nickname: 'late' })
      .expect(429);
    expectError(limited.body, 429, 'RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // the auth routes still have their whole budget
    for (let i = 0; i < 10; i++) {
      await t
        .http()
        .post('/api/v1/auth/refresh')
        .send({ refreshToken: `y${i}` })
        .expect(401);
    }
    await t.http().post('/api/v1/auth/refresh').send({ refreshToken: 'z' }).expect(429);
  });
});

describe('health with Redis configured', () => {
  it('reports redis up when it answers, and 503 naming redis when it does not', async () => {
    const up = await createTestApp({ REDIS_URL: 'redis://127.0.0.1:6379' });
    try {
      const res = await request(up.baseUrl).get('/health').expect(200);
      expect(res.body.info).toMatchObject({ database: { status: 'up' }, redis: { status: 'up' } });
    } finally {
      await up.close();
    }
    const down = await createTestApp({ REDIS_URL: 'redis://127.0.0.1:1' });
    try {
      const res = await request(down.baseUrl).get('/health').expect(503);
      expect(res.body.error).toMatchObject({ redis: { status: 'down' } });
      expect(res.body.info).toMatchObject({ database: { status: 'up' } });
    } finally {
      await down.close();
    }
  });
});
