import { QueryFailedError } from 'typeorm';
import { DomainException } from '../common/errors/domain.exception';
import { isDependencyUnavailable } from './dependency-errors';

function driverError(fields: Record<string, unknown>): Error {
  return Object.assign(new Error('driver error'), fields);
}

const wrapped = (error: Error) => new QueryFailedError('SELECT 1', [], error);

describe('isDependencyUnavailable', () => {
  it.each([
    ['a bounded pool wait', driverError({ code: 'DB_POOL_TIMEOUT' })],
    ['a bounded statement', wrapped(driverError({ code: 'DB_QUERY_TIMEOUT' }))],
    ['a refused connection (mysql2)', driverError({ code: 'ECONNREFUSED', fatal: true })],
    ['a lost connection (mysql2)', wrapped(driverError({ code: 'PROTOCOL_CONNECTION_LOST' }))],
    ['a command on a closed connection (mysql2)', wrapped(driverError({ fatal: true }))],
    ['a lock wait timeout', wrapped(driverError({ code: 'ER_LOCK_WAIT_TIMEOUT', errno: 1205 }))],
    ['a busy SQLite database', wrapped(driverError({ code: 'SQLITE_BUSY' }))],
    ['a busy SQLite snapshot', wrapped(driverError({ code: 'SQLITE_BUSY_SNAPSHOT' }))],
  ])('is true for %s', (_, error) => {
    expect(isDependencyUnavailable(error)).toBe(true);
  });

  it.each([
    ['a duplicate key', wrapped(driverError({ code: 'ER_DUP_ENTRY', fatal: false }))],
    ['a syntax error', wrapped(driverError({ code: 'ER_PARSE_ERROR' }))],
    ['a constraint (SQLite)', wrapped(driverError({ code: 'SQLITE_CONSTRAINT_UNIQUE' }))],
    ['a client that went away', driverError({ code: 'ECONNRESET' })],
    ['a domain error', new DomainException('NOT_FOUND', 'gone')],
    ['a plain error', new Error('bug')],
    ['a non-error', 'text'],
    ['nothing', null],
  ])('is false for %s', (_, error) => {
    expect(isDependencyUnavailable(error)).toBe(false);
  });
});
