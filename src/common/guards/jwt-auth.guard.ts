import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { TokenExpiredError } from 'jsonwebtoken';
import { isDependencyUnavailable } from '../../database/dependency-errors';
import { IS_PUBLIC } from '../decorators/public.decorator';
import { DomainException } from '../errors/domain.exception';
import type { AuthUser } from '../decorators/current-user.decorator';

/**
 * Global guard: every route needs a valid access token unless it is `@Public()`. On public
 * routes a token is optional and a bad one makes the caller anonymous.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    if (this.isPublic(context)) {
      const req = context.switchToHttp().getRequest<{ headers: Record<string, unknown> }>();
      if (!req.headers.authorization) return true;
      try {
        await super.canActivate(context);
      } catch (error) {
        // an unusable token on a public route: carry on as anonymous; but a database that
        // did not answer is not the token's fault, and would not answer the route either
        if (isDependencyUnavailable(error)) throw error;
      }
      return true;
    }
    return (await super.canActivate(context)) as boolean;
  }

  override handleRequest<TUser = AuthUser>(
    err: unknown,
    user: TUser | false,
    info: unknown,
    context: ExecutionContext,
  ): TUser {
    if (err) throw err;
    if (!user) {
      if (this.isPublic(context)) return undefined as TUser;
      if (info instanceof TokenExpiredError) {
        throw new DomainException('TOKEN_EXPIRED', 'Access token has expired');
      }
      throw new DomainException('UNAUTHORIZED', 'A valid access token is required');
    }
    return user;
  }

  private isPublic(context: ExecutionContext): boolean {
    return (
      this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [
        context.getHandler(),
        context.getClass(),
      ]) === true
    );
  }
}
