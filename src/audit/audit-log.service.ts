import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Page, toPage } from '../common/pagination/cursor';
import { AuditLogRepository } from './audit-log.repository';
import { AuditLogDto, ListAuditLogsQueryDto } from './dto/audit-log.dto';

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
  constructor(private readonly logs: AuditLogRepository) {}

  /** Pass the action's transaction as `manager`, so the entry exists exactly when the action does. */
  async record(entry: AuditEntry, manager?: EntityManager): Promise<void> {
    await this.logs.insert(
      {
        adminId: entry.adminId,
        action: entry.action,
        targetType: entry.targetType,
        targetId: entry.targetId,
        reason: entry.reason ?? null,
      },
      manager,
    );
  }

  /** Newest first. */
  async list(query: ListAuditLogsQueryDto): Promise<Page<AuditLogDto>> {
    return toPage(await this.logs.page(query), query.limit, (a) => [a.id], AuditLogDto.from);
  }
}
