/**
 * Chat throughput of one instance: 100 connected sockets in 50 rooms (a traveller and a guide
 * each), every socket sending `message:send` in a loop (the next one after its ack) for
 * ~10 s. Counts messages stored (acks) and delivered (`message:new` at the peer).
 *
 *   npx ts-node --transpile-only bench/chat-throughput.ts [seconds] [rooms]
 *
 * Runs on a fresh SQLite file by default; with DATABASE_URL (a scratch database whose
 * schema is migrated) on MySQL/MariaDB; with REDIS_URL through the Redis adapter. Results
 * go to docs/benchmarks/chat.md by hand. Prints to stderr (lint allows console.error only).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { sign } from 'jsonwebtoken';
import { io, Socket } from 'socket.io-client';
import { DataSource } from 'typeorm';
import { createApp } from '../src/app.setup';
import { ChatService } from '../src/chat/chat.service';
import { loadConfig } from '../src/config/app-config';
import { runInTransaction } from '../src/database/transaction';
import { Guide } from '../src/guides/entities/guide.entity';
import { Region } from '../src/regions/entities/region.entity';
import { Story } from '../src/stories/entities/story.entity';
import { User } from '../src/users/entities/user.entity';

const SECONDS = Number(process.argv[2] ?? 10);
const ROOMS = Number(process.argv[3] ?? 50);

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'chat-bench-'));
  const secret = randomBytes(32).toString('hex');
  const config = loadConfig({
    ...process.env,
    NODE_ENV: 'development',
    LOG_LEVEL: 'silent',
    JWT_SECRET: secret,
    RATE_LIMIT_ENABLED: 'false',
    SQLITE_PATH: join(dir, 'bench.sqlite'),
    UPLOAD_DIR: join(dir, 'uploads'),
  });
  const app = await createApp(config);
  await app.listen(0, '127.0.0.1');
  const baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  const ds = app.get(DataSource);

  // fixtures straight into the database: users, guides, stories, rooms
  const region = await ds.getRepository(Region).save({
    code: `bench-${Date.now()}`,
    name: 'bench',
    nameEn: 'bench',
    parentId: null,
    latitude: 37.5,
    longitude: 127,
  });
  const users = ds.getRepository(User);
  const rooms: { roomId: number; traveler: number; guide: number }[] = [];
  for (let i = 0; i < ROOMS; i++) {
    const [traveler, guideUser] = await users.save([
      users.create({ kakaoId: null, nickname: `t${i}`, role: 'user' }),
      users.create({ kakaoId: null, nickname: `g${i}`, role: 'guide' }),
    ]);
    const guide = await ds.getRepository(Guide).save(
      ds.getRepository(Guide).create({
        userId: guideUser.id,
        status: 'approved',
        introduction: 'bench',
        languages: ',ko,',
        averageRating: 0,
        reviewCount: 0,
        appliedAt: new Date(),
        approvedAt: new Date(),
      }),
    );
    const story = await ds.getRepository(Story).save(
      ds.getRepository(Story).create({
        guideId: guide.id,
        userId: guideUser.id,
        title: `bench ${i}`,
        content: 'bench',
        category: 'culture',
        regionId: region.id,
        status: 'published',
      }),
    );
    const roomId = await runInTransaction(ds, (manager) =>
      app.get(ChatService).openRoomForRequest(manager, {
        matchingRequestId: 900_000 + i,
        storyId: story.id,
        travelerId: traveler.id,
        guideUserId: guideUser.id,
      }),
    );
    rooms.push({ roomId, traveler: traveler.id, guide: guideUser.id });
  }

  const connect = (userId: number) =>
    new Promise<Socket>((resolve, reject) => {
      const token = sign({ sub: String(userId) }, secret, { algorithm: 'HS256', expiresIn: 600 });
      const socket = io(`${baseUrl}/chat`, {
        auth: { token },
        transports: ['websocket'],
        forceNew: true,
        reconnection: false,
      });
      socket.once('connect', () => resolve(socket));
      socket.once('connect_error', reject);
    });

  const pairs = await Promise.all(
    rooms.map(async (r) => {
      const [a, b] = await Promise.all([connect(r.traveler), connect(r.guide)]);
      await Promise.all([a, b].map((s) => s.emitWithAck('room:join', { roomId: r.roomId })));
      return { roomId: r.roomId, sockets: [a, b], users: [r.traveler, r.guide] };
    }),
  );
  const sockets = pairs.flatMap((p) => p.sockets);

  let stored = 0;
  let delivered = 0;
  let failed = 0;
  const latencies: number[] = [];
  // the room echoes each message to its sender's sockets too: count deliveries at the peer
  for (const p of pairs) {
    p.sockets.forEach((s, i) =>
      s.on('message:new', (m: { senderId: number }) => {
        if (m.senderId !== p.users[i]) delivered++;
      }),
    );
  }

  const start = performance.now();
  const end = start + SECONDS * 1000;
  await Promise.all(
    pairs.flatMap(({ roomId, sockets: pair }) =>
      pair.map(async (socket, side) => {
        let n = 0;
        while (performance.now() < end) {
          const sent = performance.now();
          const ack = (await socket.emitWithAck('message:send', {
            roomId,
            content: `message ${side}-${n++} ${'x'.repeat(60)}`,
            clientMessageId: `${side}-${n}`,
          })) as { ok: boolean };
          if (ack.ok) {
            stored++;
            latencies.push(performance.now() - sent);
          } else {
            failed++;
          }
        }
      }),
    ),
  );
  const sendSeconds = (performance.now() - start) / 1000;
  // let the last deliveries land
  const drainUntil = performance.now() + 2000;
  while (delivered < stored && performance.now() < drainUntil) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const rows = await ds.query('SELECT COUNT(*) AS n FROM chat_messages');

  const db = config.database.type === 'sqlite' ? 'SQLite (WAL)' : config.database.flavor;
  console.error(`database: ${db}; adapter: ${config.redisUrl ? 'redis' : 'in-memory'}`);
  console.error(`machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, node ${process.version}`);
  console.error(
    `sockets: ${sockets.length}, rooms: ${pairs.length}, seconds: ${sendSeconds.toFixed(1)}`,
  );
  console.error(`stored (acked): ${stored}, rows: ${Number(rows[0].n)}, failed: ${failed}`);
  console.error(`delivered (message:new at the peer): ${delivered}`);
  console.error(`throughput: ${(stored / sendSeconds).toFixed(0)} messages/s stored+delivered`);
  console.error(
    `ack latency: p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms`,
  );

  for (const s of sockets) s.disconnect();
  await app.close();
  rmSync(dir, { recursive: true, force: true });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
