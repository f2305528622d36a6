import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString } from 'class-validator';
import { PageQueryDto } from '../../common/pagination/cursor';
import { CharLength, OptionalNotNull, Trim, MultiLine } from '../../common/validation/validation';
import {
  MAX_REPORT_TEXT_LENGTH,
  Report,
  REPORT_ACTIONS,
  REPORT_REASONS,
  REPORT_STATUSES,
  REPORT_TARGET_TYPES,
  type ReportAction,
  type ReportReason,
  type ReportStatus,
  type ReportTargetType,
} from '../entities/report.entity';
import { ID_SCHEMA, IsId } from '../../common/validation/id';

export class CreateReportDto {
  @ApiProperty({ enum: REPORT_TARGET_TYPES })
  @IsIn(REPORT_TARGET_TYPES)
  targetType: ReportTargetType;

  @ApiProperty({ ...ID_SCHEMA, description: 'The id of the story, comment, user or message' })
  @IsId()
  targetId: number;

  @ApiProperty({ enum: REPORT_REASONS })
  @IsIn(REPORT_REASONS)
  reason: ReportReason;

  @ApiPropertyOptional({
    maxLength: MAX_REPORT_TEXT_LENGTH,
    description: 'Trimmed first; an empty text is stored as null',
    example: 'Advertises a tour operator in every comment.',
  })
  @OptionalNotNull()
  @Trim()
  @IsString()
  @CharLength(0, MAX_REPORT_TEXT_LENGTH)
  @MultiLine()
  detail?: string;
}

export class ReportDto {
  @ApiProperty() id: number;
  @ApiProperty({ enum: REPORT_TARGET_TYPES }) targetType: ReportTargetType;
  @ApiProperty() targetId: number;
  @ApiProperty({ enum: REPORT_REASONS }) reason: ReportReason;
  @ApiProperty({ type: String, nullable: true }) detail: string | null;
  @ApiProperty({ enum: REPORT_STATUSES }) status: ReportStatus;
  @ApiProperty() createdAt: string;

  static from(r: Report): ReportDto {
    return {
      id: r.id,
      targetType: r.targetType,
      targetId: r.targetId,
      reason: r.reason,
      detail: r.detail,
      status: r.status,
      createdAt: r.createdAt.toISOString(),
    };
  }
}

export class ListReportsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: REPORT_STATUSES, default: 'pending' })
  @IsOptional()
  @IsIn(REPORT_STATUSES)
  status?: ReportStatus;

  @ApiPropertyOptional({ enum: REPORT_TARGET_TYPES })
  @IsOptional()
  @IsIn(REPORT_TARGET_TYPES)
  targetType?: ReportTargetType;
}

export class ResolveReportDto {
  @ApiProperty({
    enum: REPORT_ACTIONS,
    description:
      'story: hide | delete | suspend_user | dismiss; comment: hide and delete both soft-delete ' +
      'it; user: delete and suspend_user both suspend the user (hide → 400); message: ' +
      'suspend_user | dismiss (messages are never changed, hide/delete → 400)',
  })
  @IsIn(REPORT_ACTIONS)
  action: ReportAction;

  @ApiPropertyOptional({
    maxLength: MAX_REPORT_TEXT_LENGTH,
    description: 'Kept on the reports and in the audit log; sent to the author as the reason',
    example: 'Spam: repeated advertising.',
  })
  @OptionalNotNull()
  @Trim()
  @IsString()
  @CharLength(0, MAX_REPORT_TEXT_LENGTH)
  @MultiLine()
  note?: string;
}

export class ReportTargetSnapshotDto {
  @ApiPropertyOptional({ description: 'story' }) title?: string;
  @ApiPropertyOptional({ description: 'story: published | hidden | deleted; user: its status' })
  status?: string;
  @ApiPropertyOptional({ description: 'comment (empty once deleted) or message' })
  content?: string;
  @ApiPropertyOptional({ description: 'comment' }) deleted?: boolean;
  @ApiPropertyOptional({ description: 'user' }) nickname?: string;
  @ApiPropertyOptional({ description: 'message' }) roomId?: number;
}

export class ReporterDto {
  @ApiProperty() id: number;
  @ApiProperty() nickname: string;
}

export class AdminReportDto {
  @ApiProperty() id: number;
  @ApiProperty({ enum: REPORT_TARGET_TYPES }) targetType: ReportTargetType;
  @ApiProperty() targetId: number;
  @ApiProperty({
    type: ReportTargetSnapshotDto,
    nullable: true,
    description:
      'What was reported, as it is now: story { title, status }, comment { content, deleted }, ' +
      'user { nickname, status }, message { content, roomId }; null when it no longer exists',
  })
  target: ReportTargetSnapshotDto | null;
  @ApiProperty({ enum: REPORT_REASONS }) reason: ReportReason;
  @ApiProperty({ type: String, nullable: true }) detail: string | null;
  @ApiProperty({ enum: REPORT_STATUSES }) status: ReportStatus;
  @ApiProperty({ type: ReporterDto }) reporter: ReporterDto;
  @ApiProperty({ description: 'Reports with this status on the same target' })
  reportCount: number;
  @ApiProperty() createdAt: string;
  @ApiProperty({ type: String, nullable: true }) resolvedAt: string | null;
  @ApiProperty({ enum: REPORT_ACTIONS, nullable: true }) resolution: ReportAction | null;
  @ApiProperty({ type: String, nullable: true }) note: string | null;
}
