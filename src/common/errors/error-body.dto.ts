import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ErrorCode } from './error-codes';

/** The body of every error response. */
export class ErrorBodyDto {
  @ApiProperty({ example: 409 }) statusCode: number;
  @ApiProperty({ enum: Object.keys(ErrorCode), example: 'CONFLICT' }) code: string;
  @ApiProperty({ example: 'human readable' }) message: string;
  @ApiPropertyOptional({
    description: 'Validation failures: `[{ field, errors: [..] }]`',
    example: [{ field: 'nickname', errors: ['nickname must be longer than or equal to 2'] }],
  })
  details?: unknown;
  @ApiProperty() requestId: string;
  @ApiProperty({ example: '/api/v1/users/me' }) path: string;
  @ApiProperty({ example: '2026-01-01T00:00:00.000Z' }) timestamp: string;
}
