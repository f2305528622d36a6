import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches } from 'class-validator';
import { PageQueryDto } from '../../common/pagination/cursor';
import { JOB_QUEUE_NAMES, JOB_STATES, JobQueueName, JobRecord, JobState } from '../job-queue';

export class JobDto {
  @ApiProperty({ example: 'media:stories.process-video.42', description: '`<queue>:<job id>`' })
  id: string;
  @ApiProperty({ example: 'stories.process-video' }) name: string;
  @ApiProperty({ enum: JOB_QUEUE_NAMES }) queue: JobQueueName;
  @ApiProperty({ enum: JOB_STATES }) state: JobState;
  @ApiProperty({ description: 'Runs started so far' }) attempts: number;
  @ApiProperty({ type: String, nullable: true, description: 'The error of the last failed run' })
  failedReason: string | null;
  @ApiProperty({ description: 'The payload (ids only)', example: { mediaId: 42 } })
  data: unknown;
  @ApiProperty() createdAt: string;
  @ApiProperty({ type: String, nullable: true }) finishedAt: string | null;

  static from(record: JobRecord): JobDto {
    return {
      ...record,
      createdAt: record.createdAt.toISOString(),
      finishedAt: record.finishedAt?.toISOString() ?? null,
    };
  }
}

export class ListJobsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: JOB_STATES, default: 'failed' })
  @IsOptional()
  @IsIn(JOB_STATES)
  state?: JobState;
}

export class JobIdParams {
  @ApiProperty({ example: 'media:stories.process-video.42' })
  @IsString()
  @Matches(/^(media|push|lifecycle|default):[A-Za-z0-9._-]{1,200}$/, {
    message: 'id must look like media:stories.process-video.42',
  })
  id: string;
}
