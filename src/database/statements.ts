import { EntityManager, QueryFailedError } from 'typeorm';

/**
 * Parameterised statements for hot paths, run by repositories (the SQL stays there).
 *
 * Why not the query builder or `find*`: TypeORM's SQLite drivers paste numeric parameters into
 * the SQL text, so every id makes a statement of its own and better-sqlite3 prepares it anew
 * (and the driver's statement cache, FIFO and shared by the whole app, never hits); on both
 * databases the builders also spend far more CPU per statement than the database does.
 *
 * - SQLite: the statement is prepared once per connection and kept (least recently used out,
 *   beyond {@link STATEMENT_CACHE_SIZE}); it runs synchronously, as TypeORM's runner would.
 * - MySQL/MariaDB: `manager.query(sql, params)` (mysql2 fills in the `?` itself); the bounds of
 *   bounded-pool.ts apply as to every statement.
 *
 * Statements are logged through TypeORM's logger (DB_LOGGING), and errors are TypeORM's
 * `QueryFailedError`s with the driver's error inside, as from any other statement. Writes go
 * through `runInTransaction`'s manager on SQLite (one connection, queued transactions).
 */

/** The number of prepared SQLite statements kept per connection. */
export const STATEMENT_CACHE_SIZE = 500;

export interface Written {
  /** Rows matched (MySQL with mysql2's default FOUND_ROWS flag) or changed (SQLite). */
  affected: number;
  /** The id of the (last, SQLite; first, MySQL) row inserted; 0 when none. */
  insertId: number;
}

/** The parts of a better-sqlite3 statement and database used here. */
interface NativeStatement {
  readonly reader: boolean;
  all(...params: unknown[]): unknown[];
  run(...params: unknown[]): { changes: number; lastInsertRowid: number | bigint };
}
interface NativeDatabase {
  prepare(sql: string): NativeStatement;
  transaction<T>(work: () => T): () => T;
}

const prepared = new WeakMap<NativeDatabase, Map<string, NativeStatement>>();

function nativeSqlite(manager: EntityManager): NativeDatabase | null {
  if (manager.connection.options.type !== 'better-sqlite3') return null;
  return (manager.connection.driver as unknown as { databaseConnection: NativeDatabase })
    .databaseConnection;
}

function statementOf(db: NativeDatabase, sql: string): NativeStatement {
  let cache = prepared.get(db);
  if (!cache) {
    cache = new Map();
    prepared.set(db, cache);
  }
  let statement = cache.get(sql);
  if (statement) {
    // most recently used last
    cache.delete(sql);
  } else {
    statement = db.prepare(sql);
    if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  }
  cache.set(sql, statement);
  return statement;
}

function runNative<T>(
  manager: EntityManager,
  sql: string,
  params: readonly unknown[],
  work: () => T,
): T {
  const logger = manager.connection.logger;
  logger.logQuery(sql, params as unknown[]);
  try {
    return work();
  } catch (error) {
    logger.logQueryError(error as Error, sql, params as unknown[]);
    throw new QueryFailedError(sql, params as unknown[], error as Error);
  }
}

/** The rows of a SELECT (or of an INSERT … RETURNING). */
export async function selectRows<T>(
  manager: EntityManager,
  sql: string,
  params: readonly unknown[],
): Promise<T[]> {
  const db = nativeSqlite(manager);
  if (db) return runNative(manager, sql, params, () => statementOf(db, sql).all(...params) as T[]);
  return (await manager.query(sql, params as unknown[])) as T[];
}

/** An INSERT, UPDATE or DELETE: rows affected and the id inserted. */
export async function execute(
  manager: EntityManager,
  sql: string,
  params: readonly unknown[],
): Promise<Written> {
  const db = nativeSqlite(manager);
  if (db) {
    const result = runNative(manager, sql, params, () => statementOf(db, sql).run(...params));
    return { affected: result.changes, insertId: Number(result.lastInsertRowid) };
  }
  const result = (await manager.query(sql, params as unknown[])) as {
    affectedRows?: number;
    insertId?: number;
  };
  return { affected: result.affectedRows ?? 0, insertId: Number(result.insertId ?? 0) };
}

