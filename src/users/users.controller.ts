import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Put, Query } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated, PublicRoute } from '../common/decorators/auth.decorator';
import { AuthUser, CurrentUser } from '../common/decorators/current-user.decorator';
import { Page, PageOf, PageQueryDto } from '../common/pagination/cursor';
import { ParseIdPipe } from '../common/validation/parse-id.pipe';
import { UpdateMeDto } from './dto/update-me.dto';
import { MeDto, PublicUserDto } from './dto/user.dto';
import { AccountService } from './account.service';
import { BlocksService } from './blocks.service';
import { BlockedUserDto } from './dto/block.dto';
import { ApiErrors } from '../common/decorators/api-errors.decorator';

const BlockedUserPage = PageOf(BlockedUserDto);

const BLOCK_EFFECTS =
  "Mutual in effect (docs/api.md, Blocking and account rights): neither of the two sees the other's stories, comments, " +
  "reviews or guide profile, or can like, comment on, bookmark or request the other's " +
  'stories (404); pending matching requests between them are cancelled; their chat room ' +
  "becomes read-only (403 USER_BLOCKED); neither is notified of the other's actions.";

@ApiTags('users')
@Controller('users')
export class UsersController {
  constructor(
    private readonly account: AccountService,
    private readonly blocks: BlocksService,
  ) {}

  @Get('me')
  @Authenticated()
  @ApiOperation({ summary: 'My account' })
  @ApiOkResponse({ type: MeDto })
  getMe(@CurrentUser() user: AuthUser): Promise<MeDto> {
    return this.account.getMe(user);
  }

  @Patch('me')
  @Authenticated()
  @ApiOperation({ summary: 'Change my nickname or bio' })
  @ApiOkResponse({ type: MeDto })
  updateMe(@CurrentUser() user: AuthUser, @Body() dto: UpdateMeDto): Promise<MeDto> {
    return this.account.updateMe(user, dto);
  }

  @Delete('me')
  @HttpCode(204)
  @Authenticated()
  @ApiOperation({
    summary: 'Withdraw my account',
    description:
      'Personal data is blanked, every session is signed out and the Kakao account is released, so the person can sign up again as a new user.',
  })
  @ApiNoContentResponse()
  withdraw(@CurrentUser() user: AuthUser): Promise<void> {
    return this.account.withdraw(user);
  }

  @Get('me/blocks')
  @Authenticated()
  @ApiOperation({ summary: 'People I blocked', description: 'Newest first.' })
  @ApiOkResponse({ type: BlockedUserPage })
  listBlocks(
    @CurrentUser() user: AuthUser,
    @Query() query: PageQueryDto,
  ): Promise<Page<BlockedUserDto>> {
    return this.blocks.list(user, query);
  }

  @Get(':id')
  @PublicRoute()
  @ApiOperation({
    summary: "A user's public profile",
    description:
      'Withdrawn users, and users who blocked the caller, are 404. `blockedByMe` tells whether ' +
      'the caller blocked this user.',
  })
  @ApiOkResponse({ type: PublicUserDto })
  @ApiErrors({ code: 'NOT_FOUND', when: 'User not found' })
  getPublic(
    @CurrentUser() viewer: AuthUser | undefined,
    @Param('id', ParseIdPipe) id: number,
  ): Promise<PublicUserDto> {
    return this.account.getPublicProfile(viewer, id);
  }

  @Put(':id/block')
  @HttpCode(204)
  @Authenticated()
  @ApiOperation({
    summary: 'Block a user',
    description:
      BLOCK_EFFECTS + ' Idempotent. Yourself or an admin → 400; unknown or withdrawn → 404.',
  })
  @ApiNoContentResponse()
  @ApiErrors(
    { code: 'VALIDATION_FAILED', when: 'You cannot block yourself (nor an admin)', field: 'id' },
    { code: 'NOT_FOUND', when: 'User not found' },
  )
  block(@CurrentUser() user: AuthUser, @Param('id', ParseIdPipe) id: number): Promise<void> {
    return this.blocks.block(user, id);
  }

  @Delete(':id/block')
  @HttpCode(204)
  @Authenticated()
  @ApiOperation({ summary: 'Lift a block I made', description: 'Idempotent.' })
  @ApiNoContentResponse()
  unblock(@CurrentUser() user: AuthUser, @Param('id', ParseIdPipe) id: number): Promise<void> {
    return this.blocks.unblock(user, id);
  }
}
