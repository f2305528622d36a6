/**
 * The usual arrangement of a benchmark on one database: a scratch database, the app started
 * on it (which creates the schema: SQLite synchronize, MariaDB migrations), the seed, and
 * whatever baseline servers the benchmark compares with.
 */
import { startApp } from './app';
import type { BenchContext } from './bench';
import { BENCH_JWT_SECRET, DbKind, say, sleep } from './common';
import { createScratchDb, ScratchDb } from './database';
import { freePort, ServerProcess, startScriptServer } from './processes';
import { Fixture, seed } from './seed';

export interface Setup {
  db: ScratchDb;
  fixture: Fixture;
  app: ServerProcess;
  /** Stops every server of the setup and drops the database. */
  close(): Promise<void>;
  /** Starts a baseline server (a transpiled bench script) on this database; stopped by close(). */
  startBaseline(name: string, script: string, nodeArgs?: string[]): Promise<ServerProcess>;
  /** Restarts the app (e.g. with a CPU profile); the old process is stopped first. */
  restartApp(options?: {
    cpuProfileDir?: string;
    env?: Record<string, string>;
  }): Promise<ServerProcess>;
}

/** Environment telling a baseline server which database to use. */
export function baselineDbEnv(db: ScratchDb): Record<string, string> {
  return db.kind === 'sqlite'
    ? { BENCH_DB: 'sqlite', SQLITE_PATH: db.sqlitePath as string, JWT_SECRET: BENCH_JWT_SECRET }
    : {
        BENCH_DB: 'mariadb',
        MARIADB_DATABASE: db.database as string,
        JWT_SECRET: BENCH_JWT_SECRET,
      };
}

export function describeSeed(fixture: Fixture): string {
  const c = fixture.counts;
  return (
    `Seeded: ${c.users} users (${fixture.guides.length} approved guides, ${fixture.travellers.length} travellers), ` +
    `${c.stories} stories (${fixture.stories.length} published), ${c.story_tags} tags, ${c.media} media, ` +
    `${c.story_likes} likes, ${c.comments} comments, ${c.story_bookmarks} bookmarks, ${c.story_views} view rows, ` +
    `${c.chat_rooms} matched rooms (${c.matching_requests} accepted requests, ${c.chat_room_members} members, ` +
    `${c.chat_messages} messages).`
  );
}

/**
 * Waits until a (re)started app has nothing left to do of its own: at start it queues every
 * video still `processing` again (docs/api.md, Stories and media); the seeded ones have no files, so each fails after
 * its retries (with backoff, ~6 s) and becomes `failed`. Then until its CPU is idle.
 */
async function settle(db: ScratchDb, app: ServerProcess): Promise<void> {
  const client = await db.connect();
  try {
    for (let waited = 0; waited < 60_000; waited += 250) {
      const [{ n }] = await client.all<{ n: number }>(
        "SELECT COUNT(*) AS n FROM media WHERE status = 'processing'",
      );
      if (Number(n) === 0) break;
      await sleep(250);
    }
  } finally {
    await client.close();
  }
  await app.waitIdle();
}

export async function setUp(ctx: BenchContext, kind: DbKind): Promise<Setup> {
  const db = await createScratchDb(kind, ctx.dir, ctx.report.name);
  const servers: ServerProcess[] = [];
  let app: ServerProcess | null = null;
  const close = async () => {
    await Promise.all([app, ...servers].map((s) => s?.stop()));
    await db.drop();
  };
  try {
    say(`  [${kind}] starting the app (schema) …`);
    app = await startApp({ db, dir: ctx.dir });
    const client = await db.connect();
    const started = Date.now();
    const fixture = await seed(client);
    await client.close();
    say(`  [${kind}] seeded in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    await app.waitIdle();
    const setup: Setup = {
      db,
      fixture,
      get app() {
        return app as ServerProcess;
      },
      close,
      startBaseline: async (name, script, nodeArgs = []) => {
        const server = await startScriptServer(
          name,
          script,
          await freePort(),
          baselineDbEnv(db),
          nodeArgs,
        );
        servers.push(server);
        return server;
      },
      restartApp: async (options = {}) => {
        await app?.stop();
        app = await startApp({ db, dir: ctx.dir, ...options });
        await settle(db, app);
        return app;
      },
    };
    return setup;
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
}
