import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../common/decorators/auth.decorator';
import { Page, PageOf } from '../common/pagination/cursor';
import { AuditLogService } from './audit-log.service';
import { AuditLogDto, ListAuditLogsQueryDto } from './dto/audit-log.dto';

const AuditLogPage = PageOf(AuditLogDto);

@ApiTags('admin')
@Controller('admin/audit-logs')
@Authenticated('admin')
export class AuditLogsController {
  constructor(private readonly auditLog: AuditLogService) {}

  @Get()
  @ApiOperation({ summary: 'Every admin action (admins only)', description: 'Newest first.' })
  @ApiOkResponse({ type: AuditLogPage })
  list(@Query() query: ListAuditLogsQueryDto): Promise<Page<AuditLogDto>> {
    return this.auditLog.list(query);
  }
}
