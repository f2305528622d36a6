import { Body, Controller, Delete, Get, HttpCode, Param, Patch } from '@nestjs/common';
import {
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Authenticated, PublicRoute } from '../common/decorators/auth.decorator';
import { AuthUser, CurrentUser } from '../common/decorators/current-user.decorator';
import { ErrorBodyDto } from '../common/errors/error-body.dto';
import { ParseIdPipe } from '../common/validation/parse-id.pipe';
import { UpdateMeDto } from './dto/update-me.dto';
import { MeDto, PublicUserDto } from './dto/user.dto';
import { AccountService } from './account.service';

@ApiTags('users')
@Controller('users')
export class UsersController {
  constructor(private readonly account: AccountService) {}

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

  @Get(':id')
  @PublicRoute()
  @ApiOperation({ summary: "A user's public profile" })
  @ApiOkResponse({ type: PublicUserDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto })
  getPublic(@Param('id', ParseIdPipe) id: number): Promise<PublicUserDto> {
    return this.account.getPublicProfile(id);
  }
}
