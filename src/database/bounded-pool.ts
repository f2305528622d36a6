import type { DataSource } from 'typeorm';
import type { MysqlDriver } from 'typeorm/driver/mysql/MysqlDriver';

/**
 * Bounds the MySQL/MariaDB connection pool (docs/api.md, Operations, `DB_QUERY_TIMEOUT_MS`): a database that
 * keeps its connections open but stops answering must cost a request at most the bound, and
 * the pool must heal by itself once the database answers again.
 *
 * Why this is code and not options: mysql2's pool waits for a free connection forever (it has
 * no acquire timeout), and its per-query `timeout` (what TypeORM's `enableQueryTimeout` turns
 * on) only reports `PROTOCOL_SEQUENCE_TIMEOUT`: the connection keeps the unanswered command at
 * the head of its queue and goes back to the pool, so every later query on it hangs. TypeORM's
 * switch would also bound the migrations run at start, and its `maxQueryExecutionTime` logs
 * every slow query whatever `logging` says. So:
 *
 * - every wait for a pooled connection ends after the bound; a connection that arrives later
 *   is released back to the pool (not leaked);
 * - every statement (BEGIN, COMMIT and ROLLBACK included) ends after the bound; then its
 *   connection is destroyed, which takes it out of the pool (the next request gets a new
 *   one), fails whatever was queued behind it, and makes later commands on it (the ROLLBACK
 *   after a failed statement) fail at once.
 *
 * Connecting is bounded by mysql2's own `connectTimeout` (see data-source-options.ts).
 *
 * Connections are bounded as the pool hands them out rather than on its 'connection' event:
 * that also covers the first one, made while TypeORM initialised. mysql2 itself calls
 * `getConnection` again for a waiter when a dropped connection frees a slot; the waiter then
 * has two deadlines, and the earlier one answers.
 */

/** Error codes of the bounds; see dependency-errors.ts for how they are answered. */
export type DatabaseTimeoutCode = 'DB_POOL_TIMEOUT' | 'DB_QUERY_TIMEOUT';

export class DatabaseTimeoutError extends Error {
  constructor(
    readonly code: DatabaseTimeoutCode,
    message: string,
  ) {
    super(message);
    this.name = 'DatabaseTimeoutError';
  }
}

type Callback<T extends unknown[]> = (error: Error | null, ...results: T) => void;

/** The parts of a mysql2 pool connection (callback API) used here. */
interface PooledConnection {
  query(sql: unknown, values: unknown, callback: Callback<unknown[]>): unknown;
  release(): void;
  destroy(): void;
  on(event: 'error', listener: (error: Error) => void): unknown;
  stream?: { destroy(error?: Error): void };
}

interface ConnectionPool {
  getConnection(callback: Callback<[PooledConnection]>): void;
}

/** What mysql2's pool keeps about its connections (its own fields; no public API has them). */
interface PoolInternals {
  config?: { connectionLimit?: number };
  _allConnections?: { length: number };
  _freeConnections?: { length: number };
  _connectionQueue?: { length: number };
}

/** A connection pool's use now (metrics). */
export interface PoolUse {
  /** Connections the pool may open. */
  max: number;
  /** Connections handed out (a statement or transaction runs on them). */
  used: number;
  /** Open connections waiting in the pool. */
  idle: number;
  /** Callers waiting for a connection. */
  queued: number;
}

/** Connections whose `query` is already bounded. */
const bounded = new WeakSet<PooledConnection>();

/**
 * Calls `start`; if it has not called back within `timeoutMs`, `callback` gets `timeout()`
 * instead and `onLate` gets the real answer whenever it comes.
 */
function withDeadline<T extends unknown[]>(
  timeoutMs: number,
  timeout: () => Error,
  start: (done: Callback<T>) => void,
  callback: Callback<T>,
  onLate: (error: Error | null, ...results: T) => void = () => undefined,
): void {
  let late = false;
  const timer = setTimeout(() => {
    late = true;
    callback(timeout(), ...([] as unknown as T));
  }, timeoutMs);
  timer.unref();
  try {
    start((error, ...results) => {
      if (late) return onLate(error, ...results);
      clearTimeout(timer);
      callback(error, ...results);
    });
  } catch (error) {
    clearTimeout(timer);
    throw error;
  }
}

/**
 * Ends a connection that did not answer: out of the pool now, later commands on it fail at
 * once (`destroy`), and its socket is torn down with `reason` rather than closed politely (a
 * peer that drops every byte never acknowledges the close), which also hands `reason` to the
 * commands queued behind the one that timed out.
 */
