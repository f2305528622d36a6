import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  OneToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { Guide } from '../../guides/entities/guide.entity';
import { User } from '../../users/entities/user.entity';
import { MatchingRequest } from './matching-request.entity';

/** A traveller's review of the guide after a completed matching; one per request. */
@Entity('reviews')
@Index('IDX_reviews_guide', ['guideId', 'id'])
export class Review {
  @PrimaryGeneratedColumn()
  id: number;

  /** Unique: a second review of the same request fails in the database, also under races. */
  @Index('UQ_reviews_matching_request', { unique: true })
  @Column({ name: 'matching_request_id', type: 'int' })
  matchingRequestId: number;

  @OneToOne(() => MatchingRequest, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'matching_request_id' })
  matchingRequest?: MatchingRequest;

  @Column({ name: 'guide_id', type: 'int' })
  guideId: number;

  @ManyToOne(() => Guide, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'guide_id' })
  guide?: Guide;

  @Index('IDX_reviews_traveler')
  @Column({ name: 'traveler_id', type: 'int' })
  travelerId: number;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'traveler_id' })
  traveler?: User;

  @Column({ type: 'int' })
  rating: number;

  @Column({ type: 'varchar', length: 1000, default: '' })
  content: string;

  @CreateDateColumn({ name: 'created_at', type: 'datetime' })
  createdAt: Date;
}
