import { Injectable } from '@nestjs/common';
import { JsonWebTokenError, TokenExpiredError, verify } from 'jsonwebtoken';
import { createSecretKey, KeyObject } from 'node:crypto';
import type { AuthUser } from '../common/decorators/current-user.decorator';
import { DomainException } from '../common/errors/domain.exception';
import type { AppConfig } from '../config/app-config';
import { InjectConfig } from '../config/config.module';
import { UsersService } from '../users/users.service';

function unauthorized(): DomainException {
  return new DomainException('UNAUTHORIZED', 'A valid access token is required');
}

/**
 * The one check of an access token (docs/api.md, Auth), used by the HTTP guard and the socket
 * handshake alike: HS256 only (`alg: none` and every other algorithm refused), not expired,
 * a positive integer `sub`; then the caller is read from the database, so a suspension or a
 * role change counts at once.
 */
@Injectable()
export class AccessTokenService {
  /**
   * Made once: given a string, jsonwebtoken first tries to read it as a public key on every
   * call, which costs more than the signature check itself.
   */
  private readonly key: KeyObject;

  constructor(
    @InjectConfig() config: AppConfig,
    private readonly users: UsersService,
  ) {
    this.key = createSecretKey(Buffer.from(config.jwt.secret, 'utf8'));
  }

  /** The id of the user the token was issued to; 401 UNAUTHORIZED or TOKEN_EXPIRED. */
  verify(token: string): number {
    let payload: unknown;
    try {
      payload = verify(token, this.key, { algorithms: ['HS256'] });
    } catch (error) {
      if (error instanceof TokenExpiredError) {
        throw new DomainException('TOKEN_EXPIRED', 'Access token has expired');
      }
      if (error instanceof JsonWebTokenError) throw unauthorized();
      throw error;
    }
    const sub = (payload as { sub?: unknown } | null)?.sub;
    const id = typeof sub === 'string' && /^[1-9]\d{0,15}$/.test(sub) ? Number(sub) : NaN;
    if (!Number.isSafeInteger(id)) throw unauthorized();
    return id;
  }

  /** The caller behind a token, as the database knows them now (403 when suspended). */
  authenticate(token: string): Promise<AuthUser> {
    return this.users.authenticate(this.verify(token));
  }
}

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(header: unknown): string | null {
  if (typeof header !== 'string') return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1] : null;
}
