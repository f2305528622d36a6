import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { decodeCursor } from '../common/pagination/cursor';
import {
  pendingKeyOf,
  Report,
  type ReportAction,
  type ReportReason,
  type ReportStatus,
  type ReportTargetType,
} from './entities/report.entity';

/** The reports table. */
@Injectable()
export class ReportsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  findById(id: number): Promise<Report | null> {
    return this.dataSource.manager.findOneBy(Report, { id });
  }

  /** A pending report; the unique pending key refuses a second one by the same reporter. */
  async insertPending(
    manager: EntityManager,
    input: {
      reporterId: number;
      targetType: ReportTargetType;
      targetId: number;
      reason: ReportReason;
      detail: string | null;
    },
  ): Promise<number> {
    const inserted = await manager.insert(Report, {
      ...input,
      status: 'pending',
      resolution: null,
      resolvedBy: null,
      note: null,
      resolvedAt: null,
      pendingKey: pendingKeyOf(input.reporterId, input.targetType, input.targetId),
      createdAt: new Date(),
    });
    return Number((inserted.identifiers[0] as { id: number }).id);
  }

  /** Distinct people with a pending report on the target. */
  async pendingReporterCount(
    manager: EntityManager,
    targetType: ReportTargetType,
    targetId: number,
  ): Promise<number> {
    const row = await manager
      .createQueryBuilder(Report, 'r')
      .select('COUNT(DISTINCT r.reporter_id)', 'reporters')
      .where('r.target_type = :targetType AND r.target_id = :targetId AND r.status = :pending', {
        targetType,
        targetId,
        pending: 'pending',
      })
      .getRawOne<{ reporters: number | string }>();
    return Number(row?.reporters ?? 0);
  }

  /**
   * A page (plus one row) of reports with the given status, with their reporter. `grouped`:
   * one entry per target (its oldest pending report), oldest first; else every report, newest
   * first.
   */
  page(
    filter: { status: ReportStatus; targetType?: ReportTargetType },
    grouped: boolean,
    limit: number,
    cursor?: string,
  ): Promise<Report[]> {
    const qb = this.dataSource.manager
      .createQueryBuilder(Report, 'r')
      .innerJoin('r.reporter', 'u')
      .addSelect(['u.id', 'u.nickname'])
      .where('r.status = :status', { status: filter.status });
    if (filter.targetType) {
      qb.andWhere('r.target_type = :targetType', { targetType: filter.targetType });
    }
    if (grouped) {
      qb.andWhere(
        'r.id IN (SELECT MIN(f.id) FROM reports f WHERE f.status = :status ' +
          'GROUP BY f.target_type, f.target_id)',
      );
    }
    if (cursor) {
      const [id] = decodeCursor(cursor, ['id']);
      qb.andWhere(grouped ? 'r.id > :cursorId' : 'r.id < :cursorId', { cursorId: Number(id) });
    }
    return qb
      .orderBy('r.id', grouped ? 'ASC' : 'DESC')
      .limit(limit + 1)
      .getMany();
  }

  /**
   * Decides a report and every other pending one on its target. The report itself is
   * claimed conditionally first, so of two decisions at once only one goes on; false for the
   * other.
   */
  async decide(
    manager: EntityManager,
    report: Pick<Report, 'id' | 'targetType' | 'targetId'>,
    decision: {
      status: ReportStatus;
      resolution: ReportAction;
      resolvedBy: number;
      note: string | null;
    },
  ): Promise<boolean> {
    const set = { ...decision, resolvedAt: new Date(), pendingKey: null };
    const claimed = await manager
      .createQueryBuilder()
      .update(Report)
      .set(set)
      .where('id = :id AND status = :pending', { id: report.id, pending: 'pending' })
      .execute();
    if (!claimed.affected) return false;
    await manager
      .createQueryBuilder()
      .update(Report)
      .set(set)
      .where('target_type = :type AND target_id = :targetId AND status = :pending', {
        type: report.targetType,
        targetId: report.targetId,
        pending: 'pending',
      })
      .execute();
    return true;
  }

  /** Reports per (status, target type, target id) for the given statuses and targets. */
  async countsByTarget(
    statuses: ReportStatus[],
    targetIds: number[],
  ): Promise<{ status: string; targetType: string; targetId: number; count: number }[]> {
    const rows = await this.dataSource.manager
      .createQueryBuilder(Report, 'r')
      .select('r.status', 'status')
      .addSelect('r.target_type', 'targetType')
      .addSelect('r.target_id', 'targetId')
      .addSelect('COUNT(*)', 'count')
      .where('r.status IN (:...statuses) AND r.target_id IN (:...targetIds)', {
        statuses,
        targetIds,
      })
      .groupBy('r.status')
      .addGroupBy('r.target_type')
      .addGroupBy('r.target_id')
      .getRawMany<{ status: string; targetType: string; targetId: number; count: number }>();
    return rows.map((r) => ({ ...r, targetId: Number(r.targetId), count: Number(r.count) }));
  }

  /** Reports the user filed after `afterId`, in id order. */
  filedAfter(reporterId: number, afterId: number, limit: number): Promise<Report[]> {
    return this.dataSource.manager
      .createQueryBuilder(Report, 'r')
      .where('r.reporter_id = :reporterId AND r.id > :afterId', { reporterId, afterId })
      .orderBy('r.id', 'ASC')
      .limit(limit)
      .getMany();
  }

  countPending(): Promise<number> {
    return this.dataSource.manager.countBy(Report, { status: 'pending' });
  }
}
