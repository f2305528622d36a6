import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, IsNull, Repository } from 'typeorm';
import { Region } from './entities/region.entity';

/** The columns the seed writes (all but the id). */
export type RegionFields = Omit<Region, 'id' | 'parent'>;

/** The regions table: lookups, and the seed's writes. */
@Injectable()
export class RegionsRepository {
  constructor(@InjectRepository(Region) private readonly regions: Repository<Region>) {}

  findById(id: number): Promise<Region | null> {
    return this.regions.findOneBy({ id });
  }

  /** The regions with these ids that exist, in no particular order. */
  findByIds(ids: number[]): Promise<Region[]> {
    return this.regions.findBy({ id: In(ids) });
  }

  /** The ids of the region and of the areas directly under it, ascending. */
  async idsOfRegionAndChildren(regionId: number): Promise<number[]> {
    const rows = await this.regions.find({
      select: { id: true },
      where: [{ id: regionId }, { parentId: regionId }],
      order: { id: 'ASC' },
    });
    return rows.map((r) => r.id);
  }

  /** The top-level regions (`parentId` null), or the areas under `parentId`, in seed order. */
  children(parentId: number | null): Promise<Region[]> {
    return this.regions.find({
      where: { parentId: parentId === null ? IsNull() : parentId },
      order: { sortOrder: 'ASC', id: 'ASC' },
    });
  }

  /** Every region, in seed order within each level. */
  allInSeedOrder(): Promise<Region[]> {
    return this.regions.find({ order: { sortOrder: 'ASC', id: 'ASC' } });
  }

  /** Every region, in no particular order (the seed compares them with its data). */
  all(): Promise<Region[]> {
    return this.regions.find();
  }

  /** Throws the database's unique violation when the code exists already. */
  async insert(fields: RegionFields): Promise<void> {
    await this.regions.insert(fields);
  }

  async updateByCode(code: string, fields: RegionFields): Promise<void> {
    await this.regions.update({ code }, fields);
  }
}
