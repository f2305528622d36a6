import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../common/decorators/current-user.decorator';
import { DomainException } from '../common/errors/domain.exception';
import { GuidesService } from '../guides/guides.service';
import type { UpdateMeDto } from './dto/update-me.dto';
import { MeDto, PublicUserDto } from './dto/user.dto';
import { BlocksService } from './blocks.service';
import { UsersService } from './users.service';

/**
 * The account as its owner and others see it: the user row with the guide profile it has.
 * Composed here, above the users and guides modules, because a guide profile belongs to a
 * user (guides depend on users, never the other way round).
 */
@Injectable()
export class AccountService {
  constructor(
    private readonly users: UsersService,
    private readonly guides: GuidesService,
    private readonly blocks: BlocksService,
  ) {}

  async getMe(user: AuthUser): Promise<MeDto> {
    const [me, guide] = await Promise.all([
      this.users.get(user.id),
      this.guides.refOfUser(user.id),
    ]);
    return MeDto.from(me, guide);
  }

  async updateMe(user: AuthUser, dto: UpdateMeDto): Promise<MeDto> {
    await this.users.updateProfile(user, dto);
    return this.getMe(user);
  }

  withdraw(user: AuthUser): Promise<void> {
    return this.users.withdraw(user);
  }

  /**
   * A user as others see them. Someone who blocked the caller is 404 to the caller; someone
   * the caller blocked is shown, with `blockedByMe`, so the caller can lift the block.
   */
  async getPublicProfile(viewer: AuthUser | undefined, userId: number): Promise<PublicUserDto> {
    const [user, guideId, blockedByMe, blockedMe] = await Promise.all([
      this.users.getPublic(userId),
      this.guides.approvedIdOfUser(userId),
      viewer ? this.blocks.blocked(viewer.id, userId) : false,
      viewer && viewer.role !== 'admin' ? this.blocks.blocked(userId, viewer.id) : false,
    ]);
    if (blockedMe) throw new DomainException('NOT_FOUND', 'User not found');
    return PublicUserDto.from(user, guideId, blockedByMe);
  }
}
