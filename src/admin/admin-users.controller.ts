import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../common/decorators/auth.decorator';
import { PageOf } from '../common/pagination/cursor';
import { ListUsersQueryDto } from '../users/dto/list-users.query';
import { AdminUserDto } from '../users/dto/user.dto';
import { UsersService } from '../users/users.service';

const AdminUserPage = PageOf(AdminUserDto);

@ApiTags('admin')
@Controller('admin/users')
@Authenticated('admin')
export class AdminUsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @ApiOperation({ summary: 'Search users (admins only)', description: 'Newest first.' })
  @ApiOkResponse({ type: AdminUserPage })
  list(@Query() query: ListUsersQueryDto) {
    return this.users.list(query);
  }
}
