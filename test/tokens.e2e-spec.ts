import { createHmac } from 'node:crypto';
import { IsNull } from 'typeorm';
import { RefreshToken } from '../src/auth/entities/refresh-token.entity';
import { User } from '../src/users/entities/user.entity';
import { createTestApp, TEST_JWT_SECRET, TestApp } from './support/test-app';
import { expectError, signIn } from './support/users';

function b64(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** A JWT signed with the test secret, or with whatever header and signature a test wants. */
function jwt(
  payload: object,
  header: object = { alg: 'HS256', typ: 'JWT' },
  secret = TEST_JWT_SECRET,
) {
  const unsigned = `${b64(header)}.${b64(payload)}`;
  const signature = createHmac('sha256', secret).update(unsigned).digest('base64url');
  return `${unsigned}.${signature}`;
}

describe('access and refresh tokens', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  const users = () => t.dataSource.getRepository(User);
  const tokens = () => t.dataSource.getRepository(RefreshToken);
  const me = (token: string) =>
    t.http().get('/api/v1/users/me').set('Authorization', `Bearer ${token}`);

  describe('access tokens', () => {
    it('are HS256 JWTs with sub and role', async () => {
      const user = await signIn(t);
      const [header, payload] = user.accessToken
        .split('.')
        .slice(0, 2)
        .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()));
      expect(header.alg).toBe('HS256');
      expect(payload).toMatchObject({ sub: String(user.id), role: 'user' });
      expect(payload.exp - payload.iat).toBe(900);
    });

    it('without a token → 401 UNAUTHORIZED', async () => {
      const res = await t.http().get('/api/v1/users/me').expect(401);
      expectError(res.body, 401, 'UNAUTHORIZED');
    });

    it('expired → 401 TOKEN_EXPIRED', async () => {
      const user = await signIn(t);
      const now = Math.floor(Date.now() / 1000);
      const expired = jwt({ sub: String(user.id), role: 'user', iat: now - 1000, exp: now - 10 });
      const res = await me(expired).expect(401);
      expectError(res.body, 401, 'TOKEN_EXPIRED');
    });

    it('tampered payload (signature no longer matches) → 401 UNAUTHORIZED', async () => {
      const user = await signIn(t);
      const [header, , signature] = user.accessToken.split('.');
      const forged = `${header}.${b64({ sub: String(user.id), role: 'admin', exp: 9999999999 })}.${signature}`;
      expectError((await me(forged).expect(401)).body, 401, 'UNAUTHORIZED');
    });

    it('signed with another secret → 401 UNAUTHORIZED', async () => {
      const user = await signIn(t);
      const token = jwt({ sub: String(user.id), exp: 9999999999 }, undefined, 'x'.repeat(40));
      expectError((await me(token).expect(401)).body, 401, 'UNAUTHORIZED');
    });

    it('alg "none" → 401 UNAUTHORIZED', async () => {
      const user = await signIn(t);
      const token = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: String(user.id), exp: 9999999999 })}.`;
      expectError((await me(token).expect(401)).body, 401, 'UNAUTHORIZED');
    });

    it('garbage and wrong schemes → 401 UNAUTHORIZED', async () => {
      for (const value of ['Bearer garbage', 'Bearer a.b.c', 'Basic dXNlcjpwdw==', 'Bearer ']) {
        const res = await t.http().get('/api/v1/users/me').set('Authorization', value).expect(401);
        expectError(res.body, 401, 'UNAUTHORIZED');
      }
    });

    it('for a user id that does not exist → 401 UNAUTHORIZED', async () => {
      const token = jwt({ sub: '99999999', role: 'admin', exp: 9999999999 });
      expectError((await me(token).expect(401)).body, 401, 'UNAUTHORIZED');
    });

    it('carry no authority of their own: the role comes from the database', async () => {
      const user = await signIn(t);
      // a correctly signed token claiming admin does not make the user an admin
      const token = jwt({ sub: String(user.id), role: 'admin', exp: 9999999999 });
      const res = await t
        .http()
        .get('/api/v1/admin/users')
        .set('Authorization', `Bearer ${token}`)
        .expect(403);
      expectError(res.body, 403, 'FORBIDDEN');
    });
  });

  describe('refresh', () => {
    it('rotates: the new pair works and the stored token is only a hash', async () => {
      const user = await signIn(t);
      const res = await t
        .http()
        .post('/api/v1/auth/refresh')
        .send({ refreshToken: user.refreshToken })
        .expect(200);
      expect(res.body).toMatchObject({
        accessToken: expect.any(String),
        refreshToken: expect.any(String),
        expiresIn: 900,
        user: { id: user.id },
      });
      expect(res.body.refreshToken).not.toBe(user.refreshToken);
      await me(res.body.accessToken).expect(200);

      const rows = await tokens().findBy({ userId: user.id });
      expect(rows).toHaveLength(2);
      for (const row of rows) {
        expect(row.tokenHash).toMatch(/^[0-9a-f]{64}$/);
        expect([user.refreshToken, res.body.refreshToken]).not.toContain(row.tokenHash);
      }
      expect(new Set(rows.map((r) => r.familyId)).size).toBe(1);

      // and the new refresh token works in turn
      await t
        .http()
        .post('/api/v1/auth/refresh')
        .send({ refreshToken: res.body.refreshToken })
        .expect(200);
    });

    it('reuse of a rotated token → 401 REFRESH_TOKEN_REUSED and the whole family is revoked', async () => {
      const user = await signIn(t);
      const other = await signIn(t, { kakaoId: user.kakaoId }); // a second session (family)
      const first = await t
        .http()
        .post('/api/v1/auth/refresh')
        .send({ refreshToken: user.refreshToken })
        .expect(200);

      const replay = await t
        .http()
        .post('/api/v1/auth/refresh')
        .send({ refreshToken: user.refreshToken })
        .expect(401);
      expectError(replay.body, 401, 'REFRESH_TOKEN_REUSED');

      // the token the legitimate client got from the first rotation is dead too
      const after = await t
        .http()
        .post('/api/v1/auth/refresh')
        .send({ refreshToken: first.body.refreshToken })
        .expect(401);
      expectError(after.body, 401, 'UNAUTHORIZED');
      // the other session is untouched
      await t
        .http()
        .post('/api/v1/auth/refresh')
        .send({ refreshToken: other.refreshToken })
        .expect(200);
    });

    it('only one of two parallel uses of one token wins', async () => {
      const user = await signIn(t);
      const results = await Promise.all(
        [1, 2, 3].map(() =>
          t.http().post('/api/v1/auth/refresh').send({ refreshToken: user.refreshToken }),
        ),
      );
      expect(results.filter((r) => r.status === 200)).toHaveLength(1);
      expect(results.filter((r) => r.status === 401)).toHaveLength(2);
    });

    it('a race with one token leaves no token of its family working, the winner’s included', async () => {
      for (let round = 0; round < 8; round++) {
        const user = await signIn(t);
        const parallel = 2 + (round % 2); // two, then three at once
        const results = await Promise.all(
          Array.from({ length: parallel }, () =>
            t.http().post('/api/v1/auth/refresh').send({ refreshToken: user.refreshToken }),
          ),
        );
        const winners = results.filter((r) => r.status === 200);
        expect(winners).toHaveLength(1);
        // the first loser finds the token rotated and revokes the family; a later one may
        // already find it revoked
        const losers = results.filter((r) => r.status !== 200).map((r) => r.body.code);
        expect(losers).toContain('REFRESH_TOKEN_REUSED');
        for (const code of losers) expect(['REFRESH_TOKEN_REUSED', 'UNAUTHORIZED']).toContain(code);
        // the winner's new refresh token was issued from the reused one: it is dead too
        const after = await t
          .http()
          .post('/api/v1/auth/refresh')
          .send({ refreshToken: winners[0].body.refreshToken })
          .expect(401);
        expectError(after.body, 401, 'UNAUTHORIZED');
        const rows = await tokens().findBy({ userId: user.id });
        expect(rows).toHaveLength(2);
        expect(rows.filter((row) => row.revokedAt === null)).toEqual([]);
      }
    });

    it('an unknown token → 401 UNAUTHORIZED; a malformed body → 400', async () => {
      const res = await t
        .http()
        .post('/api/v1/auth/refresh')
        .send({ refreshToken: 'never-issued' })
        .expect(401);
      expectError(res.body, 401, 'UNAUTHORIZED');
      const bad = await t
        .http()
        .post('/api/v1/auth/refresh')
        .send({ refreshToken: 42 })
        .expect(400);
      expectError(bad.body, 400, 'VALIDATION_FAILED');
    });

    it('an expired refresh token → 401 TOKEN_EXPIRED', async () => {
      const user = await signIn(t);
      await tokens().update({ userId: user.id }, { expiresAt: new Date(Date.now() - 1000) });
      const res = await t
        .http()
        .post('/api/v1/auth/refresh')
        .send({ refreshToken: user.refreshToken })
        .expect(401);
      expectError(res.body, 401, 'TOKEN_EXPIRED');
    });
  });

  describe('logout', () => {
    it("revokes the session's refresh tokens; 204", async () => {
      const user = await signIn(t);
      await t
        .http()
        .post('/api/v1/auth/logout')
        .set(user.auth)
        .send({ refreshToken: user.refreshToken })
        .expect(204);
      const res = await t
        .http()
        .post('/api/v1/auth/refresh')
        .send({ refreshToken: user.refreshToken })
        .expect(401);
      expectError(res.body, 401, 'UNAUTHORIZED');
      expect(await tokens().countBy({ userId: user.id, revokedAt: IsNull() })).toBe(0);
    });

    it("cannot revoke somebody else's session", async () => {
      const victim = await signIn(t);
      const attacker = await signIn(t);
      await t
        .http()
        .post('/api/v1/auth/logout')
        .set(attacker.auth)
        .send({ refreshToken: victim.refreshToken })
        .expect(204);
      await t
        .http()
        .post('/api/v1/auth/refresh')
        .send({ refreshToken: victim.refreshToken })
        .expect(200);
    });

    it('needs an access token', async () => {
      const res = await t
        .http()
        .post('/api/v1/auth/logout')
        .send({ refreshToken: 'x' })
        .expect(401);
      expectError(res.body, 401, 'UNAUTHORIZED');
    });
  });

  describe('suspension and withdrawal take effect at once', () => {
    it('a suspended user gets 403 ACCOUNT_SUSPENDED with a still-valid token, and on refresh and login', async () => {
      const user = await signIn(t);
      await me(user.accessToken).expect(200);
      await users().update({ id: user.id }, { status: 'suspended', suspendReason: 'spam' });

      expectError((await me(user.accessToken).expect(403)).body, 403, 'ACCOUNT_SUSPENDED');
      const refresh = await t
        .http()
        .post('/api/v1/auth/refresh')
        .send({ refreshToken: user.refreshToken })
        .expect(403);
      expectError(refresh.body, 403, 'ACCOUNT_SUSPENDED');
      const login = await t
        .http()
        .post('/api/v1/auth/dev-login')
        .send({ kakaoId: user.kakaoId, nickname: 'again' })
        .expect(403);
      expectError(login.body, 403, 'ACCOUNT_SUSPENDED');
      // public routes still answer, anonymously
      await t.http().get(`/api/v1/users/${user.id}`).set(user.auth).expect(200);

      await users().update({ id: user.id }, { status: 'active', suspendReason: null });
      await me(user.accessToken).expect(200);
    });

    it('a timed suspension ends by itself', async () => {
      const user = await signIn(t);
      await users().update(
        { id: user.id },
        { status: 'suspended', suspendedUntil: new Date(Date.now() + 60_000) },
      );
      await me(user.accessToken).expect(403);
      await users().update({ id: user.id }, { suspendedUntil: new Date(Date.now() - 1000) });
      const res = await me(user.accessToken).expect(200);
      expect(res.body.status).toBe('active');
      const row = await users().findOneByOrFail({ id: user.id });
      expect(row).toMatchObject({ status: 'active', suspendedUntil: null });
    });

    it("a withdrawn user's access and refresh tokens stop working", async () => {
      const user = await signIn(t);
      await t.http().delete('/api/v1/users/me').set(user.auth).expect(204);
      expectError((await me(user.accessToken).expect(401)).body, 401, 'UNAUTHORIZED');
      await t
        .http()
        .post('/api/v1/auth/refresh')
        .send({ refreshToken: user.refreshToken })
        .expect(401);
      expect(await tokens().countBy({ userId: user.id, revokedAt: IsNull() })).toBe(0);
    });
  });
});