function kill(connection: PooledConnection, reason: Error): void {
  connection.on('error', () => undefined); // what the dead connection still reports is expected
  connection.destroy();
  connection.stream?.destroy(reason);
}

/** The error of a statement that got no answer in time; its connection is killed. */
function statementTimedOut(connection: PooledConnection, timeoutMs: number): Error {
  const message = `The database did not answer within ${timeoutMs} ms`;
  kill(connection, new DatabaseTimeoutError('DB_QUERY_TIMEOUT', message));
  return new DatabaseTimeoutError('DB_QUERY_TIMEOUT', message);
}

/** Gives `connection` a `query` that ends after `timeoutMs` and kills the connection then. */
function boundStatements(connection: PooledConnection, timeoutMs: number): PooledConnection {
  if (bounded.has(connection)) return connection;
  bounded.add(connection);
  const query = connection.query.bind(connection);
  connection.query = (sql: unknown, values: unknown, callback?: Callback<unknown[]>) => {
    if (typeof values === 'function')
      return connection.query(sql, undefined, values as Callback<unknown[]>);
    // event-style calls (streams) are not made by TypeORM's query runner; leave them alone
    if (typeof callback !== 'function') return query(sql, values, callback as never);
    let command: unknown;
    withDeadline(
      timeoutMs,
      () => statementTimedOut(connection, timeoutMs),
      (done) => (command = query(sql, values, done)),
      callback,
    );
    return command;
  };
  return connection;
}

/** Takes a connection from `getConnection`, waiting at most `timeoutMs`. */
function acquire(
  getConnection: ConnectionPool['getConnection'],
  timeoutMs: number,
  callback: Callback<[PooledConnection]>,
): void {
  withDeadline<[PooledConnection]>(
    timeoutMs,
    () =>
      new DatabaseTimeoutError(
        'DB_POOL_TIMEOUT',
        `No database connection became free within ${timeoutMs} ms`,
      ),
    (done) => getConnection(done),
    callback,
    // too late for the caller: back to the pool, where the next waiter can use it
    (error, connection) => {
      if (!error) connection.release();
    },
  );
}

function poolOf(dataSource: DataSource): ConnectionPool | null {
  const { type } = dataSource.options;
  if (type !== 'mysql' && type !== 'mariadb') return null;
  return ((dataSource.driver as MysqlDriver).pool as ConnectionPool | undefined) ?? null;
}

/** The MySQL/MariaDB pool's use; null on SQLite or before the pool exists. */
export function poolUse(dataSource: DataSource): PoolUse | null {
  const pool = poolOf(dataSource) as (ConnectionPool & PoolInternals) | null;
  if (!pool) return null;
  const open = pool._allConnections?.length ?? 0;
  const idle = pool._freeConnections?.length ?? 0;
  return {
    max: pool.config?.connectionLimit ?? 0,
    used: open - idle,
    idle,
    queued: pool._connectionQueue?.length ?? 0,
  };
}

/**
 * Applies the bounds to the data source's pool (MySQL/MariaDB; SQLite bounds its lock waits
 * with the driver's `timeout` option instead). Call it once the data source is initialised:
 * the migrations run at start are not bounded, since one may legitimately run for minutes.
 */
export function boundDataSource(dataSource: DataSource, timeoutMs: number): void {
  const pool = poolOf(dataSource);
  if (!pool) return;
  const getConnection = pool.getConnection.bind(pool);
  pool.getConnection = (callback) =>
    acquire(getConnection, timeoutMs, (error, connection) =>
      error ? callback(error, connection) : callback(null, boundStatements(connection, timeoutMs)),
    );
}

/**
 * `SELECT 1` within `timeoutMs` (for /health): the wait for a connection and the statement are
 * both bounded by it, so a health check never holds a pooled connection longer than that.
 */
export async function pingDatabase(dataSource: DataSource, timeoutMs: number): Promise<void> {
  if (!dataSource.isInitialized) throw new Error('The database is not connected');
  const pool = poolOf(dataSource);
  if (!pool) {
    await dataSource.query('SELECT 1');
    return;
  }
  const connection = await new Promise<PooledConnection>((resolve, reject) =>
    acquire(pool.getConnection.bind(pool), timeoutMs, (error, connection) =>
      error ? reject(error) : resolve(connection),
    ),
  );
  try {
    await new Promise<void>((resolve, reject) =>
      withDeadline(
        timeoutMs,
        () => statementTimedOut(connection, timeoutMs),
        (done) => connection.query('SELECT 1', [], done),
        (error) => (error ? reject(error) : resolve()),
      ),
    );
  } finally {
    connection.release(); // a no-op for a killed connection
  }
}
