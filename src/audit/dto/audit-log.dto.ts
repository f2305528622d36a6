import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches } from 'class-validator';
import { PageQueryDto } from '../../common/pagination/cursor';
import { MaxChars, Trim } from '../../common/validation/validation';
import type { AuditLog } from '../entities/audit-log.entity';
import { ID_FILTER_SCHEMA, IsId } from '../../common/validation/id';

export class AuditLogDto {
  @ApiProperty() id: number;
  @ApiProperty({ description: 'The admin who acted' }) adminId: number;
  @ApiProperty({ example: 'guide.approve' }) action: string;
  @ApiProperty({ example: 'guide' }) targetType: string;
  @ApiProperty() targetId: number;
  @ApiProperty({ type: String, nullable: true }) reason: string | null;
  @ApiProperty() createdAt: string;

  static from(log: AuditLog): AuditLogDto {
    return {
      id: log.id,
      adminId: log.adminId,
      action: log.action,
      targetType: log.targetType,
      targetId: log.targetId,
      reason: log.reason,
      createdAt: log.createdAt.toISOString(),
    };
  }
}

export class ListAuditLogsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ example: 'guide.approve' })
  @IsOptional()
  @Trim()
  @IsString()
  @MaxChars(64)
  @Matches(/^[a-z_]+\.[a-z_]+$/, { message: 'action must look like guide.approve' })
  action?: string;

  @ApiPropertyOptional({ example: 'guide' })
  @IsOptional()
  @Trim()
  @IsString()
  @MaxChars(32)
  targetType?: string;

  @ApiPropertyOptional(ID_FILTER_SCHEMA)
  @IsOptional()
  @IsId({ fromText: true })
  targetId?: number;

  @ApiPropertyOptional(ID_FILTER_SCHEMA)
  @IsOptional()
  @IsId({ fromText: true })
  adminId?: number;
}
