import { EventEmitter } from 'node:events';
import type { DataSource } from 'typeorm';
import { QueryFailedError } from 'typeorm';
import { boundDataSource } from './bounded-pool';
import { isDependencyUnavailable } from './dependency-errors';

type Callback = (error: Error | null, ...results: unknown[]) => void;

/** A mysql2 pool connection whose answers the test gives by hand. */
class FakeConnection extends EventEmitter {
  readonly pending: Callback[] = [];
  released = 0;
  destroyed = false;
  streamError: Error | undefined;
  readonly stream = { destroy: (error?: Error) => (this.streamError = error) };

  query(_sql: unknown, _values: unknown, callback: Callback): void {
    this.pending.push(callback);
  }
  release(): void {
    this.released += 1;
  }
  destroy(): void {
    this.destroyed = true;
  }
}

/** A mysql2 pool that hands out connections when the test says so. */
class FakePool {
  readonly waiting: Callback[] = [];
  getConnection(callback: Callback): void {
    this.waiting.push(callback);
  }
}

const TIMEOUT_MS = 30;

function boundPool(): FakePool {
  const pool = new FakePool();
  const dataSource = { options: { type: 'mysql' }, driver: { pool } } as unknown as DataSource;
  boundDataSource(dataSource, TIMEOUT_MS);
  return pool;
}

function getConnection(pool: FakePool): Promise<{ error: Error | null; connection?: unknown }> {
  return new Promise((resolve) =>
    pool.getConnection((error, connection) => resolve({ error, connection })),
  );
}

function query(connection: FakeConnection): Promise<{ error: Error | null; rows?: unknown }> {
  return new Promise((resolve) =>
    connection.query('SELECT 1', [], (error, rows) => resolve({ error, rows })),
  );
}

describe('boundDataSource (MySQL/MariaDB pool)', () => {
  it('ends a wait for a connection after the bound, and gives a late connection back', async () => {
    const pool = boundPool();
    const { error } = await getConnection(pool);
    expect(error).toMatchObject({ code: 'DB_POOL_TIMEOUT' });
    expect(isDependencyUnavailable(error)).toBe(true);

    const late = new FakeConnection();
    pool.waiting[0](null, late);
    expect(late.released).toBe(1);
  });

  it('hands out a connection that arrives in time', async () => {
    const pool = boundPool();
    const waiting = getConnection(pool);
    const connection = new FakeConnection();
    pool.waiting[0](null, connection);
    expect(await waiting).toEqual({ error: null, connection });
    expect(connection.released).toBe(0);
  });

  it('ends a statement after the bound and drops its connection; a late answer is ignored', async () => {
    const pool = boundPool();
    const connection = new FakeConnection();
    const waiting = getConnection(pool);
    pool.waiting[0](null, connection);
    await waiting;

    const answered = query(connection);
    connection.pending[0](null, [{ one: 1 }]);
    expect(await answered).toEqual({ error: null, rows: [{ one: 1 }] });
    expect(connection.destroyed).toBe(false);

    const answers: unknown[] = [];
    const stalled = new Promise<Error | null>((resolve) =>
      connection.query('SELECT 2', [], (error, rows) => {
        answers.push(rows);
        resolve(error);
      }),
    );
    const error = await stalled;
    expect(error).toMatchObject({ code: 'DB_QUERY_TIMEOUT' });
    // TypeORM wraps it; the wrapped error is still "the database did not answer"
    expect(isDependencyUnavailable(new QueryFailedError('SELECT 2', [], error as Error))).toBe(
      true,
    );
    expect(connection.destroyed).toBe(true);
    expect(connection.streamError).toMatchObject({ code: 'DB_QUERY_TIMEOUT' });

    connection.pending[1](null, [{ too: 'late' }]);
    expect(answers).toHaveLength(1);
  });
});
