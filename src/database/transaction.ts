import { DataSource, EntityManager } from 'typeorm';

const MAX_ATTEMPTS = 5;
const RETRYABLE_CODES = new Set(['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT']);
const RETRYABLE_ERRNOS = new Set([1213, 1205]);

function isRetryable(error: unknown): boolean {
  const e = error as { code?: unknown; errno?: unknown; driverError?: { code?: unknown } } | null;
  const code = e?.driverError?.code ?? e?.code;
  return (
    (typeof code === 'string' && RETRYABLE_CODES.has(code)) ||
    (typeof e?.errno === 'number' && RETRYABLE_ERRNOS.has(e.errno))
  );
}

const sqliteQueues = new WeakMap<DataSource, Promise<void>>();
/** SQLite: the transaction running (0 or 1) and those queued behind it, per data source. */
const sqliteUse = new WeakMap<DataSource, { running: number; queued: number }>();

/**
 * SQLite's one connection as a pool of one (metrics): `used` while a transaction of the app
 * runs on it, `queued` the transactions waiting for it. Single statements outside
 * transactions run synchronously and never wait, so they do not show.
 */
export function sqliteTransactionUse(dataSource: DataSource): { running: number; queued: number } {
  return sqliteUse.get(dataSource) ?? { running: 0, queued: 0 };
}

/**
 * Runs `work` in one transaction, safely next to other requests doing the same.
 *
 * SQLite (better-sqlite3): TypeORM keeps ONE query runner for the whole data source, so two
 * `dataSource.transaction()` calls at once both send `BEGIN` on the same connection and the
 * second fails with "cannot start a transaction within a transaction" (or, once the first is
 * open, nests as a SAVEPOINT of the other request's transaction, so one request's rollback
 * undoes another's work). This happens as soon as a transaction awaits real I/O (a timer, a
 * file) while another request starts one. TypeORM 0.3 has no queue for this, so transactions
 * are queued here, one at a time per data source (FIFO). Only transactions started through
 * this function are queued: every transaction of the app should be.
 *
 * MySQL/MariaDB: every transaction gets its own pooled connection; InnoDB may still pick one
 * of two transactions as a deadlock victim (or time out a lock wait), and then the whole
 * transaction is run again, a few times, after a short random pause.
 *
 * `work` must use only the manager it is given: a second connection taken from the pool
 * inside a transaction can starve the pool under load.
 */
export async function runInTransaction<T>(
  dataSource: DataSource,
  work: (manager: EntityManager) => Promise<T>,
): Promise<T> {
  if (dataSource.options.type === 'better-sqlite3') {
    const previous = sqliteQueues.get(dataSource) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    sqliteQueues.set(
      dataSource,
      previous.then(() => mine),
    );
    let use = sqliteUse.get(dataSource);
    if (!use) sqliteUse.set(dataSource, (use = { running: 0, queued: 0 }));
    use.queued += 1;
    await previous;
    use.queued -= 1;
    use.running = 1;
    try {
      return await dataSource.transaction(work);
    } finally {
      use.running = 0;
      release();
    }
  }
  for (let attempt = 1; ; attempt++) {
    try {
      return await dataSource.transaction(work);
    } catch (error) {
      if (attempt >= MAX_ATTEMPTS || !isRetryable(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20 * attempt));
    }
  }
}
