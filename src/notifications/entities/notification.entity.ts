import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { User } from '../../users/entities/user.entity';
import type { NotificationType } from '../notification-types';

/** Ids (and a few codes) a client needs to open what a notification is about. */
export type NotificationData = Record<string, string | number | null>;

/** One notification of one user. Only `readAt` ever changes, and only once. */
@Entity('notifications')
// a user's list, newest first, keyset-paged on the id; also serves the unread count
@Index('IDX_notifications_user_id', ['userId', 'id'])
// the retention job's scan for old ones (docs/api.md, Lifecycle)
@Index('IDX_notifications_created_at', ['createdAt'])
export class Notification {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'user_id', type: 'int' })
  userId: number;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: User;

  @Column({ type: 'varchar', length: 32 })
  type: NotificationType;

  @Column({ type: 'varchar', length: 100 })
  title: string;

  @Column({ type: 'varchar', length: 1000 })
  body: string;

  /** JSON in a text column, the same on MySQL and SQLite. */
  @Column({ type: 'simple-json' })
  data: NotificationData;

  @Column({ name: 'read_at', type: 'datetime', nullable: true })
  readAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'datetime' })
  createdAt: Date;
}
