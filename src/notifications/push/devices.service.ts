import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { AuthUser } from '../../common/decorators/current-user.decorator';
import { runInTransaction } from '../../database/transaction';
import type { Device } from '../entities/device.entity';
import type { DeviceExport, RegisterDeviceDto } from './dto/device.dto';
import { DevicesRepository } from './devices.repository';

/** Devices one user may have; registering one more drops the least recently seen. */
export const MAX_DEVICES_PER_USER = 10;

/** The unique key of a token: its SHA-256, hex. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * The app installations that receive a user's pushes (docs/api.md, Push and devices). A token belongs to one user
 * at a time: registering it moves it to the caller (a shared phone, a new sign-in).
 */
@Injectable()
export class DevicesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly devices: DevicesRepository,
  ) {}

  /** Upsert by token, then at most {@link MAX_DEVICES_PER_USER} for the caller, in one transaction. */
  async register(user: AuthUser, dto: RegisterDeviceDto): Promise<void> {
    await runInTransaction(this.dataSource, async (manager) => {
      await this.devices.lockUser(manager, user.id);
      await this.devices.upsert(manager, {
        userId: user.id,
        tokenHash: tokenHash(dto.token),
        token: dto.token,
        platform: dto.platform,
        locale: dto.locale ?? null,
        now: new Date(),
      });
      await this.devices.keepNewest(manager, user.id, MAX_DEVICES_PER_USER);
    });
  }

  /** Removes the token when it is the caller's; someone else's token, or none, changes nothing. */
  async unregister(user: AuthUser, token: string): Promise<void> {
    await runInTransaction(this.dataSource, (manager) =>
      this.devices.deleteOfUser(manager, user.id, tokenHash(token)),
    );
  }

  /** Where the user's pushes go, most recently seen first. */
  ofUser(userId: number): Promise<Device[]> {
    return this.devices.ofUser(userId);
  }

  /** FCM said the device's token is dead (UNREGISTERED / INVALID_ARGUMENT). */
  async removeDead(deviceId: number): Promise<void> {
    await runInTransaction(this.dataSource, (manager) =>
      this.devices.deleteById(manager, deviceId),
    );
  }

  /** A withdrawn user's devices go with their personal data: no push reaches them any more. */
  async removeAllOf(userId: number): Promise<void> {
    await runInTransaction(this.dataSource, (manager) => this.devices.deleteAllOf(manager, userId));
  }

  /** The user's devices for their data export (docs/api.md, Blocking and account rights). */
  async exportOf(userId: number): Promise<DeviceExport[]> {
    return (await this.devices.ofUser(userId)).map((d) => ({
      token: d.token,
      platform: d.platform,
      locale: d.locale,
      createdAt: d.createdAt.toISOString(),
      lastSeenAt: d.lastSeenAt.toISOString(),
    }));
  }
}
