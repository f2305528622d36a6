/**
 * Push latency (issue 14): from an action that causes a push — a chat message to a member
 * with no socket, a comment that notifies the story's owner — to the FCM stub receiving the
 * push. The app runs as deployed (`node dist/src/main.js`) with FCM_SERVICE_ACCOUNT and
 * FCM_API_URL pointing at test/support/fcm-stub.ts in the runner process, over real HTTP.
 */
import { generateKeyPairSync } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { FcmStub } from '../test/support/fcm-stub';
import type { Benchmark, BenchContext } from './lib/bench';
import { DbKind, say } from './lib/common';
import { httpRequest } from './lib/http';
import { describeSeed, setUp } from './lib/setup';
import { fmt, max, median, min, percentile } from './lib/stats';
import { accessToken } from './lib/tokens';

const SAMPLES = 100;
const WARMUP = 10;
const PROJECT_ID = 'storybook-bench';
const CLIENT_EMAIL = 'bench@storybook-bench.iam.gserviceaccount.com';

interface Sample {
  /** Request sent → push received by the stub. */
  fromSend: number;
  /** Request sent → answer (201) received. */
  answer: number;
}

interface Series {
  config: string;
  kind: 'chat message' | 'comment notification';
  samples: Sample[];
}

const now = () => performance.timeOrigin + performance.now();

async function post(url: string, token: string, body: object): Promise<Record<string, unknown>> {
  const res = await httpRequest(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status !== 201) throw new Error(`POST ${url}: ${res.status} ${res.body.slice(0, 200)}`);
  return JSON.parse(res.body) as Record<string, unknown>;
}

async function put(url: string, token: string, body: object): Promise<void> {
  const res = await httpRequest(url, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status !== 204) throw new Error(`PUT ${url}: ${res.status} ${res.body.slice(0, 200)}`);
}

/** One push at a time: send, then wait for the stub to receive what it caused. */
async function measure(
  count: number,
  act: (i: number) => Promise<Record<string, unknown>>,
  arrived: (answer: Record<string, unknown>) => Promise<{ receivedAt: number }>,
): Promise<Sample[]> {
  const samples: Sample[] = [];
  for (let i = 0; i < count; i++) {
    const sent = now();
    const answer = await act(i);
    const answered = now();
    const push = await arrived(answer);
    samples.push({ fromSend: push.receivedAt - sent, answer: answered - sent });
  }
  return samples;
}

async function runOn(
  ctx: BenchContext,
  db: DbKind,
  stub: FcmStub,
  fcmEnv: Record<string, string>,
): Promise<Series[]> {
  const setup = await setUp(ctx, db);
  const series: Series[] = [];
  try {
    if (db === 'sqlite') ctx.report.describe(describeSeed(setup.fixture));
    const configs: { name: string; env: Record<string, string> }[] = [
      { name: `${db === 'sqlite' ? 'SQLite' : 'MariaDB'}, in-process jobs`, env: {} },
    ];
    if (db === 'mariadb') {
      configs.push({
        name: 'MariaDB, BullMQ on Redis',
        env: {
          REDIS_URL: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
          REDIS_KEY_PREFIX: `bench-push-${process.pid}`,
        },
      });
    }
    for (const [index, config] of configs.entries()) {
      const app = await setup.restartApp({ env: { ...fcmEnv, ...config.env } });
      const api = `${app.url}/api/v1`;
      // a room of the seed: the traveller writes, the guide (no socket) gets the pushes
      const room = setup.fixture.rooms[index];
      const guideToken = accessToken(room.guideUserId, 'guide');
      const travellerToken = accessToken(room.travelerId, 'user');
      const device = `bench-device-${db}-${index}:APA91b${'x'.repeat(140)}`;
      await put(`${api}/users/me/devices`, guideToken, { token: device, platform: 'android' });
      const chat = (i: number) =>
        post(`${api}/chat/rooms/${room.roomId}/messages`, travellerToken, {
          content: `latency probe ${i}`,
        });
      const chatArrived = (answer: Record<string, unknown>) =>
        stub.next(device, (p) => p.message.data?.messageId === String(answer.id), 30_000);

      // a story of that guide: comments notify the guide (COMMENT_CREATED)
      const client = await setup.db.connect();
      const [story] = await client.all<{ id: number }>(
        "SELECT id FROM stories WHERE user_id = ? AND status = 'published' ORDER BY id LIMIT 1",
        [room.guideUserId],
      );
      await client.close();
      const comment = (i: number) =>
        post(`${api}/stories/${story.id}/comments`, travellerToken, {
          content: `latency comment ${i}`,
        });
      const commentArrived = (answer: Record<string, unknown>) =>
        stub.next(
          device,
          (p) =>
            p.message.data?.type === 'COMMENT_CREATED' &&
            p.message.data?.commentId === String(answer.id),
          30_000,
        );

      say(`  [${config.name}] warm-up …`);
      await measure(WARMUP, chat, chatArrived);
      await measure(WARMUP, comment, commentArrived);
      await app.waitIdle();
      say(`  [${config.name}] ${SAMPLES} chat messages …`);
      series.push({
        config: config.name,
        kind: 'chat message',
        samples: await measure(SAMPLES, chat, chatArrived),
      });
      say(`  [${config.name}] ${SAMPLES} comments …`);
      series.push({
        config: config.name,
        kind: 'comment notification',
        samples: await measure(SAMPLES, comment, commentArrived),
      });
      const last = series.slice(-2);
      for (const s of last) {
        say(
          `  [${config.name}] ${s.kind}: push median ${fmt(median(s.samples.map((x) => x.fromSend)), 1)} ms`,
        );
      }
    }
  } finally {
    await setup.close();
  }
  return series;
}

