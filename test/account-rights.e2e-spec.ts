import { User } from '../src/users/entities/user.entity';
import { approvedGuide, GuideFixture, regionByCode, storyOf } from './support/fixtures';
import { png } from './support/media';
import { createTestApp, TestApp } from './support/test-app';
import { expectError, signIn, SignedIn } from './support/users';

const ADMIN_KEY = 'kakao-admin-key-for-tests-0123456789';

function dateIn(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

/** docs/api.md, Blocking and account rights account rights: the data export, and Kakao's unlink callback. */
describe('account rights', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ KAKAO_ADMIN_KEY: ADMIN_KEY });
  });
  afterAll(async () => t.close());

  describe('GET /users/me/export', () => {
    let me: GuideFixture;
    let other: GuideFixture;
    let reviewer: SignedIn;
    const made: Record<string, number[]> = {};
    const OTHER_EMAIL = 'other.person@example.com';
    const OTHER_BIO = 'private bio of the other guide';

    beforeAll(async () => {
      me = await approvedGuide(t, 'exporter');
      other = await approvedGuide(t, 'other-guide');
      reviewer = await signIn(t, { nickname: 'reviewer' });
      await t.dataSource
        .getRepository(User)
        .update(other.id, { email: OTHER_EMAIL, bio: OTHER_BIO });
      const region = await regionByCode(t, 'seoul');
      const post = (path: string, who: SignedIn, body: object, status = 201) =>
        t.http().post(`/api/v1${path}`).set(who.auth).send(body).expect(status);

      // a story of mine, with a photo
      const story = await t
        .http()
        .post('/api/v1/stories')
        .set(me.auth)
        .field('title', 'My market walk')
        .field('content', 'Dumplings first.')
        .field('category', 'food')
        .field('regionId', String(region.id))
        .attach('media', await png(40, 30), 'p.png')
        .expect(201);
      made.stories = [story.body.id];
      const theirs = (await storyOf(t, other, { title: 'Their story' })).id;
      made.comments = [
        (await post(`/stories/${theirs}/comments`, me, { content: 'Nice' })).body.id,
      ];
      await t.http().put(`/api/v1/stories/${theirs}/like`).set(me.auth).expect(200);
      await t.http().put(`/api/v1/stories/${theirs}/bookmark`).set(me.auth).expect(200);
      made.likes = [theirs];
      // a trip with the other guide: request, chat, review
      const request = await post('/matching-requests', me, {
        storyId: theirs,
        desiredDate: dateIn(3),
      });
      const accepted = await post(`/matching-requests/${request.body.id}/accept`, other, {}, 200);
      const roomId = accepted.body.chatRoomId;
      const mine = await post(`/chat/rooms/${roomId}/messages`, me, { content: 'Hello guide' });
      await post(`/chat/rooms/${roomId}/messages`, other, { content: 'SECRET-OF-OTHER' });
      await post(`/matching-requests/${request.body.id}/complete`, other, {}, 200);
      const given = await post(`/matching-requests/${request.body.id}/review`, me, {
        rating: 5,
        content: 'Great guide',
      });
      made.matchingRequests = [request.body.id];
      made.chatMessagesSent = [mine.body.id];
      made.reviewsGiven = [given.body.id];
      // someone reviews me as a guide
      const toMe = await post('/matching-requests', reviewer, {
        storyId: story.body.id,
        desiredDate: dateIn(4),
      });
      await post(`/matching-requests/${toMe.body.id}/accept`, me, {}, 200);
      await post(`/matching-requests/${toMe.body.id}/complete`, me, {}, 200);
      made.reviewsReceived = [
        (
          await post(`/matching-requests/${toMe.body.id}/review`, reviewer, {
            rating: 4,
            content: 'Good',
          })
        ).body.id,
      ];
      made.reportsFiled = [
        (await post('/reports', me, { targetType: 'user', targetId: reviewer.id, reason: 'spam' }))
          .body.id,
      ];
      await t.http().put(`/api/v1/users/${reviewer.id}/block`).set(me.auth).expect(204);
    }, 60_000);

    it('answers one JSON document with every kind of row I made, and nothing private of others', async () => {
      const res = await t.http().get('/api/v1/users/me/export').set(me.auth).expect(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.headers['content-disposition']).toMatch(
        /attachment; filename="storybook-\d+\.json"/,
      );
      const doc = JSON.parse(res.text) as Record<string, unknown>;
      const ids = (key: string) => (doc[key] as { id: number }[]).map((r) => r.id);

      expect(doc.profile).toMatchObject({ id: me.id, nickname: 'exporter', kakaoId: me.kakaoId });
      expect(doc.guideProfile).toMatchObject({ id: me.guideId, status: 'approved' });
      expect(ids('stories')).toEqual(made.stories);
      const [story] = doc.stories as { media: { url: string }[] }[];
      expect(story.media[0].url).toMatch(/^\/uploads\/stories\//);
      expect(ids('comments')).toEqual(made.comments);
      expect((doc.likes as { storyId: number }[]).map((l) => l.storyId)).toEqual(made.likes);
      expect((doc.bookmarks as { storyId: number }[]).map((l) => l.storyId)).toEqual(made.likes);
      expect(ids('matchingRequests')).toEqual(expect.arrayContaining([...made.matchingRequests]));
      expect(ids('chatMessagesSent')).toEqual(made.chatMessagesSent);
      expect(ids('reviewsGiven')).toEqual(made.reviewsGiven);
      expect(ids('reviewsReceived')).toEqual(made.reviewsReceived);
      expect((doc.reviewsReceived as { traveler: object }[])[0].traveler).toEqual({
        id: reviewer.id,
        nickname: 'reviewer',
      });
      expect(ids('reportsFiled')).toEqual(made.reportsFiled);
      expect((doc.notifications as unknown[]).length).toBeGreaterThan(0);
      expect(ids('blocks')).toEqual([reviewer.id]);
      // of the others: no e-mail, bio, or the other side's chat messages
      expect(res.text).not.toContain(OTHER_EMAIL);
      expect(res.text).not.toContain(OTHER_BIO);
      expect(res.text).not.toContain('SECRET-OF-OTHER');
    });

    it('once an hour: the second call is 429 with Retry-After', async () => {
      const res = await t.http().get('/api/v1/users/me/export').set(me.auth).expect(429);
      expectError(res.body, 429, 'RATE_LIMITED');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(3000);
      // someone else still may
      await t.http().get('/api/v1/users/me/export').set(other.auth).expect(200);
    });

    it('an export that fails on our side is cut short, and does not use up the hour', async () => {
      const unlucky = await signIn(t, { nickname: 'unlucky' });
      // a real failure half-way through the document: a table it reads is not there
      await t.dataSource.query('ALTER TABLE notifications RENAME TO notifications_away');
      let outcome: string;
      try {
        outcome = await t
          .http()
          .get('/api/v1/users/me/export')
          .set(unlucky.auth)
          .then(
            (res) => `complete ${res.status}`,
            (error: Error) => `cut short: ${error.message}`,
          );
      } finally {
        await t.dataSource.query('ALTER TABLE notifications_away RENAME TO notifications');
      }
      expect(outcome).toMatch(/^cut short/);
      const row = await t.dataSource.getRepository(User).findOneByOrFail({ id: unlucky.id });
      expect(row.lastExportAt).toBeNull();
      const again = await t.http().get('/api/v1/users/me/export').set(unlucky.auth).expect(200);
      expect(JSON.parse(again.text)).toMatchObject({ profile: { id: unlucky.id } });
      await t.http().get('/api/v1/users/me/export').set(unlucky.auth).expect(429);
    });
  });

  describe('Kakao unlink callback', () => {
    const unlink = (body: Record<string, string>, key: string | null = ADMIN_KEY) => {
      const req = t.http().post('/api/v1/auth/kakao/unlink').type('form').send(body);
      return key === null ? req : req.set('Authorization', `KakaoAK ${key}`);
    };

    it('with the right key withdraws the user as DELETE /users/me does', async () => {
      const user = await signIn(t, { nickname: 'leaving' });
      await unlink({
        app_id: '1',
        user_id: user.kakaoId,
        referrer_type: 'UNLINK_FROM_APPS',
      }).expect(200);
      const row = await t.dataSource.getRepository(User).findOneByOrFail({ id: user.id });
      expect(row).toMatchObject({ status: 'withdrawn', kakaoId: null, email: null });
      // tokens stop working
      await t.http().get('/api/v1/users/me').set(user.auth).expect(401);
      await t
        .http()
        .post('/api/v1/auth/refresh')
        .send({ refreshToken: user.refreshToken })
        .expect(401);
      // the Kakao id can sign up again, as a new user
      const again = await signIn(t, { kakaoId: user.kakaoId, nickname: 'back again' });
      expect(again.id).not.toBe(user.id);
    });

    it('answers 200 to the same callback sent several times at once, withdrawing once', async () => {
      const user = await signIn(t, { nickname: 'twice' });
      const answers = await Promise.all(
        Array.from({ length: 8 }, () => unlink({ user_id: user.kakaoId })),
      );
      expect(answers.map((res) => res.status)).toEqual(Array(8).fill(200));
      const row = await t.dataSource.getRepository(User).findOneByOrFail({ id: user.id });
      expect(row).toMatchObject({ status: 'withdrawn', kakaoId: null });
      await t.http().get('/api/v1/users/me').set(user.auth).expect(401);
    });

    it('also as GET with query fields', async () => {
      const user = await signIn(t);
      await t
        .http()
        .get(
          `/api/v1/auth/kakao/unlink?app_id=1&user_id=${user.kakaoId}&referrer_type=ACCOUNT_DELETE`,
        )
        .set('Authorization', `KakaoAK ${ADMIN_KEY}`)
        .expect(200);
      expect((await t.dataSource.getRepository(User).findOneByOrFail({ id: user.id })).status).toBe(
        'withdrawn',
      );
    });

    it('a wrong or missing key is 401 and changes nothing; an unknown Kakao id is 200', async () => {
      const user = await signIn(t);
      for (const key of ['wrong-key', `${ADMIN_KEY}x`, null]) {
        const res = await unlink({ user_id: user.kakaoId }, key).expect(401);
        expectError(res.body, 401, 'UNAUTHORIZED');
      }
      const bearer = await t
        .http()
        .post('/api/v1/auth/kakao/unlink')
        .set('Authorization', `Bearer ${ADMIN_KEY}`)
        .type('form')
        .send({ user_id: user.kakaoId })
        .expect(401);
      expectError(bearer.body, 401, 'UNAUTHORIZED');
      expect((await t.dataSource.getRepository(User).findOneByOrFail({ id: user.id })).status).toBe(
        'active',
      );
      await unlink({ user_id: '98765432101234' }).expect(200);
    });

    it('without KAKAO_ADMIN_KEY the route is 404', async () => {
      const plain = await createTestApp();
      try {
        const res = await plain
          .http()
          .post('/api/v1/auth/kakao/unlink')
          .set('Authorization', `KakaoAK ${ADMIN_KEY}`)
          .type('form')
          .send({ user_id: '1' })
          .expect(404);
        expectError(res.body, 404, 'NOT_FOUND');
      } finally {
        await plain.close();
      }
    });
  });
});
