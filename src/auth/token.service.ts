import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { IsNull, Repository } from 'typeorm';
import { InjectConfig } from '../config/config.module';
import type { AppConfig } from '../config/app-config';
import { DomainException } from '../common/errors/domain.exception';
import type { User } from '../users/entities/user.entity';
import { RefreshToken } from './entities/refresh-token.entity';

export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Access tokens (JWT) and refresh tokens (opaque, stored hashed, rotated in families). */
@Injectable()
export class TokenService {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly jwt: JwtService,
    @InjectRepository(RefreshToken) private readonly tokens: Repository<RefreshToken>,
  ) {}

  /** A new pair; `familyId` continues a login session, otherwise a new one starts. */
  async issue(
    user: Pick<User, 'id' | 'role'>,
    familyId: string = randomUUID(),
  ): Promise<IssuedTokens> {
    const refreshToken = randomBytes(32).toString('base64url');
    await this.tokens.insert({
      userId: user.id,
      familyId,
      tokenHash: hashToken(refreshToken),
      expiresAt: new Date(Date.now() + this.config.jwt.refreshTtlSeconds * 1000),
      rotatedAt: null,
      revokedAt: null,
    });
    const accessToken = await this.jwt.signAsync(
      { sub: String(user.id), role: user.role },
      { expiresIn: this.config.jwt.accessTtlSeconds },
    );
    return { accessToken, refreshToken, expiresIn: this.config.jwt.accessTtlSeconds };
  }

  /**
   * Marks a refresh token used and returns it, so the caller can issue the next one of its
   * family. Only one exchange of a token can win (a conditional update); presenting a token
   * that was already exchanged revokes its whole family.
   */
  async consume(refreshToken: string): Promise<RefreshToken> {
    const row = await this.tokens.findOneBy({ tokenHash: hashToken(refreshToken) });
    if (!row || row.revokedAt) {
      throw new DomainException('UNAUTHORIZED', 'Refresh token is not valid');
    }
    if (row.rotatedAt) {
      await this.revokeFamily(row.familyId);
      throw new DomainException(
        'REFRESH_TOKEN_REUSED',
        'This refresh token was already used; the session has been signed out',
      );
    }
    if (row.expiresAt.getTime() <= Date.now()) {
      throw new DomainException('TOKEN_EXPIRED', 'Refresh token has expired');
    }
    const result = await this.tokens.update(
      { id: row.id, rotatedAt: IsNull(), revokedAt: IsNull() },
      { rotatedAt: new Date() },
    );
    if ((result.affected ?? 0) === 0) {
      await this.revokeFamily(row.familyId);
      throw new DomainException(
        'REFRESH_TOKEN_REUSED',
        'This refresh token was already used; the session has been signed out',
      );
    }
    return row;
  }

  /** The user a refresh token was issued to (whatever its state), or null for an unknown one. */
  async ownerOf(refreshToken: string): Promise<number | null> {
    const row = await this.tokens.findOne({
      select: { id: true, userId: true },
      where: { tokenHash: hashToken(refreshToken) },
    });
    return row?.userId ?? null;
  }

  /** The family of a token, when it belongs to `userId`; used by logout. */
  async findFamilyOf(refreshToken: string, userId: number): Promise<string | null> {
    const row = await this.tokens.findOneBy({ tokenHash: hashToken(refreshToken), userId });
    return row?.familyId ?? null;
  }

  async revokeFamily(familyId: string): Promise<void> {
    await this.tokens.update({ familyId, revokedAt: IsNull() }, { revokedAt: new Date() });
  }

  async revokeAllOfUser(userId: number): Promise<void> {
    await this.tokens.update({ userId, revokedAt: IsNull() }, { revokedAt: new Date() });
  }
}
