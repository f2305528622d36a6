import { ApiProperty } from '@nestjs/swagger';
import { USER_ROLES, USER_STATUSES, User, UserRole, UserStatus } from '../entities/user.entity';

export class GuideRefDto {
  @ApiProperty() id: number;
  @ApiProperty({ enum: ['pending', 'approved', 'rejected', 'suspended'] }) status: string;
}

/** The signed-in user's own view of their account. */
export class MeDto {
  @ApiProperty() id: number;
  @ApiProperty() nickname: string;
  @ApiProperty({ type: String, nullable: true }) profileImageUrl: string | null;
  @ApiProperty({ type: String, nullable: true }) email: string | null;
  @ApiProperty({ type: String, nullable: true }) bio: string | null;
  @ApiProperty({ enum: USER_ROLES }) role: UserRole;
  @ApiProperty({ enum: USER_STATUSES }) status: UserStatus;
  @ApiProperty({ type: GuideRefDto, nullable: true }) guide: GuideRefDto | null;
  @ApiProperty() createdAt: string;

  static from(user: User, guide: GuideRefDto | null = null): MeDto {
    return {
      id: user.id,
      nickname: user.nickname,
      profileImageUrl: user.profileImageUrl,
      email: user.email,
      bio: user.bio,
      role: user.role,
      status: user.status,
      guide,
      createdAt: user.createdAt.toISOString(),
    };
  }
}

/** What anyone may see of a user. */
export class PublicUserDto {
  @ApiProperty() id: number;
  @ApiProperty() nickname: string;
  @ApiProperty({ type: String, nullable: true }) profileImageUrl: string | null;
  @ApiProperty({ type: String, nullable: true }) bio: string | null;
  @ApiProperty({ type: Number, nullable: true }) guideId: number | null;
  @ApiProperty({
    description: 'The caller blocked this user (false without a token); see PUT /users/{id}/block',
  })
  blockedByMe: boolean;

  static from(user: User, guideId: number | null = null, blockedByMe = false): PublicUserDto {
    return {
      id: user.id,
      nickname: user.nickname,
      profileImageUrl: user.profileImageUrl,
      bio: user.bio,
      guideId,
      blockedByMe,
    };
  }
}

/** An account as admins see it in the user list. */
export class AdminUserDto {
  @ApiProperty() id: number;
  @ApiProperty() nickname: string;
  @ApiProperty({ type: String, nullable: true }) profileImageUrl: string | null;
  @ApiProperty({ type: String, nullable: true }) email: string | null;
  @ApiProperty({ enum: USER_ROLES }) role: UserRole;
  @ApiProperty({ enum: USER_STATUSES }) status: UserStatus;
  @ApiProperty({ type: String, nullable: true }) suspendedUntil: string | null;
  @ApiProperty({ type: String, nullable: true }) suspendReason: string | null;
  @ApiProperty({ type: String, nullable: true }) lastLoginAt: string | null;
  @ApiProperty() createdAt: string;

  static from(user: User): AdminUserDto {
    return {
      id: user.id,
      nickname: user.nickname,
      profileImageUrl: user.profileImageUrl,
      email: user.email,
      role: user.role,
      status: user.status,
      suspendedUntil: user.suspendedUntil?.toISOString() ?? null,
      suspendReason: user.suspendReason,
      lastLoginAt: user.lastLoginAt?.toISOString() ?? null,
      createdAt: user.createdAt.toISOString(),
    };
  }
}
