import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../common/decorators/auth.decorator';
import { AuthUser, CurrentUser } from '../common/decorators/current-user.decorator';
import { PageOf } from '../common/pagination/cursor';
import { ParseIdPipe } from '../common/validation/parse-id.pipe';
import { ListUsersQueryDto } from '../users/dto/list-users.query';
import { AdminUserDto } from '../users/dto/user.dto';
import { UsersService } from '../users/users.service';
import { AdminModerationService } from './admin-moderation.service';
import { SuspendUserDto } from './dto/admin-moderation.dto';
import { ApiErrors } from '../common/decorators/api-errors.decorator';

const AdminUserPage = PageOf(AdminUserDto);

@ApiTags('admin')
@Controller('admin/users')
@Authenticated('admin')
export class AdminUsersController {
  constructor(
    private readonly users: UsersService,
    private readonly moderation: AdminModerationService,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Search users (admins only)',
    description:
      'Newest first. `q` matches part of the nickname; `status` and `role` filter exactly. ' +
      'Timed suspensions that have run out are lifted first, so `status` is current.',
  })
  @ApiOkResponse({ type: AdminUserPage })
  list(@Query() query: ListUsersQueryDto) {
    return this.users.list(query);
  }

  @Post(':id/suspend')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Suspend a user',
    description:
      'Takes effect at once: every refresh token is revoked, open chat sockets are ' +
      'disconnected, and the next request with a still-valid access token gets 403 ' +
      'ACCOUNT_SUSPENDED (status is read per request). With `until` the suspension ends by ' +
      'itself at that moment (the user then signs in again). Suspending a suspended user ' +
      'replaces the reason and the end. Admins cannot be suspended (409). One audit entry ' +
      '`user.suspend` with the reason.',
  })
  @ApiOkResponse({ type: AdminUserDto })
  @ApiErrors(
    { code: 'NOT_FOUND', when: 'User not found (or withdrawn)' },
    { code: 'CONFLICT', when: 'Admins cannot be suspended' },
  )
  suspend(
    @CurrentUser() admin: AuthUser,
    @Param('id', ParseIdPipe) id: number,
    @Body() dto: SuspendUserDto,
  ): Promise<AdminUserDto> {
    return this.moderation.suspendUser(
      admin,
      id,
      dto.reason,
      dto.until === undefined ? null : new Date(dto.until),
    );
  }

  @Post(':id/unsuspend')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Lift a suspension',
    description:
      'The user can sign in again at once (their old refresh tokens stay revoked). One audit ' +
      'entry `user.unsuspend`.',
  })
  @ApiOkResponse({ type: AdminUserDto })
  @ApiErrors(
    { code: 'NOT_FOUND', when: 'User not found (or withdrawn)' },
    { code: 'CONFLICT', when: 'This user is not suspended' },
  )
  unsuspend(
    @CurrentUser() admin: AuthUser,
    @Param('id', ParseIdPipe) id: number,
  ): Promise<AdminUserDto> {
    return this.moderation.unsuspendUser(admin, id);
  }
}
