import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { AuthUser } from '../common/decorators/current-user.decorator';
import { IS_PUBLIC } from '../common/decorators/public.decorator';
import { DomainException } from '../common/errors/domain.exception';
import { isDependencyUnavailable } from '../database/dependency-errors';
import { AccessTokenService, bearerToken } from './access-token.service';

/**
 * Global guard: every route needs a valid access token unless it is `@Public()`. On public
 * routes a token is optional and a bad one makes the caller anonymous. The caller is put on
 * `req.user` for the guards and handlers after it.
 */
@Injectable()
export class AccessTokenGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: AccessTokenService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const req = context
      .switchToHttp()
      .getRequest<{ headers: Record<string, unknown>; user?: AuthUser }>();
    const token = bearerToken(req.headers.authorization);
    if (this.isPublic(context)) {
      if (req.headers.authorization === undefined) return true;
      try {
        if (token) req.user = await this.tokens.authenticate(token);
      } catch (error) {
        // an unusable token on a public route: carry on as anonymous; but a database that
        // did not answer is not the token's fault, and would not answer the route either
        if (isDependencyUnavailable(error)) throw error;
      }
      return true;
    }
    if (!token) throw new DomainException('UNAUTHORIZED', 'A valid access token is required');
    req.user = await this.tokens.authenticate(token);
    return true;
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
