import { PATH_METADATA } from '@nestjs/common/constants';
import { getSchemaPath } from '@nestjs/swagger';
import type { OpenAPIObject } from '@nestjs/swagger';
import { ErrorCode } from '../errors/error-codes';

/** Marks an operation outside every rate limit in the OpenAPI document: no 429 is listed. */
export const NOT_RATE_LIMITED_EXTENSION = 'x-not-rate-limited';

/**
 * An error a route documents: its code, or its code with what it means on this route (the
 * example's message), and for VALIDATION_FAILED the field it names.
 */
export type DocumentedError = ErrorCode | Documented;

interface Documented {
  code: ErrorCode;
  when: string;
  field?: string;
}

const API_ERRORS = 'storybook:apiErrors';
/**
 * Where @nestjs/swagger keeps a handler's responses (its `API_RESPONSE_METADATA`, not
 * exported by the package). Written directly because `@ApiResponse` merges a status's
 * entries by concatenating their descriptions; the Swagger tests notice if this key changes.
 */
const API_RESPONSE_METADATA = 'swagger/apiResponse';

/** What each code means when a route says nothing more; also the example's message. */
export const ERROR_MEANINGS: Record<ErrorCode, string> = {
  VALIDATION_FAILED: 'A parameter or a body field breaks its rules; `details` names each field',
  UNAUTHORIZED:
    'No valid access token (missing, malformed, wrong signature, or the account was withdrawn)',
  TOKEN_EXPIRED: 'The access token has expired: refresh it (POST /auth/refresh) and retry',
  FORBIDDEN: 'Signed in, but not allowed to do this',
  ACCOUNT_SUSPENDED: 'The account is suspended',
  NOT_FOUND: 'No such object, or the caller may not see it',
  REQUEST_TIMEOUT: 'The request (or an upload) stalled and was ended',
  CONFLICT: 'The object is not in a state that allows this',
  RATE_LIMITED: 'Too many requests: wait `Retry-After` seconds',
  PAYLOAD_TOO_LARGE: 'A file is over its size or pixel limit',
  UNSUPPORTED_MEDIA_TYPE: 'A file is not a supported image or video, or does not decode',
  INTERNAL_ERROR: 'A bug; the body says nothing more',
  SERVICE_UNAVAILABLE: 'A dependency did not answer in time: retry after `Retry-After` seconds',
  KAKAO_TOKEN_INVALID: 'Kakao did not accept the access token',
  KAKAO_UNAVAILABLE: 'Kakao did not answer in time, or failed: retry later',
  REFRESH_TOKEN_REUSED:
    'The refresh token was used already: the whole session is revoked, sign in again',
  GUIDE_REQUIRED: 'Only approved guides may do this (none, pending, rejected or suspended)',
  GUIDE_ALREADY_APPLIED: 'An application is pending, approved or suspended already',
  MATCHING_INVALID_STATE: 'The matching request is not in a state this change starts from',
  MATCHING_OWN_STORY: 'A matching request for your own story',
  MATCHING_DUPLICATE: 'You have a pending or accepted request for this story already',
  REVIEW_EXISTS: 'This matching was reviewed already',
  REVIEW_WINDOW_CLOSED: 'The review window after completion has passed',
  CHAT_ROOM_CLOSED: 'The matching request was cancelled: the chat room is read-only',
  USER_BLOCKED: 'One of you blocked the other: the chat room is read-only',
  REPORT_DUPLICATE: 'You reported this already and that report is still pending',
};

/** The server's own message of a code, for the examples of routes that say nothing more. */
const DEFAULT_MESSAGES: Partial<Record<ErrorCode, string>> = {
  UNAUTHORIZED: 'A valid access token is required',
  TOKEN_EXPIRED: 'Access token has expired',
  ACCOUNT_SUSPENDED: 'This account is suspended',
  NOT_FOUND: 'Not found',
  RATE_LIMITED: 'Too many requests, try again later',
  MATCHING_DUPLICATE: 'You already have an open (pending or accepted) request for this story',
  REVIEW_EXISTS: 'You already reviewed this matching',
  SERVICE_UNAVAILABLE: 'The database did not answer in time, please try again shortly',
};

/** The example bodies share these; `path` is the operation's own (see finishErrorExamples). */
const EXAMPLE_REQUEST_ID = '3f1c0e9a-7b2d-4c8e-9f10-2a6b5d4e3c21';
const EXAMPLE_TIMESTAMP = '2026-05-01T09:30:00.000Z';

/** Stands for the operation's first input in a generic VALIDATION_FAILED example. */
const ANY_FIELD = '(field)';

function exampleBody(error: Documented, status: number): Record<string, unknown> {
  return {
    statusCode: status,
    code: error.code,
    message:
      error.when === ERROR_MEANINGS[error.code]
        ? (DEFAULT_MESSAGES[error.code] ?? error.when)
        : error.when,
    ...(error.code === 'VALIDATION_FAILED'
      ? { details: [{ field: error.field ?? ANY_FIELD, errors: [error.when] }] }
      : {}),
    requestId: EXAMPLE_REQUEST_ID,
    path: '/api/v1',
    timestamp: EXAMPLE_TIMESTAMP,
  };
}

function normalise(error: DocumentedError): Documented {
  return typeof error === 'string' ? { code: error, when: ERROR_MEANINGS[error] } : error;
}

interface ResponseEntry {
  description: string;
  content: {
    'application/json': {
      schema: { $ref: string };
      examples: Record<string, { summary: string; value: Record<string, unknown> }>;
    };
  };
}

