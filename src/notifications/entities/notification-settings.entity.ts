import { Column, Entity, JoinColumn, OneToOne, PrimaryColumn } from 'typeorm';
import { User } from '../../users/entities/user.entity';

/**
 * A user's push preferences (docs/api.md, Push and devices). No row means the defaults: every category on, no
 * quiet hours. Quiet hours are three columns, all set or all null.
 */
@Entity('notification_settings')
export class NotificationSettings {
  @PrimaryColumn({ name: 'user_id', type: 'int' })
  userId: number;

  @OneToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: User;

  @Column({ name: 'push_matching', type: 'boolean', default: true })
  pushMatching: boolean;

  @Column({ name: 'push_chat', type: 'boolean', default: true })
  pushChat: boolean;

  @Column({ name: 'push_comments', type: 'boolean', default: true })
  pushComments: boolean;

  @Column({ name: 'push_reviews', type: 'boolean', default: true })
  pushReviews: boolean;

  @Column({ name: 'push_system', type: 'boolean', default: true })
  pushSystem: boolean;

  /** `HH:mm`, local time in `quietTimeZone`. */
  @Column({ name: 'quiet_start', type: 'varchar', length: 5, nullable: true })
  quietStart: string | null;

  @Column({ name: 'quiet_end', type: 'varchar', length: 5, nullable: true })
  quietEnd: string | null;

  /** IANA time zone, e.g. `Asia/Seoul`. */
  @Column({ name: 'quiet_time_zone', type: 'varchar', length: 64, nullable: true })
  quietTimeZone: string | null;

  @Column({ name: 'updated_at', type: 'datetime' })
  updatedAt: Date;
}
