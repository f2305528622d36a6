import request from 'supertest';
import { KakaoClient } from '../src/auth/kakao/kakao.client';
import { DomainException } from '../src/common/errors/domain.exception';
import { User } from '../src/users/entities/user.entity';
import { KakaoStub } from './support/kakao-stub';
import { createTestApp, TestApp } from './support/test-app';
import { expectError, uniqueKakaoId } from './support/users';

/** Follows the browser's path: our login → Kakao authorize → our callback. */
async function browserLogin(app: TestApp) {
  const start = await app.http().get('/api/v1/auth/kakao/login').expect(302);
  const authorizeUrl = new URL(start.headers.location);
  const cookie = start.headers['set-cookie'] as unknown as string[];
  const kakaoAnswer = await request(authorizeUrl.origin)
    .get(authorizeUrl.pathname + authorizeUrl.search)
    .redirects(0);
  expect(kakaoAnswer.status).toBe(302);
  const callbackUrl = new URL(kakaoAnswer.headers.location);
  const callback = await app
    .http()
    .get(callbackUrl.pathname + callbackUrl.search)
    .set('Cookie', cookie.map((c) => c.split(';')[0]).join('; '));
  return { start, authorizeUrl, callbackUrl, callback };
}

describe('Kakao login (mobile and web flows)', () => {
  let t: TestApp;
  const adminKakaoId = uniqueKakaoId();

  beforeAll(async () => {
    t = await createTestApp({ ADMIN_KAKAO_IDS: `1, ${adminKakaoId}` });
  });
  afterAll(async () => t.close());

  const users = () => t.dataSource.getRepository(User);

  describe('POST /auth/kakao', () => {
    it('creates the user on first login and returns a token pair', async () => {
      const id = Number(uniqueKakaoId());
      const token = t.kakao.issueAccessToken({
        id,
        nickname: '제주여행자',
        profileImageUrl: 'https://k.kakaocdn.net/img/a.jpg',
        email: 'traveller@example.com',
      });

      const res = await t
        .http()
        .post('/api/v1/auth/kakao')
        .send({ accessToken: token })
        .expect(200);

      expect(res.body).toEqual({
        accessToken: expect.any(String),
        refreshToken: expect.any(String),
        expiresIn: 900,
        user: {
          id: expect.any(Number),
          nickname: '제주여행자',
          profileImageUrl: 'https://k.kakaocdn.net/img/a.jpg',
          email: 'traveller@example.com',
          bio: null,
          role: 'user',
          status: 'active',
          guide: null,
          createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        },
      });
      const row = await users().findOneByOrFail({ id: res.body.user.id });
      expect(row.kakaoId).toBe(String(id));
      // the server really asked Kakao, with the app's token
      expect(t.kakao.requests).toContainEqual(
        expect.objectContaining({ path: '/v2/user/me', authorization: `Bearer ${token}` }),
      );
      const me = await t
        .http()
        .get('/api/v1/users/me')
        .set('Authorization', `Bearer ${res.body.accessToken}`)
        .expect(200);
      expect(me.body.id).toBe(res.body.user.id);
    });

    it('updates the profile on a second login and returns the same user', async () => {
      const id = Number(uniqueKakaoId());
      const first = await t
        .http()
        .post('/api/v1/auth/kakao')
        .send({ accessToken: t.kakao.issueAccessToken({ id, nickname: 'before' }) })
        .expect(200);
      const second = await t
        .http()
        .post('/api/v1/auth/kakao')
        .send({
          accessToken: t.kakao.issueAccessToken({
            id,
            nickname: 'after',
            profileImageUrl: 'https://k.kakaocdn.net/img/new.jpg',
            email: 'new@example.com',
          }),
        })
        .expect(200);

      expect(second.body.user.id).toBe(first.body.user.id);
      expect(second.body.user).toMatchObject({
        nickname: 'after',
        profileImageUrl: 'https://k.kakaocdn.net/img/new.jpg',
        email: 'new@example.com',
      });
      expect(await users().countBy({ kakaoId: String(id) })).toBe(1);
    });

    it('keeps a nickname the user chose over the Kakao nickname', async () => {
      const id = Number(uniqueKakaoId());
      const first = await t
        .http()
        .post('/api/v1/auth/kakao')
        .send({ accessToken: t.kakao.issueAccessToken({ id, nickname: 'kakao-name' }) })
        .expect(200);
      await t
        .http()
        .patch('/api/v1/users/me')
        .set('Authorization', `Bearer ${first.body.accessToken}`)
        .send({ nickname: 'my-own-name' })
        .expect(200);
      const again = await t
        .http()
        .post('/api/v1/auth/kakao')
        .send({ accessToken: t.kakao.issueAccessToken({ id, nickname: 'kakao-name-2' }) })
        .expect(200);
      expect(again.body.user.nickname).toBe('my-own-name');
    });

    it('creates one user when the first login of a person arrives twice at once', async () => {
      const id = Number(uniqueKakaoId());
      const results = await Promise.all(
        Array.from({ length: 5 }, () =>
          t
            .http()
            .post('/api/v1/auth/kakao')
            .send({ accessToken: t.kakao.issueAccessToken({ id, nickname: 'racer' }) }),
        ),
      );
      expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
      expect(new Set(results.map((r) => r.body.user.id)).size).toBe(1);
      expect(await users().countBy({ kakaoId: String(id) })).toBe(1);
    });

    it('answers 401 KAKAO_TOKEN_INVALID when Kakao refuses the token', async () => {
      const before = await users().count();
      const res = await t
        .http()
        .post('/api/v1/auth/kakao')
        .send({ accessToken: 'not-a-kakao-token' })
        .expect(401);
      expectError(res.body, 401, 'KAKAO_TOKEN_INVALID');
      expect(await users().count()).toBe(before);
    });

    it('makes accounts listed in ADMIN_KAKAO_IDS admins at login', async () => {
      const res = await t
        .http()
        .post('/api/v1/auth/kakao')
        .send({
          accessToken: t.kakao.issueAccessToken({ id: Number(adminKakaoId), nickname: 'boss' }),
        })
        .expect(200);
      expect(res.body.user.role).toBe('admin');
      await t
        .http()
        .get('/api/v1/admin/users')
        .set('Authorization', `Bearer ${res.body.accessToken}`)
        .expect(200);
    });

    it('validates the body', async () => {
      const res = await t.http().post('/api/v1/auth/kakao').send({ token: 'x' }).expect(400);
      expectError(res.body, 400, 'VALIDATION_FAILED');
    });

    it('a token no header can carry is the caller’s error (4xx), never a Kakao outage', async () => {
      const before = t.kakao.requests.length;
      for (const accessToken of [
        'abc\u0000def',
        '카카오토큰',
        'abc\r\nX-Injected: 1',
        'a b',
        'ÿtoken',
      ]) {
        const res = await t.http().post('/api/v1/auth/kakao').send({ accessToken });
        expect(res.status).toBe(400);
        expectError(res.body, 400, 'VALIDATION_FAILED');
        expect(res.body.details).toEqual([expect.objectContaining({ field: 'accessToken' })]);
      }
      expect(t.kakao.requests.length).toBe(before);
    });

    it('the Kakao client itself refuses such a token without calling Kakao (401, not 502)', async () => {
      const before = t.kakao.requests.length;
      for (const token of ['abc\u0000def', '카카오토큰']) {
        const error: unknown = await t.app
          .get(KakaoClient)
          .getProfile(token)
          .then(
            () => null,
            (e: unknown) => e,
          );
        expect(error).toBeInstanceOf(DomainException);
        expect((error as DomainException).getStatus()).toBe(401);
      }
      expect(t.kakao.requests.length).toBe(before);
    });

    it('cleans a Kakao nickname of control and bidi characters instead of refusing it', async () => {
      const id = Number(uniqueKakaoId());
      const res = await t
        .http()
        .post('/api/v1/auth/kakao')
        .send({
          accessToken: t.kakao.issueAccessToken({
            id,
            nickname: '\u202Eevil\u0000 name\nhere\ud800',
          }),
        })
        .expect(200);
      expect(res.body.user.nickname).toBe('evil name here');
      const row = await users().findOneByOrFail({ kakaoId: String(id) });
      expect(row.nickname).toBe('evil name here');
    });
  });

  describe('when Kakao is down or slow', () => {
    it('answers 502 KAKAO_UNAVAILABLE when Kakao takes longer than the timeout', async () => {
      t.kakao.delayMs = 3000; // the test app's KAKAO_TIMEOUT_MS is 1000
      try {
        const token = t.kakao.issueAccessToken({ id: Number(uniqueKakaoId()), nickname: 'slow' });
        const started = Date.now();
        const res = await t.http().post('/api/v1/auth/kakao').send({ accessToken: token });
        expect(res.status).toBe(502);
        expectError(res.body, 502, 'KAKAO_UNAVAILABLE');
        // well before Kakao would have answered, with room for a busy machine
        expect(Date.now() - started).toBeLessThan(2500);
      } finally {
        t.kakao.delayMs = 0;
      }
    });
  });

  describe('web flow (passport-kakao)', () => {
    it("redirects to Kakao's authorize page with client id, callback and state", async () => {
      const res = await t.http().get('/api/v1/auth/kakao/login').expect(302);
      const location = new URL(res.headers.location);
      expect(`${location.origin}${location.pathname}`).toBe(`${t.kakao.url}/oauth/authorize`);
      expect(location.searchParams.get('client_id')).toBe(t.kakao.clientId);
      expect(location.searchParams.get('response_type')).toBe('code');
      expect(location.searchParams.get('redirect_uri')).toBe(t.config.kakao.callbackUrl);
      expect(location.searchParams.get('state')).toMatch(/^[\w-]{20,}$/);
      expect(res.headers['set-cookie']?.[0]).toMatch(/HttpOnly/i);
    });

    it('signs the user in through the callback and answers with JSON', async () => {
      const kakaoId = Number(uniqueKakaoId());
      t.kakao.loginNextAs({ id: kakaoId, nickname: '웹사용자', email: 'web@example.com' });
      const { callback } = await browserLogin(t);
      expect(callback.status).toBe(200);
      expect(callback.body.user).toMatchObject({ nickname: '웹사용자', email: 'web@example.com' });
      const row = await users().findOneByOrFail({ kakaoId: String(kakaoId) });
      expect(row.id).toBe(callback.body.user.id);
      // the code was exchanged at Kakao's token endpoint
      const exchange = t.kakao.requests.find((r) => r.path === '/oauth/token');
      expect(new URLSearchParams(exchange?.body).get('grant_type')).toBe('authorization_code');
      await t
        .http()
        .get('/api/v1/users/me')
        .set('Authorization', `Bearer ${callback.body.accessToken}`)
        .expect(200);
    });

    it('refuses a callback whose state does not match the browser cookie', async () => {
      t.kakao.loginNextAs({ id: Number(uniqueKakaoId()), nickname: 'csrf' });
      const start = await t.http().get('/api/v1/auth/kakao/login').expect(302);
      const authorizeUrl = new URL(start.headers.location);
      const kakaoAnswer = await request(authorizeUrl.origin)
        .get(authorizeUrl.pathname + authorizeUrl.search)
        .redirects(0);
      const callbackUrl = new URL(kakaoAnswer.headers.location);
      const res = await t
        .http()
        .get(callbackUrl.pathname + callbackUrl.search)
        .set('Cookie', 'sb_kakao_state=someone-elses');
      expectError(res.body, 401, 'UNAUTHORIZED');
    });

    it('answers 401 when the user refuses consent at Kakao', async () => {
      t.kakao.loginNextAs('deny');
      const { callbackUrl, callback } = await browserLogin(t);
      expect(callbackUrl.searchParams.get('error')).toBe('access_denied');
      expectError(callback.body, 401, 'UNAUTHORIZED');
    });

    it('answers 401 KAKAO_TOKEN_INVALID for a code Kakao does not know', async () => {
      const start = await t.http().get('/api/v1/auth/kakao/login').expect(302);
      const state = new URL(start.headers.location).searchParams.get('state') as string;
      const cookie = (start.headers['set-cookie'] as unknown as string[])[0].split(';')[0];
      const res = await t
        .http()
        .get(`/api/v1/auth/kakao/callback?code=forged&state=${state}`)
        .set('Cookie', cookie);
      expectError(res.body, 401, 'KAKAO_TOKEN_INVALID');
    });
  });
});

