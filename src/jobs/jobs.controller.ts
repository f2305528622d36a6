import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../common/decorators/auth.decorator';
import { DomainException } from '../common/errors/domain.exception';
import { Page, PageOf } from '../common/pagination/cursor';
import { JobDto, JobIdParams, ListJobsQueryDto } from './dto/job.dto';
import { JobQueue } from './job-queue';
import { ApiErrors } from '../common/decorators/api-errors.decorator';

const JobPage = PageOf(JobDto);

@ApiTags('admin')
@Controller('admin/jobs')
@Authenticated('admin')
export class JobsController {
  constructor(private readonly jobs: JobQueue) {}

  @Get()
  @ApiOperation({
    summary: 'Background jobs by state (admins only)',
    description:
      'Video processing, push delivery and the lifecycle schedule. `failed` (the default) is ' +
      'the dead letter: jobs out of retries, with the error of their last run, kept 14 days ' +
      '(BullMQ) — or, without Redis, the last 500 failures of this process since it started. ' +
      'Oldest first, queue by queue (media, push, lifecycle, default).',
  })
  @ApiOkResponse({ type: JobPage })
  async list(@Query() query: ListJobsQueryDto): Promise<Page<JobDto>> {
    const page = await this.jobs.list(query.state ?? 'failed', query.limit, query.cursor);
    return { items: page.items.map((record) => JobDto.from(record)), nextCursor: page.nextCursor };
  }

  @Post(':id/retry')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Run a failed job again',
    description: 'Its attempts count anew. Handlers are idempotent, so a retry is always safe.',
  })
  @ApiOkResponse({ type: JobDto })
  @ApiErrors(
    { code: 'NOT_FOUND', when: 'Job not found' },
    { code: 'CONFLICT', when: 'Job 42 is completed; only failed jobs retry' },
  )
  async retry(@Param() params: JobIdParams): Promise<JobDto> {
    const record = await this.jobs.retry(params.id);
    if (!record) throw new DomainException('NOT_FOUND', 'Job not found');
    return JobDto.from(record);
  }
}
