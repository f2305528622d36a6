import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { ValidateBy, ValidateIf, ValidationOptions } from 'class-validator';
import { DomainException } from '../errors/domain.exception';

export interface FieldError {
  field: string;
  errors: string[];
}

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = error.constraints
      ? [{ field, errors: Object.values(error.constraints) }]
      : ([] as FieldError[]);
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/**
 * Strict validation for every body, query and param DTO: unknown fields are refused, types
 * are converted only where a DTO says so, and failures list each field with its problems.
 */
/** Deeper JSON than any DTO of the API has; deeper input is refused before it is walked. */
export const MAX_INPUT_DEPTH = 32;

/** True when `value` nests objects/arrays deeper than `max` levels (checked without recursion). */
export function nestedTooDeep(value: unknown, max = MAX_INPUT_DEPTH): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop() as [unknown, number];
    if (current === null || typeof current !== 'object') continue;
    if (depth >= max) return true;
    for (const child of Object.values(current)) stack.push([child, depth + 1]);
  }
  return false;
}

/**
 * The global pipe: class-transformer and class-validator walk nested input recursively, so a
 * body nested thousands of levels deep (small in bytes) would overflow the stack; it is a 400.
 */
class StrictValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (nestedTooDeep(value)) {
      throw new DomainException(
        'VALIDATION_FAILED',
        `Input is nested more than ${MAX_INPUT_DEPTH} levels deep`,
      );
    }
    return super.transform(value, metadata);
  }

  /**
   * Nest would turn a path or query parameter typed `number` into `Number(text)`, which reads
   * `0x1`, `1e0`, `+1` and ` 1` as 1 before any parameter pipe sees the text. Such parameters
   * stay text here; their own pipe (ParseIdPipe) parses them strictly.
   */
  protected override transformPrimitive(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.metatype === Number) return value;
    return super.transformPrimitive(value, metadata) as unknown;
  }
}

export function createValidationPipe(): ValidationPipe {
  return new StrictValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    stopAtFirstError: false,
    exceptionFactory: (errors) => {
      const details = flatten(errors);
      const message = details.length
        ? details.map((d) => d.errors.join(', ')).join('; ')
        : 'Request is not valid';
      return new DomainException('VALIDATION_FAILED', message, details);
    },
  });
}

/** Trims a string field before it is validated. */
export const Trim = () =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value));

/**
 * A body field that may be left out but, when sent, must be valid: unlike `@IsOptional()`,
 * an explicit `null` is validated (and refused) instead of skipping every check.
 */
export const OptionalNotNull = () =>
  ValidateIf((_object: object, value: unknown) => value !== undefined);

/** Length in Unicode code points: what a MySQL `varchar(n)` counts (validator.js does not). */
function codePoints(value: string): number {
  return [...value].length;
}

/**
 * Like class-validator's `@Length`, but counting code points as MySQL does, so an emoji with a
 * variation selector (two code points) cannot slip past the check and overflow the column.
 */
export function CharLength(min: number, max: number, options?: ValidationOptions) {
  return ValidateBy(
    {
      name: 'charLength',
      constraints: [min, max],
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' && codePoints(value) >= min && codePoints(value) <= max,
        defaultMessage: (args) =>
          min > 0
            ? `${args?.property} must be ${min} to ${max} characters long`
            : `${args?.property} must be at most ${max} characters long`,
      },
    },
    options,
  );
}

/** `@MaxLength` counted in code points (see {@link CharLength}). */
export const MaxChars = (max: number, options?: ValidationOptions) => CharLength(0, max, options);
