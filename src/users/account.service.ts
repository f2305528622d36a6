import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../common/decorators/current-user.decorator';
import { GuidesService } from '../guides/guides.service';
import type { UpdateMeDto } from './dto/update-me.dto';
import { MeDto, PublicUserDto } from './dto/user.dto';
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

  async getPublicProfile(userId: number): Promise<PublicUserDto> {
    const [user, guideId] = await Promise.all([
      this.users.getPublic(userId),
      this.guides.approvedIdOfUser(userId),
    ]);
    return PublicUserDto.from(user, guideId);
  }
}
