import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { InjectConfig } from '../config/config.module';
import type { AppConfig } from '../config/app-config';
import { DomainException } from '../common/errors/domain.exception';
import { runInTransaction } from '../database/transaction';
import type { User } from '../users/entities/user.entity';
import { RefreshTokensRepository } from './refresh-tokens.repository';

export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

type Rotation =
  | { ok: true; refreshToken: string }
  | { ok: false; error: 'UNAUTHORIZED' | 'REFRESH_TOKEN_REUSED' | 'TOKEN_EXPIRED' };

/** Access tokens (JWT) and refresh tokens (opaque, stored hashed, rotated in families). */
@Injectable()
export class TokenService {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly jwt: JwtService,
    private readonly tokens: RefreshTokensRepository,
    private readonly dataSource: DataSource,
  ) {}

  /** A new pair, starting a new login session (token family). */
  async issue(user: Pick<User, 'id' | 'role'>): Promise<IssuedTokens> {
    const refreshToken = await runInTransaction(this.dataSource, (manager) =>
      this.insertRefreshToken(manager, user.id, randomUUID()),
    );
    return this.pair(user, refreshToken);
  }

  /**
   * Exchanges a refresh token of `user` for the next pair of its family.
   *
   * The token's row is read with a row lock (MySQL/MariaDB; SQLite runs transactions one at a
   * time) and marked rotated in the same transaction that stores its successor. So of two
   * exchanges of one token, the second waits until the first has committed its new token, then
   * finds the token rotated and revokes the whole family, the token just issued included. The
   * revocation is committed before REFRESH_TOKEN_REUSED is thrown (a throw inside the
   * transaction would roll it back).
   */
  async rotate(refreshToken: string, user: Pick<User, 'id' | 'role'>): Promise<IssuedTokens> {
    const tokenHash = hashToken(refreshToken);
    const rotation = await runInTransaction(this.dataSource, async (manager): Promise<Rotation> => {
      const row = await this.tokens.lockByHash(manager, tokenHash);
      if (!row || row.revokedAt || row.userId !== user.id) {
        return { ok: false, error: 'UNAUTHORIZED' };
      }
      if (row.rotatedAt) {
        await this.tokens.revokeFamily(manager, row.familyId);
        return { ok: false, error: 'REFRESH_TOKEN_REUSED' };
      }
      if (row.expiresAt.getTime() <= Date.now()) return { ok: false, error: 'TOKEN_EXPIRED' };
      await this.tokens.markRotated(manager, row.id);
      return {
        ok: true,
        refreshToken: await this.insertRefreshToken(manager, user.id, row.familyId),
      };
    });
    if (!rotation.ok) {
      switch (rotation.error) {
        case 'REFRESH_TOKEN_REUSED':
          throw new DomainException(
            'REFRESH_TOKEN_REUSED',
            'This refresh token was already used; the session has been signed out',
          );
        case 'TOKEN_EXPIRED':
          throw new DomainException('TOKEN_EXPIRED', 'Refresh token has expired');
        default:
          throw new DomainException('UNAUTHORIZED', 'Refresh token is not valid');
      }
    }
    return this.pair(user, rotation.refreshToken);
  }

  private async insertRefreshToken(
    manager: EntityManager,
    userId: number,
    familyId: string,
  ): Promise<string> {
    const refreshToken = randomBytes(32).toString('base64url');
    await this.tokens.insert(manager, {
      userId,
      familyId,
      tokenHash: hashToken(refreshToken),
      expiresAt: new Date(Date.now() + this.config.jwt.refreshTtlSeconds * 1000),
    });
    return refreshToken;
  }

  private async pair(user: Pick<User, 'id' | 'role'>, refreshToken: string): Promise<IssuedTokens> {
    const accessToken = await this.jwt.signAsync(
      { sub: String(user.id), role: user.role },
      { expiresIn: this.config.jwt.accessTtlSeconds },
    );
    return { accessToken, refreshToken, expiresIn: this.config.jwt.accessTtlSeconds };
  }

  /** The user a refresh token was issued to (whatever its state), or null for an unknown one. */
  async ownerOf(refreshToken: string): Promise<number | null> {
    return this.tokens.ownerOf(hashToken(refreshToken));
  }

  /** The family of a token, when it belongs to `userId`; used by logout. */
  async findFamilyOf(refreshToken: string, userId: number): Promise<string | null> {
    return this.tokens.familyOf(hashToken(refreshToken), userId);
  }

  /**
   * Revocations run as transactions of their own: on SQLite a lone statement would otherwise
   * join whatever transaction another request has open on the shared connection (and could
   * land between a rotation's read and its insert, or be rolled back with it).
   */
  async revokeFamily(familyId: string): Promise<void> {
    await runInTransaction(this.dataSource, (manager) =>
      this.tokens.revokeFamily(manager, familyId),
    );
  }

  async revokeAllOfUser(userId: number): Promise<void> {
    await runInTransaction(this.dataSource, (manager) =>
      this.tokens.revokeAllOfUser(manager, userId),
    );
  }
}
