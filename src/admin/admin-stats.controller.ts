import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../common/decorators/auth.decorator';
import { AdminStatsService } from './admin-stats.service';
import { AdminStatsDto } from './dto/admin-stats.dto';

@ApiTags('admin')
@Controller('admin/stats')
@Authenticated('admin')
export class AdminStatsController {
  constructor(private readonly stats: AdminStatsService) {}

  @Get()
  @ApiOperation({
    summary: 'Counts for the admin dashboard',
    description:
      'Each number is a live COUNT. `users.*` leave withdrawn accounts out; `users.suspended` ' +
      'counts suspensions in force (run-out timed ones are lifted first); `newLast7Days` ' +
      'counts accounts created in the last 7×24 h; `chat.messagesLast24h` counts every stored ' +
      'message (system messages included) of the last 24 h.',
  })
  @ApiOkResponse({ type: AdminStatsDto })
  get(): Promise<AdminStatsDto> {
    return this.stats.stats();
  }
}
