import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { UserRole, UserStatus } from '../../users/entities/user.entity';

/** The caller as the database knows them at the time of the request. */
export interface AuthUser {
  id: number;
  role: UserRole;
  status: UserStatus;
}

/** The authenticated caller; `undefined` on a public route called without a token. */
export const CurrentUser = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): AuthUser | undefined =>
    ctx.switchToHttp().getRequest<{ user?: AuthUser }>().user ?? undefined,
);
