import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AuthUser } from '../common/decorators/current-user.decorator';
import { DomainException } from '../common/errors/domain.exception';
import { Page, PageQueryDto, toPage } from '../common/pagination/cursor';
import { runInTransaction } from '../database/transaction';
import { BlocksRepository } from './blocks.repository';
import type { BlockedUserDto } from './dto/block.dto';
import { UserBlockedEvent, UserUnblockedEvent } from './users.events';
import { UsersService } from './users.service';

function notYourself(): DomainException {
  const message = 'You cannot block yourself';
  return new DomainException('VALIDATION_FAILED', message, [{ field: 'id', errors: [message] }]);
}

/**
 * Blocks between users (docs/api.md, Blocking and account rights) and the one question other modules ask about them: is
 * there a block between A and B (either way)? Lists filter in SQL with `noBlockBetween`
 * (blocks.sql.ts). Admins see everything: a block never hides anything from an admin.
 */
@Injectable()
export class BlocksService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly blocks: BlocksRepository,
    private readonly users: UsersService,
    private readonly events: EventEmitter2,
  ) {}

  /** Idempotent. Self → 400; unknown or withdrawn → 404; an admin cannot be blocked (400). */
  async block(blocker: AuthUser, blockedId: number): Promise<void> {
    if (blocker.id === blockedId) throw notYourself();
    const target = await this.users.getPublic(blockedId);
    if (target.role === 'admin') {
      const message = 'Admins cannot be blocked';
      throw new DomainException('VALIDATION_FAILED', message, [{ field: 'id', errors: [message] }]);
    }
    const added = await runInTransaction(this.dataSource, (manager) =>
      this.blocks.insert(manager, blocker.id, blockedId),
    );
    if (added) {
      await this.events.emitAsync(
        UserBlockedEvent.NAME,
        new UserBlockedEvent(blocker.id, blockedId),
      );
    }
  }

  /** Idempotent; only the blocker lifts a block (one's own id: nothing to lift, 204). */
  async unblock(blocker: AuthUser, blockedId: number): Promise<void> {
    const removed = await runInTransaction(this.dataSource, (manager) =>
      this.blocks.delete(manager, blocker.id, blockedId),
    );
    if (removed) {
      await this.events.emitAsync(
        UserUnblockedEvent.NAME,
        new UserUnblockedEvent(blocker.id, blockedId),
      );
    }
  }

  async list(blocker: AuthUser, query: PageQueryDto): Promise<Page<BlockedUserDto>> {
    const rows = await this.blocks.page(blocker.id, query.limit, query.cursor);
    return toPage(
      rows,
      query.limit,
      (r) => [r.blockedAt.toISOString(), r.user.id],
      (r) => ({
        id: r.user.id,
        nickname: r.user.nickname,
        profileImageUrl: r.user.profileImageUrl,
        blockedAt: r.blockedAt.toISOString(),
      }),
    );
  }

  /**
   * Whether `viewer` and `userId` are kept apart by a block, either way. Never for admins,
   * anonymous viewers or oneself.
   */
  async between(viewer: AuthUser | undefined, userId: number): Promise<boolean> {
    if (!viewer || viewer.role === 'admin' || viewer.id === userId) return false;
    return this.blocks.between(viewer.id, userId);
  }

  /** The blocks the user made, for their data export (who blocked them is the others' data). */
  async exportMadeBy(userId: number): Promise<BlockedUserDto[]> {
    const all: BlockedUserDto[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.list(
        { id: userId, role: 'user', status: 'active' },
        { limit: 50, cursor },
      );
      all.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return all;
  }

  /** Whether either of two users blocked the other (whoever they are). */
  existsBetween(a: number, b: number): Promise<boolean> {
    return a === b ? Promise.resolve(false) : this.blocks.between(a, b);
  }

  /** Whether `blockerId` blocked `blockedId` (this direction only). */
  blocked(blockerId: number, blockedId: number): Promise<boolean> {
    return this.blocks.exists(blockerId, blockedId);
  }
}
