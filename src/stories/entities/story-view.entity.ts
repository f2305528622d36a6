import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Story } from './story.entity';

/**
 * When a viewer last counted as a view of a story; a view counts at most once per viewer per
 * 10 minutes. The viewer is `u:<userId>` or `ip:<address>` for anonymous callers.
 */
@Entity('story_views')
export class StoryView {
  @PrimaryColumn({ name: 'story_id', type: 'int' })
  storyId: number;

  @PrimaryColumn({ name: 'viewer_key', type: 'varchar', length: 64 })
  viewerKey: string;

  @ManyToOne(() => Story, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'story_id' })
  story?: Story;

  @Column({ name: 'viewed_at', type: 'datetime' })
  viewedAt: Date;
}
