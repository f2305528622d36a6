import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { decodeCursor } from '../common/pagination/cursor';
import type { ListAuditLogsQueryDto } from './dto/audit-log.dto';
import { AuditLog } from './entities/audit-log.entity';

/** The audit_logs table. */
@Injectable()
export class AuditLogRepository {
  constructor(@InjectRepository(AuditLog) private readonly logs: Repository<AuditLog>) {}

  async insert(entry: Omit<AuditLog, 'id' | 'createdAt'>, manager?: EntityManager): Promise<void> {
    await (manager ?? this.logs.manager).insert(AuditLog, entry);
  }

  /** A page (plus one row) newest first: ids grow with time, so the id is the keyset. */
  page(query: ListAuditLogsQueryDto): Promise<AuditLog[]> {
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
    return qb.getMany();
  }
}
