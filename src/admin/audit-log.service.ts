import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { decodeCursor, Page, toPage } from '../common/pagination/cursor';
import { AuditLogDto, ListAuditLogsQueryDto } from './dto/audit-log.dto';
import { AuditLog } from './entities/audit-log.entity';

export interface AuditEntry {
  adminId: number;
  /** `<target type>.<verb>`, e.g. `guide.approve`. */
  action: string;
  targetType: string;
  targetId: number;
  reason?: string | null;
}

/** The record of admin actions; written in the same transaction as the action it describes. */
@Injectable()
export class AuditLogService {
  constructor(@InjectRepository(AuditLog) private readonly logs: Repository<AuditLog>) {}

  /** Pass the action's transaction as `manager`, so the entry exists exactly when the action does. */
  async record(entry: AuditEntry, manager?: EntityManager): Promise<void> {
    await (manager ?? this.logs.manager).insert(AuditLog, {
      adminId: entry.adminId,
      action: entry.action,
      targetType: entry.targetType,
      targetId: entry.targetId,
      reason: entry.reason ?? null,
    });
  }

  /** Newest first (ids grow with time, so the id is the keyset). */
  async list(query: ListAuditLogsQueryDto): Promise<Page<AuditLogDto>> {
    const qb = this.logs
      .createQueryBuilder('a')
      .orderBy('a.id', 'DESC')
      .take(query.limit + 1);
    if (query.action) qb.andWhere('a.action = :action', { action: query.action });
    if (query.targetType)
      qb.andWhere('a.targetType = :targetType', { targetType: query.targetType });
    if (query.targetId !== undefined)
      qb.andWhere('a.targetId = :targetId', { targetId: query.targetId });
    if (query.adminId !== undefined)
      qb.andWhere('a.adminId = :adminId', { adminId: query.adminId });
    if (query.cursor) {
      const [id] = decodeCursor(query.cursor, ['id']);
      qb.andWhere('a.id < :cursorId', { cursorId: Number(id) });
    }
    const rows = await qb.getMany();
    return toPage(rows, query.limit, (a) => [a.id], AuditLogDto.from);
  }
}
