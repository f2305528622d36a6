import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { InjectConfig } from '../config/config.module';
import type { AppConfig } from '../config/app-config';
import type { AuthUser } from '../common/decorators/current-user.decorator';
import { DomainException } from '../common/errors/domain.exception';
import { UsersService } from '../users/users.service';

/** Verifies HS256 access tokens (no other algorithm) and loads the caller's current state. */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    @InjectConfig() config: AppConfig,
    private readonly users: UsersService,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: config.jwt.secret,
      algorithms: ['HS256'],
      ignoreExpiration: false,
    });
  }

  async validate(payload: { sub?: unknown }): Promise<AuthUser> {
    const id = typeof payload.sub === 'string' ? Number(payload.sub) : NaN;
    if (!Number.isSafeInteger(id) || id < 1) {
      throw new DomainException('UNAUTHORIZED', 'A valid access token is required');
    }
    return this.users.authenticate(id);
  }
}
