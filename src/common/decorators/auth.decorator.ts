import { applyDecorators, SetMetadata } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { UserRole } from '../../users/entities/user.entity';
import { ErrorBodyDto } from '../errors/error-body.dto';
import { Public } from './public.decorator';
import { Roles } from './roles.decorator';

/**
 * A route for signed-in callers (optionally only some roles), with its docs: bearer auth,
 * and the 401/403 answers it can give.
 */
export function Authenticated(...roles: UserRole[]) {
  return applyDecorators(
    ...(roles.length > 0 ? [Roles(...roles)] : []),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ type: ErrorBodyDto, description: 'UNAUTHORIZED / TOKEN_EXPIRED' }),
    ApiForbiddenResponse({
      type: ErrorBodyDto,
      description:
        roles.length > 0 ? `ACCOUNT_SUSPENDED, or not ${roles.join('/')}` : 'ACCOUNT_SUSPENDED',
    }),
    ApiBadRequestResponse({ type: ErrorBodyDto, description: 'VALIDATION_FAILED' }),
  );
}

/** A route anyone may call; a bearer token, when sent, makes the caller known. */
export function PublicRoute() {
  return applyDecorators(Public(), ApiBearerAuth());
}

export const RATE_LIMIT_GROUP = 'storybook:rateLimitGroup';
export type RateLimitGroup = 'auth' | 'devLogin' | 'matching' | 'chat';

/**
 * Puts a route into a rate-limit group of its own (SPEC §1): `auth` counts per IP over all
 * auth routes, `devLogin` per IP on its own (QA signs in as many people in a row), `matching`
 * and `chat` per user. Other writes share the per-user write limit.
 */
export function RateLimit(group: RateLimitGroup) {
  return applyDecorators(
    SetMetadata(RATE_LIMIT_GROUP, group),
    ApiTooManyRequestsResponse({
      type: ErrorBodyDto,
      description: 'RATE_LIMITED, see Retry-After',
    }),
  );
}
