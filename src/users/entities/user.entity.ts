import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

export const USER_ROLES = ['user', 'guide', 'admin'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export const USER_STATUSES = ['active', 'suspended', 'withdrawn'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

@Entity('users')
export class User {
  @PrimaryGeneratedColumn()
  id: number;

  /** Kakao's user id; null once the user has withdrawn, so the person can sign up again. */
  @Index('UQ_users_kakao_id', { unique: true })
  @Column({ name: 'kakao_id', type: 'varchar', length: 32, nullable: true })
  kakaoId: string | null;

  @Column({ type: 'varchar', length: 40 })
  nickname: string;

  /** Set once the user picks a nickname themselves; Kakao logins stop overwriting it then. */
  @Column({ name: 'nickname_customized', type: 'boolean', default: false })
  nicknameCustomized: boolean;

  @Column({ name: 'profile_image_url', type: 'varchar', length: 500, nullable: true })
  profileImageUrl: string | null;

  @Column({ type: 'varchar', length: 254, nullable: true })
  email: string | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  bio: string | null;

  @Index('IDX_users_role')
  @Column({ type: 'varchar', length: 16, default: 'user' })
  role: UserRole;

  @Index('IDX_users_status')
  @Column({ type: 'varchar', length: 16, default: 'active' })
  status: UserStatus;

  /** End of a timed suspension; null for an indefinite one (or when not suspended). */
  @Column({ name: 'suspended_until', type: 'datetime', nullable: true })
  suspendedUntil: Date | null;

  @Column({ name: 'suspend_reason', type: 'varchar', length: 1000, nullable: true })
  suspendReason: string | null;

  @Column({ name: 'withdrawn_at', type: 'datetime', nullable: true })
  withdrawnAt: Date | null;

  @Column({ name: 'last_login_at', type: 'datetime', nullable: true })
  lastLoginAt: Date | null;

  /** When the user last downloaded their data (GET /users/me/export: once an hour). */
  @Column({ name: 'last_export_at', type: 'datetime', nullable: true })
  lastExportAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'datetime' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'datetime' })
  updatedAt: Date;
}
