import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';

/** A top-level region of Korea (시/도) or a tourist area under one; seeded, never user-made. */
@Entity('regions')
export class Region {
  @PrimaryGeneratedColumn()
  id: number;

  /** Stable slug, e.g. `jeju` or `jeju-seogwipo`; the seed is keyed on it. */
  @Index('UQ_regions_code', { unique: true })
  @Column({ type: 'varchar', length: 64 })
  code: string;

  @Column({ type: 'varchar', length: 40 })
  name: string;

  @Column({ name: 'name_en', type: 'varchar', length: 80 })
  nameEn: string;

  @Index('IDX_regions_parent')
  @Column({ name: 'parent_id', type: 'int', nullable: true })
  parentId: number | null;

  @ManyToOne(() => Region, { onDelete: 'RESTRICT', nullable: true })
  @JoinColumn({ name: 'parent_id' })
  parent?: Region | null;

  @Column({ type: 'double' })
  latitude: number;

  @Column({ type: 'double' })
  longitude: number;

  /** Display order within its parent (the seed's order). */
  @Column({ name: 'sort_order', type: 'int', default: 0 })
  sortOrder: number;
}