const benchmark: Benchmark = {
  name: 'push-latency',
  title: 'Push latency: from the action to the FCM stub receiving the push',
  summary:
    'chat message / comment → FCM stub receives the push, median of 100 (SQLite, MariaDB, MariaDB+BullMQ)',
  defaultDbs: ['sqlite', 'mariadb'],
  defaultDuration: 0,
  async run(ctx: BenchContext) {
    const { report } = ctx;
    report.describe(
      'How long a push takes from the action that causes it to FCM. **App**: `node dist/src/main.js` ' +
        '(NODE_ENV=production, LOG_LEVEL=warn, rate limits off) with `FCM_SERVICE_ACCOUNT` (a key pair made for ' +
        'the run) and `FCM_API_URL` pointing at `test/support/fcm-stub.ts`, which runs in the runner process and ' +
        'verifies the RS256 assertion, issues the access token and records each `messages:send` with its arrival ' +
        'time (same clock as the sender). Each sample: `POST /chat/rooms/:id/messages` by the traveller of a seeded ' +
        'room (the guide has a registered device and no socket, so the message is pushed), or `POST ' +
        "/stories/:id/comments` on the guide's story (the guide is notified COMMENT_CREATED, which is pushed); " +
        'the next sample starts once the stub has the push. Time is from sending the request to the stub reading ' +
        'the push; "Answer" is from sending the request to its 201.',
      `${WARMUP} uncounted samples of each kind first (the first also fetches the access token), then ` +
        `${SAMPLES} of each. No baseline: the stub is the floor.`,
    );
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const stub = await new FcmStub({
      publicKey,
      clientEmail: CLIENT_EMAIL,
      projectId: PROJECT_ID,
    }).start();
    const fcmEnv = {
      FCM_SERVICE_ACCOUNT: JSON.stringify({
        type: 'service_account',
        project_id: PROJECT_ID,
        private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        client_email: CLIENT_EMAIL,
        token_uri: stub.tokenUri,
      }),
      FCM_API_URL: stub.url,
    };
    const all: Series[] = [];
    try {
      for (const db of ctx.dbs) all.push(...(await runOn(ctx, db, stub, fcmEnv)));
    } finally {
      await stub.stop();
    }
    report.measurement(
      `Milliseconds from the request to the stub receiving the push (n = ${SAMPLES})`,
      {
        headers: [
          'Configuration',
          'Push of',
          'Median',
          'p90',
          'p99',
          'Min',
          'Max',
          'Answer median',
        ],
        rows: all.map((s) => {
          const push = s.samples.map((x) => x.fromSend);
          return [
            s.config,
            s.kind,
            fmt(median(push), 1),
            fmt(percentile(push, 90), 1),
            fmt(percentile(push, 99), 1),
            fmt(min(push), 1),
            fmt(max(push), 1),
            fmt(median(s.samples.map((x) => x.answer)), 1),
          ];
        }),
      },
    );
    report.raw('Every sample, in order (push ms / answer ms)', {
      headers: ['Configuration', 'Push of', 'Samples'],
      rows: all.map((s) => [
        s.config,
        s.kind,
        s.samples.map((x) => `${fmt(x.fromSend, 1)}/${fmt(x.answer, 1)}`).join(' '),
      ]),
    });
  },
};

export default benchmark;
