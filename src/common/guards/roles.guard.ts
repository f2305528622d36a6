import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { UserRole } from '../../users/entities/user.entity';
import type { AuthUser } from '../decorators/current-user.decorator';
import { ROLES } from '../decorators/roles.decorator';
import { DomainException } from '../errors/domain.exception';

/** Enforces `@Roles()` against the role the database holds now (loaded by the JWT guard). */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const roles = this.reflector.getAllAndOverride<UserRole[] | undefined>(ROLES, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!roles || roles.length === 0 || context.getType() !== 'http') return true;
    const user = context.switchToHttp().getRequest<{ user?: AuthUser }>().user;
    if (!user) throw new DomainException('UNAUTHORIZED', 'A valid access token is required');
    if (!roles.includes(user.role)) {
      throw new DomainException('FORBIDDEN', `Only ${roles.join('/')} may do this`);
    }
    return true;
  }
}
