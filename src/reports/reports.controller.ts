import { Body, Controller, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../common/decorators/auth.decorator';
import { AuthUser, CurrentUser } from '../common/decorators/current-user.decorator';
import { CreateReportDto, ReportDto } from './dto/report.dto';
import { ReportsService } from './reports.service';
import { ApiErrors } from '../common/decorators/api-errors.decorator';

@ApiTags('reports')
@Controller('reports')
@Authenticated()
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  @Post()
  @ApiOperation({
    summary: 'Report a story, comment, user or chat message',
    description:
      'The reporter must be able to see the target, else 404: a story they can see; a comment ' +
      'that is not deleted on a story they can see; a user who has not withdrawn; a message of ' +
      'a chat room they are a member of. Reporting yourself or your own content (or a system ' +
      'message) is 400 VALIDATION_FAILED. One pending report per reporter and target: another ' +
      'one is 409 REPORT_DUPLICATE until the first is decided. A story reported by ' +
      '`REPORT_AUTO_HIDE_THRESHOLD` (default 5) distinct reporters with pending reports is ' +
      'hidden at once (its author gets CONTENT_HIDDEN) until an admin decides.',
  })
  @ApiCreatedResponse({ type: ReportDto })
  @ApiErrors(
    {
      code: 'VALIDATION_FAILED',
      when: 'You cannot report yourself or your own content',
      field: 'targetId',
    },
    { code: 'NOT_FOUND', when: 'Message not found (only members of its room may report it)' },
    {
      code: 'REPORT_DUPLICATE',
      when: 'You have already reported this and it is still being reviewed',
    },
  )
  create(@CurrentUser() user: AuthUser, @Body() dto: CreateReportDto): Promise<ReportDto> {
    return this.reports.create(user, dto);
  }
}
