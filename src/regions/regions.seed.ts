import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { isUniqueViolation } from '../database/sql';
import type { Region } from './entities/region.entity';
import { RegionSeed, TOP_LEVEL_REGIONS, TOURIST_AREAS } from './region-seed.data';
import { RegionsRepository } from './regions.repository';

/**
 * Puts the seed regions into the database at every start: missing ones are inserted, changed
 * ones updated, keyed on `code`; rows are never deleted (stories and guides point at them).
 * Two instances starting at once both try to insert; the unique code lets one win and the
 * other moves on.
 */
@Injectable()
export class RegionSeeder implements OnApplicationBootstrap {
  private readonly logger = new Logger(RegionSeeder.name);

  constructor(private readonly regions: RegionsRepository) {}

  async onApplicationBootstrap(): Promise<void> {
    const changed = await this.seed();
    if (changed > 0) this.logger.log(`Seeded ${changed} regions`);
  }

  /** Returns how many rows were inserted or updated (0 when all were already there). */
  async seed(): Promise<number> {
    let changed = await this.upsertAll(TOP_LEVEL_REGIONS.map((seed, i) => ({ seed, order: i })));
    changed += await this.upsertAll(
      TOURIST_AREAS.map((seed) => ({
        seed,
        order: TOURIST_AREAS.filter((a) => a.parent === seed.parent).indexOf(seed),
      })),
    );
    return changed;
  }

  private async upsertAll(entries: { seed: RegionSeed; order: number }[]): Promise<number> {
    const existing = new Map((await this.regions.all()).map((r) => [r.code, r]));
    let changed = 0;
    for (const { seed, order } of entries) {
      const parentId = seed.parent ? this.requireParent(existing, seed).id : null;
      const wanted = {
        code: seed.code,
        name: seed.name,
        nameEn: seed.nameEn,
        parentId,
        latitude: seed.latitude,
        longitude: seed.longitude,
        sortOrder: order,
      };
      const row = existing.get(seed.code);
      if (!row) {
        try {
          await this.regions.insert(wanted);
          changed += 1;
        } catch (error) {
          // another instance inserted it a moment ago
          if (!isUniqueViolation(error)) throw error;
        }
      } else if (
        row.name !== wanted.name ||
        row.nameEn !== wanted.nameEn ||
        row.parentId !== wanted.parentId ||
        Number(row.latitude) !== wanted.latitude ||
        Number(row.longitude) !== wanted.longitude ||
        row.sortOrder !== wanted.sortOrder
      ) {
        await this.regions.updateByCode(seed.code, wanted);
        changed += 1;
      }
    }
    return changed;
  }

  private requireParent(existing: Map<string, Region>, seed: RegionSeed): Region {
    const parent = existing.get(seed.parent as string);
    if (!parent) throw new Error(`Region seed: parent ${seed.parent} of ${seed.code} is missing`);
    return parent;
  }
}
