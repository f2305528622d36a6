import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { Guide } from '../../guides/entities/guide.entity';
import { Story } from '../../stories/entities/story.entity';
import { User } from '../../users/entities/user.entity';

export const MATCHING_STATUSES = [
  'pending',
  'accepted',
  'rejected',
  'cancelled',
  'completed',
  // a pending request nobody answered in time (docs/api.md, Lifecycle); final
  'expired',
] as const;
export type MatchingStatus = (typeof MATCHING_STATUSES)[number];

/** States in which a request is "open": the traveller may not send another for the story. */
export const OPEN_MATCHING_STATUSES: readonly MatchingStatus[] = ['pending', 'accepted'];

/** The value of `openKey` while a request is open; NULL once it is closed. */
export function openKeyOf(travelerId: number, storyId: number): string {
  return `${travelerId}:${storyId}`;
}

/**
 * A traveller's request to the guide of a story. Every status change is one conditional
 * `UPDATE ... WHERE status IN (...)` checked by affected rows, so of concurrent transitions
 * exactly one wins.
 */
@Entity('matching_requests')
@Index('IDX_matching_requests_traveler', ['travelerId', 'id'])
@Index('IDX_matching_requests_guide_user', ['guideUserId', 'id'])
@Index('IDX_matching_requests_guide_status', ['guideId', 'status'])
@Index('IDX_matching_requests_status_date', ['status', 'desiredDate'])
export class MatchingRequest {
  @PrimaryGeneratedColumn()
  id: number;

  @Index('IDX_matching_requests_story')
  @Column({ name: 'story_id', type: 'int' })
  storyId: number;

  @ManyToOne(() => Story, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'story_id' })
  story?: Story;

  @Column({ name: 'guide_id', type: 'int' })
  guideId: number;

  @ManyToOne(() => Guide, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'guide_id' })
  guide?: Guide;

  /** The guide's user (the story's owner), kept so access checks need no join. */
  @Column({ name: 'guide_user_id', type: 'int' })
  guideUserId: number;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'guide_user_id' })
  guideUser?: User;

  @Column({ name: 'traveler_id', type: 'int' })
  travelerId: number;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'traveler_id' })
  traveler?: User;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status: MatchingStatus;

  /**
   * `travelerId:storyId` while the request is pending or accepted, NULL otherwise. The unique
   * index (which allows any number of NULLs on both databases) closes the race of two
   * identical requests sent at once: at most one open request per traveller and story.
   */
  @Index('UQ_matching_requests_open_key', { unique: true })
  @Column({ name: 'open_key', type: 'varchar', length: 32, nullable: true })
  openKey: string | null;

  /** `YYYY-MM-DD`, kept as text so no time zone can shift it. */
  @Column({ name: 'desired_date', type: 'varchar', length: 10 })
  desiredDate: string;

  /** `HH:mm` or NULL. */
  @Column({ name: 'desired_time', type: 'varchar', length: 5, nullable: true })
  desiredTime: string | null;

  @Column({ name: 'party_size', type: 'int', default: 1 })
  partySize: number;

  @Column({ type: 'varchar', length: 1000, default: '' })
  message: string;

  @Column({ name: 'reject_reason', type: 'varchar', length: 500, nullable: true })
  rejectReason: string | null;

  /** The room opened on acceptance (owned by the chat module). */
  @Column({ name: 'chat_room_id', type: 'int', nullable: true })
  chatRoomId: number | null;

  @Column({ name: 'cancelled_by', type: 'int', nullable: true })
  cancelledBy: number | null;

  /** When the guide accepted or rejected. */
  @Column({ name: 'responded_at', type: 'datetime', nullable: true })
  respondedAt: Date | null;

  @Column({ name: 'completed_at', type: 'datetime', nullable: true })
  completedAt: Date | null;

  @Column({ name: 'cancelled_at', type: 'datetime', nullable: true })
  cancelledAt: Date | null;

  @Column({ name: 'expired_at', type: 'datetime', nullable: true })
  expiredAt: Date | null;

  /** When both were reminded of the coming trip (once). */
  @Column({ name: 'trip_reminded_at', type: 'datetime', nullable: true })
  tripRemindedAt: Date | null;

  /** When the traveller was reminded to review (once). */
  @Column({ name: 'review_reminded_at', type: 'datetime', nullable: true })
  reviewRemindedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'datetime' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'datetime' })
  updatedAt: Date;
}