/** One response per status: every documented code of that status as a named example. */
function responsesOf(errors: Documented[]): Record<number, ResponseEntry> {
  const byStatus = new Map<number, Documented[]>();
  for (const error of errors) {
    const status = ErrorCode[error.code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), error]);
  }
  const responses: Record<number, ResponseEntry> = {};
  for (const [status, list] of [...byStatus].sort(([a], [b]) => a - b)) {
    responses[status] = {
      description: list.map((e) => `\`${e.code}\`: ${e.when}`).join('\n\n'),
      content: {
        'application/json': {
          schema: { $ref: getSchemaPath('ErrorBodyDto') },
          examples: Object.fromEntries(
            list.map((e) => [e.code, { summary: e.code, value: exampleBody(e, status) }]),
          ),
        },
      },
    };
  }
  return responses;
}

/** Adds `errors` to one handler: merged with what it documents already, one entry per code. */
function documentHandler(handler: object, errors: Documented[]): void {
  const known = (Reflect.getMetadata(API_ERRORS, handler) as Documented[] | undefined) ?? [];
  const merged = [...known];
  for (const error of errors) {
    const at = merged.findIndex((e) => e.code === error.code);
    // the more specific text wins: a route's own over the generic meaning
    if (at < 0) merged.push(error);
    else if (merged[at].when === ERROR_MEANINGS[error.code]) merged[at] = error;
  }
  Reflect.defineMetadata(API_ERRORS, merged, handler);
  const responses = (Reflect.getMetadata(API_RESPONSE_METADATA, handler) ?? {}) as Record<
    string,
    unknown
  >;
  Reflect.defineMetadata(API_RESPONSE_METADATA, { ...responses, ...responsesOf(merged) }, handler);
}

/**
 * The error responses of a route in Swagger: one response per status, with a named example
 * body per code (`@ApiErrors('GUIDE_REQUIRED', { code: 'NOT_FOUND', when: 'No such story' })`).
 * Repeated uses add up, on a method or on a controller (then for each of its routes), so
 * composite decorators (`@Authenticated()`) and the route's own codes combine.
 */
export function ApiErrors(...errors: DocumentedError[]): MethodDecorator & ClassDecorator {
  const documented = errors.map(normalise);
  return ((target: object, _key?: string | symbol, descriptor?: PropertyDescriptor) => {
    if (descriptor) {
      documentHandler(descriptor.value as object, documented);
      return descriptor;
    }
    const proto = (target as { prototype: Record<string, unknown> }).prototype;
    for (const name of Object.getOwnPropertyNames(proto)) {
      const handler = Object.getOwnPropertyDescriptor(proto, name)?.value as unknown;
      if (typeof handler === 'function' && Reflect.hasMetadata(PATH_METADATA, handler)) {
        documentHandler(handler, documented);
      }
    }
    return target;
  }) as MethodDecorator & ClassDecorator;
}

const READ_METHODS = new Set(['get', 'head', 'options']);

type Operation = {
  parameters?: { name: string; in: string }[];
  requestBody?: { content?: Record<string, { schema?: { $ref?: string } }> };
  responses?: Record<string, unknown>;
};

/** The input a generic validation example names: a path parameter, a body field, a query one. */
function firstInput(doc: OpenAPIObject, op: Operation): string {
  const param = (where: string) => op.parameters?.find((p) => p.in === where)?.name;
  const ref = Object.values(op.requestBody?.content ?? {})[0]?.schema?.$ref;
  const schema = ref ? doc.components?.schemas?.[ref.split('/').pop() as string] : undefined;
  const bodyField = Object.keys(
    (schema as { properties?: object } | undefined)?.properties ?? {},
  )[0];
  return param('path') ?? bodyField ?? param('query') ?? 'body';
}

/**
 * Completes the error responses of a document: VALIDATION_FAILED on every operation that
 * takes parameters or a body, RATE_LIMITED on every write (the per-user write budget) but
 * those marked {@link NotRateLimited}, and
 * every example's `path` set to its operation's path (with ids of 1).
 */
export function finishErrorExamples(doc: OpenAPIObject): OpenAPIObject {
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, value] of Object.entries(item)) {
      const op = value as Operation;
      if (!op || typeof op !== 'object' || !op.responses) continue;
      const implied: Documented[] = [];
      if ((op.parameters?.length ?? 0) > 0 || op.requestBody) {
        implied.push(normalise('VALIDATION_FAILED'));
      }
      if (
        !READ_METHODS.has(method) &&
        path !== '/health' &&
        !(op as Record<string, unknown>)[NOT_RATE_LIMITED_EXTENSION]
      ) {
        implied.push(normalise('RATE_LIMITED'));
      }
      for (const [status, entry] of Object.entries(responsesOf(implied))) {
        const existing = op.responses[status] as ResponseEntry | undefined;
        const examples = existing?.content?.['application/json']?.examples;
        if (!existing || !examples) {
          op.responses[status] = entry;
          continue;
        }
        for (const [code, example] of Object.entries(entry.content['application/json'].examples)) {
          if (examples[code]) continue;
          examples[code] = example;
          existing.description = [existing.description, entry.description]
            .filter(Boolean)
            .join('\n\n');
        }
      }
      const concrete = path.replace(/\{[^}]+\}/g, '1');
      for (const response of Object.values(op.responses) as Partial<ResponseEntry>[]) {
        for (const example of Object.values(
          response.content?.['application/json']?.examples ?? {},
        )) {
          if (!example.value || !('requestId' in example.value)) continue;
          example.value.path = concrete;
          const details = example.value.details as
            { field: string; errors: string[] }[] | undefined;
          if (details?.[0]?.field === ANY_FIELD) {
            const field = firstInput(doc, op);
            details[0] = { field, errors: [`${field} is not valid`] };
            example.value.message = `${field} is not valid`;
          }
        }
      }
    }
  }
  return doc;
}
