import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type as TransformType } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import type { Type } from '@nestjs/common';
import { DomainException } from '../errors/domain.exception';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 50;

/** `?limit=&cursor=` of every list route. */
export class PageQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE })
  @IsOptional()
  @TransformType(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit: number = DEFAULT_PAGE_SIZE;

  @ApiPropertyOptional({ description: 'Opaque cursor: `nextCursor` of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Position of the last item of a page: the sort key values, then the id as tie-breaker. */
export type CursorKey = (string | number | null)[];

export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/**
 * What each position of a cursor must hold: `id` a positive 32-bit integer, `number` a finite
 * number, `date` an ISO-8601 timestamp, `date?` the same or null.
 */
export type CursorKind = 'id' | 'number' | 'date' | 'date?';

const MAX_ID = 2_147_483_647;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;

function fits(value: unknown, kind: CursorKind): boolean {
  switch (kind) {
    case 'id':
      return Number.isSafeInteger(value) && (value as number) >= 1 && (value as number) <= MAX_ID;
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'date?':
      return value === null || fits(value, 'date');
    case 'date':
      return typeof value === 'string' && ISO_DATE.test(value) && !Number.isNaN(Date.parse(value));
  }
}

/**
 * Decodes a cursor made by {@link encodeCursor} whose positions hold `kinds`; anything else
 * (another shape, a string where a number belongs, Infinity, a bad date) is a 400, so no
 * caller ever builds SQL from an unchecked value.
 */
export function decodeCursor(cursor: string, kinds: readonly CursorKind[]): CursorKey {
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(key) &&
      key.length === kinds.length &&
      key.every((value, i) => fits(value, kinds[i]))
    ) {
      return key as CursorKey;
    }
  } catch {
    // fall through to the error below
  }
  throw new DomainException('VALIDATION_FAILED', 'cursor is not valid', [
    { field: 'cursor', errors: ['cursor is not valid'] },
  ]);
}

/**
 * Builds a page from `limit + 1` fetched rows: the extra row only says that more exist.
 * Keyset cursors keep pages stable while new rows are inserted.
 */
export function toPage<R, T>(
  rows: R[],
  limit: number,
  keyOf: (row: R) => CursorKey,
  map: (row: R) => T,
): Page<T> {
  const hasMore = rows.length > limit;
  const pageRows = hasMore ? rows.slice(0, limit) : rows;
  const last = pageRows[pageRows.length - 1];
  return {
    items: pageRows.map(map),
    nextCursor: hasMore && last !== undefined ? encodeCursor(keyOf(last)) : null,
  };
}

/** A Swagger-described `{ items, nextCursor }` class for an item class. */
export function PageOf<T>(item: Type<T>): Type<Page<T>> {
  class PageOfItem implements Page<T> {
    @ApiProperty({ type: item, isArray: true })
    items: T[];

    @ApiProperty({ type: String, nullable: true })
    nextCursor: string | null;
  }
  Object.defineProperty(PageOfItem, 'name', { value: `PageOf${item.name}` });
  return PageOfItem;
}
