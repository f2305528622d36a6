import { DomainException } from '../common/errors/domain.exception';

/** What `Retry-After` says when the database did not answer: a short pause, then try again. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

/** Codes of a database that did not answer in time (the statement itself was fine). */
const UNAVAILABLE_CODES = new Set([
  // bounded-pool.ts: no free connection / no answer within DB_QUERY_TIMEOUT_MS
  'DB_POOL_TIMEOUT',
  'DB_QUERY_TIMEOUT',
  // mysql2 (network failures such as ECONNREFUSED are recognised by `fatal`, below)
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'PROTOCOL_CONNECTION_LOST',
  // MySQL/MariaDB: too many connections, lock wait or statement time limit reached, going down
  'ER_CON_COUNT_ERROR',
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_QUERY_TIMEOUT',
  'ER_STATEMENT_TIMEOUT',
  'ER_SERVER_SHUTDOWN',
]);

interface DriverErrorLike {
  code?: unknown;
  fatal?: unknown;
  driverError?: DriverErrorLike;
}

/**
 * True when `error` says the database (a dependency) did not answer in time or could not be
 * reached, rather than that something is wrong with the request or the code: the caller gets
 * 503 SERVICE_UNAVAILABLE with Retry-After instead of a 500 (docs/api.md, Errors and Operations).
 *
 * TypeORM wraps driver errors (QueryFailedError.driverError); errors of taking a connection
 * from the pool come unwrapped. mysql2 marks every failure of the connection itself (lost,
 * reset, refused, timed out, closed) `fatal`; an SQL error on a working connection is not.
 * SQLite: SQLITE_BUSY (and its extended codes) is a lock another process held for longer
 * than the busy timeout.
 */
export function isDependencyUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as DriverErrorLike;
  const driverError = e.driverError ?? e;
  const code = typeof driverError.code === 'string' ? driverError.code : undefined;
  return (
    driverError.fatal === true ||
    (code !== undefined && (UNAVAILABLE_CODES.has(code) || code.startsWith('SQLITE_BUSY')))
  );
}

/** One line for the log: what did not answer, without a stack. */
export function unavailableReason(error: unknown): string {
  const e = error as DriverErrorLike & { message?: unknown };
  const code = e.driverError?.code ?? e.code;
  const message = typeof e.message === 'string' ? e.message : String(error);
  return typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message;
}

/** The error the client gets instead (HTTP body and socket acks alike). */
export function serviceUnavailable(): DomainException {
  return new DomainException(
    'SERVICE_UNAVAILABLE',
    'The database did not answer in time, please try again shortly',
  ).retryAfter(UNAVAILABLE_RETRY_AFTER_SECONDS);
}
