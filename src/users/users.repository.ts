import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Brackets, EntityManager, In, LessThanOrEqual, Repository } from 'typeorm';
import { fromSqlDateTimeOrNull, selectRows } from '../database/statements';
import { decodeCursor } from '../common/pagination/cursor';
import { likeContains } from '../database/sql';
import type { ListUsersQueryDto } from './dto/list-users.query';
import { User, UserRole } from './entities/user.entity';

/** What an authenticated request needs to know of its caller. */
export interface AuthState {
  id: number;
  role: User['role'];
  status: User['status'];
  suspendedUntil: Date | null;
}

/**
 * The users table: the caller's state on every authenticated request, the admin list and the
 * dashboard counts, and the finds and writes behind UsersService's rules. The writes that race
 * are conditional updates answering whether they changed the row.
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

  findById(id: number, manager: EntityManager = this.users.manager): Promise<User | null> {
    return manager.findOneBy(User, { id });
  }

  /** The account, which the caller knows exists (throws TypeORM's EntityNotFoundError if not). */
  getById(id: number): Promise<User> {
    return this.users.findOneByOrFail({ id });
  }

  findByKakaoId(kakaoId: string): Promise<User | null> {
    return this.users.findOneBy({ kakaoId });
  }

  /** Nickname, picture and status of each of `ids` that exists. */
  profiles(
    ids: readonly number[],
  ): Promise<Pick<User, 'id' | 'nickname' | 'profileImageUrl' | 'status'>[]> {
    return this.users.find({
      select: { id: true, nickname: true, profileImageUrl: true, status: true },
      where: { id: In([...new Set(ids)]) },
    });
  }

  /** A new account; throws the database's unique violation when the Kakao id has one. */
  create(
    manager: EntityManager,
    fields: Pick<
      User,
      'kakaoId' | 'nickname' | 'profileImageUrl' | 'email' | 'role' | 'status' | 'lastLoginAt'
    >,
  ): Promise<User> {
    return manager.save(manager.create(User, fields));
  }

  async update(
    id: number,
    changes: Partial<User>,
    manager: EntityManager = this.users.manager,
  ): Promise<void> {
    await manager.update(User, { id }, changes);
  }

  /**
   * Records an export at `now` unless the last one was after `cutoff`. True when this call took
   * the slot (of two at once, one does).
   */
  async takeExportSlot(
    manager: EntityManager,
    id: number,
    now: Date,
    cutoff: Date,
  ): Promise<boolean> {
    const taken = await manager
      .createQueryBuilder()
      .update(User)
      .set({ lastExportAt: now, updatedAt: () => 'updated_at' })
      .where('id = :userId AND (last_export_at IS NULL OR last_export_at <= :cutoff)', {
        userId: id,
        cutoff,
      })
      .updateEntity(false)
      .execute();
    return (taken.affected ?? 0) > 0;
  }

  /**
   * Gives back an export slot taken at or after `since` (an export that failed on our side);
   * one taken earlier, or none, stays as it is.
   */
  async releaseExportSlot(id: number, since: Date): Promise<void> {
    await this.users
      .createQueryBuilder()
      .update(User)
      .set({ lastExportAt: null, updatedAt: () => 'updated_at' })
      .where('id = :id AND last_export_at >= :since', { id, since })
      .updateEntity(false)
      .execute();
  }

  /**
   * Blanks the account's personal data and releases its Kakao id, if its status is still
   * `status`. False when it changed meanwhile.
   */
  async markWithdrawn(id: number, status: User['status'], nickname: string): Promise<boolean> {
    const result = await this.users.update(
      { id, status },
      {
        status: 'withdrawn',
        kakaoId: null,
        nickname,
        nicknameCustomized: false,
        profileImageUrl: null,
        email: null,
        bio: null,
        withdrawnAt: new Date(),
      },
    );
    return (result.affected ?? 0) > 0;
  }

  /**
   * Suspends the account unless it is withdrawn or an admin's (checked in the statement, so a
   * withdrawal or a promotion meanwhile is never overwritten). False when it did not change.
   */
  async suspend(
    manager: EntityManager,
    id: number,
    reason: string,
    until: Date | null,
  ): Promise<boolean> {
    const result = await manager.update(
      User,
      { id, status: In(['active', 'suspended']), role: In(['user', 'guide']) },
      { status: 'suspended', suspendReason: reason, suspendedUntil: until },
    );
    return (result.affected ?? 0) > 0;
  }

  /** Lifts the suspension; false when the account is not suspended (or does not exist). */
  async unsuspend(id: number, manager: EntityManager = this.users.manager): Promise<boolean> {
    const result = await manager.update(
      User,
      { id, status: 'suspended' },
      { status: 'active', suspendReason: null, suspendedUntil: null },
    );
    return (result.affected ?? 0) > 0;
  }

  /** Lifts the user's suspension if it is a timed one that has run out; true when it did. */
  async liftExpiredSuspension(id: number): Promise<boolean> {
    const result = await this.users.update(
      { id, status: 'suspended', suspendedUntil: LessThanOrEqual(new Date()) },
      { status: 'active', suspendedUntil: null, suspendReason: null },
    );
    return (result.affected ?? 0) > 0;
  }

  /** Lifts every timed suspension that has run out. */
  async liftExpiredSuspensions(): Promise<void> {
    await this.users.update(
      { status: 'suspended', suspendedUntil: LessThanOrEqual(new Date()) },
      { status: 'active', suspendedUntil: null, suspendReason: null },
    );
  }

  /** Moves the user from role `from` to `to`, only if they have `from` now; true when it did. */
  async changeRole(
    id: number,
    from: UserRole,
    to: UserRole,
    manager: EntityManager = this.users.manager,
  ): Promise<boolean> {
    const result = await manager.update(User, { id, role: from }, { role: to });
    return (result.affected ?? 0) > 0;
  }
}
