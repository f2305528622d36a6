import { ApiProperty } from '@nestjs/swagger';

export class UserStatsDto {
  @ApiProperty({ description: 'Accounts that are not withdrawn (active + suspended)' })
  total: number;
  @ApiProperty({ description: 'Of those, accounts with the role `guide`' }) guides: number;
  @ApiProperty({ description: 'Accounts suspended now (run-out timed suspensions excluded)' })
  suspended: number;
  @ApiProperty({ description: 'Accounts created within the last 7 days, not withdrawn' })
  newLast7Days: number;
}

export class GuideStatsDto {
  @ApiProperty({ description: 'Applications waiting for a decision' }) pending: number;
  @ApiProperty() approved: number;
}

export class StoryStatsDto {
  @ApiProperty() published: number;
  @ApiProperty({ description: 'Hidden by an admin or by auto-hide' }) hidden: number;
}

export class MatchingStatsDto {
  @ApiProperty() pending: number;
  @ApiProperty() accepted: number;
  @ApiProperty() completed: number;
  @ApiProperty() rejected: number;
  @ApiProperty() cancelled: number;
}

export class ReportStatsDto {
  @ApiProperty({ description: 'Reports waiting for an admin' }) pending: number;
}

export class ChatStatsDto {
  @ApiProperty({ description: 'Chat messages stored in the last 24 hours (system ones included)' })
  messagesLast24h: number;
}

export class AdminStatsDto {
  @ApiProperty({ type: UserStatsDto }) users: UserStatsDto;
  @ApiProperty({ type: GuideStatsDto }) guides: GuideStatsDto;
  @ApiProperty({ type: StoryStatsDto }) stories: StoryStatsDto;
  @ApiProperty({ type: MatchingStatsDto }) matching: MatchingStatsDto;
  @ApiProperty({ type: ReportStatsDto }) reports: ReportStatsDto;
  @ApiProperty({ type: ChatStatsDto }) chat: ChatStatsDto;
}
