import { Injectable } from '@nestjs/common';
import { EventEmitter2, OnEvent } from '@nestjs/event-emitter';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditLogService } from '../audit/audit-log.service';
import type { AuthUser } from '../common/decorators/current-user.decorator';
import { DomainException } from '../common/errors/domain.exception';
import type { Page } from '../common/pagination/cursor';
import { isUniqueViolation } from '../database/sql';
import { runInTransaction } from '../database/transaction';
import type { Region } from '../regions/entities/region.entity';
import { RegionsService } from '../regions/regions.service';
import { UserWithdrawnEvent } from '../users/users.events';
import { blockViewerId } from '../users/blocks.sql';
import { BlocksService } from '../users/blocks.service';
import { UsersService } from '../users/users.service';
import type { ApplyGuideDto, UpdateGuideDto } from './dto/guide-input.dto';
import { AdminGuideDto, GuideSummaryDto, MyGuideDto } from './dto/guide.dto';
import type { ListGuidesQueryDto } from './dto/list-guides.query';
import { Guide, GuideStatus } from './entities/guide.entity';
import { GuideDecisionEvent } from './guides.events';
import { GuidesRepository } from './guides.repository';
import { encodeLanguages } from './languages';

const NOT_PUBLISHER: Record<Exclude<GuideStatus, 'approved'>, string> = {
  pending: 'Your guide application is still being reviewed',
  rejected: 'Your guide application was rejected; you may apply again',
  suspended: 'Your guide profile is suspended',
};

