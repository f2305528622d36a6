import { ValidationError, ValidationPipe } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { ValidateIf } from 'class-validator';
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
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
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
