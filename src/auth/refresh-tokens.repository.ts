import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, IsNull, Repository } from 'typeorm';
import { RefreshToken } from './entities/refresh-token.entity';

/** The refresh_tokens table. Tokens are found by their SHA-256 (`tokenHash`) only. */
@Injectable()
export class RefreshTokensRepository {
  constructor(@InjectRepository(RefreshToken) private readonly tokens: Repository<RefreshToken>) {}

  /**
   * The token's row, locked until `manager`'s transaction ends (MySQL/MariaDB; SQLite runs
   * transactions one at a time), so two exchanges of one token run one after the other.
   */
  lockByHash(manager: EntityManager, tokenHash: string): Promise<RefreshToken | null> {
    const lookup = manager
      .createQueryBuilder(RefreshToken, 't')
      .where('t.tokenHash = :tokenHash', { tokenHash });
    if (manager.connection.options.type !== 'better-sqlite3') lookup.setLock('pessimistic_write');
    return lookup.getOne();
  }

  async insert(
    manager: EntityManager,
    token: Pick<RefreshToken, 'userId' | 'familyId' | 'tokenHash' | 'expiresAt'>,
  ): Promise<void> {
    await manager.insert(RefreshToken, { ...token, rotatedAt: null, revokedAt: null });
  }

  async markRotated(manager: EntityManager, id: number): Promise<void> {
    await manager.update(RefreshToken, { id }, { rotatedAt: new Date() });
  }

  /** The user the token was issued to (whatever its state), or null. */
  async ownerOf(tokenHash: string): Promise<number | null> {
    const row = await this.tokens.findOne({
      select: { id: true, userId: true },
      where: { tokenHash },
    });
    return row?.userId ?? null;
  }

  /** The family of the token, when it belongs to `userId`. */
  async familyOf(tokenHash: string, userId: number): Promise<string | null> {
    const row = await this.tokens.findOneBy({ tokenHash, userId });
    return row?.familyId ?? null;
  }

  /** Revokes the family's tokens that are not revoked yet. */
  async revokeFamily(manager: EntityManager, familyId: string): Promise<void> {
    await manager.update(
      RefreshToken,
      { familyId, revokedAt: IsNull() },
      { revokedAt: new Date() },
    );
  }

  /** Revokes every token of the user that is not revoked yet. */
  async revokeAllOfUser(manager: EntityManager, userId: number): Promise<void> {
    await manager.update(RefreshToken, { userId, revokedAt: IsNull() }, { revokedAt: new Date() });
  }
}
