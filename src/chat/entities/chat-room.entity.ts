import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { Story } from '../../stories/entities/story.entity';
import { User } from '../../users/entities/user.entity';

/**
 * The 1:1 room of one accepted matching request. `matchingRequestId` is a plain unique
 * column (one room per request); `updatedAt` is the time of the last activity (a message,
 * the close) and orders the rooms list.
 */
@Entity('chat_rooms')
export class ChatRoom {
  @PrimaryGeneratedColumn()
  id: number;

  @Index('UQ_chat_rooms_matching_request', { unique: true })
  @Column({ name: 'matching_request_id', type: 'int' })
  matchingRequestId: number;

  @Index('IDX_chat_rooms_story')
  @Column({ name: 'story_id', type: 'int' })
  storyId: number;

  @ManyToOne(() => Story, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'story_id' })
  story?: Story;

  @Index('IDX_chat_rooms_traveler')
  @Column({ name: 'traveler_id', type: 'int' })
  travelerId: number;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'traveler_id' })
  traveler?: User;

  @Index('IDX_chat_rooms_guide_user')
  @Column({ name: 'guide_user_id', type: 'int' })
  guideUserId: number;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'guide_user_id' })
  guideUser?: User;

  /** Set when the request was cancelled: the room is read-only from then on. */
  @Column({ name: 'closed_at', type: 'datetime', precision: 3, nullable: true })
  closedAt: Date | null;

  /** No FK: the message table points at rooms already, and this only caches the newest id. */
  @Column({ name: 'last_message_id', type: 'int', nullable: true })
  lastMessageId: number | null;

  @Column({ name: 'last_message_at', type: 'datetime', precision: 3, nullable: true })
  lastMessageAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'datetime' })
  createdAt: Date;

  /** Set explicitly (millisecond precision on both databases), not by an update trigger. */
  @Index('IDX_chat_rooms_updated')
  @Column({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt: Date;
}
