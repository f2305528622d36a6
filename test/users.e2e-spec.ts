import { RefreshToken } from '../src/auth/entities/refresh-token.entity';
import { User } from '../src/users/entities/user.entity';
import { createTestApp, TestApp } from './support/test-app';
import { expectError, signIn } from './support/users';

describe('users', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  const users = () => t.dataSource.getRepository(User);

  it('GET /users/me answers the documented shape', async () => {
    const user = await signIn(t, { nickname: '  여행자  ' });
    const res = await t.http().get('/api/v1/users/me').set(user.auth).expect(200);
    expect(res.body).toEqual({
      id: user.id,
      nickname: '여행자',
      profileImageUrl: null,
      email: null,
      bio: null,
      role: 'user',
      status: 'active',
      guide: null,
      createdAt: expect.any(String),
    });
    expect(res.headers['x-request-id']).toEqual(expect.any(String));
  });

  describe('PATCH /users/me', () => {
    it('changes nickname and bio (trimmed) and stores them', async () => {
      const user = await signIn(t);
      const res = await t
        .http()
        .patch('/api/v1/users/me')
        .set(user.auth)
        .send({ nickname: ' 새이름 ', bio: ' 부산에서 왔어요 ' })
        .expect(200);
      expect(res.body).toMatchObject({ nickname: '새이름', bio: '부산에서 왔어요' });
      expect(await users().findOneByOrFail({ id: user.id })).toMatchObject({
        nickname: '새이름',
        bio: '부산에서 왔어요',
        nicknameCustomized: true,
      });
      const cleared = await t.http().patch('/api/v1/users/me').set(user.auth).send({ bio: '' });
      expect(cleared.body.bio).toBeNull();
    });

    const invalid: [string, unknown, string][] = [
      ['unknown field', { nickname: 'okay', role: 'admin' }, 'role'],
      ['wrong type', { nickname: 12345 }, 'nickname'],
      ['too short after trimming', { nickname: '  a  ' }, 'nickname'],
      ['too long', { nickname: 'x'.repeat(21) }, 'nickname'],
      ['bio too long', { bio: 'x'.repeat(501) }, 'bio'],
      ['nested object', { nickname: { $gt: '' } }, 'nickname'],
      ['array', { nickname: ['ab', 'cd'] }, 'nickname'],
    ];
    it.each(invalid)(
      '%s → 400 VALIDATION_FAILED naming the field, nothing changed',
      async (_name, body, field) => {
        const user = await signIn(t, { nickname: 'unchanged' });
        const res = await t
          .http()
          .patch('/api/v1/users/me')
          .set(user.auth)
          .send(body as object);
        expect(res.status).toBe(400);
        expectError(res.body, 400, 'VALIDATION_FAILED');
        expect(res.body.details).toEqual(
          expect.arrayContaining([{ field, errors: expect.arrayContaining([expect.any(String)]) }]),
        );
        expect(await users().findOneByOrFail({ id: user.id })).toMatchObject({
          nickname: 'unchanged',
          role: 'user',
        });
      },
    );

    it('bodies that are not a JSON object never cause a 5xx', async () => {
      const user = await signIn(t);
      const bodies = ['[1,2]', '"text"', 'null', '42', '{"nickname":', '{"a":1}{"b":2}'];
      for (const body of bodies) {
        const res = await t
          .http()
          .patch('/api/v1/users/me')
          .set(user.auth)
          .set('Content-Type', 'application/json')
          .send(body);
        expect([400]).toContain(res.status);
        expectError(res.body, 400, 'VALIDATION_FAILED');
      }
    });

    it('an oversized body → 413 PAYLOAD_TOO_LARGE', async () => {
      const user = await signIn(t);
      const res = await t
        .http()
        .patch('/api/v1/users/me')
        .set(user.auth)
        .send({ bio: 'x'.repeat(2 * 1024 * 1024) })
        .expect(413);
      expectError(res.body, 413, 'PAYLOAD_TOO_LARGE');
    });
  });

  describe('GET /users/:id', () => {
    it('is public and shows only the public fields', async () => {
      const user = await signIn(t, { nickname: 'public-me' });
      const res = await t.http().get(`/api/v1/users/${user.id}`).expect(200);
      expect(res.body).toEqual({
        id: user.id,
        nickname: 'public-me',
        profileImageUrl: null,
        bio: null,
        guideId: null,
        blockedByMe: false,
      });
    });

    it('404 for unknown ids, 400 for ids that are not numbers', async () => {
      expectError(
        (await t.http().get('/api/v1/users/2147483000').expect(404)).body,
        404,
        'NOT_FOUND',
      );
      expectError(
        (await t.http().get('/api/v1/users/99999999999999').expect(404)).body,
        404,
        'NOT_FOUND',
      );
      expectError(
        (await t.http().get('/api/v1/users/abc').expect(400)).body,
        400,
        'VALIDATION_FAILED',
      );
      expectError(
        (await t.http().get('/api/v1/users/-1').expect(400)).body,
        400,
        'VALIDATION_FAILED',
      );
    });
  });

  describe('DELETE /users/me (withdraw)', () => {
    it('blanks personal data, revokes sessions, releases the Kakao id; the person can sign up again', async () => {
      const kakaoId = String(Date.now()).slice(-9);
      const token = t.kakao.issueAccessToken({
        id: Number(kakaoId),
        nickname: 'leaving',
        email: 'leaving@example.com',
        profileImageUrl: 'https://k.kakaocdn.net/p.jpg',
      });
      const login = await t
        .http()
        .post('/api/v1/auth/kakao')
        .send({ accessToken: token })
        .expect(200);
      const id = login.body.user.id;
      const auth = { Authorization: `Bearer ${login.body.accessToken}` };
      await t.http().patch('/api/v1/users/me').set(auth).send({ bio: 'about me' }).expect(200);

      await t.http().delete('/api/v1/users/me').set(auth).expect(204);

      const row = await users().findOneByOrFail({ id });
      expect(row).toMatchObject({
        status: 'withdrawn',
        kakaoId: null,
        email: null,
        profileImageUrl: null,
        bio: null,
      });
      expect(row.nickname).not.toBe('leaving');
      expect(row.withdrawnAt).toBeInstanceOf(Date);
      const sessions = await t.dataSource.getRepository(RefreshToken).findBy({ userId: id });
      expect(sessions.length).toBeGreaterThan(0);
      expect(sessions.every((r) => r.revokedAt !== null)).toBe(true);
      expectError((await t.http().get(`/api/v1/users/${id}`).expect(404)).body, 404, 'NOT_FOUND');

      const again = await t
        .http()
        .post('/api/v1/auth/kakao')
        .send({ accessToken: t.kakao.issueAccessToken({ id: Number(kakaoId), nickname: 'back' }) })
        .expect(200);
      expect(again.body.user.id).not.toBe(id);
      expect(again.body.user.nickname).toBe('back');
    });
  });
});
