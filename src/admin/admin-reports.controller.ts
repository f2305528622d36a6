import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../common/decorators/auth.decorator';
import { AuthUser, CurrentUser } from '../common/decorators/current-user.decorator';
import { Page, PageOf } from '../common/pagination/cursor';
import { ParseIdPipe } from '../common/validation/parse-id.pipe';
import { AdminReportDto, ListReportsQueryDto, ResolveReportDto } from '../reports/dto/report.dto';
import { ReportsService } from '../reports/reports.service';
import { ApiErrors } from '../common/decorators/api-errors.decorator';

const AdminReportPage = PageOf(AdminReportDto);

@ApiTags('admin')
@Controller('admin/reports')
@Authenticated('admin')
export class AdminReportsController {
  constructor(private readonly reports: ReportsService) {}

  @Get()
  @ApiOperation({
    summary: 'The report queue (admins only)',
    description:
      '`status` defaults to `pending`. Pending: ONE entry per reported target (its oldest ' +
      'pending report), oldest first; `reportCount` is the number of pending reports on that ' +
      'target. Resolved / dismissed: every report, newest first, with `reportCount` the ' +
      'reports with that status on the same target. `target` shows what was reported as it ' +
      'is now.',
  })
  @ApiOkResponse({ type: AdminReportPage })
  list(@Query() query: ListReportsQueryDto): Promise<Page<AdminReportDto>> {
    return this.reports.list(query);
  }

  @Post(':id/resolve')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Decide a report, and with it every pending report on the same target',
    description:
      'In one transaction: all pending reports on the target become `resolved` (`dismissed` ' +
      'for `dismiss`) with `resolution` = the action, and the action is applied. ' +
      '`hide`: a story is hidden, a comment soft-deleted; the author gets CONTENT_HIDDEN. ' +
      '`delete`: a story or comment is soft-deleted (author notified); for a user it suspends ' +
      'them. `suspend_user`: the author of the content (or the reported user) is suspended ' +
      'indefinitely: refresh tokens revoked, sockets disconnected; the content stays as it is. ' +
      '`dismiss`: nothing is hidden, and a story hidden automatically by reports is shown ' +
      'again. Chat messages are never changed (hide/delete → 400). One audit entry per ' +
      'decision (`report.<action>`; a story deletion is recorded as `story.delete`).',
  })
  @ApiOkResponse({ type: AdminReportDto })
  @ApiErrors(
    { code: 'NOT_FOUND', when: 'Report not found' },
    { code: 'CONFLICT', when: 'This report has already been decided' },
  )
  resolve(
    @CurrentUser() admin: AuthUser,
    @Param('id', ParseIdPipe) id: number,
    @Body() dto: ResolveReportDto,
  ): Promise<AdminReportDto> {
    return this.reports.resolve(admin, id, dto);
  }
}
