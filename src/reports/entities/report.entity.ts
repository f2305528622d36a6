import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { User } from '../../users/entities/user.entity';

export const REPORT_TARGET_TYPES = ['story', 'comment', 'user', 'message'] as const;
export type ReportTargetType = (typeof REPORT_TARGET_TYPES)[number];

export const REPORT_REASONS = [
  'spam',
  'abuse',
  'sexual',
  'violence',
  'fraud',
  'copyright',
  'other',
] as const;
export type ReportReason = (typeof REPORT_REASONS)[number];

export const REPORT_STATUSES = ['pending', 'resolved', 'dismissed'] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];

export const REPORT_ACTIONS = ['hide', 'delete', 'suspend_user', 'dismiss'] as const;
export type ReportAction = (typeof REPORT_ACTIONS)[number];

export const MAX_REPORT_TEXT_LENGTH = 1000;

/** The key that makes a second pending report of one reporter on one target impossible. */
export function pendingKeyOf(
  reporterId: number,
  targetType: ReportTargetType,
  targetId: number,
): string {
  return `${reporterId}:${targetType}:${targetId}`;
}

/**
 * A user's report of a story, comment, user or chat message. `pendingKey` is set while the
 * report is pending and cleared when it is decided: its unique index lets each reporter have
 * at most one pending report per target, even when the same report is sent twice at once
 * (NULLs never collide, so decided reports do not count).
 */
@Entity('reports')
@Index('IDX_reports_target_status', ['targetType', 'targetId', 'status'])
@Index('IDX_reports_status_id', ['status', 'id'])
export class Report {
  @PrimaryGeneratedColumn()
  id: number;

  @Index('IDX_reports_reporter')
  @Column({ name: 'reporter_id', type: 'int' })
  reporterId: number;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'reporter_id' })
  reporter?: User;

  @Column({ name: 'target_type', type: 'varchar', length: 16 })
  targetType: ReportTargetType;

  @Column({ name: 'target_id', type: 'int' })
  targetId: number;

  @Column({ type: 'varchar', length: 16 })
  reason: ReportReason;

  @Column({ type: 'varchar', length: MAX_REPORT_TEXT_LENGTH, nullable: true })
  detail: string | null;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status: ReportStatus;

  /** The action the admin took (`dismiss` for a dismissed report); null while pending. */
  @Column({ type: 'varchar', length: 16, nullable: true })
  resolution: ReportAction | null;

  /** The admin who decided; a plain id (audit logs keep the history). */
  @Column({ name: 'resolved_by', type: 'int', nullable: true })
  resolvedBy: number | null;

  @Column({ type: 'varchar', length: MAX_REPORT_TEXT_LENGTH, nullable: true })
  note: string | null;

  @Column({ name: 'resolved_at', type: 'datetime', precision: 3, nullable: true })
  resolvedAt: Date | null;

  @Index('UQ_reports_pending_key', { unique: true })
  @Column({ name: 'pending_key', type: 'varchar', length: 64, nullable: true })
  pendingKey: string | null;

  /** Set explicitly (millisecond precision on both databases). */
  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;
}
