import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { User } from './user.entity';

/**
 * One user blocking another (docs/api.md, Blocking and account rights). Mutual in effect: neither sees the other's content
 * nor reaches the other; only the blocker lifts it.
 */
@Entity('blocks')
@Index('IDX_blocks_blocked', ['blockedId', 'blockerId'])
export class Block {
  @PrimaryColumn({ name: 'blocker_id', type: 'int' })
  blockerId: number;

  @PrimaryColumn({ name: 'blocked_id', type: 'int' })
  blockedId: number;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'blocker_id' })
  blocker?: User;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'blocked_id' })
  blocked?: User;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt: Date;
}
