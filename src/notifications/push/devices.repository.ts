import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { Device, DevicePlatform } from '../entities/device.entity';

/** The devices table. Tokens are looked up by their SHA-256 (`token_hash`), never by text. */
@Injectable()
export class DevicesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Locks the user's device rows (MySQL), so that two registrations of one user queue behind
   * each other and the cap holds; SQLite runs one transaction at a time anyway.
   */
  async lockUser(manager: EntityManager, userId: number): Promise<void> {
    const qb = manager
      .createQueryBuilder(Device, 'd')
      .select('d.id')
      .where('d.user_id = :userId', { userId });
    if (manager.connection.options.type !== 'better-sqlite3') qb.setLock('pessimistic_write');
    await qb.getRawMany();
  }

  /**
   * Inserts the token for `userId`, or — the token exists (whoever's it was) — moves it to
   * `userId` with the new platform and locale, as seen now.
   */
  async upsert(
    manager: EntityManager,
    row: {
      userId: number;
      tokenHash: string;
      token: string;
      platform: DevicePlatform;
      locale: string | null;
      now: Date;
    },
  ): Promise<void> {
    await manager
      .createQueryBuilder()
      .insert()
      .into(Device)
      .values({
        userId: row.userId,
        tokenHash: row.tokenHash,
        token: row.token,
        platform: row.platform,
        locale: row.locale,
        createdAt: row.now,
        lastSeenAt: row.now,
      })
      .orUpdate(['user_id', 'platform', 'locale', 'last_seen_at'], ['token_hash'])
      .updateEntity(false)
      .execute();
  }

  /** Deletes the user's devices beyond the `keep` most recently seen. */
  async keepNewest(manager: EntityManager, userId: number, keep: number): Promise<number> {
    const rows = await manager
      .createQueryBuilder(Device, 'd')
      .select('d.id', 'id')
      .where('d.user_id = :userId', { userId })
      .orderBy('d.last_seen_at', 'DESC')
      .addOrderBy('d.id', 'DESC')
      .getRawMany<{ id: number }>();
    const extra = rows.slice(keep).map((r) => Number(r.id));
    if (extra.length === 0) return 0;
    await manager.delete(Device, { id: In(extra) });
    return extra.length;
  }

  /** Deletes the token when it is the user's; how many rows went (0 or 1). */
  async deleteOfUser(manager: EntityManager, userId: number, tokenHash: string): Promise<number> {
    const result = await manager.delete(Device, { userId, tokenHash });
    return result.affected ?? 0;
  }

  /** Deletes a device FCM called dead (its token no longer reaches anyone). */
  async deleteById(manager: EntityManager, id: number): Promise<number> {
    const result = await manager.delete(Device, { id });
    return result.affected ?? 0;
  }

  async deleteAllOf(manager: EntityManager, userId: number): Promise<void> {
    await manager.delete(Device, { userId });
  }

  /** The user's devices, most recently seen first. */
  ofUser(userId: number): Promise<Device[]> {
    return this.dataSource.manager.find(Device, {
      where: { userId },
      order: { lastSeenAt: 'DESC', id: 'DESC' },
    });
  }
}
