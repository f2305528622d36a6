import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Brackets, Repository } from 'typeorm';
import { fromSqlDateTimeOrNull, selectRows } from '../database/statements';
import { decodeCursor } from '../common/pagination/cursor';
import { likeContains } from '../database/sql';
import type { ListUsersQueryDto } from './dto/list-users.query';
import { User } from './entities/user.entity';

/** What an authenticated request needs to know of its caller. */
export interface AuthState {
  id: number;
  role: User['role'];
  status: User['status'];
  suspendedUntil: Date | null;
}

/**
 * The users table's queries beyond simple finds: the caller's state on every authenticated
 * request, the admin list and the dashboard counts.
 */
@Injectable()
export class UsersRepository {
  constructor(@InjectRepository(User) private readonly users: Repository<User>) {}

  /**
   * The caller's role and status, read on every authenticated request: one prepared statement
   * with the four columns it needs (not an entity of fifteen).
   */
  async authState(id: number): Promise<AuthState | null> {
    const [row] = await selectRows<{
      id: number;
      role: User['role'];
      status: User['status'];
      suspended_until: Date | string | null;
    }>(
      this.users.manager,
      'SELECT id, role, status, suspended_until FROM users WHERE id = ?',
      [id],
    );
    if (!row) return null;
    return {
      id: Number(row.id),
      role: row.role,
      status: row.status,
      suspendedUntil: fromSqlDateTimeOrNull(row.suspended_until),
    };
  }

  /** A page (plus one row) of accounts for admins, newest first, filtered. */
  page(query: ListUsersQueryDto): Promise<User[]> {
    const qb = this.users
      .createQueryBuilder('u')
      .orderBy('u.id', 'DESC')
      .take(query.limit + 1);
    if (query.q) {
      qb.andWhere("u.nickname LIKE :pattern ESCAPE '!'", { pattern: likeContains(query.q) });
    }
    if (query.status) qb.andWhere('u.status = :status', { status: query.status });
    if (query.role) qb.andWhere('u.role = :role', { role: query.role });
    if (query.cursor) {
      const [id] = decodeCursor(query.cursor, ['id']);
      qb.andWhere(new Brackets((w) => w.where('u.id < :cursorId', { cursorId: Number(id) })));
    }
    return qb.getMany();
  }

  /** Dashboard numbers; withdrawn accounts are left out of every one. */
  async counts(
    newSince: Date,
  ): Promise<{ total: number; guides: number; suspended: number; newLast7Days: number }> {
    const row = await this.users
      .createQueryBuilder('u')
      .select('COUNT(*)', 'total')
      .addSelect("SUM(CASE WHEN u.role = 'guide' THEN 1 ELSE 0 END)", 'guides')
      .addSelect("SUM(CASE WHEN u.status = 'suspended' THEN 1 ELSE 0 END)", 'suspended')
      .addSelect('SUM(CASE WHEN u.created_at >= :newSince THEN 1 ELSE 0 END)', 'newLast7Days')
      .where('u.status <> :withdrawn', { withdrawn: 'withdrawn' })
      .setParameter('newSince', newSince)
      .getRawOne<Record<string, string | number | null>>();
    return {
      total: Number(row?.total ?? 0),
      guides: Number(row?.guides ?? 0),
      suspended: Number(row?.suspended ?? 0),
      newLast7Days: Number(row?.newLast7Days ?? 0),
    };
  }
}
