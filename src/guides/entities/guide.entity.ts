import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  JoinTable,
  ManyToMany,
  OneToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { Region } from '../../regions/entities/region.entity';
import { User } from '../../users/entities/user.entity';

import { type GuideStatus } from '../guide-values';

export { GUIDE_STATUSES } from '../guide-values';
export type { GuideStatus } from '../guide-values';

/** A user's guide profile (1:1). Approval by an admin makes the user's role `guide`. */
@Entity('guides')
export class Guide {
  @PrimaryGeneratedColumn()
  id: number;

  /** Unique through the one-to-one relation below. */
  @Column({ name: 'user_id', type: 'int' })
  userId: number;

  @OneToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: User;

  @Index('IDX_guides_status')
  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status: GuideStatus;

  @Column({ type: 'text' })
  introduction: string;

  /** ISO 639-1 codes, stored as `,ko,en,` so `LIKE '%,ko,%'` filters by one of them. */
  @Column({ type: 'varchar', length: 64 })
  languages: string;

  @Column({ type: 'text', nullable: true })
  career: string | null;

  @ManyToMany(() => Region)
  @JoinTable({
    name: 'guide_regions',
    joinColumn: { name: 'guide_id', referencedColumnName: 'id' },
    inverseJoinColumn: { name: 'region_id', referencedColumnName: 'id' },
  })
  regions?: Region[];

  @Column({ name: 'rejection_reason', type: 'varchar', length: 1000, nullable: true })
  rejectionReason: string | null;

  @Column({ name: 'suspend_reason', type: 'varchar', length: 1000, nullable: true })
  suspendReason: string | null;

  /** Mean of the reviews' ratings, kept with `reviewCount` by the reviews code. */
  @Column({ name: 'average_rating', type: 'double', default: 0 })
  averageRating: number;

  @Column({ name: 'review_count', type: 'int', default: 0 })
  reviewCount: number;

  @Column({ name: 'approved_at', type: 'datetime', nullable: true })
  approvedAt: Date | null;

  /** When the current application was made (re-applying after rejection moves it). */
  @Index('IDX_guides_applied_at')
  @Column({ name: 'applied_at', type: 'datetime' })
  appliedAt: Date;

  @CreateDateColumn({ name: 'created_at', type: 'datetime' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'datetime' })
  updatedAt: Date;
}
