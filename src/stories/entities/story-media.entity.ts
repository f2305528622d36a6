import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import type { MediaStatus, MediaType } from '../../media/media-types';
import { Story } from './story.entity';

/**
 * A photo or video of a story. Keys are paths inside the media storage
 * (`stories/<random>.jpg`); a video still `processing` sits under `incoming/`, which is never
 * served.
 */
@Entity('media')
@Index('IDX_media_story_order', ['storyId', 'order'])
@Index('IDX_media_status', ['status'])
export class StoryMedia {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'story_id', type: 'int' })
  storyId: number;

  @ManyToOne(() => Story, (story) => story.media, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'story_id' })
  story?: Story;

  @Column({ type: 'varchar', length: 8 })
  type: MediaType;

  @Column({ type: 'varchar', length: 12, default: 'ready' })
  status: MediaStatus;

  @Column({ name: 'mime_type', type: 'varchar', length: 64 })
  mimeType: string;

  @Column({
    type: 'bigint',
    transformer: { to: (v: number) => v, from: (v: string | number) => Number(v) },
  })
  size: number;

  @Column({ type: 'int', nullable: true })
  width: number | null;

  @Column({ type: 'int', nullable: true })
  height: number | null;

  @Column({ name: 'duration_sec', type: 'double', nullable: true })
  durationSec: number | null;

  @Column({ name: 'storage_key', type: 'varchar', length: 255 })
  storageKey: string;

  @Column({ name: 'thumbnail_key', type: 'varchar', length: 255, nullable: true })
  thumbnailKey: string | null;

  /** Position within the story, 0-based. */
  @Column({ name: 'sort_order', type: 'int', default: 0 })
  order: number;

  @CreateDateColumn({ name: 'created_at', type: 'datetime' })
  createdAt: Date;
}
