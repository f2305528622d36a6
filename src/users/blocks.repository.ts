import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { decodeCursor } from '../common/pagination/cursor';
import { isUniqueViolation } from '../database/sql';
import { Block } from './entities/block.entity';
import type { User } from './entities/user.entity';

export interface BlockedRow {
  user: Pick<User, 'id' | 'nickname' | 'profileImageUrl'>;
  blockedAt: Date;
}

/** The blocks table. */
@Injectable()
export class BlocksRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Adds the block; false when it existed already (the primary key refuses a second). */
  async insert(manager: EntityManager, blockerId: number, blockedId: number): Promise<boolean> {
    try {
      await manager.insert(Block, { blockerId, blockedId, createdAt: new Date() });
      return true;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      return false;
    }
  }

  async delete(manager: EntityManager, blockerId: number, blockedId: number): Promise<boolean> {
    const result = await manager.delete(Block, { blockerId, blockedId });
    return (result.affected ?? 0) > 0;
  }

  /** Whether either of the two blocked the other. */
  async between(a: number, b: number): Promise<boolean> {
    const rows = (await this.dataSource.query(
      'SELECT 1 AS x FROM blocks WHERE (blocker_id = ? AND blocked_id = ?) OR ' +
        '(blocker_id = ? AND blocked_id = ?) LIMIT 1',
      [a, b, b, a],
    )) as unknown[];
    return rows.length > 0;
  }

  exists(blockerId: number, blockedId: number): Promise<boolean> {
    return this.dataSource.manager.existsBy(Block, { blockerId, blockedId });
  }

  /** A page (plus one row) of the users `blockerId` blocked, newest first. */
  async page(blockerId: number, limit: number, cursor?: string): Promise<BlockedRow[]> {
    const qb = this.dataSource.manager
      .createQueryBuilder(Block, 'b')
      .innerJoinAndSelect('b.blocked', 'u')
      .where('b.blocker_id = :blockerId', { blockerId });
    if (cursor) {
      const [at, id] = decodeCursor(cursor, ['date', 'id']);
      qb.andWhere('(b.created_at < :at OR (b.created_at = :at AND b.blocked_id < :id))', {
        at: new Date(String(at)),
        id,
      });
    }
    const rows = await qb
      .orderBy('b.created_at', 'DESC')
      .addOrderBy('b.blocked_id', 'DESC')
      .limit(limit + 1)
      .getMany();
    return rows.map((b) => ({ user: b.blocked as User, blockedAt: b.createdAt }));
  }

  /** Every block the user made or received (their data export). */
  involving(userId: number): Promise<Block[]> {
    return this.dataSource.manager.find(Block, {
      where: [{ blockerId: userId }, { blockedId: userId }],
      order: { createdAt: 'ASC' },
    });
  }
}
