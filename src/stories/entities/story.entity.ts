import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  OneToMany,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { Guide } from '../../guides/entities/guide.entity';
import { StoryMedia } from './story-media.entity';
import { Region } from '../../regions/entities/region.entity';
import { User } from '../../users/entities/user.entity';
import { StoryTag } from './story-tag.entity';

import { type StoryCategory, type StoryStatus } from '../story-values';

export { STORY_CATEGORIES, STORY_STATUSES } from '../story-values';
export type { StoryCategory, StoryStatus } from '../story-values';

/**
 * A guide's story. Counters are kept by atomic `x = x ± 1` updates in the same transaction
 * as the row they count, so they never drift from the rows.
 */
@Entity('stories')
// lists walk a status's stories newest first (keyset on the id) without sorting them
@Index('IDX_stories_status_id', ['status', 'id'])
export class Story {
  @PrimaryGeneratedColumn()
  id: number;

  @Index('IDX_stories_guide')
  @Column({ name: 'guide_id', type: 'int' })
  guideId: number;

  @ManyToOne(() => Guide, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'guide_id' })
  guide?: Guide;

  /** The guide's user, kept here so ownership checks need no join. */
  @Index('IDX_stories_user')
  @Column({ name: 'user_id', type: 'int' })
  userId: number;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: User;

  @Column({ type: 'varchar', length: 100 })
  title: string;

  @Column({ type: 'text' })
  content: string;

  @Index('IDX_stories_category')
  @Column({ type: 'varchar', length: 16 })
  category: StoryCategory;

  @Index('IDX_stories_region')
  @Column({ name: 'region_id', type: 'int' })
  regionId: number;

  @ManyToOne(() => Region, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'region_id' })
  region?: Region;

  @Column({ type: 'varchar', length: 16, default: 'published' })
  status: StoryStatus;

  /** Why an admin (or auto-hide) hid it. */
  @Column({ name: 'hidden_reason', type: 'varchar', length: 1000, nullable: true })
  hiddenReason: string | null;

  @Column({ name: 'like_count', type: 'int', default: 0 })
  likeCount: number;

  @Column({ name: 'comment_count', type: 'int', default: 0 })
  commentCount: number;

  @Column({ name: 'bookmark_count', type: 'int', default: 0 })
  bookmarkCount: number;

  @Column({ name: 'view_count', type: 'int', default: 0 })
  viewCount: number;

  @Column({ name: 'media_count', type: 'int', default: 0 })
  mediaCount: number;

  /** A matching request on this story was accepted. */
  @Column({ name: 'is_matched', type: 'boolean', default: false })
  isMatched: boolean;

  @OneToMany(() => StoryTag, (tag) => tag.story)
  tags?: StoryTag[];

  @OneToMany(() => StoryMedia, (media) => media.story)
  media?: StoryMedia[];

  @Column({ name: 'deleted_at', type: 'datetime', nullable: true })
  deletedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'datetime' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'datetime' })
  updatedAt: Date;
}
