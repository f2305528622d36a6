import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ErrorCode } from './error-codes';

/**
 * The body of every error response. Each route's responses carry an example per code it can
 * answer with (see ApiErrors); these are the schema's own.
 */
export class ErrorBodyDto {
  @ApiProperty({ description: 'The HTTP status, repeated', example: 404 }) statusCode: number;
  @ApiProperty({
    enum: Object.keys(ErrorCode),
    description: 'What apps switch on; every code is explained in docs/api.md (Errors)',
    example: 'NOT_FOUND',
  })
  code: string;
  @ApiProperty({
    description: 'For developers and logs, not for end users',
    example: 'Story not found',
  })
  message: string;
  @ApiPropertyOptional({
    description: 'Validation failures: `[{ field, errors: [..] }]`',
    example: [{ field: 'nickname', errors: ['nickname must be longer than or equal to 2'] }],
  })
  details?: unknown;
  @ApiProperty({
    description: 'Also in the `X-Request-Id` header; quote it when reporting a problem',
    example: '3f1c0e9a-7b2d-4c8e-9f10-2a6b5d4e3c21',
  })
  requestId: string;
  @ApiProperty({ example: '/api/v1/stories/1' }) path: string;
  @ApiProperty({ example: '2026-05-01T09:30:00.000Z' }) timestamp: string;
}
