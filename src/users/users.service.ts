import { Injectable, Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { DataSource, EntityManager } from 'typeorm';
import type { AuthUser } from '../common/decorators/current-user.decorator';
import { DomainException } from '../common/errors/domain.exception';
import { Page, toPage } from '../common/pagination/cursor';
import { isUniqueViolation } from '../database/sql';
import { runInTransaction } from '../database/transaction';
import { AdminUserDto } from './dto/user.dto';
import type { ListUsersQueryDto } from './dto/list-users.query';
import type { UpdateMeDto } from './dto/update-me.dto';
import { User, UserRole } from './entities/user.entity';
import { UserSuspendedEvent, UserWithdrawnEvent } from './users.events';
import { UsersRepository } from './users.repository';

/** What a login provider (Kakao, or dev-login) knows about a person. */
export interface ExternalProfile {
  kakaoId: string;
  nickname: string;
  profileImageUrl: string | null;
  email: string | null;
}

export const WITHDRAWN_NICKNAME = '탈퇴한 사용자';

export interface SuspendUserInput {
  userId: number;
  /** Shown to admins; 1–1000 characters. */
  reason: string;
  /** End of a timed suspension (must lie in the future); null: until an admin lifts it. */
  until: Date | null;
}

const MAX_SUSPENSION_MS = 100 * 365 * 24 * 3600 * 1000;

@Injectable()
export class UsersService {
  constructor(
    private readonly queries: UsersRepository,
    private readonly events: EventEmitter2,
    private readonly dataSource: DataSource,
  ) {}

  private readonly logger = new Logger(UsersService.name);

  /**
   * The caller of an authenticated request, read fresh from the database so that a
   * suspension, withdrawal or role change counts at once. A timed suspension that has run
   * out is lifted here.
   */
  async authenticate(userId: number): Promise<AuthUser> {
    const user = await this.queries.authState(userId);
    if (!user || user.status === 'withdrawn') {
      throw new DomainException('UNAUTHORIZED', 'This account no longer exists');
    }
    if (user.status === 'suspended') {
      if (!(await this.liftExpiredSuspension(user.id, user.suspendedUntil))) {
        throw new DomainException('ACCOUNT_SUSPENDED', 'This account is suspended');
      }
      return { id: user.id, role: user.role, status: 'active' };
    }
    return { id: user.id, role: user.role, status: user.status };
  }

  private async liftExpiredSuspension(id: number, until: Date | null): Promise<boolean> {
    if (!until || until.getTime() > Date.now()) return false;
    return this.queries.liftExpiredSuspension(id);
  }

  /**
   * Creates or refreshes the user behind a Kakao account. Kakao's image and e-mail are
   * taken on every login; the nickname too, until the user has chosen one of their own.
   */
  async upsertFromProfile(profile: ExternalProfile, makeAdmin: boolean): Promise<User> {
    const now = new Date();
    for (let attempt = 0; attempt < 2; attempt++) {
      const existing = await this.queries.findByKakaoId(profile.kakaoId);
      // writes go through the transaction queue: on SQLite a bare statement would run inside
      // whatever transaction another request has open on the shared connection
      if (existing) {
        await runInTransaction(this.dataSource, (manager) =>
          this.queries.update(
            existing.id,
            {
              ...(existing.nicknameCustomized ? {} : { nickname: profile.nickname }),
              profileImageUrl: profile.profileImageUrl,
              email: profile.email,
              lastLoginAt: now,
              ...(makeAdmin ? { role: 'admin' as const } : {}),
            },
            manager,
          ),
        );
        return this.queries.getById(existing.id);
      }
      try {
        return await runInTransaction(this.dataSource, (manager) =>
          this.queries.create(manager, {
            kakaoId: profile.kakaoId,
            nickname: profile.nickname,
            profileImageUrl: profile.profileImageUrl,
            email: profile.email,
            role: makeAdmin ? 'admin' : 'user',
            status: 'active',
            lastLoginAt: now,
          }),
        );
      } catch (error) {
        // Two first logins of one person raced; the other one created the row.
        if (!isUniqueViolation(error)) throw error;
      }
    }
    throw new DomainException('CONFLICT', 'Could not sign in, please try again');
  }

  /** The account (any status); 404 when there is none. */
  async get(userId: number): Promise<User> {
    const user = await this.queries.findById(userId);
    if (!user) throw new DomainException('NOT_FOUND', 'User not found');
    return user;
  }

  /**
   * Takes the user's hourly data export (docs/api.md, Blocking and account rights): a conditional update, so two requests at
   * once cannot both pass. When taken, the time it was taken at; else the seconds to wait.
   */
  async takeExportSlot(
    userId: number,
    everyMs: number,
  ): Promise<{ takenAt: Date; waitSeconds: 0 } | { takenAt: null; waitSeconds: number }> {
    const now = new Date();
    const cutoff = new Date(now.getTime() - everyMs);
    const taken = await runInTransaction(this.dataSource, (manager) =>
      this.queries.takeExportSlot(manager, userId, now, cutoff),
    );
    if (taken) return { takenAt: now, waitSeconds: 0 };
    const user = await this.get(userId);
    const next = (user.lastExportAt?.getTime() ?? 0) + everyMs;
    return { takenAt: null, waitSeconds: Math.max(1, Math.ceil((next - now.getTime()) / 1000)) };
  }

  /**
   * Gives back the slot {@link takeExportSlot} took at `takenAt`, for an export that failed on
   * our side (the user got no document and may ask again at once).
   */
  async releaseExportSlot(userId: number, takenAt: Date): Promise<void> {
    // the column may keep whole seconds only
    await this.queries.releaseExportSlot(userId, new Date(takenAt.getTime() - 1000));
  }

  /** Everything the users table holds about the user, for their data export. */
  async exportProfile(userId: number): Promise<Record<string, unknown>> {
    const u = await this.get(userId);
    return {
      id: u.id,
      kakaoId: u.kakaoId,
      nickname: u.nickname,
      profileImageUrl: u.profileImageUrl,
      email: u.email,
      bio: u.bio,
      role: u.role,
      status: u.status,
      suspendedUntil: u.suspendedUntil?.toISOString() ?? null,
      suspendReason: u.suspendReason,
      lastLoginAt: u.lastLoginAt?.toISOString() ?? null,
      createdAt: u.createdAt.toISOString(),
      updatedAt: u.updatedAt.toISOString(),
    };
  }

  /**
   * Withdraws the account of a Kakao id (Kakao's unlink callback), exactly as the user would
   * (`withdraw`). False when no active account has that Kakao id.
   */
  async withdrawByKakaoId(kakaoId: string): Promise<boolean> {
    // Kakao answers 200 either way: a status that changed meanwhile (a suspension, the same
    // callback twice at once, the user's own withdrawal) is read again, not answered 409
    for (let attempt = 0; attempt < 3; attempt++) {
      const user = await this.queries.findByKakaoId(kakaoId);
      if (!user || user.status === 'withdrawn') return false;
      if (await this.tryWithdraw(user.id, user.status)) return true;
    }
    throw new DomainException('CONFLICT', 'The account changed meanwhile, please try again');
  }

  /** The account as others may see it: 404 for unknown and withdrawn users. */
  async getPublic(userId: number): Promise<User> {
    const user = await this.queries.findById(userId);
    if (!user || user.status === 'withdrawn') {
      throw new DomainException('NOT_FOUND', 'User not found');
    }
    return user;
  }

  /** Nickname and picture of each of `ids` that exists (withdrawn ones show as such). */
  async profiles(
    ids: readonly number[],
  ): Promise<Map<number, Pick<User, 'id' | 'nickname' | 'profileImageUrl' | 'status'>>> {
    if (ids.length === 0) return new Map();
    const rows = await this.queries.profiles(ids);
    return new Map(rows.map((u) => [u.id, u]));
  }

  /** Changes the caller's nickname and/or bio (an empty bio clears it). */
  async updateProfile(user: AuthUser, dto: UpdateMeDto): Promise<void> {
    const changes: Partial<User> = {};
    if (dto.nickname !== undefined) {
      changes.nickname = dto.nickname;
      changes.nicknameCustomized = true;
    }
    if (dto.bio !== undefined) changes.bio = dto.bio === '' ? null : dto.bio;
    if (Object.keys(changes).length > 0) await this.queries.update(user.id, changes);
  }

  /**
   * Withdraws the account: personal data blanked, the Kakao id released so the person can
   * sign up anew, and every module told to drop what belonged to the user (sessions, stories).
   */
  async withdraw(user: AuthUser): Promise<void> {
    if (!(await this.tryWithdraw(user.id, user.status))) {
      throw new DomainException('CONFLICT', 'The account changed meanwhile, please try again');
    }
  }

  /** Withdraws the account if its status is still `status`; false when it changed. */
  private async tryWithdraw(userId: number, status: AuthUser['status']): Promise<boolean> {
    if (!(await this.queries.markWithdrawn(userId, status, WITHDRAWN_NICKNAME))) return false;
    await this.events.emitAsync(UserWithdrawnEvent.NAME, new UserWithdrawnEvent(userId));
    return true;
  }

  async list(query: ListUsersQueryDto): Promise<Page<AdminUserDto>> {
    await this.liftExpiredSuspensions();
    const rows = await this.queries.page(query);
    return toPage(rows, query.limit, (u) => [u.id], AdminUserDto.from);
  }

  /** One account as admins see it (after a moderation action). */
  async getForAdmin(userId: number): Promise<AdminUserDto> {
    const user = await this.queries.findById(userId);
    if (!user || user.status === 'withdrawn') {
      throw new DomainException('NOT_FOUND', 'User not found');
    }
    return AdminUserDto.from(user);
  }

  /**
   * Suspends an account (or changes the reason and end of a running suspension): status
   * `suspended`, in the caller's transaction when `manager` is given. Access tokens die on
   * their next request and refresh is refused, since both read the status (authenticate).
   * Admins cannot be suspended (409 CONFLICT); unknown and withdrawn users are 404; an `until`
   * that is not in the future is 400. No audit entry here: the caller records its action.
   *
   * After the commit {@link UserSuspendedEvent} tells the other modules (sessions are revoked,
   * sockets closed): with `manager`, the CALLER must emit it then (see
   * {@link announceSuspension}); without, this method does it.
   */
  async suspend(input: SuspendUserInput, manager?: EntityManager): Promise<void> {
    if (input.until !== null && input.until.getTime() <= Date.now()) {
      const message = 'until must lie in the future';
      throw new DomainException('VALIDATION_FAILED', message, [
        { field: 'until', errors: [message] },
      ]);
    }
    // both databases' datetime ends with year 9999; far-off ends are an indefinite suspension
    if (input.until !== null && input.until.getTime() > Date.now() + MAX_SUSPENSION_MS) {
      const message = 'until may lie at most 100 years ahead; leave it out to suspend indefinitely';
      throw new DomainException('VALIDATION_FAILED', message, [
        { field: 'until', errors: [message] },
      ]);
    }
    if (!manager) {
      await runInTransaction(this.dataSource, (own) => this.suspend(input, own));
      await this.announceSuspension(input.userId);
      return;
    }
    // the column holds whole seconds (MySQL would round, MariaDB cut): rounded up here, so
    // both store the same and a suspension never ends before the moment asked for
    const until = input.until && new Date(Math.ceil(input.until.getTime() / 1000) * 1000);
    // conditional, so a withdrawal or a promotion to admin meanwhile cannot be overwritten
    if (!(await this.queries.suspend(manager, input.userId, input.reason, until))) {
      const user = await this.queries.findById(input.userId, manager);
      if (!user || user.status === 'withdrawn') {
        throw new DomainException('NOT_FOUND', 'User not found');
      }
      throw new DomainException('CONFLICT', 'Admins cannot be suspended');
    }
  }

  /**
   * Lifts a suspension (timed or not) at once. 404 for unknown and withdrawn users, 409
   * CONFLICT when the user is not suspended. Runs in `manager` when given. No audit entry.
   */
  async unsuspend(input: { userId: number }, manager?: EntityManager): Promise<void> {
    if (await this.queries.unsuspend(input.userId, manager)) return;
    const user = await this.queries.findById(input.userId, manager);
    if (!user || user.status === 'withdrawn') {
      throw new DomainException('NOT_FOUND', 'User not found');
    }
    throw new DomainException('CONFLICT', 'This user is not suspended');
  }

  /**
   * Tells the other modules (auth revokes the sessions, the chat gateway closes the sockets)
   * that `userId` was suspended. Call it after the suspension's transaction committed. A failing listener is
   * logged, never thrown: the suspension itself has happened.
   */
  async announceSuspension(userId: number): Promise<void> {
    try {
      await this.events.emitAsync(UserSuspendedEvent.NAME, new UserSuspendedEvent(userId));
    } catch (error) {
      this.logger.error(
        `user.suspended listeners failed: ${(error as Error).message}`,
        (error as Error).stack,
      );
    }
  }

  /**
   * Ends every timed suspension that has run out (authenticate does it for one user on their
   * next request), so admin lists and counts show the real state.
   */
  async liftExpiredSuspensions(): Promise<void> {
    await this.queries.liftExpiredSuspensions();
  }

  /**
   * The user numbers of the admin dashboard. Withdrawn accounts are left out of every one:
   * they are gone for the product.
   */
  counts(
    newSince: Date,
  ): Promise<{ total: number; guides: number; suspended: number; newLast7Days: number }> {
    return this.queries.counts(newSince);
  }

  /** Makes a user an admin (the `grant-admin` CLI command). */
  async grantAdmin(userId: number): Promise<User> {
    const user = await this.queries.findById(userId);
    if (!user || user.status === 'withdrawn') {
      throw new DomainException('NOT_FOUND', `User ${userId} not found`);
    }
    await this.queries.update(userId, { role: 'admin' });
    return this.queries.getById(userId);
  }

  /**
   * Moves a user from role `from` to `to`, only if they have `from` now (so approving an
   * admin's guide application never demotes the admin). Runs in the caller's transaction
   * when `manager` is given. True when the role changed.
   */
  async changeRole(
    userId: number,
    from: UserRole,
    to: UserRole,
    manager?: EntityManager,
  ): Promise<boolean> {
    return this.queries.changeRole(userId, from, to, manager);
  }
}
