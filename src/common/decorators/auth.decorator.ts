import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiExtension } from '@nestjs/swagger';
import type { UserRole } from '../../users/entities/user.entity';
import { Public } from './public.decorator';
import { Roles } from './roles.decorator';
import { ApiErrors, NOT_RATE_LIMITED_EXTENSION } from './api-errors.decorator';

/**
 * A route for signed-in callers (optionally only some roles), with its docs: bearer auth,
 * and the 401/403 answers it can give (400 and 429 are added to every operation that can
 * give them when the document is built, see finishErrorExamples).
 */
export function Authenticated(...roles: UserRole[]) {
  return applyDecorators(
    ...(roles.length > 0 ? [Roles(...roles)] : []),
    ApiBearerAuth(),
    ApiErrors(
      { code: 'UNAUTHORIZED', when: 'A valid access token is required' },
      { code: 'TOKEN_EXPIRED', when: 'Access token has expired' },
      { code: 'ACCOUNT_SUSPENDED', when: 'This account is suspended' },
      ...(roles.length > 0
        ? [{ code: 'FORBIDDEN' as const, when: `Only ${roles.join('/')} may do this` }]
        : []),
    ),
  );
}

/** A route anyone may call; a bearer token, when sent, makes the caller known. */
export function PublicRoute() {
  return applyDecorators(Public(), ApiBearerAuth());
}

export const RATE_LIMIT_GROUP = 'storybook:rateLimitGroup';
export type RateLimitGroup = 'auth' | 'devLogin' | 'matching' | 'chat';
/** The group of routes outside every limit ({@link NotRateLimited}). */
export const NO_RATE_LIMIT = 'none';

const RATE_LIMIT_MEANINGS: Record<RateLimitGroup, string> = {
  auth: 'Too many requests, try again later (auth routes: 10 a minute per IP by default)',
  devLogin: 'Too many requests, try again later (dev-login: 300 a minute per IP by default)',
  matching: 'Too many requests, try again later (10 matching requests an hour by default)',
  chat: 'Too many messages, try again later (20 per 10 s by default, sockets included)',
};

/**
 * Puts a route into a rate-limit group of its own (docs/api.md, Rate limits): `auth` counts
 * per IP over all auth routes, `devLogin` per IP on its own (QA signs in as many people in a
 * row), `matching` and `chat` per user. Other writes share the per-user write limit.
 */
export function RateLimit(group: RateLimitGroup) {
  return applyDecorators(
    SetMetadata(RATE_LIMIT_GROUP, group),
    ApiErrors({ code: 'RATE_LIMITED', when: RATE_LIMIT_MEANINGS[group] }),
  );
}

/**
 * A route outside every rate limit, in the guard and in the docs: Kakao's unlink callback,
 * where only a caller holding the Admin key gets past the first check.
 */
export function NotRateLimited() {
  return applyDecorators(
    SetMetadata(RATE_LIMIT_GROUP, NO_RATE_LIMIT),
    ApiExtension(NOT_RATE_LIMITED_EXTENSION, true),
  );
}