/** Runs one statement of {@link inSqliteTransaction}'s work. */
export type RunStatement = (sql: string, params: readonly unknown[]) => Written;

/**
 * On SQLite, runs `work` as one transaction of better-sqlite3's own: synchronous, so nothing
 * else runs on the shared connection in between, and one commit for all its writes instead of
 * one each (inside a transaction already open on the connection it becomes a savepoint of
 * it, as a lone statement would become part of it). On other databases it returns
 * `undefined` without running `work`: the caller issues its statements as it otherwise would.
 */
export function inSqliteTransaction<T>(
  manager: EntityManager,
  work: (run: RunStatement) => T,
): T | undefined {
  const db = nativeSqlite(manager);
  if (!db) return undefined;
  const run: RunStatement = (sql, params) => {
    const result = runNative(manager, sql, params, () => statementOf(db, sql).run(...params));
    return { affected: result.changes, insertId: Number(result.lastInsertRowid) };
  };
  try {
    return db.transaction(() => work(run))();
  } catch (error) {
    // BEGIN or COMMIT failed (a statement's error is a QueryFailedError already)
    if (error instanceof QueryFailedError) throw error;
    manager.connection.logger.logQueryError(error as Error, 'BEGIN', []);
    throw new QueryFailedError('BEGIN', [], error as Error);
  }
}

const returning = new WeakMap<object, Promise<boolean>>();

/**
 * Whether several rows are best inserted by one multi-row `INSERT … RETURNING id`: on MariaDB
 * 10.5 and later. Not on MySQL (no RETURNING), nor on SQLite, where one prepared single-row
 * INSERT run per row costs less (in process, nothing to parse). Asked of the server once per
 * data source (a `mysql://` URL may point at MariaDB), through the caller's manager: inside
 * its transaction, not on a second pooled connection.
 */
export function multiRowInsertReturning(manager: EntityManager): Promise<boolean> {
  const dataSource = manager.connection;
  if (dataSource.options.type === 'better-sqlite3') return Promise.resolve(false);
  let known = returning.get(dataSource);
  if (!known) {
    known = selectRows<{ v: string }>(manager, 'SELECT VERSION() AS v', []).then(([row]) => {
      const match = /^(\d+)\.(\d+)\..*mariadb/i.exec(String(row?.v ?? ''));
      return match !== null && Number(match[1]) * 100 + Number(match[2]) >= 1005;
    });
    // a failed question (the database did not answer) is asked again next time
    known.catch(() => returning.delete(dataSource));
    returning.set(dataSource, known);
  }
  return known;
}

/**
 * `?, ?, …` for an `IN (…)` list of `values`, padded to the next power of two with the last
 * value (a repeat changes nothing in an IN list): lists of any length make a handful of
 * distinct statements, which stay prepared. `values` must not be empty.
 */
export function inList(values: readonly unknown[]): { sql: string; params: unknown[] } {
  let size = 1;
  while (size < values.length) size *= 2;
  const params = [...values];
  while (params.length < size) params.push(values[values.length - 1]);
  return { sql: new Array<string>(size).fill('?').join(', '), params };
}

/**
 * A date as both databases store a `datetime` written by TypeORM: UTC,
 * `YYYY-MM-DD HH:MM:SS.mmm` (MySQL cuts or rounds to the column's precision).
 */
export function toSqlDateTime(date: Date): string {
  return date.toISOString().slice(0, 23).replace('T', ' ');
}

/** A `datetime` read by a raw statement: mysql2 makes Dates (timezone `Z`), SQLite gives text. */
export function fromSqlDateTime(value: Date | string): Date {
  return value instanceof Date ? value : new Date(`${value.replace(' ', 'T')}Z`);
}

/** A nullable `datetime` read by a raw statement. */
export function fromSqlDateTimeOrNull(value: Date | string | null | undefined): Date | null {
  return value === null || value === undefined ? null : fromSqlDateTime(value);
}
