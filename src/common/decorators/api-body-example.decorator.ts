import { applyDecorators, Type } from '@nestjs/common';
import { ApiBody, ApiExtraModels, getSchemaPath } from '@nestjs/swagger';

/**
 * A JSON body documented by its DTO, with the body Swagger UI fills in given explicitly.
 * Without it Swagger UI fills in every property, optional ones included; for some that is a
 * trap (a fixed `clientMessageId` turns every second send into a retry of the first, a
 * `parentId` must name an existing comment), so such routes name a body without them.
 */
export function ApiBodyExample<T>(type: Type<T>, example: Partial<T>, summary: string) {
  return applyDecorators(
    ApiExtraModels(type),
    ApiBody({
      schema: { $ref: getSchemaPath(type) },
      examples: { [summary]: { summary, value: example } },
    }),
  );
}
