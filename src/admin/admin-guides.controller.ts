import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../common/decorators/auth.decorator';
import { AuthUser, CurrentUser } from '../common/decorators/current-user.decorator';
import { Page, PageOf } from '../common/pagination/cursor';
import { ParseIdPipe } from '../common/validation/parse-id.pipe';
import { AdminGuideDto } from '../guides/dto/guide.dto';
import { GuidesService } from '../guides/guides.service';
import { GuideDecisionReasonDto, ListAdminGuidesQueryDto } from './dto/admin-guides.dto';
import { ApiErrors } from '../common/decorators/api-errors.decorator';
import { ApiBodyExample } from '../common/decorators/api-body-example.decorator';

const AdminGuidePage = PageOf(AdminGuideDto);

const GUIDE_NOT_FOUND = { code: 'NOT_FOUND', when: 'Guide not found' } as const;

@ApiTags('admin')
@Controller('admin/guides')
@Authenticated('admin')
export class AdminGuidesController {
  constructor(private readonly guides: GuidesService) {}

  @Get()
  @ApiOperation({
    summary: 'Guide applications by state (admins only)',
    description: 'Default `pending`, oldest application first; other states newest first.',
  })
  @ApiOkResponse({ type: AdminGuidePage })
  list(@Query() query: ListAdminGuidesQueryDto): Promise<Page<AdminGuideDto>> {
    return this.guides.listForAdmin(query.status ?? 'pending', query.limit, query.cursor);
  }

  @Post(':id/approve')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Approve a pending application',
    description:
      'The user’s role becomes `guide` at once (roles are read per request). Recorded in the audit log; the applicant is notified (GUIDE_APPROVED).',
  })
  @ApiOkResponse({ type: AdminGuideDto })
  @ApiErrors(GUIDE_NOT_FOUND, {
    code: 'CONFLICT',
    when: 'Only pending guides can be approved; this one is approved',
  })
  approve(
    @CurrentUser() admin: AuthUser,
    @Param('id', ParseIdPipe) id: number,
  ): Promise<AdminGuideDto> {
    return this.guides.approve(admin, id);
  }

  @Post(':id/reject')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Reject a pending application',
    description: 'The applicant sees the reason and may apply again. Emits `guide.rejected`.',
  })
  @ApiOkResponse({ type: AdminGuideDto })
  @ApiErrors(GUIDE_NOT_FOUND, {
    code: 'CONFLICT',
    when: 'Only pending guides can be rejected; this one is approved',
  })
  reject(
    @CurrentUser() admin: AuthUser,
    @Param('id', ParseIdPipe) id: number,
    @Body() dto: GuideDecisionReasonDto,
  ): Promise<AdminGuideDto> {
    return this.guides.reject(admin, id, dto.reason);
  }

  @Post(':id/suspend')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Suspend an approved guide',
    description:
      'The guide can no longer publish or accept matchings (403 GUIDE_REQUIRED); the user keeps the role `guide` and their stories stay. Recorded in the audit log.',
  })
  @ApiOkResponse({ type: AdminGuideDto })
  @ApiErrors(GUIDE_NOT_FOUND, {
    code: 'CONFLICT',
    when: 'Only approved guides can be suspended; this one is pending',
  })
  @ApiBodyExample(
    GuideDecisionReasonDto,
    { reason: 'Travellers reported three no-shows this month.' },
    'A suspension',
  )
  suspend(
    @CurrentUser() admin: AuthUser,
    @Param('id', ParseIdPipe) id: number,
    @Body() dto: GuideDecisionReasonDto,
  ): Promise<AdminGuideDto> {
    return this.guides.suspend(admin, id, dto.reason);
  }
}
