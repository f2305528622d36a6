import { DomainException } from '../common/errors/domain.exception';
import { decodeCursor, encodeCursor } from '../common/pagination/cursor';

/** Where a job list page ends: the queue (by its index in JOB_QUEUE_NAMES) and the offset. */
export type JobCursor = [queueIndex: number, offset: number];

export function encodeJobCursor(position: JobCursor): string {
  return encodeCursor(position);
}

export function decodeJobCursor(cursor: string): JobCursor {
  const [queueIndex, offset] = decodeCursor(cursor, ['number', 'number']) as number[];
  const fits = (n: number, max: number) => Number.isSafeInteger(n) && n >= 0 && n <= max;
  if (!fits(queueIndex, 16) || !fits(offset, 1_000_000_000)) {
    throw new DomainException('VALIDATION_FAILED', 'cursor is not valid', [
      { field: 'cursor', errors: ['cursor is not valid'] },
    ]);
  }
  return [queueIndex, offset];
}
