import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { User } from '../../users/entities/user.entity';

export const DEVICE_PLATFORMS = ['android', 'ios', 'web'] as const;
export type DevicePlatform = (typeof DEVICE_PLATFORMS)[number];

/** The longest FCM registration token accepted (docs/api.md, Push and devices). */
export const MAX_DEVICE_TOKEN_LENGTH = 4096;

/**
 * One app installation that receives pushes: its FCM registration token, whose user it is
 * now, and when the app last registered it. A token belongs to one user at a time.
 */
@Entity('devices')
// a user's devices, most recently seen first (the push job, and dropping the oldest)
@Index('IDX_devices_user_seen', ['userId', 'lastSeenAt'])
export class Device {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'user_id', type: 'int' })
  userId: number;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: User;

  /**
   * SHA-256 of the token, hex: the unique key. The token itself (up to 4,096 characters) is
   * longer than a MySQL index key may be.
   */
  @Index('UQ_devices_token_hash', { unique: true })
  @Column({ name: 'token_hash', type: 'varchar', length: 64 })
  tokenHash: string;

  @Column({ type: 'varchar', length: MAX_DEVICE_TOKEN_LENGTH })
  token: string;

  @Column({ type: 'varchar', length: 16 })
  platform: DevicePlatform;

  /** BCP 47 tag the app reported (e.g. `ko-KR`), or null. */
  @Column({ type: 'varchar', length: 35, nullable: true })
  locale: string | null;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt: Date;

  /** When the app last registered the token (PUT /users/me/devices). */
  @Column({ name: 'last_seen_at', type: 'datetime' })
  lastSeenAt: Date;
}
