import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Story } from './story.entity';

/** One tag of a story (lower-cased, trimmed); the table behind `?tag=` and top tags. */
@Entity('story_tags')
export class StoryTag {
  @PrimaryColumn({ name: 'story_id', type: 'int' })
  storyId: number;

  @PrimaryColumn({ type: 'varchar', length: 20 })
  @Index('IDX_story_tags_tag')
  tag: string;

  /** Order as the author gave them. */
  @Column({ type: 'int', default: 0 })
  position: number;

  @ManyToOne(() => Story, (story) => story.tags, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'story_id' })
  story?: Story;
}
