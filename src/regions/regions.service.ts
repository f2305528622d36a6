import { Injectable } from '@nestjs/common';
import { DomainException } from '../common/errors/domain.exception';
import { Region } from './entities/region.entity';
import { RegionsRepository } from './regions.repository';

function groupBy<T>(rows: T[], keyOf: (row: T) => number): Map<number, T[]> {
  const groups = new Map<number, T[]>();
  for (const row of rows) groups.set(keyOf(row), [...(groups.get(keyOf(row)) ?? []), row]);
  return groups;
}

/**
 * The regions table (seeded reference data, two levels deep: 시/도 and the areas under
 * them) and the lookups other modules make on it. What the region screens show about stories
 * is composed above, in RegionsBrowseModule.
 */
@Injectable()
export class RegionsService {
  constructor(private readonly regions: RegionsRepository) {}

  findById(id: number): Promise<Region | null> {
    return this.regions.findById(id);
  }

  async requireById(id: number): Promise<Region> {
    const region = await this.findById(id);
    if (!region) throw new DomainException('NOT_FOUND', 'Region not found');
    return region;
  }

  /** The region and the areas under it; empty when the region does not exist. */
  async descendantIds(regionId: number): Promise<number[]> {
    const ids = await this.regions.idsOfRegionAndChildren(regionId);
    return ids.includes(regionId) ? [regionId, ...ids.filter((id) => id !== regionId)] : [];
  }

  /** The regions with these ids, in the given order; 400 naming `field` when one is missing. */
  async requireExisting(ids: number[], field = 'regionIds'): Promise<Region[]> {
    const unique = [...new Set(ids)];
    const found = unique.length > 0 ? await this.regions.findByIds(unique) : [];
    const byId = new Map(found.map((r) => [r.id, r]));
    const missing = unique.filter((id) => !byId.has(id));
    if (missing.length > 0) {
      const message = `${field} contains regions that do not exist: ${missing.join(', ')}`;
      throw new DomainException('VALIDATION_FAILED', message, [{ field, errors: [message] }]);
    }
    return unique.map((id) => byId.get(id) as Region);
  }

  /** The top-level regions, or the areas under `parentId`, in seed order. */
  children(parentId: number | null): Promise<Region[]> {
    return this.regions.children(parentId);
  }

  /** Top-level regions in seed order, each followed by its areas in seed order. */
  async allOrdered(): Promise<Region[]> {
    const all = await this.regions.allInSeedOrder();
    const children = groupBy(
      all.filter((r) => r.parentId !== null),
      (r) => r.parentId as number,
    );
    const tops = all.filter((r) => r.parentId === null);
    const topIds = new Set(tops.map((r) => r.id));
    const orphans = all.filter((r) => r.parentId !== null && !topIds.has(r.parentId));
    return [...tops.flatMap((r) => [r, ...(children.get(r.id) ?? [])]), ...orphans];
  }
}
