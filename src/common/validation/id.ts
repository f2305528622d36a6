import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { ValidateBy, ValidationOptions } from 'class-validator';

/** The largest id a row can have (the columns are signed 32-bit integers). */
export const MAX_ID = 2_147_483_647;

/**
 * An id as text (docs/api.md, General rules): a canonical decimal integer, so `0x1`, `1e0`, `+1`, ` 1` and `01`
 * are not ids, never read as 1. Up to 16 digits: beyond MAX_ID it is still an id, one that
 * nothing can have.
 */
export const CANONICAL_ID = /^[1-9][0-9]{0,15}$/;

/** The number written by a canonical id text, or null when the text is not one. */
export function parseIdText(text: string): number | null {
  return CANONICAL_ID.test(text) ? Number(text) : null;
}

/** True for a number that can be the id of a row. */
export function isId(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 1 && (value as number) <= MAX_ID;
}

/** Swagger for an id field of a body: `@ApiProperty({ ...ID_SCHEMA, description })`. */
export const ID_SCHEMA = { type: 'integer', minimum: 1, maximum: MAX_ID, example: 1 } as const;

/**
 * Swagger for an optional id filter of a query: no example, as Swagger UI would fill it in
 * and filter every try-out by it.
 */
export const ID_FILTER_SCHEMA = { type: 'integer', minimum: 1, maximum: MAX_ID } as const;

export interface IsIdOptions extends ValidationOptions {
  /**
   * The value arrives as text (a query parameter or a multipart field): canonical id text
   * becomes its number; any other text stays text and is refused.
   */
  fromText?: boolean;
}

/**
 * The one rule for an id in a DTO (body, query, multipart, socket payload): an integer from 1
 * to MAX_ID; JSON must send a number, text sources (`fromText`) canonical digits.
 */
export function IsId(options: IsIdOptions = {}): PropertyDecorator {
  const { fromText, ...validationOptions } = options;
  const check = ValidateBy(
    {
      name: 'isId',
      validator: {
        validate: (value: unknown) => isId(value),
        defaultMessage: (args) =>
          `${args?.property ?? 'id'} must be an id: an integer from 1 to ${MAX_ID}` +
          (fromText ? ' in plain digits (no sign, leading zero, space or exponent)' : ''),
      },
    },
    validationOptions,
  );
  if (!fromText) return check;
  const fromTextValue = (value: unknown): unknown => {
    if (typeof value !== 'string') return value;
    const id = parseIdText(value);
    return id === null ? value : id;
  };
  return applyDecorators(
    Transform(({ value }: { value: unknown }) =>
      options.each && Array.isArray(value) ? value.map(fromTextValue) : fromTextValue(value),
    ),
    check,
  );
}