/** Guide profiles: applications, the admins' decisions on them, and the public directory. */
@Injectable()
export class GuidesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly queries: GuidesRepository,
    private readonly regions: RegionsService,
    private readonly users: UsersService,
    private readonly blocks: BlocksService,
    private readonly audit: AuditLogService,
    private readonly events: EventEmitter2,
  ) {}

  /** A withdrawn user's guide profile leaves every public list and page with them. */
  @OnEvent(UserWithdrawnEvent.NAME)
  async onUserWithdrawn(event: UserWithdrawnEvent): Promise<void> {
    await this.queries.suspendOpenOfUser(event.userId, 'account withdrawn');
  }

  // ---- access -------------------------------------------------------------------------------

  /**
   * The caller's guide profile when they may publish (and accept matchings) as a guide: an
   * approved profile. Anything else is 403 GUIDE_REQUIRED saying why. Suspension keeps the
   * user's role `guide` (their own stories stay theirs to see), but ends publishing here.
   */
  async requirePublisher(user: AuthUser): Promise<Guide> {
    const guide = await this.queries.findByUser(user.id);
    if (!guide) {
      throw new DomainException('GUIDE_REQUIRED', 'Only approved guides may do this; apply first');
    }
    if (guide.status !== 'approved') {
      throw new DomainException('GUIDE_REQUIRED', NOT_PUBLISHER[guide.status]);
    }
    return guide;
  }

  /** The guide if the viewer may see it: approved ones to anyone, others to self and admins. */
  async requireVisible(viewer: AuthUser | undefined, guideId: number): Promise<Guide> {
    const guide = await this.queries.findFull(guideId);
    const mayView =
      guide !== null &&
      (guide.status === 'approved' || viewer?.role === 'admin' || viewer?.id === guide.userId);
    if (!guide || !mayView) throw new DomainException('NOT_FOUND', 'Guide not found');
    // a block between the viewer and the guide hides the profile both ways (docs/api.md, Blocking and account rights)
    if (await this.blocks.between(viewer, guide.userId)) {
      throw new DomainException('NOT_FOUND', 'Guide not found');
    }
    return guide;
  }

  /** The user's guide profile, as their account shows it; null when they never applied. */
  async refOfUser(userId: number): Promise<{ id: number; status: GuideStatus } | null> {
    const guide = await this.queries.refOfUser(userId);
    return guide ? { id: guide.id, status: guide.status } : null;
  }

  /** The id of the user's approved guide profile (what public profiles link to), or null. */
  approvedIdOfUser(userId: number): Promise<number | null> {
    return this.queries.approvedIdOfUser(userId);
  }

  /** Approved guides serving any of the regions, each counted once. */
  countApprovedInRegions(regionIds: number[]): Promise<number> {
    return this.queries.countApprovedInRegions(regionIds);
  }

  /** Guide profiles per status, for the admin dashboard. */
  countByStatus(): Promise<Map<GuideStatus, number>> {
    return this.queries.countByStatus();
  }

  // ---- the applicant ------------------------------------------------------------------------

  /**
   * Applies to become a guide. A first application creates the profile; after a rejection the
   * same profile is reused, pending again with a new application time.
   */
  async apply(user: AuthUser, dto: ApplyGuideDto): Promise<MyGuideDto> {
    const regions = await this.regions.requireExisting(dto.regionIds);
    const fields = {
      introduction: dto.introduction,
      languages: encodeLanguages(dto.languages),
      career: dto.career ? dto.career : null,
    };
    const existing = await this.queries.findByUser(user.id);
    if (existing && existing.status !== 'rejected') throw this.alreadyApplied(existing.status);
    if (existing) {
      await runInTransaction(this.dataSource, async (manager) => {
        const reapplied = await this.queries.reapply(manager, existing.id, fields);
        // a second application raced this one and won
        if (!reapplied) throw this.alreadyApplied('pending');
        await this.replaceRegions(manager, existing.id, regions);
      });
    } else {
      try {
        await runInTransaction(this.dataSource, (manager) =>
          this.queries.create(manager, {
            ...fields,
            userId: user.id,
            status: 'pending',
            regions,
            appliedAt: new Date(),
            rejectionReason: null,
            suspendReason: null,
            approvedAt: null,
          }),
        );
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        throw this.alreadyApplied('pending');
      }
    }
    return this.getMine(user);
  }

  async getMine(user: AuthUser): Promise<MyGuideDto> {
    const guide = await this.queries.findFullByUser(user.id);
    if (!guide) throw new DomainException('NOT_FOUND', 'You have not applied to be a guide');
    return MyGuideDto.from(guide);
  }

  /** Approved guides edit their profile; the change is live at once (no new review). */
  async updateMine(user: AuthUser, dto: UpdateGuideDto): Promise<MyGuideDto> {
    const guide = await this.requirePublisher(user);
    const regions = dto.regionIds ? await this.regions.requireExisting(dto.regionIds) : null;
    const changes: Partial<Guide> = {};
    if (dto.introduction !== undefined) changes.introduction = dto.introduction;
    if (dto.languages !== undefined) changes.languages = encodeLanguages(dto.languages);
    if (dto.career !== undefined) changes.career = dto.career ? dto.career : null;
    await runInTransaction(this.dataSource, async (manager) => {
      if (Object.keys(changes).length > 0) await this.queries.update(manager, guide.id, changes);
      if (regions) await this.replaceRegions(manager, guide.id, regions);
    });
    return this.getMine(user);
  }

  private alreadyApplied(status: GuideStatus): DomainException {
    return new DomainException(
      'GUIDE_ALREADY_APPLIED',
      status === 'pending'
        ? 'Your guide application is already being reviewed'
        : `You already have a guide profile (${status})`,
      { status },
    );
  }

  private async replaceRegions(manager: EntityManager, guideId: number, regions: Region[]) {
    await this.queries.replaceRegions(
      manager,
      guideId,
      regions.map((r) => r.id),
    );
  }

  // ---- the public directory -----------------------------------------------------------------

  async list(
    viewer: AuthUser | undefined,
    query: ListGuidesQueryDto,
  ): Promise<Page<GuideSummaryDto>> {
    const regionIds =
      query.regionId !== undefined ? await this.regions.descendantIds(query.regionId) : undefined;
    const page = await this.queries.pagePublic(
      {
        status: 'approved',
        regionIds,
        language: query.language,
        blockViewerId: blockViewerId(viewer),
      },
      query.sort ?? 'latest',
      query.limit,
      query.cursor,
    );
    return { items: page.items.map(GuideSummaryDto.from), nextCursor: page.nextCursor };
  }

  // ---- ratings (called by the matching module inside its review transaction) ----------------

  /**
   * Counts one more review of the guide. Call it in the review's transaction BEFORE inserting
   * the review: the row lock it takes orders concurrent reviews of one guide, so the average
   * computed afterwards sees every committed review.
   */
  async countReview(manager: EntityManager, guideId: number): Promise<void> {
    await this.queries.countReview(manager, guideId);
  }

  /**
   * Stores the guide's average rating, as the matching module computed it from the reviews
   * inside the review's transaction (after {@link countReview} took the guide's row lock).
   * Stored rounded to 2 decimals, so every reader (profiles, story summaries, the rating sort
   * and its cursors) sees the same number.
   */
  async setAverageRating(manager: EntityManager, guideId: number, average: number): Promise<void> {
    await this.queries.setAverageRating(manager, guideId, average);
  }

  // ---- admin decisions ----------------------------------------------------------------------

  async listForAdmin(
    status: GuideStatus,
    limit: number,
    cursor?: string,
  ): Promise<Page<AdminGuideDto>> {
    const page = await this.queries.pageForAdmin(status, limit, cursor);
    return { items: page.items.map(AdminGuideDto.from), nextCursor: page.nextCursor };
  }

  /** pending → approved; the user becomes a `guide` in the same transaction. */
  async approve(admin: AuthUser, guideId: number): Promise<AdminGuideDto> {
    return this.decide(admin, guideId, 'pending', 'approved', null, async (guide, manager) => {
      await this.queries.update(manager, guide.id, {
        approvedAt: new Date(),
        rejectionReason: null,
        suspendReason: null,
      });
      // admins keep their role: their guide profile works through requirePublisher
      await this.users.changeRole(guide.userId, 'user', 'guide', manager);
    });
  }

  /** pending → rejected, with the reason the applicant will see. */
  async reject(admin: AuthUser, guideId: number, reason: string): Promise<AdminGuideDto> {
    return this.decide(admin, guideId, 'pending', 'rejected', reason, async (guide, manager) => {
      await this.queries.update(manager, guide.id, { rejectionReason: reason });
    });
  }

  /**
   * approved → suspended: the guide can no longer publish or accept matchings
   * (requirePublisher refuses). The user keeps the role `guide`, so their own hidden and
   * published stories stay visible to them; their published stories stay up.
   */
  async suspend(admin: AuthUser, guideId: number, reason: string): Promise<AdminGuideDto> {
    return this.decide(admin, guideId, 'approved', 'suspended', reason, async (guide, manager) => {
      await this.queries.update(manager, guide.id, { suspendReason: reason });
    });
  }

  /**
   * One admin decision: a conditional status change (so of two admins acting at once exactly
   * one succeeds, the other gets 409), its side changes and its audit entry, in one
   * transaction; then the domain event.
   */
  private async decide(
    admin: AuthUser,
    guideId: number,
    from: GuideStatus,
    to: Exclude<GuideStatus, 'pending'>,
    reason: string | null,
    apply: (guide: Guide, manager: EntityManager) => Promise<void>,
  ): Promise<AdminGuideDto> {
    const guide = await this.queries.findById(guideId);
    if (!guide) throw new DomainException('NOT_FOUND', 'Guide not found');
    await runInTransaction(this.dataSource, async (manager) => {
      if (!(await this.queries.changeStatus(manager, guideId, from, to))) {
        const now = await this.queries.findById(guideId, manager);
        throw new DomainException(
          'CONFLICT',
          `Only ${from} guides can be ${to}; this one is ${now?.status ?? 'gone'}`,
        );
      }
      await apply(guide, manager);
      await this.audit.record(
        {
          adminId: admin.id,
          action: `guide.${VERB[to]}`,
          targetType: 'guide',
          targetId: guideId,
          reason,
        },
        manager,
      );
    });
    const event = EVENT[to];
    if (event) {
      await this.events.emitAsync(event, new GuideDecisionEvent(guide.id, guide.userId, reason));
    }
    const full = await this.queries.findFull(guideId);
    return AdminGuideDto.from(full as Guide);
  }
}

const VERB: Record<Exclude<GuideStatus, 'pending'>, string> = {
  approved: 'approve',
  rejected: 'reject',
  suspended: 'suspend',
};

const EVENT: Partial<Record<Exclude<GuideStatus, 'pending'>, string>> = {
  approved: GuideDecisionEvent.APPROVED,
  rejected: GuideDecisionEvent.REJECTED,
};
