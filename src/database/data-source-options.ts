import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import type { AppConfig } from '../config/app-config';
import { ENTITIES } from './entities';

/** Where the migrations live, as TypeScript under ts-node/jest and as JavaScript in dist/. */
export const MIGRATIONS_GLOB = join(__dirname, '..', '..', 'migrations', '*.{ts,js}');

/**
 * The TypeORM options for both the app and the migration CLI (ormconfig.ts).
 * MySQL: schema from migrations only. SQLite (the embedded default for a bare machine and
 * for tests): schema synchronised from the entities, since the migrations are MySQL SQL.
 */
export function buildDataSourceOptions(config: AppConfig): DataSourceOptions {
  const db = config.database;
  if (db.type === 'mysql') {
    return {
      type: db.flavor,
      url: db.url,
      charset: 'utf8mb4_unicode_ci',
      timezone: 'Z',
      entities: ENTITIES,
      migrations: [MIGRATIONS_GLOB],
      migrationsRun: db.migrationsRun,
      synchronize: false,
      logging: db.logging,
      // a database that takes connections but never answers: give up after the same bound
      // as statements and pool waits (those are bounded in bounded-pool.ts)
      connectTimeout: config.dbQueryTimeoutMs,
      extra: { connectionLimit: 10 },
    };
  }
  if (db.path !== ':memory:') mkdirSync(dirname(db.path), { recursive: true });
  return {
    type: 'better-sqlite3',
    database: db.path,
    entities: ENTITIES,
    synchronize: true,
    logging: db.logging,
    // busy timeout: how long a write waits for a lock another process (the worker, the CLI)
    // holds before SQLITE_BUSY, answered 503. better-sqlite3 waits synchronously, blocking
    // the whole process meanwhile, so it never waits longer than 5 s, even with a larger bound.
    timeout: Math.min(config.dbQueryTimeoutMs, 5000),
    prepareDatabase: (sqlite: { pragma(sql: string): unknown }) => {
      sqlite.pragma('journal_mode = WAL');
      sqlite.pragma('foreign_keys = ON');
    },
  };
}
