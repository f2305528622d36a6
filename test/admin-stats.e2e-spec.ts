import { IsNull, MoreThan, MoreThanOrEqual, Not, Or } from 'typeorm';
import { ChatMessage } from '../src/chat/entities/chat-message.entity';
import { Guide } from '../src/guides/entities/guide.entity';
import {
  MatchingRequest,
  type MatchingStatus,
} from '../src/matching/entities/matching-request.entity';
import { Report, type ReportStatus } from '../src/reports/entities/report.entity';
import { Story } from '../src/stories/entities/story.entity';
import { User } from '../src/users/entities/user.entity';
import { approvedGuide, regionByCode, storyOf } from './support/fixtures';
import { openChatRoom } from './support/sockets';
import { createTestApp, TestApp } from './support/test-app';
import { signIn, SignedIn, uniqueKakaoId } from './support/users';

const DAY_MS = 24 * 60 * 60 * 1000;

interface Stats {
  users: { total: number; guides: number; suspended: number; newLast7Days: number };
  guides: { pending: number; approved: number };
  stories: { published: number; hidden: number };
  matching: Record<MatchingStatus, number>;
  reports: { pending: number };
  chat: { messagesLast24h: number };
}

describe('GET /admin/stats', () => {
  let t: TestApp;
  let admin: SignedIn;
  const adminKakaoId = uniqueKakaoId();

  beforeAll(async () => {
    t = await createTestApp({ ADMIN_KAKAO_IDS: adminKakaoId });
    admin = await signIn(t, { kakaoId: adminKakaoId });
  });
  afterAll(async () => t.close());

  const stats = async (): Promise<Stats> =>
    (await t.http().get('/api/v1/admin/stats').set(admin.auth).expect(200)).body as Stats;

  /** The same numbers, counted straight from the tables. */
  async function countedInDatabase(): Promise<Stats> {
    const now = Date.now();
    const users = t.dataSource.getRepository(User);
    const guides = t.dataSource.getRepository(Guide);
    const stories = t.dataSource.getRepository(Story);
    const requests = t.dataSource.getRepository(MatchingRequest);
    const notWithdrawn = Not('withdrawn' as const);
    const matching = {} as Record<MatchingStatus, number>;
    for (const status of ['pending', 'accepted', 'completed', 'rejected', 'cancelled'] as const) {
      matching[status] = await requests.countBy({ status });
    }
    return {
      users: {
        total: await users.countBy({ status: notWithdrawn }),
        guides: await users.countBy({ status: notWithdrawn, role: 'guide' }),
        suspended: await users.countBy({
          status: 'suspended',
          suspendedUntil: Or(IsNull(), MoreThan(new Date(now))),
        }),
        newLast7Days: await users.countBy({
          status: notWithdrawn,
          createdAt: MoreThanOrEqual(new Date(now - 7 * DAY_MS)),
        }),
      },
      guides: {
        pending: await guides.countBy({ status: 'pending' }),
        approved: await guides.countBy({ status: 'approved' }),
      },
      stories: {
        published: await stories.countBy({ status: 'published' }),
        hidden: await stories.countBy({ status: 'hidden' }),
      },
      matching,
      reports: { pending: await t.dataSource.getRepository(Report).countBy({ status: 'pending' }) },
      chat: {
        messagesLast24h: await t.dataSource
          .getRepository(ChatMessage)
          .countBy({ createdAt: MoreThanOrEqual(new Date(now - DAY_MS)) }),
      },
    };
  }

  it('has exactly the documented shape, all zero but the admin on a fresh database', async () => {
    expect(await stats()).toEqual({
      users: { total: 1, guides: 0, suspended: 0, newLast7Days: 1 },
      guides: { pending: 0, approved: 0 },
      stories: { published: 0, hidden: 0 },
      matching: { pending: 0, accepted: 0, completed: 0, rejected: 0, cancelled: 0 },
      reports: { pending: 0 },
      chat: { messagesLast24h: 0 },
    });
  });

  it('after a mix of activity, every number equals a COUNT of the database and the script', async () => {
    const before = await stats();
    const region = await regionByCode(t, 'jeju');

    // users: 6 new accounts, of which one withdraws, one is old, one suspended, one ran out
    const plain = [];
    for (let i = 0; i < 6; i++) plain.push(await signIn(t));
    await t.http().delete('/api/v1/users/me').set(plain[0].auth).expect(204);
    await t.dataSource
      .getRepository(User)
      .update({ id: plain[1].id }, { createdAt: new Date(Date.now() - 10 * DAY_MS) });
    await t
      .http()
      .post(`/api/v1/admin/users/${plain[2].id}/suspend`)
      .set(admin.auth)
      .send({ reason: 'spam' })
      .expect(200);
    await t
      .http()
      .post(`/api/v1/admin/users/${plain[3].id}/suspend`)
      .set(admin.auth)
      .send({ reason: 'short', until: new Date(Date.now() + 60_000).toISOString() })
      .expect(200);
    await t.dataSource
      .getRepository(User)
      .update({ id: plain[3].id }, { suspendedUntil: new Date(Date.now() - 1000) });

    // guides: 2 approved (role guide), 1 pending application, 1 suspended guide profile
    const guideA = await approvedGuide(t);
    const guideB = await approvedGuide(t);
    const applicant = await signIn(t);
    await t
      .http()
      .post('/api/v1/guides/apply')
      .set(applicant.auth)
      .send({ introduction: 'I know every oreum.', languages: ['ko'], regionIds: [region.id] })
      .expect(201);
    const suspendedGuide = await approvedGuide(t);
    await t
      .http()
      .post(`/api/v1/admin/guides/${suspendedGuide.guideId}/suspend`)
      .set(admin.auth)
      .send({ reason: 'complaints' })
      .expect(200);

    // stories: 3 published, 2 hidden (one through the admin route), 1 deleted
    await storyOf(t, guideA);
    await storyOf(t, guideA);
    const toHide = await storyOf(t, guideB);
    await t
      .http()
      .post(`/api/v1/admin/stories/${toHide.id}/hide`)
      .set(admin.auth)
      .send({ reason: 'ad' })
      .expect(200);
    await storyOf(t, guideB, { status: 'hidden', hiddenReason: 'auto' });
    await storyOf(t, guideB, { status: 'deleted', deletedAt: new Date() });
    const target = await storyOf(t, guideA);

    // matching: a different number in each state, so no two can be swapped unnoticed
    const wanted: [MatchingStatus, number][] = [
      ['pending', 1],
      ['accepted', 2],
      ['completed', 3],
      ['rejected', 4],
      ['cancelled', 5],
    ];
    const traveller = plain[4];
    for (const [status, n] of wanted) {
      for (let i = 0; i < n; i++) {
        await t.dataSource.getRepository(MatchingRequest).insert({
          storyId: target.id,
          guideId: guideA.guideId,
          guideUserId: guideA.id,
          travelerId: traveller.id,
          status,
          openKey: null,
          desiredDate: '2030-01-01',
          desiredTime: null,
          partySize: 1,
          message: '',
        });
      }
    }

    // chat: 3 messages now, 2 from two days ago
    const room = await openChatRoom(t);
    const messages = t.dataSource.getRepository(ChatMessage);
    for (let i = 0; i < 3; i++) {
      await t
        .http()
        .post(`/api/v1/chat/rooms/${room.roomId}/messages`)
        .set(room.traveler.auth)
        .send({ content: `hello ${i}` })
        .expect(201);
    }
    for (let i = 0; i < 2; i++) {
      await messages.insert({
        roomId: room.roomId,
        senderId: room.guide.id,
        type: 'text',
        content: `old ${i}`,
        clientMessageId: null,
        createdAt: new Date(Date.now() - 2 * DAY_MS),
      });
    }

    // reports: 2 pending, 1 resolved, 1 dismissed
    const reports: [ReportStatus, number][] = [
      ['pending', 2],
      ['resolved', 1],
      ['dismissed', 1],
    ];
    let reportSequence = 0;
    for (const [status, n] of reports) {
      for (let i = 0; i < n; i++) {
        reportSequence += 1;
        await t.dataSource.getRepository(Report).insert({
          reporterId: plain[5].id,
          targetType: 'story',
          targetId: target.id + reportSequence,
          reason: 'spam',
          detail: null,
          status,
          resolution: status === 'pending' ? null : status === 'dismissed' ? 'dismiss' : 'hide',
          resolvedBy: status === 'pending' ? null : admin.id,
          note: null,
          resolvedAt: status === 'pending' ? null : new Date(),
          pendingKey: status === 'pending' ? `stats:${reportSequence}` : null,
          createdAt: new Date(),
        });
      }
    }

    const after = await stats();
    expect(after).toEqual(await countedInDatabase());

    // and what the script did, number by number (the admin, the chat room's two people and the
    // guides signed in above are users too)
    const newUsers = 6 - 1 + 3 /* approved guides */ + 1 /* applicant */ + 2; /* chat pair */
    expect(after.users.total - before.users.total).toBe(newUsers);
    expect(after.users.newLast7Days - before.users.newLast7Days).toBe(newUsers - 1);
    expect(after.users.guides - before.users.guides).toBe(4); // guideA, guideB, suspended, chat
    expect(after.users.suspended - before.users.suspended).toBe(1);
    expect(after.guides.pending - before.guides.pending).toBe(1);
    expect(after.guides.approved - before.guides.approved).toBe(3); // guideA, guideB, chat guide
    expect(after.stories.published - before.stories.published).toBe(4); // + the chat story
    expect(after.stories.hidden - before.stories.hidden).toBe(2);
    for (const [status, n] of wanted) {
      expect([status, after.matching[status] - before.matching[status]]).toEqual([status, n]);
    }
    expect(after.reports.pending - before.reports.pending).toBe(2);
    expect(after.chat.messagesLast24h - before.chat.messagesLast24h).toBe(3);
  });
});