// Passport keeps strategies in a process-wide registry, so a second app is only ever started
// after the first one has closed.
describe('Kakao unreachable', () => {
  it('answers 502 KAKAO_UNAVAILABLE when nothing listens at KAKAO_API_URL', async () => {
    const down = await new KakaoStub().start();
    const downUrl = down.url;
    await down.stop();
    const app = await createTestApp({ KAKAO_API_URL: downUrl, KAKAO_AUTH_URL: downUrl });
    try {
      const res = await app
        .http()
        .post('/api/v1/auth/kakao')
        .send({ accessToken: 'anything' })
        .expect(502);
      expectError(res.body, 502, 'KAKAO_UNAVAILABLE');
    } finally {
      await app.close();
    }
  });
});

describe('Kakao web flow with AUTH_REDIRECT_URL', () => {
  it('redirects to AUTH_REDIRECT_URL with the tokens in the fragment when configured', async () => {
    const app = await createTestApp({ AUTH_REDIRECT_URL: 'https://app.example.com/login' });
    try {
      app.kakao.loginNextAs({ id: Number(uniqueKakaoId()), nickname: 'redirected' });
      const { callback } = await browserLogin(app);
      expect(callback.status).toBe(302);
      const target = new URL(callback.headers.location);
      expect(`${target.origin}${target.pathname}`).toBe('https://app.example.com/login');
      const fragment = new URLSearchParams(target.hash.slice(1));
      const accessToken = fragment.get('accessToken');
      expect(fragment.get('refreshToken')).toBeTruthy();
      await app
        .http()
        .get('/api/v1/users/me')
        .set('Authorization', `Bearer ${accessToken}`)
        .expect(200);

      app.kakao.loginNextAs('deny');
      const denied = await browserLogin(app);
      expect(denied.callback.status).toBe(302);
      expect(denied.callback.headers.location).toBe(
        'https://app.example.com/login#error=UNAUTHORIZED',
      );
    } finally {
      await app.close();
    }
  });
});
