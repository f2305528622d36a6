import { applyDecorators, ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { Transform } from 'class-transformer';
import {
  getMetadataStorage,
  ValidateBy,
  ValidateIf,
  ValidationOptions,
  ValidatorOptions,
} from 'class-validator';
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

const MULTI_LINE = 'multiLine';

/**
 * Marks a text field that may hold line breaks and tabs (bio, content, messages, reasons).
 * Every other string of a DTO is one line: see {@link textHygieneErrors}. Windows line
 * endings (`\r\n`, what a browser's form sends for a textarea) become `\n`; a lone `\r` is
 * still refused.
 */
export const MultiLine = () =>
  applyDecorators(
    Transform(({ value }: { value: unknown }) =>
      typeof value === 'string' ? value.replace(/\r\n/g, '\n') : value,
    ),
    ValidateBy({ name: MULTI_LINE, validator: { validate: () => true } }),
  );

/**
 * Refused in every string (docs/api.md, General rules): C0 and C1 control characters but `\t` and `\n`,
 * bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069), and unpaired
 * surrogates (with the `u` flag a surrogate pair is one code point, outside that range).
 */
const UNSAFE_TEXT =
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069\uD800-\uDFFF]/u;
/** Also refused in one-line fields: line breaks (U+2028/U+2029 included) and tabs. */
const LINE_BREAK_OR_TAB = /[\n\t\u2028\u2029]/;

/**
 * Text from elsewhere (a Kakao nickname) made fit for a one-line field: what the hygiene
 * rule refuses is dropped, line breaks and tabs become spaces.
 */
export function toCleanLine(value: string): string {
  return value
    .replace(new RegExp(UNSAFE_TEXT.source, 'gu'), '')
    .replace(new RegExp(LINE_BREAK_OR_TAB.source, 'g'), ' ');
}

/** What is wrong with one string of a field, or null. */
export function textProblem(value: string, field: string, multiLine: boolean): string | null {
  if (UNSAFE_TEXT.test(value)) {
    return `${field} must not contain control characters, bidirectional overrides or unpaired surrogates`;
  }
  if (!multiLine && LINE_BREAK_OR_TAB.test(value)) {
    return `${field} must be a single line (no line breaks or tabs)`;
  }
  return null;
}

const multiLineCache = new WeakMap<object, Set<string>>();

/** The fields of a DTO's class (inherited and mapped ones included) marked {@link MultiLine}. */
function multiLineFields(dto: object): Set<string> {
  let fields = multiLineCache.get(dto.constructor);
  if (!fields) {
    fields = new Set(
      getMetadataStorage()
        .getTargetValidationMetadatas(dto.constructor, '', true, false)
        .filter((m) => m.name === MULTI_LINE)
        .map((m) => m.propertyName),
    );
    multiLineCache.set(dto.constructor, fields);
  }
  return fields;
}

/**
 * Text hygiene for a validated DTO: every string in it, nested DTOs and arrays included, is
 * checked, so a field added to any DTO is covered without a decorator; only the line breaks
 * of fields marked {@link MultiLine} are allowed. One error per field, named as the other
 * validation errors name it.
 */
export function textHygieneErrors(dto: object): ValidationError[] {
  const multiLine = multiLineFields(dto);
  const errors: ValidationError[] = [];
  for (const [property, value] of Object.entries(dto)) {
    const error: ValidationError = { property, children: [] };
    const strings = Array.isArray(value) ? value : [value];
    for (const item of strings) {
      if (typeof item === 'string') {
        const problem = textProblem(item, property, multiLine.has(property));
        if (problem) {
          error.constraints = { textHygiene: problem };
          break;
        }
      } else if (item !== null && typeof item === 'object' && !(item instanceof Date)) {
        error.children?.push(...textHygieneErrors(item as object));
      }
    }
    if (error.constraints || error.children?.length) errors.push(error);
  }
  return errors;
}

/** Adds `extra` to `errors`, merging the errors of one property. */
function mergeErrors(errors: ValidationError[], extra: ValidationError[]): ValidationError[] {
  for (const error of extra) {
    const same = errors.find((e) => e.property === error.property);
    if (!same) {
      errors.push(error);
      continue;
    }
    if (error.constraints) same.constraints = { ...same.constraints, ...error.constraints };
    if (error.children?.length) {
      same.children = mergeErrors(same.children ?? [], error.children);
    }
  }
  return errors;
}

/**
 * The global pipe: class-transformer and class-validator walk nested input recursively, so a
 * body nested thousands of levels deep (small in bytes) would overflow the stack; it is a 400.
 * Every DTO also gets the text hygiene check ({@link textHygieneErrors}).
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

  protected override async validate(
    object: object,
    validatorOptions?: ValidatorOptions,
  ): Promise<ValidationError[]> {
    const errors = await super.validate(object, validatorOptions);
    return mergeErrors(errors, textHygieneErrors(object));
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
